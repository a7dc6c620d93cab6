import path from 'node:path';
import { packageRoot } from '../util/package-root';

interface FpuAddon {
  flushDenormals(): boolean;
}

let addon: FpuAddon | null | undefined;

/**
 * Sets flush-to-zero and denormals-are-zero on the calling thread (see native/fpu.c for why the
 * session option alone is not enough in worker threads). Returns false when the addon is not
 * built (`npm run build:native`) or the CPU has no such mode; inference then still works, only
 * slower on Intel cores. Call it on the thread that will run the sessions.
 */
export function flushDenormalsOnThisThread(): boolean {
  if (addon === undefined) {
    try {
      addon = require(path.join(packageRoot(), 'native', 'build', 'Release', 'argus_fpu.node')) as FpuAddon;
    } catch {
      addon = null;
    }
  }
  return addon?.flushDenormals() ?? false;
}
