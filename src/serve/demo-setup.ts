import path from 'node:path';
import type { ArgusConfig } from '../config/config-schema';
import { streamSchema } from '../config/stream-schema';
import { ArgusError } from '../errors/argus-error';
import type { FaceSource } from '../gallery/gallery';
import { openGallery } from '../gallery/open-gallery';
import type { Logger } from '../logging/create-logger';
import { packageRoot } from '../util/package-root';
import { createFaceAnalyzer } from '../vision/create-face-analyzer';
import type { FaceAnalyzer } from '../vision/face-analyzer';

/** What `argus serve --demo` (and so `npm start`) adds to the configuration. */
export const DEMO_STREAM_ID = 'demo';
export const DEMO_NAME = 'Lin-Manuel Miranda (demo)';
export const DEMO_REASON = 'demo';

const fixtures = () => path.join(packageRoot(), 'test', 'fixtures', 'face_recognition');
export const demoClip = (): string => path.join(fixtures(), 'short_hamilton_clip.mp4');
export const demoReference = (): string => path.join(fixtures(), 'lin-manuel-miranda.png');

/**
 * The configuration plus the demo stream: the sample clip looped at its own speed as if it were
 * a camera. The stream gets the schema's defaults, like any configured stream.
 */
export function withDemoStream(config: Readonly<ArgusConfig>): ArgusConfig {
  if (config.streams.some((s) => s.id === DEMO_STREAM_ID)) {
    throw new ArgusError('ARGUS_E_CONFIG_INVALID', {
      problems: `streams: id "${DEMO_STREAM_ID}" is reserved for the demo stream of --demo`,
    });
  }
  const demo = streamSchema.parse({ id: DEMO_STREAM_ID, url: demoClip(), loop: true, realtime: true });
  return { ...config, streams: [...config.streams, demo] };
}

/**
 * Enrols the demo identity from its reference photo unless the gallery already holds someone
 * by that name, so restarts on the same data directory do not enrol a second copy. The face
 * models are loaded only when an enrolment is needed (one worker, closed before returning).
 */
export async function ensureDemoIdentity(
  config: Readonly<ArgusConfig>,
  logger: Logger,
): Promise<{ id: string; created: boolean }> {
  let analyzer: Promise<FaceAnalyzer> | undefined;
  const faces = (): Promise<FaceSource> => {
    analyzer ??= createFaceAnalyzer(config, { workers: 1, logger });
    return analyzer;
  };
  const gallery = openGallery({ config, create: true, faces, logger });
  try {
    const existing = gallery.findByName(DEMO_NAME)[0];
    if (existing) return { id: existing.id, created: false };
    const r = await gallery.enrol(
      { name: DEMO_NAME, reason: DEMO_REASON, enrolledBy: 'argus serve --demo' },
      [demoReference()],
    );
    logger.info({ identityId: r.identity.id }, 'demo identity enrolled');
    return { id: r.identity.id, created: true };
  } finally {
    await gallery.close();
    // A failed start has already been reported by enrol.
    if (analyzer) await analyzer.then((a) => a.close()).catch(() => undefined);
  }
}
