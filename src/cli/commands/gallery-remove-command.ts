import { ArgusError } from '../../errors/argus-error';
import type { CliContext } from '../cli-context';
import { defaultActor, withGallery } from './gallery-session';

/**
 * `argus gallery remove ID`: erases an identity (or with --template, one template). Prints
 * {"deleted":{"id","templates":N}}. The deletion is logged with who and why, without biometrics.
 */
export async function galleryRemoveCommand(
  ctx: CliContext,
  id: string,
  o: { reason?: string; by?: string; template?: boolean; json: boolean },
): Promise<number> {
  return withGallery(ctx, { create: false, faces: false, json: o.json }, async (gallery) => {
    const actor = { by: o.by ?? defaultActor(), reason: o.reason ?? 'removed with argus gallery remove' };
    if (o.template) {
      const templateId = Number(id);
      if (!Number.isSafeInteger(templateId))
        throw new ArgusError('ARGUS_E_GALLERY_TEMPLATE_NOT_FOUND', { id });
      const r = gallery.removeTemplate(templateId, actor);
      ctx.out(
        o.json
          ? JSON.stringify({ deleted: { template: r.templateId, identity: r.identityId } })
          : `removed template ${r.templateId} of ${r.identityId}`,
      );
      return 0;
    }
    const r = gallery.deleteIdentity(id, actor);
    ctx.out(
      o.json
        ? JSON.stringify({ deleted: { id: r.identityId, templates: r.templates } })
        : `erased ${r.identityId} and its ${r.templates} template(s)`,
    );
    return 0;
  });
}
