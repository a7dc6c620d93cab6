import type { ImageOutcome } from '../../gallery/gallery-types';
import type { CliContext } from '../cli-context';
import { defaultActor, withGallery } from './gallery-session';

export interface GalleryAddOptions {
  name: string;
  reason?: string;
  by?: string;
  watchlist?: string[];
  metadata?: string;
  json: boolean;
}

/**
 * `argus gallery add --name NAME --reason TEXT IMAGE...`: enrols one identity. Prints
 * {"identity":{"id","name"},"templates":N} (plus "rejected"/"skipped" when some images were).
 * Exit code 1 when any image was rejected or nothing could be enrolled.
 */
export async function galleryAddCommand(
  ctx: CliContext,
  images: string[],
  o: GalleryAddOptions,
): Promise<number> {
  return withGallery(ctx, { create: true, faces: true, json: o.json }, async (gallery) => {
    const r = await gallery.enrol(
      {
        name: o.name,
        reason: o.reason ?? '',
        enrolledBy: o.by ?? defaultActor(),
        watchlists: o.watchlist ?? [],
        metadata: parseMetadata(o.metadata),
      },
      images,
    );
    const rejected = r.images.filter(
      (i): i is Extract<ImageOutcome, { status: 'rejected' }> => i.status === 'rejected',
    );
    const skipped = r.images.filter((i) => i.status === 'duplicate').map((i) => i.source);
    if (o.json) {
      ctx.out(
        JSON.stringify({
          identity: { id: r.identity.id, name: r.identity.name },
          templates: r.added,
          ...(rejected.length
            ? { rejected: rejected.map(({ source, code, message }) => ({ file: source, code, message })) }
            : {}),
          ...(skipped.length ? { skipped } : {}),
        }),
      );
    } else {
      ctx.out(`enrolled ${r.identity.name} (${r.identity.id}) with ${r.added} template(s)`);
      for (const x of rejected) ctx.out(`  rejected ${x.source}: ${x.code}: ${x.message}`);
      for (const s of skipped) ctx.out(`  skipped ${s}: already enrolled`);
    }
    return rejected.length > 0 ? 1 : 0;
  });
}

function parseMetadata(text: string | undefined): Record<string, unknown> {
  if (text === undefined) return {};
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch {
    // Not JSON: let the identity validation say what is wrong with a clear code.
    return text as unknown as Record<string, unknown>;
  }
}
