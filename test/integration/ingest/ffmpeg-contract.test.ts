import { ERROR_CATALOGUE } from '../../../src/errors/error-catalogue';
import { classifyFfmpegError } from '../../../src/ingest/ffmpeg/classify-ffmpeg-error';
import { buildFfmpegArgs, type FfmpegInput } from '../../../src/ingest/ffmpeg/ffmpeg-args';
import {
  clearFfmpegVersionCache,
  type ResolvedFfmpeg,
  resolveFfmpeg,
} from '../../../src/ingest/ffmpeg/ffmpeg-binary';
import { OutputSizeParser } from '../../../src/ingest/ffmpeg/output-size-parser';
import { RawVideoFramer } from '../../../src/ingest/rawvideo-framer';
import { redactText } from '../../../src/ingest/redact-url';
import { fixture } from '../../helpers/fixtures';
import { registerRtspServerCleanup, startRtspServer } from '../../helpers/rtsp-test-server';
import { killAllFfmpeg, runFfmpeg } from './run-ffmpeg';

registerRtspServerCleanup();
afterEach(killAllFfmpeg);

const CLIP = fixture('face_recognition', 'short_hamilton_clip.mp4');
const OUT = { fps: 10, maxWidth: 1280, maxHeight: 720 };

/** The optional npm package ships a 2018 git build with FFmpeg 4.1's options. */
function npmFfmpegPath(): string | undefined {
  try {
    return (require('@ffmpeg-installer/ffmpeg') as { path: string }).path;
  } catch {
    return undefined;
  }
}

/** Runs FFmpeg with our args; reads the frame size from stderr and cuts stdout into frames. */
async function decode(
  ff: ResolvedFfmpeg,
  input: FfmpegInput,
  out = OUT,
  stopAfterBytes = Number.POSITIVE_INFINITY,
) {
  const chunks: Buffer[] = [];
  let bytes = 0;
  const run = await runFfmpeg(ff.path, buildFfmpegArgs(input, out, ff.version), {
    timeoutMs: 90_000,
    onStdout: (chunk) => {
      chunks.push(chunk);
      bytes += chunk.length;
      return bytes >= stopAfterBytes;
    },
  });
  const lines = run.stderr.split(/\r?\n|\r/);
  const parser = new OutputSizeParser();
  const size = lines.map((l) => parser.parseOutputSize(l)).find((s) => s !== undefined);
  const framer = size ? new RawVideoFramer(size.width * size.height * 3) : undefined;
  const frames = framer ? chunks.flatMap((c) => framer.push(c)) : [];
  return { run, lines, size, frames, pendingBytes: framer?.stats.pendingBytes ?? 0 };
}

describe('resolveFfmpeg with the real binaries', () => {
  beforeEach(() => clearFfmpegVersionCache());

  it('finds the ffmpeg on PATH and reads its version', async () => {
    const ff = await resolveFfmpeg({ PATH: process.env.PATH });
    expect(ff.source).toBe('PATH');
    expect(ff.version.major).toBeGreaterThanOrEqual(4);
  });

  it('falls back to @ffmpeg-installer/ffmpeg (a 4.x git build), or reports ARGUS_E_FFMPEG_NOT_FOUND', async () => {
    const pending = resolveFfmpeg({ PATH: '/nonexistent' });
    if (npmFfmpegPath() === undefined) {
      await expect(pending).rejects.toMatchObject({ code: 'ARGUS_E_FFMPEG_NOT_FOUND' });
      return;
    }
    const ff = await pending;
    expect(ff).toMatchObject({
      source: '@ffmpeg-installer/ffmpeg',
      version: { major: 4, inferred: 'libavformat' },
    });
  });

  it('reports a broken FFMPEG_PATH', async () => {
    await expect(
      resolveFfmpeg({ FFMPEG_PATH: '/nonexistent/ffmpeg', PATH: process.env.PATH }),
    ).rejects.toMatchObject({
      code: 'ARGUS_E_FFMPEG_NOT_FOUND',
      message: expect.stringContaining('FFMPEG_PATH=/nonexistent/ffmpeg'),
    });
  });
});

// Each binary Argus may end up with: Debian's (5.x here) and the npm package's (4.x), if installed.
const binaries: Array<[string, () => Promise<ResolvedFfmpeg>]> = [
  ['ffmpeg on PATH', () => resolveFfmpeg({ PATH: process.env.PATH })],
];
if (npmFfmpegPath() !== undefined) {
  binaries.push(['@ffmpeg-installer/ffmpeg', () => resolveFfmpeg({ FFMPEG_PATH: npmFfmpegPath() })]);
}

describe.each(binaries)('buildFfmpegArgs on the real %s', (_label, resolve) => {
  it('decodes RTSP from the GStreamer server into fixed-size rgb24 frames', async () => {
    const ff = await resolve();
    const server = await startRtspServer();
    const input: FfmpegInput = { kind: 'rtsp', url: server.url, transport: 'tcp', timeoutSec: 10 };
    const r = await decode(ff, input, OUT, 5 * 640 * 360 * 3);
    expect(r.size).toEqual({ width: 640, height: 360 });
    expect(r.frames.length).toBeGreaterThanOrEqual(5);
    for (const f of r.frames) expect(f.length).toBe(640 * 360 * 3);
  });

  it('reads a file at full speed, scaled down into the box with the aspect kept, and ends cleanly', async () => {
    const ff = await resolve();
    const r = await decode(
      ff,
      { kind: 'file', path: CLIP, realtime: false, loop: false },
      { fps: 10, maxWidth: 320, maxHeight: 320 },
    );
    expect(r.run.code).toBe(0);
    expect(r.size).toEqual({ width: 320, height: 180 });
    // The clip's video track is 9.18 s (275 frames at 29.97 fps): 92 frames at 10 fps.
    expect(r.frames.length).toBeGreaterThanOrEqual(91);
    expect(r.frames.length).toBeLessThanOrEqual(93);
    expect(r.pendingBytes).toBe(0);
    expect(classifyFfmpegError(r.lines, { exitCode: r.run.code }).code).toBe('ARGUS_E_SOURCE_ENDED');
  });

  it('turns a refused connection and a wrong password into catalogued errors without leaking the password', async () => {
    const ff = await resolve();
    const server = await startRtspServer({ auth: { user: 'argus', password: 's3cret' } });
    await server.stop(); // its port is now closed
    const refused = await decode(ff, { kind: 'rtsp', url: server.url, transport: 'tcp', timeoutSec: 5 });
    expect(classifyFfmpegError(refused.lines, { exitCode: refused.run.code }).code).toBe(
      'ARGUS_E_SOURCE_REFUSED',
    );

    const guarded = await startRtspServer({ auth: { user: 'argus', password: 's3cret' } });
    const url = guarded.urlWithCredentials('argus', 'wr0ng!');
    const denied = await decode(ff, { kind: 'rtsp', url, transport: 'tcp', timeoutSec: 5 });
    const tail = denied.lines.slice(-20).map((l) => redactText(l, ['wr0ng!', 'argus']));
    const error = classifyFfmpegError(tail, { exitCode: denied.run.code });
    expect(error.code).toBe('ARGUS_E_SOURCE_AUTH');
    expect(ERROR_CATALOGUE[error.code].retryable).toBe(false);
    expect(error.message).not.toMatch(/wr0ng|argus:/);
  });
});
