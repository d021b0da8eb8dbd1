// package.json's contributions are the extension's public surface: every command the code
// registers is declared (and the other way round), every setting comes from the zod schema.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { COMMANDS } from '../../src/protocol/commands';
import { settingContributions } from '../../src/core/vscode-settings';

const pkg = JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as {
  contributes: { commands: { command: string; title: string; category: string }[]; configuration: { properties: Record<string, unknown> } };
  activationEvents: string[];
  main: string;
};

describe('package.json contributes', () => {
  test('declares exactly the commands in COMMANDS, each in the Redline category with a title', () => {
    const declared = pkg.contributes.commands.map((c) => c.command).sort();
    expect(declared).toEqual(Object.values(COMMANDS).sort());
    for (const c of pkg.contributes.commands) {
      expect(c.category).toBe('Redline');
      expect(c.title.length).toBeGreaterThan(3);
    }
  });

  test('the settings are the ones generated from the config schema (run `npm run sync:settings` after changing it)', () => {
    expect(pkg.contributes.configuration.properties).toEqual(JSON.parse(JSON.stringify(settingContributions())));
  });

  test('every config key is a setting with a description and a default', () => {
    const settings = settingContributions();
    for (const key of ['redline.memory.limitMB', 'redline.memory.tiers.warning', 'redline.run.fileTimeoutS', 'redline.leaks.enabled', 'redline.backups.max', 'redline.nodeExecutable']) {
      expect(settings[key], key).toBeDefined();
      expect(settings[key]!.markdownDescription.length, key).toBeGreaterThan(20);
      expect('default' in settings[key]!, key).toBe(true);
    }
  });

  test('the panels come back after a reload: each panel type activates the extension', () => {
    for (const type of ['redline.memory', 'redline.phases', 'redline.leaks', 'redline.recovery']) expect(pkg.activationEvents).toContain(`onWebviewPanel:${type}`);
    expect(pkg.main).toBe('./dist/extension.js');
  });
});
