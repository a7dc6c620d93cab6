import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { StreamSupervisor } from '../../../src/ingest/stream-supervisor';
import { fixture } from '../../helpers/fixtures';
import { registerRtspServerCleanup, startRtspServer } from '../../helpers/rtsp-test-server';
import { stopAllStreams, superviseStream } from '../../helpers/supervised-stream';
import { pidAlive, waitFor } from '../../helpers/wait-for';

const CLIP = fixture('face_recognition', 'short_hamilton_clip.mp4');

/** Frames delivered by `s` from now on. */
function frameCounter(s: StreamSupervisor): () => number {
  let n = 0;
  s.onFrame(() => n++);
  return () => n;
}

/** FFmpeg children of this process (the supervisor's), by pid. */
function ffmpegChildren(): number[] {
  try {
    return execFileSync('pgrep', ['-P', String(process.pid), 'ffmpeg'], { encoding: 'utf8' })
      .split('\n')
      .filter(Boolean)
      .map(Number);
  } catch {
    return [];
  }
}

describe('StreamSupervisor with real FFmpeg and real servers', () => {
  registerRtspServerCleanup();
  afterEach(async () => {
    await stopAllStreams();
  });

  it('plays a file source in real time as fixed-size rgb24 frames and leaves no FFmpeg behind', async () => {
    const s = await superviseStream({ url: CLIP });
    const frames = frameCounter(s);
    await waitFor('10 frames', () => frames() >= 10);
    const snap = s.snapshot();
    expect(snap.state).toBe('live');
    expect([snap.width, snap.height]).toEqual([640, 360]);
    expect(snap.codec).toBe('h264');
    const f = s.slot.take()!;
    expect(f.data.length).toBe(640 * 360 * 3);
    expect(f.seq).toBeGreaterThan(0);
    expect(ffmpegChildren().length).toBe(1);
    await s.stop();
    expect(s.snapshot().state).toBe('stopped');
    await waitFor('FFmpeg gone', () => ffmpegChildren().length === 0, 10_000);
  });

  it('pulls RTSP, goes reconnecting when the server dies and recovers when it is back', async () => {
    const server = await startRtspServer();
    const s = await superviseStream({ url: server.url });
    const frames = frameCounter(s);
    await waitFor('first frames', () => frames() >= 5);
    await server.kill();
    await waitFor('reconnecting', () => s.snapshot().state === 'reconnecting', 30_000);
    const again = await startRtspServer({ port: server.port });
    const before = frames();
    await waitFor('frames after the server is back', () => frames() > before + 3, 45_000);
    expect(s.snapshot().state).toBe('live');
    expect(s.snapshot().restarts).toBeGreaterThanOrEqual(1);
    await again.stop();
  });

  it('kills a hung FFmpeg with the watchdog (SIGSTOPped server) and recovers after SIGCONT', async () => {
    const server = await startRtspServer();
    const s = await superviseStream({ url: server.url, watchdogSec: 2, ioTimeoutSec: 30 });
    const frames = frameCounter(s);
    await waitFor('first frames', () => frames() >= 5);
    server.pause();
    await waitFor('watchdog', () => s.snapshot().lastError?.code === 'ARGUS_E_SOURCE_STALLED', 20_000);
    server.resume();
    const before = frames();
    await waitFor('frames after the hang', () => frames() > before + 3, 45_000);
    expect(s.snapshot().restarts).toBeGreaterThanOrEqual(1);
  });

  it('never reports credentials in its status', async () => {
    const server = await startRtspServer({ auth: { user: 'admin', password: 's3cr3t-pw' } });
    const s = await superviseStream({ url: server.urlWithCredentials('admin', 's3cr3t-pw') });
    const frames = frameCounter(s);
    await waitFor('frames with credentials', () => frames() >= 3);
    expect(JSON.stringify(s.snapshot())).not.toContain('s3cr3t-pw');
  });

  describe('bad sources get stable codes', () => {
    it.each([
      ['ftp://cam/x', 'ARGUS_E_SOURCE_SCHEME_UNSUPPORTED'],
      ['rtsp://', 'ARGUS_E_SOURCE_URL_INVALID'],
    ])('%s -> failed with %s, no FFmpeg started', async (url, code) => {
      const s = await superviseStream({ url });
      expect(s.snapshot().state).toBe('failed');
      expect(s.snapshot().lastError?.code).toBe(code);
    });

    it('connection refused -> reconnecting with ARGUS_E_SOURCE_REFUSED, retried', async () => {
      const server = await startRtspServer();
      const port = server.port;
      await server.kill();
      const s = await superviseStream({ url: `rtsp://127.0.0.1:${port}/stream` });
      await waitFor('refused', () => s.snapshot().lastError?.code === 'ARGUS_E_SOURCE_REFUSED', 20_000);
      expect(s.snapshot().state).not.toBe('failed');
      await waitFor('a retry', () => s.snapshot().restarts >= 1, 20_000);
    });

    it('wrong RTSP credentials (401) -> failed with ARGUS_E_SOURCE_AUTH, not retried', async () => {
      const server = await startRtspServer({ auth: { user: 'admin', password: 'right' } });
      const s = await superviseStream({ url: server.urlWithCredentials('admin', 'wrong') });
      await waitFor('failed', () => s.snapshot().state === 'failed', 20_000);
      expect(s.snapshot().lastError?.code).toBe('ARGUS_E_SOURCE_AUTH');
      expect(s.snapshot().lastError?.message).not.toContain('wrong');
    });

    it('an HTTP page instead of a stream -> failed with ARGUS_E_SOURCE_INVALID_DATA', async () => {
      const http: Server = createServer((_req, res) => {
        res.writeHead(200, { 'content-type': 'text/html' });
        res.end('<html><body>camera login</body></html>');
      });
      await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
      try {
        const { port } = http.address() as AddressInfo;
        const s = await superviseStream({ url: `rtsp://127.0.0.1:${port}/` });
        await waitFor('an error', () => s.snapshot().lastError !== undefined, 20_000);
        expect(['ARGUS_E_SOURCE_INVALID_DATA', 'ARGUS_E_FFMPEG_FAILED']).toContain(
          s.snapshot().lastError?.code,
        );
      } finally {
        http.closeAllConnections();
        await new Promise((r) => http.close(r));
      }
    });

    it('a file with no video track -> failed with ARGUS_E_SOURCE_NO_VIDEO', async () => {
      const dir = mkdtempSync(path.join(os.tmpdir(), 'argus-novideo-'));
      try {
        const audio = path.join(dir, 'audio.mp4');
        execFileSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'sine=d=1', '-y', audio]);
        const s = await superviseStream({ url: audio });
        await waitFor('failed', () => s.snapshot().state === 'failed', 20_000);
        expect(s.snapshot().lastError?.code).toBe('ARGUS_E_SOURCE_NO_VIDEO');
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it('a missing FFmpeg binary -> failed with ARGUS_E_FFMPEG_NOT_FOUND naming FFMPEG_PATH', async () => {
      const s = await superviseStream(
        { url: CLIP },
        {
          ffmpeg: {
            path: '/nonexistent/ffmpeg',
            version: { major: 5, minor: 1, raw: '5.1' },
            source: 'FFMPEG_PATH',
          },
        },
      );
      await waitFor('failed', () => s.snapshot().state === 'failed', 20_000);
      expect(s.snapshot().lastError?.code).toBe('ARGUS_E_FFMPEG_NOT_FOUND');
      expect(s.snapshot().lastError?.message).toContain('FFMPEG_PATH');
    });
  });

  it('stopping during a reconnect delay leaves no timer or process behind', async () => {
    const s = await superviseStream({ url: 'rtsp://127.0.0.1:9/none' });
    await waitFor('reconnecting', () => s.snapshot().state === 'reconnecting', 20_000);
    await s.stop();
    expect(ffmpegChildren().filter(pidAlive)).toEqual([]);
  });
});
