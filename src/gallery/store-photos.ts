import type Database from 'better-sqlite3';
import type { NewTemplate } from './gallery-store';

/**
 * Makes the best-quality new template with a photo the identity's reference photo, unless the
 * photo it has already comes from a template of at least that quality (same transaction).
 */
export function keepBestPhoto(
  db: Database.Database,
  identityId: string,
  templates: readonly NewTemplate[],
  ids: ReadonlyArray<number | null>,
  createdAt: string,
): void {
  let best: { id: number; t: NewTemplate } | undefined;
  templates.forEach((t, i) => {
    const id = ids[i];
    if (id === null || id === undefined || !t.photo) return;
    if (!best || (t.quality ?? 0) > (best.t.quality ?? 0)) best = { id, t };
  });
  if (!best) return;
  const { id, t } = best;
  const current = db.prepare('SELECT quality FROM identity_photos WHERE identity_id = ?').get(identityId) as
    | { quality: number | null }
    | undefined;
  if (current && (current.quality ?? 0) >= (t.quality ?? 0)) return;
  db.prepare(
    `INSERT INTO identity_photos (identity_id, template_id, quality, jpeg, created_at) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (identity_id) DO UPDATE SET template_id = excluded.template_id, quality = excluded.quality,
       jpeg = excluded.jpeg, created_at = excluded.created_at`,
  ).run(identityId, id, t.quality, t.photo, createdAt);
}
