import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { ArgusError, toArgusError } from '../errors/argus-error';
import type { Gallery } from './gallery';
import { isImageFileName } from './gallery-images';
import type { IdentityRef } from './gallery-types';

export interface ImportPerson {
  /** The folder name, used as the identity's name. */
  name: string;
  files: string[];
}

export interface ImportRejection {
  person: string;
  /** The image, or the folder when the whole folder was refused. */
  file: string;
  code: string;
  message: string;
}

export interface ImportReport {
  people: Array<{
    name: string;
    identity: IdentityRef | null;
    added: number;
    skipped: number;
    rejected: number;
  }>;
  rejected: ImportRejection[];
  totals: { people: number; images: number; added: number; skipped: number; rejected: number };
}

export interface ImportOptions {
  reason: string;
  enrolledBy: string;
  watchlists?: string[];
  /** Called after each image: images done, images in all, the file. */
  onImage?: (done: number, total: number, file: string) => void;
}

/** One folder per person, each holding that person's images; other entries are ignored. */
export function planImport(dir: string): ImportPerson[] {
  let entries: string[];
  try {
    entries = readdirSync(dir).sort();
  } catch (err) {
    throw new ArgusError('ARGUS_E_FILE_NOT_FOUND', { path: dir }, { cause: err });
  }
  const people: ImportPerson[] = [];
  for (const name of entries) {
    const folder = path.join(dir, name);
    if (name.startsWith('.') || !statSync(folder).isDirectory()) continue;
    const files = readdirSync(folder)
      .filter(isImageFileName)
      .sort()
      .map((f) => path.join(folder, f))
      .filter((f) => statSync(f).isFile());
    people.push({ name, files });
  }
  return people;
}

/**
 * Enrols each folder as one identity, image by image (one transaction each), so an interrupted
 * import loses at most the image in flight. Resumable: a folder whose name matches one identity
 * extends it, and images already enrolled (same sha256) are skipped without being analysed.
 */
export async function runImport(
  gallery: Gallery,
  people: ImportPerson[],
  o: ImportOptions,
): Promise<ImportReport> {
  const total = people.reduce((n, p) => n + p.files.length, 0);
  const report: ImportReport = {
    people: [],
    rejected: [],
    totals: { people: people.length, images: total, added: 0, skipped: 0, rejected: 0 },
  };
  let done = 0;
  for (const person of people) {
    const entry = {
      name: person.name,
      identity: null as IdentityRef | null,
      added: 0,
      skipped: 0,
      rejected: 0,
    };
    report.people.push(entry);
    const reject = (file: string, err: unknown) => {
      const e = toArgusError(err);
      entry.rejected++;
      report.rejected.push({ person: person.name, file, code: e.code, message: e.message });
    };
    const existing = gallery.findByName(person.name);
    if (existing.length > 1) {
      reject(
        person.name,
        new ArgusError('ARGUS_E_GALLERY_IMPORT_AMBIGUOUS', { name: person.name, count: existing.length }),
      );
      done += person.files.length;
      o.onImage?.(done, total, person.name);
      continue;
    }
    entry.identity = existing[0] ?? null;
    for (const file of person.files) {
      try {
        if (entry.identity === null) {
          const r = await gallery.enrol(
            { name: person.name, reason: o.reason, enrolledBy: o.enrolledBy, watchlists: o.watchlists ?? [] },
            [file],
          );
          entry.identity = { id: r.identity.id, name: r.identity.name };
          entry.added += r.added;
        } else {
          const r = await gallery.addTemplates(entry.identity.id, [file]);
          entry.added += r.added;
          entry.skipped += r.images.filter((i) => i.status === 'duplicate').length;
        }
      } catch (err) {
        const e = toArgusError(err);
        if (e.code === 'ARGUS_E_POOL_CLOSED' || e.code.startsWith('ARGUS_E_MODEL_') || isStorageFatal(e.code))
          throw e;
        reject(file, e);
      }
      o.onImage?.(++done, total, file);
    }
    report.totals.added += entry.added;
    report.totals.skipped += entry.skipped;
    report.totals.rejected += entry.rejected;
  }
  return report;
}

/** Errors that would fail every following image too: stop instead of reporting each. */
function isStorageFatal(code: string): boolean {
  return [
    'ARGUS_E_GALLERY_READONLY',
    'ARGUS_E_GALLERY_CORRUPT',
    'ARGUS_E_GALLERY_STORAGE',
    'ARGUS_E_GALLERY_MODEL_MISMATCH',
  ].includes(code);
}
