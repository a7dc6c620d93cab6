import { planImport, runImport } from '../../gallery/gallery-import';
import type { CliContext } from '../cli-context';
import { defaultActor, progressBar, withGallery } from './gallery-session';

/**
 * `argus gallery import DIR`: one folder per person, one identity per folder (named after it).
 * Progress bar on a terminal; prints a summary: enrolled people, rejected images with reasons.
 * Resumable: re-running skips images already enrolled. Exit code 1 when any image was rejected.
 */
export async function galleryImportCommand(
  ctx: CliContext,
  dir: string,
  o: { reason?: string; by?: string; watchlist?: string[]; json: boolean },
): Promise<number> {
  return withGallery(ctx, { create: true, faces: true, json: o.json }, async (gallery) => {
    const people = planImport(dir);
    const bar = progressBar('importing');
    const report = await runImport(gallery, people, {
      reason: o.reason ?? '',
      enrolledBy: o.by ?? defaultActor(),
      watchlists: o.watchlist ?? [],
      onImage: (done, total) => bar.update(done, total),
    }).finally(() => bar.stop());
    if (o.json) {
      ctx.out(
        JSON.stringify({
          enrolled: report.people
            .filter((p) => p.identity)
            .map((p) => ({ person: p.name, identity: p.identity, templates: p.added, skipped: p.skipped })),
          rejected: report.rejected,
          summary: report.totals,
        }),
      );
    } else {
      for (const p of report.people) {
        ctx.out(
          `${p.name}: ${p.identity ? p.identity.id : 'not enrolled'}, ${p.added} added, ${p.skipped} already there, ${p.rejected} rejected`,
        );
      }
      for (const r of report.rejected) ctx.out(`  rejected ${r.file}: ${r.code}: ${r.message}`);
      const t = report.totals;
      ctx.out(
        `${t.people} people, ${t.images} images: ${t.added} enrolled, ${t.skipped} skipped, ${t.rejected} rejected`,
      );
    }
    return report.totals.rejected > 0 ? 1 : 0;
  });
}
