import type { CliContext } from '../cli-context';
import { r4, withGallery } from './gallery-session';

/**
 * `argus gallery search IMAGE`: the image's largest face against the gallery. Prints
 * {"matches":[{"identity":{"id","name"},"similarity","margin","fmr","match"}]}, best first.
 */
export async function gallerySearchCommand(
  ctx: CliContext,
  image: string,
  o: { k?: number; watchlist?: string[]; json: boolean },
): Promise<number> {
  return withGallery(ctx, { create: false, faces: true, json: o.json }, async (gallery) => {
    const { matches } = await gallery.searchByImage(image, o.k, { watchlists: o.watchlist ?? [] });
    const rows = matches.map((m) => ({
      identity: m.identity,
      similarity: r4(m.similarity),
      margin: r4(m.margin),
      fmr: Number(m.fmr.toPrecision(3)),
      match: m.match,
    }));
    if (o.json) {
      ctx.out(JSON.stringify({ matches: rows }));
    } else if (rows.length === 0) {
      ctx.out(o.watchlist?.length ? 'nobody in the gallery is on that watchlist' : 'the gallery is empty');
    } else {
      for (const m of rows) {
        ctx.out(
          `${m.match ? 'CANDIDATE (verify by eye)' : 'no match'}  ${m.identity.name} (${m.identity.id})  similarity ${m.similarity}  margin ${m.margin}  est. FMR ${m.fmr}`,
        );
      }
    }
    return 0;
  });
}
