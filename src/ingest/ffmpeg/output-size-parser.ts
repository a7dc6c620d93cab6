export interface FrameSize {
  width: number;
  height: number;
}

type Section = 'other' | 'input' | 'output';

/**
 * Reads the size of the frames FFmpeg writes from its stderr, one line at a time:
 *
 *   Output #0, rawvideo, to 'pipe:1':
 *     Stream #0:0: Video: rawvideo (RGB[24] / 0x18424752), rgb24(pc, gbr/unknown/unknown, progressive), 640x360, q=2-31, ...
 *
 * Both Input #0 and Output #0 list a `Stream #0:0: Video:` line with a size, and only the output's
 * is the size of the frames on stdout, so the parser tracks which section it is in. Stateful:
 * one parser per FFmpeg process.
 */
export class OutputSizeParser {
  private section: Section = 'other';

  /** Feeds one stderr line; returns the output frame size when this line states it. */
  parseOutputSize(stderrLine: string): FrameSize | undefined {
    const line = stderrLine.trimEnd();
    if (/^Input #\d+,/.test(line)) this.section = 'input';
    else if (/^Output #\d+,/.test(line)) this.section = /^Output #0,/.test(line) ? 'output' : 'other';
    else if (/^\S/.test(line)) this.section = 'other';
    if (this.section !== 'output') return undefined;
    if (!/^\s+Stream #\d+:\d+\S*: Video: /.test(line)) return undefined;
    // The size follows ", " and precedes a space, comma, "[" or the end; this skips the codec tag
    // "0x18424752", which is not preceded by ", ".
    const m = /, (\d{1,5})x(\d{1,5})(?=[\s,[]|$)/.exec(line);
    if (m === null) return undefined;
    const width = Number(m[1]);
    const height = Number(m[2]);
    return width > 0 && height > 0 ? { width, height } : undefined;
  }
}
