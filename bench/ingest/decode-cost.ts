/** CPU cost and framing latency of decoding 720p at 10 fps. */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ResolvedFfmpeg } from '../../src/ingest/ffmpeg/ffmpeg-binary';
import { CLIP, DECODE_STREAMS, DECODE_WARMUP_MS, DECODE_WINDOW_MS } from './bench-constants';
import { type Ctx, sleep, stopSupervisor, supervisor, tempDirs, track, until } from './bench-processes';

function clockTicks(): number {
  try {
    const v = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
    return v > 0 ? v : 100;
  } catch {
    return 100;
  }
}

/** utime + stime of a process (all its threads), in clock ticks. */
function cpuTicks(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name, which is in parentheses and may hold spaces.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // state is field 3 of stat(5), so utime (14) and stime (15) are at 11 and 12 here.
  return Number(fields[11]) + Number(fields[12]);
}

export async function transcode720p(ffmpeg: ResolvedFfmpeg): Promise<string> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'argus-ingest-bench-'));
  tempDirs.add(dir);
  const out = path.join(dir, 'clip-720p.mp4');
  const child = track(
    spawn(
      ffmpeg.path,
      [
        ...['-hide_banner', '-nostdin', '-loglevel', 'error', '-y', '-i', CLIP, '-an'],
        ...['-vf', 'scale=1280:720', '-c:v', 'libx264', '-preset', 'veryfast', '-pix_fmt', 'yuv420p', out],
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    ),
  );
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
  if (code !== 0) throw new Error(`transcoding to 720p failed (${code}): ${stderr}`);
  return out;
}

export interface DecodeResult {
  corePctPerStream: number;
  ffmpegPctPerStream: number;
  nodePctPerStream: number;
  fpsPerStream: number[];
  /** putAt - capturedAt of every frame of the run. */
  latencies: number[];
  /** The same, only frames of the steady window. */
  windowLatencies: number[];
  size: string;
}

/** N real-time looping 720p file sources at 10 fps: FFmpeg and Node CPU over a steady window. */
export async function decodeCost(ctx: Ctx, file: string): Promise<DecodeResult> {
  const ticksPerSec = clockTicks();
  const latencies: number[] = [];
  const windowLatencies: number[] = [];
  let inWindow = false;
  const streams = Array.from({ length: DECODE_STREAMS }, (_, i) => {
    const { s, procs } = supervisor(ctx, {
      id: `decode${i}`,
      url: file,
      realtime: true,
      loop: true,
      fps: 10,
      maxWidth: 1280,
      maxHeight: 720,
    });
    let frames = 0;
    s.onFrame((f) => {
      frames++;
      latencies.push(f.putAt - f.capturedAt);
      if (inWindow) windowLatencies.push(f.putAt - f.capturedAt);
    });
    return { s, procs, frames: () => frames };
  });
  try {
    for (const st of streams) st.s.start();
    await until('every stream live', () => streams.every((st) => st.frames() >= 10), 60_000);
    await sleep(DECODE_WARMUP_MS);

    const pids = streams.map((st) => st.procs.at(-1)?.pid);
    if (pids.some((p) => p === undefined)) throw new Error('an FFmpeg has no pid');
    const ticks0 = pids.map((p) => cpuTicks(p!));
    const frames0 = streams.map((st) => st.frames());
    const node0 = process.cpuUsage();
    const t0 = performance.now();
    inWindow = true;
    await sleep(DECODE_WINDOW_MS);
    inWindow = false;
    const ticks1 = pids.map((p) => cpuTicks(p!));
    const node = process.cpuUsage(node0);
    const windowS = (performance.now() - t0) / 1000;
    const frames1 = streams.map((st) => st.frames());

    for (const [i, st] of streams.entries()) {
      if (st.procs.at(-1)?.pid !== pids[i] || st.s.snapshot().restarts !== 0) {
        throw new Error(`stream ${i} restarted during the window; the CPU reading would be wrong`);
      }
    }
    const ffmpegS = ticks1.reduce((a, t, i) => a + (t - ticks0[i]!), 0) / ticksPerSec;
    const nodeS = (node.user + node.system) / 1e6;
    const snap = streams[0]!.s.snapshot();
    return {
      corePctPerStream: ((ffmpegS + nodeS) / windowS / DECODE_STREAMS) * 100,
      ffmpegPctPerStream: (ffmpegS / windowS / DECODE_STREAMS) * 100,
      nodePctPerStream: (nodeS / windowS / DECODE_STREAMS) * 100,
      fpsPerStream: frames1.map((f, i) => (f - frames0[i]!) / windowS),
      latencies,
      windowLatencies,
      size: `${snap.width}x${snap.height}`,
    };
  } finally {
    await Promise.all(streams.map((st) => stopSupervisor(st.s)));
  }
}
