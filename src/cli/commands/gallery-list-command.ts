import type { CliContext } from '../cli-context';
import { withGallery } from './gallery-session';

/** `argus gallery list [--limit N] [--offset N | --cursor C]`: identities in enrolment order. */
export async function galleryListCommand(
  ctx: CliContext,
  o: { limit?: number; offset?: number; cursor?: string; json: boolean },
): Promise<number> {
  return withGallery(ctx, { create: false, faces: false, json: o.json }, async (gallery) => {
    const page = gallery.list({
      ...(o.limit !== undefined ? { limit: o.limit } : {}),
      ...(o.offset !== undefined ? { offset: o.offset } : {}),
      ...(o.cursor !== undefined ? { cursor: o.cursor } : {}),
    });
    if (o.json) {
      ctx.out(JSON.stringify(page));
    } else {
      for (const i of page.identities) {
        const lists = i.watchlists.length ? `  [${i.watchlists.join(', ')}]` : '';
        ctx.out(
          `${i.id}  ${i.name}  ${i.templates} template(s)${lists}  enrolled ${i.createdAt} by ${i.enrolledBy}`,
        );
      }
      ctx.out(
        `${page.identities.length} of ${page.total}${page.nextCursor ? ` (next: --cursor ${page.nextCursor})` : ''}`,
      );
    }
    return 0;
  });
}
