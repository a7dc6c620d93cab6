import { fixture } from '../../helpers/fixtures';
import { freePort } from '../../helpers/free-port';
import { registerRtspServerCleanup, startRtspServer } from '../../helpers/rtsp-test-server';
import { runCli } from '../../helpers/run-cli';

type Probe = { frames: number; ttffMs: number; fps: number; width: number; height: number; codec: string };
type Failure = { error: { code: string; message: string } };

describe('argus probe (real FFmpeg, real RTSP server)', () => {
  registerRtspServerCleanup();

  it('reports frames, time to first frame, fps, size and codec of an RTSP camera', async () => {
    const server = await startRtspServer({ auth: { user: 'ops', password: 'pr0be-secret' } });
    const r = await runCli([
      'probe',
      '--json',
      '--frames',
      '15',
      server.urlWithCredentials('ops', 'pr0be-secret'),
    ]);
    expect(r.code).toBe(0);
    const p = r.lines[0] as Probe;
    expect(p.frames).toBe(15);
    expect(p.ttffMs).toBeGreaterThan(0);
    expect(p.fps).toBeGreaterThan(5);
    expect(p.fps).toBeLessThan(15);
    expect([p.width, p.height]).toEqual([640, 360]);
    expect(p.codec).toBe('h264');
    expect(r.stdout + r.stderr).not.toContain('pr0be-secret');
  });

  it('reports wrong credentials as ARGUS_E_SOURCE_AUTH without echoing them', async () => {
    const server = await startRtspServer({ auth: { user: 'ops', password: 'right-one' } });
    const r = await runCli(['probe', '--json', server.urlWithCredentials('ops', 'wrong-one')]);
    expect(r.code).toBe(1);
    expect((r.lines[0] as Failure).error.code).toBe('ARGUS_E_SOURCE_AUTH');
    expect(r.stdout + r.stderr).not.toContain('wrong-one');
  });

  it.each([
    ['ftp://camera/stream', 'ARGUS_E_SOURCE_SCHEME_UNSUPPORTED'],
    ['rtsp://[bad', 'ARGUS_E_SOURCE_URL_INVALID'],
    ['whip:cam1', 'ARGUS_E_USAGE'],
  ])('%s -> %s', async (url, code) => {
    const r = await runCli(['probe', '--json', url]);
    expect(r.code).toBe(1);
    expect((r.lines[0] as Failure).error.code).toBe(code);
  });

  it('reports a listener nobody publishes to as ARGUS_E_PROBE_TIMEOUT', async () => {
    const port = await freePort();
    const r = await runCli([
      'probe',
      '--json',
      '--frames',
      '2',
      '--timeout',
      '3',
      `rtsp-listen://127.0.0.1:${port}/none`,
    ]);
    expect(r.code).toBe(1);
    expect((r.lines[0] as Failure).error.code).toBe('ARGUS_E_PROBE_TIMEOUT');
  });

  it('probes a video file', async () => {
    const r = await runCli([
      'probe',
      '--json',
      '--frames',
      '5',
      fixture('face_recognition', 'short_hamilton_clip.mp4'),
    ]);
    expect(r.code).toBe(0);
    expect((r.lines[0] as Probe).frames).toBe(5);
  });
});
