import { spawn } from 'node:child_process';
import type { Readable } from 'node:stream';
import { buildFfmpegArgs } from '../../src/ingest/ffmpeg/ffmpeg-args';
import { resolveFfmpeg } from '../../src/ingest/ffmpeg/ffmpeg-binary';
import { OutputSizeParser } from '../../src/ingest/ffmpeg/output-size-parser';
import { killChild } from './rtp-source';

export interface DecodeResult {
  frames: number;
  /** Output frame size as FFmpeg stated it (0 when it never did). */
  width: number;
  height: number;
  /** Date.now() when the first whole frame came out of FFmpeg. */
  firstFrameAt: number | undefined;
  stderr: string;
}

/**
 * Pipes a feed's stream into a real FFmpeg run with the arguments Argus itself uses for a pipe
 * input (rgb24 rawvideo out, fit within 1280x720) and counts decoded frames until `frames` are in
 * or `timeoutMs` passes. FFmpeg is gone when this resolves. `onFirstFrame` runs at the first frame.
 */
export async function decodeFeed(
  stream: Readable,
  format: 'h264' | 'ivf',
  opts: { frames: number; timeoutMs: number; onFirstFrame?: () => void },
): Promise<DecodeResult> {
  const ffmpeg = await resolveFfmpeg();
  const args = buildFfmpegArgs(
    { kind: 'pipe', format },
    { fps: 30, maxWidth: 1280, maxHeight: 720 },
    ffmpeg.version,
  );
  const child = spawn(ffmpeg.path, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  const sizes = new OutputSizeParser();
  let size: { width: number; height: number } | undefined;
  let partialLine = '';
  let stderr = '';
  let bytes = 0;
  let firstFrameAt: number | undefined;
  const frames = () => (size === undefined ? 0 : Math.floor(bytes / (size.width * size.height * 3)));
  // EPIPE when FFmpeg is killed first is expected.
  child.stdin.on('error', () => undefined);
  stream.pipe(child.stdin);
  try {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, opts.timeoutMs);
      const check = () => {
        if (firstFrameAt === undefined && frames() >= 1) {
          firstFrameAt = Date.now();
          opts.onFirstFrame?.();
        }
        if (frames() >= opts.frames) {
          clearTimeout(timer);
          resolve();
        }
      };
      child.stderr.on('data', (d: Buffer) => {
        const text = partialLine + d.toString();
        stderr = (stderr + d.toString()).slice(-8000);
        const lines = text.split(/\r?\n/);
        partialLine = lines.pop() ?? '';
        for (const line of lines) size ??= sizes.parseOutputSize(line);
        check();
      });
      child.stdout.on('data', (d: Buffer) => {
        bytes += d.length;
        check();
      });
      child.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
    });
  } finally {
    stream.unpipe(child.stdin);
    await killChild(child);
  }
  return { frames: frames(), width: size?.width ?? 0, height: size?.height ?? 0, firstFrameAt, stderr };
}
