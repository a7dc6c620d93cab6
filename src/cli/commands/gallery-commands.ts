import path from 'node:path';
import { type Command, InvalidArgumentError } from 'commander';
import type { AuditEntryInput } from '../../audit/audit-log';
import { capturingOut, withCliAudit } from '../../audit/cli-audit';
import type { CliContext } from '../cli-context';
import { galleryAddCommand } from './gallery-add-command';
import { galleryCalibrateCommand } from './gallery-calibrate-command';
import { galleryImportCommand } from './gallery-import-command';
import { galleryListCommand } from './gallery-list-command';
import { galleryRemoveCommand } from './gallery-remove-command';
import { gallerySearchCommand } from './gallery-search-command';
import { galleryStatsCommand } from './gallery-stats-command';

const collect = (value: string, previous: string[] = []) => [...previous, value];

function intIn(min: number, max: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > max) {
      throw new InvalidArgumentError(`expected a whole number from ${min} to ${max}`);
    }
    return n;
  };
}

/** The reason as the audit log takes it: absent rather than empty (the gallery reports a missing one). */
const auditReason = (reason: string | undefined) => (reason ? { reason } : {});

// The commands print what they did (JSON with --json, else one text line); the audit entry is
// read back from that output so the command files stay unaware of auditing.
function jsonLine(lines: string[]): Record<string, unknown> | undefined {
  for (const l of lines) {
    try {
      const v = JSON.parse(l) as unknown;
      if (typeof v === 'object' && v !== null) return v as Record<string, unknown>;
    } catch {
      // A text line.
    }
  }
  return undefined;
}

function enrolledFrom(lines: string[]): (AuditEntryInput['details'] & { id: string }) | undefined {
  const j = jsonLine(lines) as { identity?: { id?: unknown }; templates?: unknown } | undefined;
  if (typeof j?.identity?.id === 'string' && typeof j.templates === 'number') {
    return { id: j.identity.id, templates: j.templates };
  }
  const m = lines.map((l) => /^enrolled .* \(([^()\s]+)\) with (\d+) template/.exec(l)).find(Boolean);
  return m ? { id: m[1]!, templates: Number(m[2]) } : undefined;
}

function importTotalsFrom(lines: string[]): Record<string, number> | undefined {
  const j = jsonLine(lines) as { summary?: Record<string, unknown> } | undefined;
  const keys = ['people', 'images', 'added', 'skipped', 'rejected'];
  if (j?.summary && keys.every((k) => typeof j.summary?.[k] === 'number')) {
    return Object.fromEntries(keys.map((k) => [k, j.summary?.[k] as number]));
  }
  const m = lines
    .map((l) => /^(\d+) people, (\d+) images: (\d+) enrolled, (\d+) skipped, (\d+) rejected$/.exec(l))
    .find(Boolean);
  return m ? Object.fromEntries(keys.map((k, i) => [k, Number(m[i + 1])])) : undefined;
}

function candidatesFrom(lines: string[]): number {
  const j = jsonLine(lines) as { matches?: Array<{ match?: unknown }> } | undefined;
  if (Array.isArray(j?.matches)) return j.matches.filter((m) => m.match === true).length;
  return lines.filter((l) => l.startsWith('CANDIDATE')).length;
}

function fmrValue(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0 || n >= 1)
    throw new InvalidArgumentError('expected a rate between 0 and 1, e.g. 1e-4');
  return n;
}

