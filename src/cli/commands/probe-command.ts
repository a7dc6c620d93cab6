import { ArgusError, toArgusError } from '../../errors/argus-error';
import { resolveFfmpeg } from '../../ingest/ffmpeg/ffmpeg-binary';
import { parseSourceUrl } from '../../ingest/source-url';
import { STREAM_DEFAULTS } from '../../ingest/stream-options';
import { StreamSupervisor } from '../../ingest/stream-supervisor';
import { WebRtcService } from '../../ingest/webrtc/webrtc-service';
import type { CliContext } from '../cli-context';

export interface ProbeOptions {
  frames: number;
  timeoutSec: number;
  json: boolean;
  transport: 'tcp' | 'udp';
}

/**
 * `argus probe URL`: decodes a few frames the way a stream would, once (no reconnects), so an
 * operator can test a camera URL before adding it.
 */
export async function probeCommand(ctx: CliContext, url: string, o: ProbeOptions): Promise<number> {
  let supervisor: StreamSupervisor | undefined;
  let webrtc: WebRtcService | undefined;
  try {
    const source = parseSourceUrl(url);
    if (source.kind === 'whip') {
      throw new ArgusError('ARGUS_E_USAGE', {
        reason:
          'whip: sources are fed by publishers through a running "argus serve"; probe the publisher side instead',
      });
    }
    if (source.kind === 'whep')
      webrtc = new WebRtcService({ host: '127.0.0.1', port: 0, logger: ctx.logger });
    supervisor = new StreamSupervisor(
      { ...STREAM_DEFAULTS, id: 'probe', url, rtspTransport: o.transport, loop: false },
      {
        ffmpeg: await resolveFfmpeg(),
        logger: ctx.logger,
        retry: false,
        ...(webrtc ? { feeds: webrtc.feeds } : {}),
      },
    );
    const result = await collect(supervisor, o);
    ctx.out(
      o.json
        ? JSON.stringify(result)
        : `${result.frames} frames, first after ${result.ttffMs} ms, ${result.fps} fps, ${result.width}x${result.height}, ${result.codec}`,
    );
    return 0;
  } catch (err) {
    const e = toArgusError(err);
    ctx.out(o.json ? JSON.stringify({ error: e.toJSON() }) : `error ${e.code}: ${e.message}`);
    return 1;
  } finally {
    await supervisor?.stop();
    await webrtc?.stop();
  }
}

async function collect(s: StreamSupervisor, o: ProbeOptions) {
  const times: number[] = [];
  const done = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(
        new ArgusError('ARGUS_E_PROBE_TIMEOUT', {
          frames: o.frames,
          seconds: o.timeoutSec,
          got: times.length,
        }),
      );
    }, o.timeoutSec * 1000);
    const finish = (err?: ArgusError) => {
      clearTimeout(timer);
      if (err) reject(err);
      else resolve();
    };
    s.onFrame((f) => {
      times.push(f.putAt);
      if (times.length >= o.frames) finish();
    });
    s.onStatus((snap) => {
      if (snap.state === 'failed' || snap.state === 'reconnecting' || snap.state === 'stopped') {
        if (times.length >= o.frames) return finish();
        const last = snap.lastError;
        finish(
          last
            ? Object.assign(new ArgusError(last.code), { message: last.message })
            : new ArgusError('ARGUS_E_SOURCE_ENDED'),
        );
      }
    });
  });
  s.start();
  await done;
  const snap = s.snapshot();
  const span = (times.at(-1)! - times[0]!) / 1000;
  return {
    frames: times.length,
    ttffMs: snap.ttffMs ?? null,
    fps: span > 0 ? Math.round(((times.length - 1) / span) * 100) / 100 : 0,
    width: snap.width ?? null,
    height: snap.height ?? null,
    codec: snap.codec ?? null,
  };
}
