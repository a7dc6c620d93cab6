import { type ChildProcess, spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { fixture } from './fixtures';

export const CLIP = fixture('face_recognition', 'short_hamilton_clip.mp4');

export interface RtpSource {
  /** Calls `listener` with every RTP packet (RTCP filtered out). */
  onPacket(listener: (packet: Buffer) => void): void;
  packets(): number;
  stop(): Promise<void>;
}

/**
 * FFmpeg encodes the fixture clip (looped, in real time) to RTP on a loopback UDP port that the
 * OS picks: H.264 (x264, baseline, several slices per frame) or VP8. A keyframe every 15 frames
 * stands in for PLI, which FFmpeg cannot receive.
 */
export async function startRtpSource(codec: 'h264' | 'vp8', ffmpeg = 'ffmpeg'): Promise<RtpSource> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(0, '127.0.0.1', () => resolve());
  });
  const port = socket.address().port;
  const encoder =
    codec === 'h264'
      ? ['-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'zerolatency', '-profile:v', 'baseline']
      : [
          '-c:v',
          'libvpx',
          '-deadline',
          'realtime',
          '-cpu-used',
          '8',
          '-b:v',
          '800k',
          '-error-resilient',
          '1',
        ];
  const args = [
    ...['-hide_banner', '-loglevel', 'error', '-nostdin', '-re', '-stream_loop', '-1'],
    ...['-i', CLIP, '-an', ...encoder, '-g', '15', '-keyint_min', '15', '-pix_fmt', 'yuv420p'],
    // RTCP goes to the same port (and is filtered out): nothing listening on port+1 would make
    // FFmpeg's sends fail with ECONNREFUSED.
    ...['-f', 'rtp', '-payload_type', '96', `rtp://127.0.0.1:${port}?rtcpport=${port}&pkt_size=1200`],
  ];
  const child = spawn(ffmpeg, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4000);
  });
  const listeners: Array<(packet: Buffer) => void> = [];
  let count = 0;
  socket.on('message', (msg) => {
    // RTCP packet types 200-204 sit where RTP has marker + payload type.
    const pt = (msg[1] ?? 0) & 0x7f;
    if (msg.length < 12 || (pt >= 72 && pt <= 76)) return;
    count++;
    for (const l of listeners) l(msg);
  });
  return {
    onPacket: (listener) => void listeners.push(listener),
    packets: () => count,
    stop: async () => {
      await killChild(child);
      await new Promise<void>((resolve) => socket.close(() => resolve()));
      if (child.exitCode !== null && child.exitCode !== 0 && child.exitCode !== 255) {
        throw new Error(`RTP source FFmpeg failed (${child.exitCode}): ${stderr}`);
      }
    },
  };
}

export async function killChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  await new Promise<void>((resolve) => {
    child.once('close', () => resolve());
    child.kill('SIGKILL');
  });
}
