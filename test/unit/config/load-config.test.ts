import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import * as path from 'node:path';
import { z } from 'zod';
import { configSchema } from '../../../src/config/config-schema';
import { loadConfig, parseConfig } from '../../../src/config/load-config';
import { ArgusError, isArgusError } from '../../../src/errors/argus-error';

// Every call passes `env` explicitly so the host's ARGUS_* variables cannot leak into a result.
const NO_ENV: NodeJS.ProcessEnv = {};

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'argus-config-'));
});
afterAll(() => {
  rmSync(tmp, { recursive: true, force: true });
});

function writeConfig(name: string, content: string): string {
  const file = path.join(tmp, name);
  writeFileSync(file, content);
  return file;
}

/** The ArgusError a call throws; fails the test if it throws anything else or nothing. */
function errorOf(fn: () => unknown): ArgusError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ArgusError) return err;
    throw err;
  }
  throw new Error('expected an ArgusError, nothing was thrown');
}

function expectFrozenDeep(value: unknown, where = 'config'): void {
  if (value === null || typeof value !== 'object') return;
  expect({ where, frozen: Object.isFrozen(value) }).toEqual({ where, frozen: true });
  for (const [key, child] of Object.entries(value)) expectFrozenDeep(child, `${where}.${key}`);
}

describe('loadConfig', () => {
  it('fills every default when given nothing', () => {
    const config = loadConfig({ env: NO_ENV });
    expect(config.dataDir).toBe('./data');
    expect(config.models.download).toBe(true);
    expect(config.models.dir).toBeUndefined();
    expect(config.log.level).toBe('info');
    expect(config.vision.detector.maxFaces).toBe(100);
    expect(config.vision.detector.scoreThreshold).toBe(0.7);
    expect(config.vision.workers.queueLimit).toBe(256);
    expect(config.vision.workers.count).toBeGreaterThanOrEqual(1);
    expect(typeof config.match.threshold).toBe('number');
    expect(config.match.threshold).toBeGreaterThanOrEqual(-1);
    expect(config.match.threshold).toBeLessThanOrEqual(1);
  });

  it('keeps file values and fills the defaults around them', () => {
    const file = writeConfig(
      'partial.json',
      JSON.stringify({ vision: { detector: { maxFaces: 5 } }, match: { threshold: 0.5 } }),
    );
    const config = loadConfig({ file, env: NO_ENV });
    expect(config.vision.detector.maxFaces).toBe(5);
    expect(config.vision.detector.nmsIou).toBe(0.3);
    expect(config.match.threshold).toBe(0.5);
    expect(config.vision.maxImageBytes).toBe(50 * 1024 * 1024);
  });

  it('returns a deeply frozen object', () => {
    const config = loadConfig({ env: NO_ENV });
    expectFrozenDeep(config);
    expect(() => {
      (config.vision.detector as { maxFaces: number }).maxFaces = 1;
    }).toThrow(TypeError);
    expect(config.vision.detector.maxFaces).toBe(100);
  });

  it.each([
    ['at the top level', { dataDir: './d', colour: 'red' }, 'colour'],
    ['in a nested object', { vision: { detector: { maxFace: 10 } } }, 'maxFace'],
    ['in a section', { models: { directory: '/m' } }, 'directory'],
  ])('rejects an unknown key %s, naming it', (_where, raw, key) => {
    const file = writeConfig(`unknown-${key}.json`, JSON.stringify(raw));
    const err = errorOf(() => loadConfig({ file, env: NO_ENV }));
    expect(err.code).toBe('ARGUS_E_CONFIG_INVALID');
    expect(err.message).toContain(`"${key}"`);
  });

  it('names the nested path of an unknown key', () => {
    const err = errorOf(() => parseConfig({ vision: { detector: { maxFace: 10 } } }));
    expect(err.message).toMatch(/vision\.detector\b.*"maxFace"/);
  });

  it.each([
    ['match.threshold', { match: { threshold: 1.5 } }],
    ['vision.detector.maxFaces', { vision: { detector: { maxFaces: 0 } } }],
    ['vision.detector.maxFaces', { vision: { detector: { maxFaces: 2.5 } } }],
    ['vision.workers.count', { vision: { workers: { count: 1000 } } }],
    ['vision.maxImagePixels', { vision: { maxImagePixels: 10 } }],
    ['vision.detector.scoreThreshold', { vision: { detector: { scoreThreshold: 'high' } } }],
    ['log.level', { log: { level: 'verbose' } }],
    ['dataDir', { dataDir: '' }],
  ])('rejects a bad value at %s, naming the path', (where, raw) => {
    const err = errorOf(() => parseConfig(raw));
    expect(err.code).toBe('ARGUS_E_CONFIG_INVALID');
    expect(err.message).toContain(`${where}:`);
  });

  it('reports every problem at once', () => {
    const err = errorOf(() => parseConfig({ match: { threshold: 9 }, vision: { embedBatchSize: 0 } }));
    expect(err.message).toContain('match.threshold:');
    expect(err.message).toContain('vision.embedBatchSize:');
  });

  describe('environment overrides', () => {
    it('applies ARGUS_DATA_DIR, ARGUS_MODELS_DIR, ARGUS_MODELS_DOWNLOAD=0 and ARGUS_LOG_LEVEL', () => {
      const config = loadConfig({
        env: {
          ARGUS_DATA_DIR: '/srv/argus',
          ARGUS_MODELS_DIR: '/opt/models',
          ARGUS_MODELS_DOWNLOAD: '0',
          ARGUS_LOG_LEVEL: 'debug',
        },
      });
      expect(config.dataDir).toBe('/srv/argus');
      expect(config.models).toEqual({ dir: '/opt/models', download: false });
      expect(config.log.level).toBe('debug');
    });

    it.each([
      ['0', false],
      ['false', false],
      ['NO', false],
      ['1', true],
      ['true', true],
    ])('reads ARGUS_MODELS_DOWNLOAD=%s as %s', (value, expected) => {
      expect(loadConfig({ env: { ARGUS_MODELS_DOWNLOAD: value } }).models.download).toBe(expected);
    });

    it('wins over the file and keeps the other keys of the file', () => {
      const file = writeConfig(
        'with-env.json',
        JSON.stringify({ dataDir: '/from-file', models: { dir: '/file-models', download: true } }),
      );
      const config = loadConfig({ file, env: { ARGUS_DATA_DIR: '/from-env', ARGUS_MODELS_DOWNLOAD: '0' } });
      expect(config.dataDir).toBe('/from-env');
      expect(config.models).toEqual({ dir: '/file-models', download: false });
    });

    it('ignores empty variables', () => {
      const config = loadConfig({ env: { ARGUS_DATA_DIR: '', ARGUS_LOG_LEVEL: '' } });
      expect(config.dataDir).toBe('./data');
      expect(config.log.level).toBe('info');
    });

    it('validates overridden values like any other', () => {
      const err = errorOf(() => loadConfig({ env: { ARGUS_LOG_LEVEL: 'loud' } }));
      expect(err.code).toBe('ARGUS_E_CONFIG_INVALID');
      expect(err.message).toContain('log.level:');
    });

    it('applies explicit overrides (CLI flags) after the environment', () => {
      const config = loadConfig({
        env: { ARGUS_DATA_DIR: '/from-env' },
        overrides: (raw) => {
          raw.dataDir = '/from-flag';
        },
      });
      expect(config.dataDir).toBe('/from-flag');
    });
  });

  describe('unreadable files', () => {
    it('reports a missing file as ARGUS_E_CONFIG_UNREADABLE, naming it and keeping the cause', () => {
      const file = path.join(tmp, 'does-not-exist.json');
      const err = errorOf(() => loadConfig({ file, env: NO_ENV }));
      expect(err.code).toBe('ARGUS_E_CONFIG_UNREADABLE');
      expect(err.message).toContain(file);
      expect((err.cause as NodeJS.ErrnoException).code).toBe('ENOENT');
    });

    it('reports a directory given as the file as ARGUS_E_CONFIG_UNREADABLE', () => {
      expect(
        isArgusError(
          errorOf(() => loadConfig({ file: tmp, env: NO_ENV })),
          'ARGUS_E_CONFIG_UNREADABLE',
        ),
      ).toBe(true);
    });

    it.each([
      ['not JSON', 'vision:\n  detector: {}\n'],
      ['truncated JSON', '{"vision": {'],
      ['a JSON array', '[1, 2]'],
      ['JSON null', 'null'],
    ])('reports %s as ARGUS_E_CONFIG_UNREADABLE', (label, content) => {
      const file = writeConfig(`bad-${label.replace(/\W+/g, '-')}.json`, content);
      const err = errorOf(() => loadConfig({ file, env: NO_ENV }));
      expect(err.code).toBe('ARGUS_E_CONFIG_UNREADABLE');
      expect(err.message).toContain(file);
    });
  });
});