/** `argus gallery add|remove|list|search|import|stats|calibrate` (all take the global --data and --json). */
export function registerGalleryCommands(
  program: Command,
  ctx: () => CliContext,
  setCode: (code: number) => void,
): void {
  const gallery = program
    .command('gallery')
    .description('Watchlist gallery: enrol, search, erase, calibrate (stored in DATA/gallery)');

  gallery
    .command('add')
    .description('Enrol one identity from one or more images (one dominant face each)')
    .argument('<images...>', 'JPEG, PNG or WebP images of the person')
    .requiredOption('--name <name>', 'display name')
    .option('--reason <text>', 'why this person is enrolled (legal basis); required')
    .option('--by <who>', 'who enrols (default: the OS user)')
    .option('--watchlist <name>', 'watchlist to put the identity on (repeatable)', collect)
    .option('--metadata <json>', 'free-form JSON object')
    .option('--json', 'JSON output (the stable contract)')
    .action(
      async (
        images: string[],
        o: {
          name: string;
          reason?: string;
          by?: string;
          watchlist?: string[];
          metadata?: string;
          json?: boolean;
        },
      ) => {
        const c = ctx();
        const reason = auditReason(o.reason);
        const code = await withCliAudit(
          c.config.dataDir,
          { action: 'identity.enrol', ...reason },
          async () => {
            const cap = capturingOut(c);
            const code = await galleryAddCommand(cap.ctx, images, { ...o, json: !!o.json });
            const enrolled = enrolledFrom(cap.lines);
            if (!enrolled) return { code };
            const { id, ...details } = enrolled;
            return { code, entry: { action: 'identity.enrol', target: id, ...reason, details } };
          },
        );
        setCode(code);
      },
    );

  gallery
    .command('search')
    .description(
      "Who the image's largest face looks like: identities best first, with the match policy applied",
    )
    .argument('<image>', 'probe image')
    .option('--k <n>', 'identities to return (default gallery.searchK)', intIn(1, 100))
    .option('--watchlist <name>', 'only identities on this watchlist (repeatable: on any of them)', collect)
    .option('--reason <text>', 'why this search is made (recorded in the audit log)')
    .option('--json', 'JSON output (the stable contract)')
    .action(
      async (image: string, o: { k?: number; watchlist?: string[]; reason?: string; json?: boolean }) => {
        const c = ctx();
        const reason = auditReason(o.reason);
        const code = await withCliAudit(
          c.config.dataDir,
          { action: 'gallery.search', ...reason },
          async () => {
            const cap = capturingOut(c);
            const code = await gallerySearchCommand(cap.ctx, image, { ...o, json: !!o.json });
            if (code !== 0) return { code };
            // A search by image is audited whatever it found: the file name, never the face.
            const details = { candidates: candidatesFrom(cap.lines) };
            const target = path.basename(image).slice(0, 200);
            return { code, entry: { action: 'gallery.search', target, ...reason, details } };
          },
        );
        setCode(code);
      },
    );

  gallery
    .command('remove')
    .description('Erase an identity (templates and vectors); the deletion is logged without biometrics')
    .argument('<id>', 'identity id (or template id with --template)')
    .option('--template', 'remove one template instead of the identity')
    .option('--reason <text>', 'why (recorded in the deletion log)')
    .option('--by <who>', 'who deletes (default: the OS user)')
    .option('--json', 'JSON output')
    .action(async (id: string, o: { template?: boolean; reason?: string; by?: string; json?: boolean }) => {
      const c = ctx();
      const action = o.template ? 'identity.template.remove' : 'identity.delete';
      const reason = auditReason(o.reason);
      const code = await withCliAudit(c.config.dataDir, { action, ...reason }, async () => {
        const code = await galleryRemoveCommand(c, id, { ...o, json: !!o.json });
        return code === 0 ? { code, entry: { action, target: id, ...reason } } : { code };
      });
      setCode(code);
    });

  gallery
    .command('list')
    .description('Identities in enrolment order, a page at a time')
    .option('--limit <n>', 'page size', intIn(1, 1000), 50)
    .option('--offset <n>', 'skip this many', intIn(0, 1_000_000_000))
    .option('--cursor <c>', 'continue after a previous page (its nextCursor)')
    .option('--json', 'JSON output')
    .action(async (o: { limit?: number; offset?: number; cursor?: string; json?: boolean }) => {
      setCode(await galleryListCommand(ctx(), { ...o, json: !!o.json }));
    });

  gallery
    .command('import')
    .description('Enrol DIR/<person>/<images>: one identity per folder; resumable')
    .argument('<dir>', 'folder with one sub-folder per person')
    .option('--reason <text>', 'why these people are enrolled (legal basis); required')
    .option('--by <who>', 'who enrols (default: the OS user)')
    .option('--watchlist <name>', 'watchlist for every imported identity (repeatable)', collect)
    .option('--json', 'JSON output')
    .action(
      async (dir: string, o: { reason?: string; by?: string; watchlist?: string[]; json?: boolean }) => {
        const c = ctx();
        const reason = auditReason(o.reason);
        const code = await withCliAudit(
          c.config.dataDir,
          { action: 'gallery.import', ...reason },
          async () => {
            const cap = capturingOut(c);
            const code = await galleryImportCommand(cap.ctx, dir, { ...o, json: !!o.json });
            const totals = importTotalsFrom(cap.lines);
            if (!totals) return { code };
            const target = path.basename(path.resolve(dir));
            return { code, entry: { action: 'gallery.import', target, ...reason, details: totals } };
          },
        );
        setCode(code);
      },
    );

  gallery
    .command('stats')
    .description('Counts, model, index state, sizes, and where FMR estimates come from')
    .option('--json', 'JSON output')
    .action(async (o: { json?: boolean }) => {
      setCode(await galleryStatsCommand(ctx(), { json: !!o.json }));
    });

  gallery
    .command('calibrate')
    .description('Measure the false-match rate per score from impostor pairs; propose a threshold')
    .option('--impostors <dir>', 'photos of people who are NOT enrolled (compared with every template)')
    .option('--target-fmr <rate>', 'false-match rate to aim at (default gallery.targetFmr, 1e-4)', fmrValue)
    .option('--json', 'JSON output')
    .action(async (o: { impostors?: string; targetFmr?: number; json?: boolean }) => {
      setCode(await galleryCalibrateCommand(ctx(), { ...o, json: !!o.json }));
    });
}
