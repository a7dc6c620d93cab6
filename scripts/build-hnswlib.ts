/**
 * Rebuilds hnswlib-node's addon with AVX2 and FMA when this CPU has them (run by `npm install`
 * through `prepare`). hnswlib chooses its SIMD distance code at compile time (`__AVX__`), and the
 * addon npm builds targets the compiler's x86-64 baseline, i.e. SSE only. On the 100k gallery
 * benchmark (bench/results/gallery.json) the AVX2 build took the index build from 101 to 72 s and
 * search from 2.3 to 1.1 ms of CPU at the median.
 *
 * ARGUS_HNSW_PORTABLE=1 keeps (or restores) the baseline build: set it when the installed tree
 * will run on other CPUs (a Docker image built on one host and run on another). Idempotent: a
 * marker file records what the addon was built with. If the rebuild or its smoke test fails, the
 * baseline addon is put back and the install goes on: search is slower, nothing else changes.
 *
 * Usage: npm run build:hnswlib [-- --quiet] (through npm, which provides node-gyp and its settings)
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const TUNED_FLAGS = '-O3 -mavx2 -mfma';

interface Marker {
  cxxflags: string;
}

const quiet = process.argv.includes('--quiet');
const say = (m: string) => {
  if (!quiet) process.stdout.write(`hnswlib-node: ${m}\n`);
};

/** Why this machine cannot use the tuned build, or undefined if it can. */
function tunedBuildUnavailable(): string | undefined {
  if (process.env.ARGUS_HNSW_PORTABLE === '1') return 'ARGUS_HNSW_PORTABLE=1';
  if (process.arch !== 'x64' || process.platform !== 'linux')
    return `not x86-64 Linux (${process.platform}/${process.arch})`;
  let cpuinfo = '';
  try {
    cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
  } catch {
    return '/proc/cpuinfo is unreadable';
  }
  const flags = new Set((/^flags\s*:(.*)$/m.exec(cpuinfo)?.[1] ?? '').trim().split(/\s+/));
  const missing = ['avx2', 'fma'].filter((f) => !flags.has(f));
  return missing.length > 0 ? `this CPU lacks ${missing.join(', ')}` : undefined;
}

/** node-gyp as npm provides it to install scripts, else from PATH. */
function nodeGyp(args: string[], cwd: string, cxxflags: string): boolean {
  const bundled = process.env.npm_config_node_gyp;
  const [cmd, argv] =
    bundled && existsSync(bundled) ? [process.execPath, [bundled, ...args]] : ['node-gyp', args];
  const env = { ...process.env };
  if (cxxflags) env.CXXFLAGS = cxxflags;
  else delete env.CXXFLAGS;
  // Compiler warnings from hnswlib's headers are noise here; the output is shown only on failure.
  const r = spawnSync(cmd, argv, { cwd, env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) process.stderr.write(`${`${r.stdout ?? ''}${r.stderr ?? ''}`.slice(-4000)}\n`);
  return r.status === 0;
}

/** Loads the addon in a child process (an illegal instruction kills the child, not the install). */
function smokeTest(dir: string): boolean {
  const code = `
    const { HierarchicalNSW } = require(${JSON.stringify(dir)});
    const h = new HierarchicalNSW('cosine', 16);
    h.initIndex({ maxElements: 64, m: 8, efConstruction: 32, randomSeed: 1 });
    for (let i = 0; i < 64; i++) h.addPoint(Array.from({ length: 16 }, (_, k) => Math.sin(i * 7 + k)), i);
    const r = h.searchKnn(Array.from({ length: 16 }, (_, k) => Math.sin(21 * 7 + k)), 1);
    if (r.neighbors[0] !== 21) process.exit(3);`;
  return spawnSync(process.execPath, ['-e', code], { stdio: 'ignore' }).status === 0;
}

function main(): void {
  const dir = path.dirname(require.resolve('hnswlib-node/package.json'));
  const addon = path.join(dir, 'build', 'Release', 'addon.node');
  const markerFile = path.join(dir, 'build', 'argus-build.json');
  const marker = existsSync(markerFile)
    ? (JSON.parse(readFileSync(markerFile, 'utf8')) as Marker)
    : undefined;
  const unavailable = tunedBuildUnavailable();
  const wanted = unavailable ? '' : TUNED_FLAGS;
  if ((marker?.cxxflags ?? '') === wanted) {
    say(wanted ? `already built with ${wanted}` : `baseline build kept (${unavailable})`);
    return;
  }
  if (!existsSync(addon)) {
    say('no built addon to replace; leaving it to npm');
    return;
  }
  say(wanted ? `rebuilding with ${wanted} (about 30 s)` : `restoring the baseline build (${unavailable})`);
  // Outside build/: node-gyp rebuild starts by deleting that directory.
  const backup = path.join(dir, 'addon.node.argus-backup');
  copyFileSync(addon, backup);
  const ok = nodeGyp(['rebuild'], dir, wanted) && existsSync(addon) && smokeTest(dir);
  if (!ok) {
    mkdirSync(path.dirname(addon), { recursive: true });
    copyFileSync(backup, addon);
    rmSync(backup, { force: true });
    process.stderr.write(
      `hnswlib-node: the ${wanted || 'baseline'} rebuild failed; kept the addon npm built (gallery search works, slower)\n`,
    );
    return;
  }
  rmSync(backup, { force: true });
  if (wanted) writeFileSync(markerFile, `${JSON.stringify({ cxxflags: wanted } satisfies Marker)}\n`);
  else rmSync(markerFile, { force: true });
  say(wanted ? `built with ${wanted}` : 'baseline build restored');
}

main();
