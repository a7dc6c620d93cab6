import { existsSync } from 'node:fs';
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
