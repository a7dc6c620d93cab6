import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

let cached: string | undefined;

/**
 * The repository root (the folder with package.json), found by walking up from this file, so the
 * same code works from src/ under jest and from dist/src/ after a build.
 */
export function packageRoot(): string {
  if (cached) return cached;
  let dir = __dirname;
  while (!existsSync(path.join(dir, 'package.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`package.json not found above ${__dirname}`);
    dir = parent;
  }
  cached = dir;
  return dir;
}

/** The version in package.json (shown by /v1/system and the OpenAPI document). */
export function argusVersion(): string {
  const pkg = JSON.parse(readFileSync(path.join(packageRoot(), 'package.json'), 'utf8')) as {
    version?: string;
  };
  return pkg.version ?? '0.0.0';
}

/** Where `npm run build` puts the dashboard bundle. */
export function webDir(): string {
  return path.join(packageRoot(), 'dist', 'web');
}
