import { isArgusError } from '../../../../src/errors/argus-error';
import {
  clearFfmpegVersionCache,
  type FfmpegResolverDeps,
  resolveFfmpeg,
} from '../../../../src/ingest/ffmpeg/ffmpeg-binary';

const V51 = 'ffmpeg version 5.1.6-0+deb12u1 Copyright\nlibavformat    59. 27.100 / 59. 27.100\n';
const V41 = 'ffmpeg version N-47683-g0e8eb07980-static\nlibavformat    58. 24.100 / 58. 24.100\n';

/** Fake binaries: path -> `-version` output (undefined: exists but fails to run). */
function deps(binaries: Record<string, string | undefined>, installer?: string) {
  const runs: string[] = [];
  const d: FfmpegResolverDeps = {
    runVersion: async (p) => {
      runs.push(p);
      const out = binaries[p];
      if (out === undefined) throw new Error(`spawn ${p} EACCES`);
      return out;
    },
    isExecutable: async (p) => p in binaries,
    installerPath: () => installer,
  };
  return { d, runs };
}

async function rejection(p: Promise<unknown>): Promise<unknown> {
  return p.then(
    () => {
      throw new Error('resolved');
    },
    (err: unknown) => err,
  );
}

describe('resolveFfmpeg', () => {
  beforeEach(() => clearFfmpegVersionCache());

  it('prefers FFMPEG_PATH', async () => {
    const { d } = deps({ '/opt/ff/ffmpeg': V41, '/usr/bin/ffmpeg': V51 });
    await expect(resolveFfmpeg({ FFMPEG_PATH: '/opt/ff/ffmpeg', PATH: '/usr/bin' }, d)).resolves.toEqual({
      path: '/opt/ff/ffmpeg',
      source: 'FFMPEG_PATH',
      version: { major: 4, minor: 0, raw: 'N-47683-g0e8eb07980-static', inferred: 'libavformat' },
    });
  });

  it('then ffmpeg on PATH, in PATH order', async () => {
    const { d } = deps({ '/usr/local/bin/ffmpeg': V51, '/usr/bin/ffmpeg': V41 });
    const found = await resolveFfmpeg({ PATH: '/nope:/usr/local/bin:/usr/bin' }, d);
    expect(found).toMatchObject({
      path: '/usr/local/bin/ffmpeg',
      source: 'PATH',
      version: { major: 5, minor: 1 },
    });
  });

  it('then the optional npm package', async () => {
    const pkg = '/app/node_modules/@ffmpeg-installer/linux-x64/ffmpeg';
    const { d } = deps({ [pkg]: V41 }, pkg);
    const found = await resolveFfmpeg({ PATH: '/usr/bin' }, d);
    expect(found).toMatchObject({ path: pkg, source: '@ffmpeg-installer/ffmpeg', version: { major: 4 } });
  });

  it('fails with ARGUS_E_FFMPEG_NOT_FOUND naming FFMPEG_PATH and apt-get, saying what each step found', async () => {
    const { d } = deps({});
    const err = await rejection(resolveFfmpeg({ PATH: '/usr/bin' }, d));
    expect(isArgusError(err, 'ARGUS_E_FFMPEG_NOT_FOUND')).toBe(true);
    const message = (err as Error).message;
    expect(message).toContain('FFMPEG_PATH');
    expect(message).toContain('apt-get install ffmpeg');
    expect(message).toContain('no ffmpeg on PATH');
    expect(message).toContain('@ffmpeg-installer/ffmpeg is not installed');
    expect((err as { status: number }).status).toBe(503);
  });

  it('does not fall back when FFMPEG_PATH is set but broken', async () => {
    const { d } = deps({ '/usr/bin/ffmpeg': V51, '/opt/broken': undefined });
    const err = await rejection(resolveFfmpeg({ FFMPEG_PATH: '/opt/broken', PATH: '/usr/bin' }, d));
    expect(isArgusError(err, 'ARGUS_E_FFMPEG_NOT_FOUND')).toBe(true);
    expect((err as Error).message).toContain('FFMPEG_PATH=/opt/broken is not a working ffmpeg');
  });

  it('counts a binary that does not print an FFmpeg version as not found', async () => {
    const { d } = deps({ '/usr/bin/ffmpeg': 'avconv version 12\n' });
    const err = await rejection(resolveFfmpeg({ PATH: '/usr/bin' }, d));
    expect((err as Error).message).toContain('/usr/bin/ffmpeg on PATH is not a working ffmpeg');
  });

  it('runs -version once per path', async () => {
    const { d, runs } = deps({ '/usr/bin/ffmpeg': V51 });
    await resolveFfmpeg({ PATH: '/usr/bin' }, d);
    await resolveFfmpeg({ PATH: '/usr/bin' }, d);
    await Promise.all([resolveFfmpeg({ PATH: '/usr/bin' }, d), resolveFfmpeg({ PATH: '/usr/bin' }, d)]);
    expect(runs).toEqual(['/usr/bin/ffmpeg']);
  });

  it('does not cache a failure: a binary installed later is found', async () => {
    const binaries: Record<string, string | undefined> = { '/usr/bin/ffmpeg': undefined };
    const { d } = deps(binaries);
    await rejection(resolveFfmpeg({ PATH: '/usr/bin' }, d));
    await new Promise((r) => setImmediate(r));
    binaries['/usr/bin/ffmpeg'] = V51;
    await expect(resolveFfmpeg({ PATH: '/usr/bin' }, d)).resolves.toMatchObject({ source: 'PATH' });
  });
});
