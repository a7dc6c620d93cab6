/**
 * The input video codec from FFmpeg's stderr (`Stream #0:0: Video: h264 (High), yuv420p, ...`
 * under `Input #0`), for `argus probe`. Returns undefined for other lines.
 */
export function parseInputCodec(line: string, inInputSection: boolean): string | undefined {
  if (!inInputSection) return undefined;
  const m = /^\s+Stream #\d+:\d+\S*: Video: ([A-Za-z0-9_]+)/.exec(line);
  return m?.[1];
}
