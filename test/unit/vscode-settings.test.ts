import { describe, expect, test } from 'vitest';
import { mergeConfig, parseConfig } from '../../src/core/config';
import { settingContributions, settingsToConfigInput, type InspectedSetting } from '../../src/core/vscode-settings';

function inspector(values: Record<string, InspectedSetting>) {
  return (key: string): InspectedSetting | undefined => values[key];
}

describe('VS Code settings from the config schema', () => {
  test('nested keys become dotted settings; a key without a default defaults to null (unset)', () => {
    const s = settingContributions();
    expect(s['redline.memory.tiers.critical']).toMatchObject({ type: 'number', default: 60, minimum: 1, maximum: 100 });
    expect(s['redline.memory.limitMB']).toMatchObject({ type: ['integer', 'null'], default: null });
    expect(s['redline.run.workers']!.default).toBe('auto');
    expect(s['redline.$schema']).toBeUndefined();
  });

  test('only values a user set count, folder over workspace over user; null is unset', () => {
    const input = settingsToConfigInput(
      inspector({
        'memory.limitMB': { globalValue: 2048, workspaceValue: 1024 },
        'memory.tiers.warning': { globalValue: 30 },
        'run.fileTimeoutS': { workspaceValue: 10, workspaceFolderValue: 5 },
        'run.config': { globalValue: null },
        'leaks.enabled': {},
      }),
    );
    expect(input).toEqual({ memory: { limitMB: 1024, tiers: { warning: 30 } }, run: { fileTimeoutS: 5 } });
  });

  test('settings lay over redline.config.json and are validated like it', () => {
    const file = { memory: { limitMB: 4096, tiers: { critical: 70 } }, run: { workers: 2 } };
    const merged = parseConfig(mergeConfig(file, settingsToConfigInput(inspector({ 'memory.limitMB': { globalValue: 512 } }))), 'x');
    expect(merged.ok && merged.config.memory.limitMB).toBe(512);
    expect(merged.ok && merged.config.memory.tiers.critical).toBe(70);
    const bad = parseConfig(settingsToConfigInput(inspector({ 'memory.tiers.warning': { globalValue: 200 } })), 'VS Code settings');
    expect(bad.ok).toBe(false);
    expect(!bad.ok && bad.errors[0]!.message).toMatch(/memory\.tiers\.warning is 200 — expected a percentage/);
  });
});
