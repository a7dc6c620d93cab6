import { type Command, InvalidArgumentError } from 'commander';
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
        setCode(await galleryAddCommand(ctx(), images, { ...o, json: !!o.json }));
      },
    );

  gallery
    .command('search')
    .description(
      "Who the image's largest face looks like: identities best first, with the match policy applied",
    )
    .argument('<image>', 'probe image')
    .option('--k <n>', 'identities to return (default gallery.searchK)', intIn(1, 100))
    .option('--json', 'JSON output (the stable contract)')
    .action(async (image: string, o: { k?: number; json?: boolean }) => {
      setCode(await gallerySearchCommand(ctx(), image, { ...o, json: !!o.json }));
    });

  gallery
    .command('remove')
    .description('Erase an identity (templates and vectors); the deletion is logged without biometrics')
    .argument('<id>', 'identity id (or template id with --template)')
    .option('--template', 'remove one template instead of the identity')
    .option('--reason <text>', 'why (recorded in the deletion log)')
    .option('--by <who>', 'who deletes (default: the OS user)')
    .option('--json', 'JSON output')
    .action(async (id: string, o: { template?: boolean; reason?: string; by?: string; json?: boolean }) => {
      setCode(await galleryRemoveCommand(ctx(), id, { ...o, json: !!o.json }));
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
        setCode(await galleryImportCommand(ctx(), dir, { ...o, json: !!o.json }));
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
