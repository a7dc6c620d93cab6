import { readFileSync } from 'node:fs';
import * as path from 'node:path';

export interface StderrFixture {
  /** FFmpeg's stderr lines, without the '# ' header written by capture-ffmpeg-stderr.sh. */
  lines: string[];
  exitCode: number;
  elapsedMs: number;
}

/** Loads fixtures/NAME.txt, recorded from a real FFmpeg by fixtures/capture-ffmpeg-stderr.sh. */
export function stderrFixture(name: string): StderrFixture {
  const text = readFileSync(path.join(__dirname, 'fixtures', `${name}.txt`), 'utf8');
  const all = text.split('\n');
  const header = /^# ffmpeg \S+, exit (\d+), (\d+) ms$/.exec(all[1] ?? '');
  if (header === null) throw new Error(`fixture ${name} has no "# ffmpeg X, exit N, T ms" header`);
  return {
    lines: all.filter((l) => !l.startsWith('# ') && l !== ''),
    exitCode: Number(header[1]),
    elapsedMs: Number(header[2]),
  };
}
