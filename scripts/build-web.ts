import { copyFileSync, mkdirSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';

/**
 * Bundles the dashboard (web/) into dist/web: index.html, app.js and app.css, minified, with
 * source maps, and nothing fetched at run time (no CDN): the dashboard works offline.
 * Run after `tsc -p tsconfig.build.json` (npm run build does both).
 */
const ROOT = path.resolve(__dirname, '..', '..');
const WEB = path.join(ROOT, 'web');
const OUT = path.join(ROOT, 'dist', 'web');

async function main(): Promise<void> {
  rmSync(OUT, { recursive: true, force: true });
  mkdirSync(OUT, { recursive: true });
  const result = await build({
    entryPoints: { app: path.join(WEB, 'src', 'main.tsx') },
    outdir: OUT,
    bundle: true,
    minify: true,
    sourcemap: 'linked',
    format: 'iife',
    platform: 'browser',
    // Browsers an operator's laptop has had for years; nothing newer is needed.
    target: ['chrome100', 'firefox100', 'safari15', 'edge100'],
    jsx: 'automatic',
    jsxImportSource: 'preact',
    tsconfig: path.join(WEB, 'tsconfig.json'),
    legalComments: 'linked',
    logLevel: 'warning',
    metafile: true,
  });
  copyFileSync(path.join(WEB, 'index.html'), path.join(OUT, 'index.html'));
  const size = (f: string) => `${(statSync(path.join(OUT, f)).size / 1024).toFixed(1)} KiB`;
  const inputs = Object.keys(result.metafile.inputs).length;
  process.stdout.write(
    `dashboard: ${inputs} modules -> dist/web (app.js ${size('app.js')}, app.css ${size('app.css')})\n`,
  );
}

main().catch((err: unknown) => {
  process.stderr.write(`build-web failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
