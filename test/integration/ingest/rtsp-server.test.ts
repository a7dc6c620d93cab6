import { registerRtspServerCleanup, startRtspServer } from '../../helpers/rtsp-test-server';
import { killAllFfmpeg, runFfmpeg } from './run-ffmpeg';

registerRtspServerCleanup();
afterEach(killAllFfmpeg);

/** Pulls 5 frames from `url` with the system FFmpeg, as a client that no one here wrote either. */
function pull5(url: string) {
  return runFfmpeg(
    'ffmpeg',
    [
      '-hide_banner',
      '-nostdin',
      '-rtsp_transport',
      'tcp',
      '-timeout',
      '20000000',
      '-i',
      url,
      '-frames:v',
      '5',
      '-f',
      'null',
      '-',
    ],
    {
      timeoutMs: 60_000,
    },
  );
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('GStreamer RTSP test server (test/helpers/rtsp-server.py)', () => {
  it('serves the clip: FFmpeg pulls 5 frames over TCP and exits 0', async () => {
    const server = await startRtspServer();
    expect(server.url).toMatch(/^rtsp:\/\/127\.0\.0\.1:\d+\/stream$/);
    const run = await pull5(server.url);
    expect({ code: run.code, stderr: run.code === 0 ? '' : run.stderr }).toEqual({ code: 0, stderr: '' });
    expect(run.stderr).toMatch(/Video: h264 .*640x360/);
  });

  it('with Basic auth: the right password pulls frames, a wrong one gets 401', async () => {
    const server = await startRtspServer({ auth: { user: 'argus', password: 's3cret' }, path: '/cam1' });
    const ok = await pull5(server.urlWithCredentials('argus', 's3cret'));
    expect(ok.code).toBe(0);
    const denied = await pull5(server.urlWithCredentials('argus', 'wrong'));
    expect(denied.code).not.toBe(0);
    expect(denied.stderr).toContain('401 Unauthorized');
    const anonymous = await pull5(server.url);
    expect(anonymous.stderr).toContain('401 Unauthorized');
  });

  it('stop() leaves no process behind', async () => {
    const server = await startRtspServer();
    expect(isRunning(server.pid)).toBe(true);
    await server.stop();
    expect(() => process.kill(server.pid, 0)).toThrow(expect.objectContaining({ code: 'ESRCH' }));
  });

  it('stop() also ends a paused (SIGSTOPped) server, and kill() ends a running one', async () => {
    const paused = await startRtspServer();
    paused.pause();
    await paused.stop();
    expect(isRunning(paused.pid)).toBe(false);
    const killed = await startRtspServer();
    await killed.kill();
    expect(isRunning(killed.pid)).toBe(false);
  });

  it('comes back on the same port after being killed mid-stream, as the reconnect tests need', async () => {
    const first = await startRtspServer();
    let bytes = 0;
    const client = runFfmpeg(
      'ffmpeg',
      [
        '-hide_banner',
        '-nostdin',
        '-rtsp_transport',
        'tcp',
        '-timeout',
        '5000000',
        '-i',
        first.url,
        '-f',
        'rawvideo',
        'pipe:1',
      ],
      {
        onStdout: (chunk) => {
          bytes += chunk.length;
          return undefined;
        },
      },
    );
    while (bytes === 0) await new Promise((r) => setTimeout(r, 100));
    await first.kill();
    // FFmpeg exits 0 when its RTSP server dies (a fact the supervisor relies on).
    expect((await client).code).toBe(0);
    const second = await startRtspServer({ port: first.port });
    expect(second.url).toBe(first.url);
    expect((await pull5(second.url)).code).toBe(0);
  });

  it('a paused server stalls its client until resumed', async () => {
    const server = await startRtspServer();
    server.pause();
    // The kernel still accepts the TCP connection; the RTSP answer never comes within 2 s.
    const stalled = await runFfmpeg('ffmpeg', [
      '-hide_banner',
      '-nostdin',
      '-rtsp_transport',
      'tcp',
      '-timeout',
      '2000000',
      '-i',
      server.url,
      '-frames:v',
      '1',
      '-f',
      'null',
      '-',
    ]);
    expect(stalled.code).not.toBe(0);
    server.resume();
    expect((await pull5(server.url)).code).toBe(0);
  });

  it('reports a server that cannot start instead of hanging', async () => {
    const holder = await startRtspServer();
    await expect(startRtspServer({ port: holder.port, readyTimeoutMs: 20_000 })).rejects.toThrow(
      /exited .* before READY|cannot listen/,
    );
  });
});