describe('config schema', () => {
  interface Leaf {
    path: string;
    description: string | undefined;
  }

  /** The zod 4 internals the walker needs: wrappers expose `innerType`, objects their `shape`. */
  interface Def {
    type: string;
    innerType?: z.ZodType;
    shape?: Record<string, z.ZodType>;
  }

  const descriptionOf = (schema: z.ZodType): string | undefined =>
    schema.description ?? z.globalRegistry.get(schema)?.description;

  /**
   * Every option that holds a value, with the description found on it or on any wrapper around it
   * (`.describe()` is usually called after `.default()`, so it sits on the default wrapper).
   */
  function leaves(schema: z.ZodType, at: string[] = [], inherited?: string): Leaf[] {
    const description = descriptionOf(schema) ?? inherited;
    const def = schema._zod.def as unknown as Def;
    if (def.innerType !== undefined) return leaves(def.innerType, at, description);
    if (def.type === 'object' && def.shape !== undefined) {
      return Object.entries(def.shape).flatMap(([key, child]) => leaves(child, [...at, key]));
    }
    return [{ path: at.join('.'), description }];
  }

  const all = leaves(configSchema);

  it('walks the whole schema (so the description check cannot pass vacuously)', () => {
    expect(all.length).toBeGreaterThanOrEqual(15);
    const paths = all.map((l) => l.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        'dataDir',
        'models.dir',
        'models.download',
        'log.level',
        'vision.detector.maxFaces',
        'vision.workers.queueLimit',
        'match.threshold',
      ]),
    );
  });

  it('documents every option with .describe()', () => {
    const undocumented = all.filter((l) => !l.description?.trim()).map((l) => l.path);
    expect(undocumented).toEqual([]);
  });
});
