import path from 'node:path';
import { ArgusError, toArgusError } from '../../errors/argus-error';
import { resolveFfmpeg } from '../../ingest/ffmpeg/ffmpeg-binary';
import { redactUrl } from '../../ingest/redact-url';
import { parseSourceUrl } from '../../ingest/source-url';
import { STREAM_DEFAULTS } from '../../ingest/stream-options';
import { StreamSupervisor } from '../../ingest/stream-supervisor';
import { WebRtcService } from '../../ingest/webrtc/webrtc-service';
import { AnalysisLoop, singleStage } from '../../pipeline/analysis-loop';
import { MatchEvidence } from '../../pipeline/match-evidence';
import { packageRoot } from '../../util/package-root';
import { createFaceAnalyzer } from '../../vision/create-face-analyzer';
import { cosine } from '../../vision/embed/vector-math';
import type { CliContext } from '../cli-context';
import { largestFace } from '../face-json';
import { readImageFile } from '../image-file';

export interface DemoOptions {
  source?: string;
  /** Port of the WHIP endpoint when the source is whip:ID (on 127.0.0.1). */
  whipPort: number;
  reference?: string;
  name: string;
  seconds?: number;
}

const FIXTURES = () => path.join(packageRoot(), 'test', 'fixtures', 'face_recognition');
/** Matches needed among the last frames of a face before it is reported (2 of 3). */
const EVIDENCE_K = 2;
const EVIDENCE_N = 3;

/**
 * `argus demo`, the simplest demo (`npm start` runs `argus serve --demo`): a looping video played as if it were a camera, every
 * analysed frame compared with one reference face, candidate matches printed once they have
 * multi-frame evidence. Everything stays in memory; nothing is written to disk.
 */
export async function demoCommand(ctx: CliContext, o: DemoOptions): Promise<number> {
  const source = o.source ?? path.join(FIXTURES(), 'short_hamilton_clip.mp4');
  const referenceFile = o.reference ?? path.join(FIXTURES(), 'lin-manuel-miranda.png');
  const threshold = ctx.config.match.threshold;
  const analyzer = await createFaceAnalyzer(ctx.config, { logger: ctx.logger });
  let supervisor: StreamSupervisor | undefined;
  let loop: AnalysisLoop | undefined;
  let webrtc: WebRtcService | undefined;
  try {
    const parsed = parseSourceUrl(source);
    if (parsed.kind === 'whip' || parsed.kind === 'whep') {
      webrtc = new WebRtcService({ host: '127.0.0.1', port: o.whipPort, logger: ctx.logger });
      const base = await webrtc.start();
      if (parsed.kind === 'whip') {
        // Registered before the endpoint is announced, so the first publisher is not refused.
        webrtc.ingest.register(parsed.streamId);
        ctx.out(`WHIP endpoint: POST ${base}/whip/${parsed.streamId} (application/sdp)`);
      }
    }
    const v = ctx.config.vision;
    const refImage = await readImageFile(referenceFile, {
      maxPixels: v.maxImagePixels,
      maxBytes: v.maxImageBytes,
    });
    const ref = largestFace((await analyzer.analyze(refImage, { embed: true })).faces)?.embedding;
    if (!ref) throw new ArgusError('ARGUS_E_NO_FACE', { subject: referenceFile });

    supervisor = new StreamSupervisor(
      { ...STREAM_DEFAULTS, id: 'demo', url: source },
      { ffmpeg: await resolveFfmpeg(), logger: ctx.logger, ...(webrtc ? { feeds: webrtc.feeds } : {}) },
    );
    const evidence = new MatchEvidence(EVIDENCE_K, EVIDENCE_N);
    let reported = false;
    let window = { frames: 0, faces: 0, latency: 0, best: -1 };
    loop = new AnalysisLoop(
      supervisor.slot,
      singleStage(async (frame) => {
        const { faces } = await analyzer.analyze(frame, { embed: true });
        const r = { faces, latencyMs: Date.now() - frame.capturedAt };
        const best = Math.max(-1, ...r.faces.map((f) => (f.embedding ? cosine(f.embedding, ref) : -1)));
        const confirmed = evidence.add(best >= threshold);
        if (confirmed && !reported) {
          reported = true;
          ctx.out(
            `CANDIDATE MATCH for human review: "${o.name}" in stream demo, similarity ${best.toFixed(3)} >= ${threshold} in ${evidence.count()} of the last ${EVIDENCE_N} frames`,
          );
        }
        if (!confirmed && evidence.count() === 0) reported = false;
        window = {
          frames: window.frames + 1,
          faces: window.faces + r.faces.length,
          latency: window.latency + r.latencyMs,
          best: Math.max(window.best, best),
        };
      }),
      (err) => ctx.logger.warn({ code: toArgusError(err).code }, 'frame analysis failed'),
    );

    ctx.out(
      `Argus demo: analysing ${redactUrl(source)} as stream "demo", looking for "${o.name}" (threshold ${threshold}).`,
    );
    ctx.out('Faces that match nobody are discarded after each frame. Press Ctrl+C to stop.');
    supervisor.start();
    loop.start();
    const ticker = setInterval(() => {
      const s = supervisor!.snapshot();
      const w = window;
      window = { frames: 0, faces: 0, latency: 0, best: -1 };
      ctx.out(
        `[${s.state}] analysed ${w.frames} frames/5 s, ${w.faces} faces, best similarity ${w.best < -0.5 ? '-' : w.best.toFixed(3)}, latency ${w.frames ? Math.round(w.latency / w.frames) : '-'} ms, frames dropped so far ${s.framesDropped}`,
      );
    }, 5000);
    await waitForStop(o.seconds);
    clearInterval(ticker);
    return 0;
  } catch (err) {
    const e = toArgusError(err);
    ctx.out(`error ${e.code}: ${e.message}`);
    return 1;
  } finally {
    await loop?.stop();
    await supervisor?.stop();
    await webrtc?.stop();
    await analyzer.close();
  }
}

function waitForStop(seconds?: number): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      process.off('SIGINT', done);
      process.off('SIGTERM', done);
      clearTimeout(timer);
      resolve();
    };
    const timer = seconds ? setTimeout(done, seconds * 1000) : undefined;
    process.once('SIGINT', done);
    process.once('SIGTERM', done);
  });
}
