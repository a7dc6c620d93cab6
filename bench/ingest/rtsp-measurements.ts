import { HANG_RUNS, RECOVERY_RUNS, TTFF_RUNS } from './bench-constants';
import { type Ctx, nextFrame, startRtspServer, stopSupervisor, supervisor, until } from './bench-processes';

/** start() -> first frame, against a running server; the first (cold) start is reported apart. */
export async function rtspTtff(ctx: Ctx): Promise<{ coldMs: number; samples: number[] }> {
  const server = await startRtspServer();
  try {
    const once = async (i: number): Promise<number> => {
      const { s } = supervisor(ctx, { id: `ttff${i}`, url: server.url });
      const first = nextFrame(s, 'first frame');
      s.start();
      await first;
      const ttff = s.snapshot().ttffMs!;
      await stopSupervisor(s);
      return ttff;
    };
    // Throwaway start: fluent-ffmpeg probes FFmpeg's capabilities (-formats, -encoders, ...) once
    // per process on its first run; Argus pays that once at boot, not per stream.
    const coldMs = await once(0);
    const samples: number[] = [];
    for (let i = 1; i <= TTFF_RUNS; i++) samples.push(await once(i));
    return { coldMs, samples };
  } finally {
    await server.kill();
  }
}

/** SIGKILLed server, a new one on the same port: its READY -> the supervisor's first new frame. */
export async function rtspRecovery(ctx: Ctx): Promise<number[]> {
  let server = await startRtspServer();
  const samples: number[] = [];
  try {
    for (let i = 0; i < RECOVERY_RUNS; i++) {
      const { s } = supervisor(ctx, { id: `recovery${i}`, url: server.url });
      let frames = 0;
      s.onFrame(() => frames++);
      s.start();
      await until('5 frames', () => frames >= 5);
      await server.kill();
      await until('reconnecting', () => s.snapshot().state === 'reconnecting', 30_000);
      server = await startRtspServer(server.port);
      const readyAt = server.readyAt;
      const f = await nextFrame(s, 'frame after the restart', (fr) => fr.putAt >= readyAt);
      samples.push(f.putAt - readyAt);
      await stopSupervisor(s);
    }
    return samples;
  } finally {
    await server.kill();
  }
}

export interface HangSample {
  /** Last frame before the hang -> first frame after recovery. */
  totalMs: number;
  /** Last frame -> watchdog fired. */
  watchdogMs: number;
}

/** SIGSTOPped server, SIGCONTed as soon as the watchdog fires (watchdogSec at its default). */
export async function hangRecovery(ctx: Ctx): Promise<HangSample[]> {
  const samples: HangSample[] = [];
  for (let i = 0; i < HANG_RUNS; i++) {
    const server = await startRtspServer();
    try {
      const { s } = supervisor(ctx, { id: `hang${i}`, url: server.url });
      let frames = 0;
      let lastFrameAt = 0;
      let watchdogAt: number | undefined;
      let lastBeforeHang: number | undefined;
      s.onFrame((f) => {
        frames++;
        if (watchdogAt === undefined) lastFrameAt = f.putAt;
      });
      s.onStatus((snap) => {
        if (watchdogAt === undefined && snap.lastError?.code === 'ARGUS_E_SOURCE_STALLED') {
          watchdogAt = Date.now();
          lastBeforeHang = lastFrameAt;
          server.resume();
        }
      });
      s.start();
      await until('5 frames', () => frames >= 5);
      server.pause();
      await until('the watchdog', () => watchdogAt !== undefined, 60_000);
      // A frame the killed FFmpeg still delivers after SIGCONT does not count: the supervisor is
      // still 'reconnecting' then. A new process's first frame makes it 'live' before listeners run.
      const f = await nextFrame(
        s,
        'frame after the hang',
        (fr) => fr.putAt > watchdogAt! && s.snapshot().state === 'live',
      );
      samples.push({ totalMs: f.putAt - lastBeforeHang!, watchdogMs: watchdogAt! - lastBeforeHang! });
      await stopSupervisor(s);
    } finally {
      await server.kill();
    }
  }
  return samples;
}
