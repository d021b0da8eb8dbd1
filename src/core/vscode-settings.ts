// VS Code settings `redline.*` from the one zod schema (src/core/config.ts): the contributions in
// package.json are generated from it (scripts/sync-contributes.mjs; a unit test fails when they
// drift), and the values a user set are turned back into the nested form redline.config.json has.
// Pure: the extension passes what `WorkspaceConfiguration.inspect` found.
import { configJsonSchema, type ConfigInput } from './config';

export const SETTINGS_SECTION = 'redline';

type JsonSchema = Record<string, unknown> & {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  default?: unknown;
  description?: string;
  anyOf?: JsonSchema[];
};

export interface SettingContribution {
  readonly type?: string | string[];
  readonly anyOf?: readonly unknown[];
  readonly default: unknown;
  readonly markdownDescription: string;
  readonly scope: 'resource' | 'machine-overridable';
  readonly [key: string]: unknown;
}

/** Settings of the extension alone (not in redline.config.json). */
export const EXTENSION_SETTINGS: Readonly<Record<string, SettingContribution>> = {
  'redline.nodeExecutable': {
    type: 'string',
    default: '',
    markdownDescription:
      'The `node` that runs the Redline runner and your tests (an absolute path, or a name on `PATH`). Empty: the `node` on `PATH`, else the editor\'s own runtime.',
    scope: 'machine-overridable',
  },
};

/**
 * One setting per leaf of the config schema, `redline.memory.tiers.warning` and so on. A key with
 * no default in the schema (it depends on the machine, or means "Vitest's own") defaults to null:
 * unset.
 */
export function settingContributions(): Record<string, SettingContribution> {
  const out: Record<string, SettingContribution> = {};
  const visit = (schema: JsonSchema, path: string[]): void => {
    for (const [key, child] of Object.entries(schema.properties ?? {})) {
      if (key.startsWith('$')) continue;
      const here = [...path, key];
      if (child.type === 'object' && child.properties) {
        visit(child, here);
        continue;
      }
      out[[SETTINGS_SECTION, ...here].join('.')] = contribution(child, here);
    }
  };
  visit(configJsonSchema() as JsonSchema, []);
  return { ...out, ...EXTENSION_SETTINGS };
}

function contribution(schema: JsonSchema, path: readonly string[]): SettingContribution {
  const { description, default: dflt, ...rest } = schema;
  const hasDefault = dflt !== undefined;
  const shape: Record<string, unknown> = { ...rest };
  if (!hasDefault) {
    if (Array.isArray(shape.anyOf)) shape.anyOf = [...(shape.anyOf as unknown[]), { type: 'null' }];
    else if (typeof shape.type === 'string') shape.type = [shape.type, 'null'];
  }
  const fileKey = `\`${path.join('.')}\` in \`redline.config.json\``;
  return {
    ...shape,
    default: hasDefault ? dflt : null,
    markdownDescription: `${description ?? ''}${hasDefault ? '' : ' Unset (null): the default.'}\n\nOverrides ${fileKey} for you alone.`,
    scope: 'resource',
  } as SettingContribution;
}

/** What `WorkspaceConfiguration.inspect(key)` says; only values a user set count. */
export interface InspectedSetting {
  readonly globalValue?: unknown;
  readonly workspaceValue?: unknown;
  readonly workspaceFolderValue?: unknown;
}

/**
 * The settings a user set (folder over workspace over user), nested as in redline.config.json,
 * ready to lay over the file with mergeConfig. Defaults are left out so the file keeps its say;
 * null means "unset" and is left out too.
 */
export function settingsToConfigInput(inspect: (key: string) => InspectedSetting | undefined): ConfigInput {
  const input: Record<string, unknown> = {};
  for (const fullKey of Object.keys(settingContributions())) {
    if (fullKey in EXTENSION_SETTINGS) continue;
    const found = inspect(fullKey.slice(SETTINGS_SECTION.length + 1));
    const value = found?.workspaceFolderValue ?? found?.workspaceValue ?? found?.globalValue;
    if (value === undefined || value === null) continue;
    const path = fullKey.split('.').slice(1);
    let node = input;
    for (const segment of path.slice(0, -1)) node = (node[segment] ??= {}) as Record<string, unknown>;
    node[path.at(-1)!] = value;
  }
  return input as ConfigInput;
}
