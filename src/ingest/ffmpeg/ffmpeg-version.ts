export interface FfmpegVersion {
  major: number;
  minor: number;
  /** The version token as printed, e.g. `5.1.6-0+deb12u1` or `N-47683-g0e8eb07980-static`. */
  raw: string;
  /**
   * Set when the token carries no release number (a git build): 'libavformat' when the numbers were
   * read off the libavformat version it links, 'assumed-latest' when even that was missing.
   */
  inferred?: 'libavformat' | 'assumed-latest';
}

/** The newest FFmpeg major this code knows; a git build with nothing else to go on is taken as this. */
export const LATEST_KNOWN_MAJOR = 8;

/**
 * Reads the first line of `ffmpeg -version`. Release builds name their version
 * (`ffmpeg version 5.1.6-0+deb12u1`, `4.4.1-static`, `n6.1`). Git builds do not
 * (`N-112345-g...`, `2024-03-11-git-3d1860ec8d-full_build-www.gyan.dev`): their version is inferred
 * from the libavformat they print (58 -> 4.x, 59 -> 5.x, 60 -> 6.x, ...), because "git" does not
 * mean recent: the npm package @ffmpeg-installer/ffmpeg ships N-47683, a 2018 build with
 * FFmpeg 4.1's options, which must get the 4.x arguments (`-stimeout`, `-vsync 0`).
 * Returns undefined when the output is not FFmpeg's.
 */
export function parseFfmpegVersion(output: string): FfmpegVersion | undefined {
  const token = /^ffmpeg version (\S+)/m.exec(output)?.[1];
  if (token === undefined) return undefined;
  const release = /^n?(\d+)\.(\d+)/.exec(token);
  if (release !== null && !/^\d{4}-\d{2}-\d{2}/.test(token)) {
    return { major: Number(release[1]), minor: Number(release[2]), raw: token };
  }
  const lavf = /^\s*libavformat\s+(\d+)\.\s*(\d+)\./m.exec(output);
  if (lavf !== null) {
    return { ...fromLibavformat(Number(lavf[1]), Number(lavf[2])), raw: token, inferred: 'libavformat' };
  }
  return { major: LATEST_KNOWN_MAJOR, minor: 0, raw: token, inferred: 'assumed-latest' };
}

/**
 * libavformat's major number has moved with FFmpeg's since 4.0 (58 -> 4, 59 -> 5, ..., 62 -> 8).
 * Within 59 (FFmpeg 5), 59.27 is 5.1, the release that added `-fps_mode`.
 */
function fromLibavformat(lavfMajor: number, lavfMinor: number): { major: number; minor: number } {
  const major = lavfMajor - 54;
  if (major === 5) return { major, minor: lavfMinor >= 27 ? 1 : 0 };
  return { major, minor: 0 };
}
