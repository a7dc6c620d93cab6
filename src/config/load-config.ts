import { readFileSync } from 'node:fs';
import { ArgusError } from '../errors/argus-error';
import { type ArgusConfig, configSchema } from './config-schema';

/** Environment variables that override one option each (documented in the schema). */
const ENV_OVERRIDES: ReadonlyArray<readonly [string, (c: Record<string, unknown>, v: string) => void]> = [
  ['ARGUS_DATA_DIR', (c, v) => (c.dataDir = v)],
  ['ARGUS_MODELS_DIR', (c, v) => (c.models = { ...(c.models as object), dir: v })],
  [
    'ARGUS_MODELS_DOWNLOAD',
    (c, v) => (c.models = { ...(c.models as object), download: !/^(0|false|no)$/i.test(v) }),
  ],
  ['ARGUS_LOG_LEVEL', (c, v) => (c.log = { ...(c.log as object), level: v })],
];

export interface LoadConfigOptions {
  file?: string;
  env?: NodeJS.ProcessEnv;
  /** Applied last, e.g. CLI flags such as --data. */
  overrides?: (raw: Record<string, unknown>) => void;
}

/** Reads file + environment once, validates, freezes. Any problem is ARGUS_E_CONFIG_*. */
export function loadConfig(options: LoadConfigOptions = {}): Readonly<ArgusConfig> {
  const raw = options.file ? readConfigFile(options.file) : {};
  const env = options.env ?? process.env;
  for (const [name, apply] of ENV_OVERRIDES) {
    const value = env[name];
    if (value !== undefined && value !== '') apply(raw, value);
  }
  options.overrides?.(raw);
  return parseConfig(raw);
}

export function parseConfig(raw: unknown): Readonly<ArgusConfig> {
  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues
      .map((i) => {
        const where = i.path.join('.') || '(root)';
        if (i.code === 'unrecognized_keys')
          return `${where}: unknown key(s) ${i.keys.map((k) => `"${k}"`).join(', ')}`;
        return `${where}: ${i.message}`;
      })
      .join('; ');
    throw new ArgusError('ARGUS_E_CONFIG_INVALID', { problems });
  }
  return deepFreeze(parsed.data);
}

function readConfigFile(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ArgusError(
      'ARGUS_E_CONFIG_UNREADABLE',
      { path: file, reason: (err as Error).message },
      { cause: err },
    );
  }
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new Error('the top level must be a JSON object');
    }
    return value as Record<string, unknown>;
  } catch (err) {
    throw new ArgusError(
      'ARGUS_E_CONFIG_UNREADABLE',
      { path: file, reason: (err as Error).message },
      { cause: err },
    );
  }
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
