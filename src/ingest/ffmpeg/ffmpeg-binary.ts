import { execFile } from 'node:child_process';
import { constants as fsConstants } from 'node:fs';
import { access } from 'node:fs/promises';
import * as path from 'node:path';
import { ArgusError } from '../../errors/argus-error';
import { type FfmpegVersion, parseFfmpegVersion } from './ffmpeg-version';

export type FfmpegSource = 'FFMPEG_PATH' | 'PATH' | '@ffmpeg-installer/ffmpeg';

export interface ResolvedFfmpeg {
  path: string;
  version: FfmpegVersion;
  source: FfmpegSource;
}

/** What resolveFfmpeg touches, injectable so unit tests need neither binaries nor the npm package. */
export interface FfmpegResolverDeps {
  /** stdout of `<path> -version`; rejects when it cannot be run. */
  runVersion(path: string): Promise<string>;
  isExecutable(path: string): Promise<boolean>;
  /** The binary path exported by @ffmpeg-installer/ffmpeg, or undefined when the package is absent. */
  installerPath(): string | undefined;
}

const VERSION_TIMEOUT_MS = 15_000;

/** Probed versions by binary path: a binary does not change while Argus runs. */
const versionCache = new Map<string, Promise<FfmpegVersion | undefined>>();

/**
 * Finds FFmpeg: `FFMPEG_PATH`, else `ffmpeg` on `PATH`, else the optional npm package
 * @ffmpeg-installer/ffmpeg. When FFMPEG_PATH is set it must work: an operator who names a binary
 * wants that one, so Argus reports it rather than silently using another. Throws
 * ARGUS_E_FFMPEG_NOT_FOUND saying what each step found.
 */
export async function resolveFfmpeg(
  env: NodeJS.ProcessEnv = process.env,
  deps: FfmpegResolverDeps = defaultDeps,
): Promise<ResolvedFfmpeg> {
  const tried: string[] = [];
  const explicit = env.FFMPEG_PATH?.trim();
  if (explicit) {
    const version = await probe(explicit, deps);
    if (version !== undefined) return { path: explicit, version, source: 'FFMPEG_PATH' };
    throw notFound([`FFMPEG_PATH=${explicit} is not a working ffmpeg`]);
  }
  tried.push('FFMPEG_PATH is not set');

  const onPath = await findOnPath('ffmpeg', env.PATH ?? '', deps);
  const pathVersion = onPath === undefined ? undefined : await probe(onPath, deps);
  if (onPath !== undefined && pathVersion !== undefined)
    return { path: onPath, version: pathVersion, source: 'PATH' };
  tried.push(onPath === undefined ? 'no ffmpeg on PATH' : `${onPath} on PATH is not a working ffmpeg`);

  const installed = deps.installerPath();
  const installedVersion = installed === undefined ? undefined : await probe(installed, deps);
  if (installed !== undefined && installedVersion !== undefined) {
    return { path: installed, version: installedVersion, source: '@ffmpeg-installer/ffmpeg' };
  }
  tried.push(
    installed === undefined
      ? '@ffmpeg-installer/ffmpeg is not installed'
      : `${installed} from @ffmpeg-installer/ffmpeg is not a working ffmpeg`,
  );
  throw notFound(tried);
}

/** Forgets probed versions (tests; or after replacing a binary in place). */
export function clearFfmpegVersionCache(): void {
  versionCache.clear();
}

function probe(binary: string, deps: FfmpegResolverDeps): Promise<FfmpegVersion | undefined> {
  let cached = versionCache.get(binary);
  if (cached === undefined) {
    cached = deps.runVersion(binary).then(parseFfmpegVersion, () => undefined);
    versionCache.set(binary, cached);
    // A failure is not cached: the binary may be installed a moment later.
    void cached.then((v) => {
      if (v === undefined) versionCache.delete(binary);
    });
  }
  return cached;
}

async function findOnPath(
  name: string,
  searchPath: string,
  deps: FfmpegResolverDeps,
): Promise<string | undefined> {
  for (const dir of searchPath.split(path.delimiter)) {
    if (dir === '') continue;
    const candidate = path.join(dir, name);
    if (await deps.isExecutable(candidate)) return candidate;
  }
  return undefined;
}

function notFound(tried: string[]): ArgusError {
  return new ArgusError('ARGUS_E_FFMPEG_NOT_FOUND', { tried: tried.join('; ') });
}

const defaultDeps: FfmpegResolverDeps = {
  runVersion: (binary) =>
    new Promise((resolve, reject) => {
      execFile(binary, ['-version'], { timeout: VERSION_TIMEOUT_MS, maxBuffer: 1 << 20 }, (err, stdout) =>
        err ? reject(err) : resolve(stdout),
      );
    }),
  isExecutable: async (candidate) => {
    try {
      await access(candidate, fsConstants.X_OK);
      return true;
    } catch {
      return false;
    }
  },
  installerPath: () => {
    try {
      // Optional dependency, loaded only when needed: it is absent on most installs.
      const installer = require('@ffmpeg-installer/ffmpeg') as { path?: unknown };
      return typeof installer.path === 'string' ? installer.path : undefined;
    } catch {
      return undefined;
    }
  },
};
