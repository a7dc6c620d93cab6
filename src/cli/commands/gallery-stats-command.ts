import type { CliContext } from '../cli-context';
import { withGallery } from './gallery-session';

/** `argus gallery stats`: counts, model, index state, file sizes and where FMR estimates come from. */
export async function galleryStatsCommand(ctx: CliContext, o: { json: boolean }): Promise<number> {
  return withGallery(ctx, { create: false, faces: false, json: o.json }, async (gallery) => {
    const s = gallery.stats();
    if (o.json) {
      ctx.out(JSON.stringify(s));
    } else {
      ctx.out(`identities ${s.identities}, templates ${s.templates}, deletions logged ${s.deletions}`);
      ctx.out(`model ${s.modelId} (${s.dim}-D); index ${s.index.size} vectors (${s.index.state})`);
      ctx.out(`database ${s.bytes.database} bytes (+ WAL ${s.bytes.wal})`);
      ctx.out(
        `FMR estimates: ${s.fmrTable.origin}, ${s.fmrTable.impostorPairs} impostor pairs (${s.fmrTable.source})`,
      );
    }
    return 0;
  });
}
