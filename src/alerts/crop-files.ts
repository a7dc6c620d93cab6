import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  writeSync,
} from 'node:fs';
import { open, rm } from 'node:fs/promises';
import path from 'node:path';

const CROP_RE = /^(\d+)\.jpg$/;
const TEMP_RE = /^\.\d+\.[0-9a-f]+\.tmp$/;

/**
 * Alert crops as files `<dir>/<alertId>.jpg`: owner-only (0600 files in a 0700 directory) because
 * they are face images. Writes go to a temp file, are fsynced and renamed into place, so a reader
 * or a crash never sees half a JPEG.
 */
export class CropFiles {
  constructor(readonly dir: string) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    // mkdir leaves an existing directory's mode alone; face images stay owner-only regardless.
    chmodSync(dir, 0o700);
  }

  file(id: number): string {
    return path.join(this.dir, `${id}.jpg`);
  }

  /**
   * Writes `jpeg` to a temp file and fsyncs it off the event loop (an fsync here took tens of ms,
   * stalling every stream); commit() then renames it into place. Returns the temp file's path.
   */
  async stage(jpeg: Buffer): Promise<string> {
    const tmp = path.join(this.dir, `.0.${randomBytes(6).toString('hex')}.tmp`);
    const fh = await open(tmp, 'wx', 0o600);
    try {
      await fh.writeFile(jpeg);
      await fh.sync();
      await fh.close();
    } catch (err) {
      await fh.close().catch(() => undefined);
      await rm(tmp, { force: true });
      throw err;
    }
    return tmp;
  }

  /** Puts a staged crop in place as alert `id`'s (replacing an older one): a rename, no I/O wait. */
  commit(id: number, staged: string): void {
    try {
      renameSync(staged, this.file(id));
    } catch (err) {
      rmSync(staged, { force: true });
      throw err;
    }
  }

  /** Writes (or replaces) the crop of one alert atomically, synchronously (tools and tests). */
  write(id: number, jpeg: Buffer): void {
    const tmp = path.join(this.dir, `.${id}.${randomBytes(6).toString('hex')}.tmp`);
    const fd = openSync(tmp, 'wx', 0o600);
    try {
      writeSync(fd, jpeg);
      fsyncSync(fd);
    } catch (err) {
      closeSync(fd);
      rmSync(tmp, { force: true });
      throw err;
    }
    closeSync(fd);
    try {
      renameSync(tmp, this.file(id));
    } catch (err) {
      rmSync(tmp, { force: true });
      throw err;
    }
  }

  exists(id: number): boolean {
    return existsSync(this.file(id));
  }

  /** Removes one crop; true when a file was there. */
  remove(id: number): boolean {
    const f = this.file(id);
    if (!existsSync(f)) return false;
    rmSync(f, { force: true });
    return true;
  }

  /**
   * Removes files no record accounts for: crops whose alert is gone or marked without a crop, and
   * temp files older than a minute (left by a crash mid-write). Returns how many crops it removed.
   */
  sweep(keep: (id: number) => boolean, now: number): number {
    let removed = 0;
    for (const name of readdirSync(this.dir)) {
      const m = CROP_RE.exec(name);
      const full = path.join(this.dir, name);
      if (m) {
        if (!keep(Number(m[1]))) {
          rmSync(full, { force: true });
          removed++;
        }
      } else if (TEMP_RE.test(name)) {
        try {
          if (now - statSync(full).mtimeMs > 60_000) rmSync(full, { force: true });
        } catch {
          // Renamed or removed meanwhile by the writer: nothing to clean.
        }
      }
    }
    return removed;
  }
}
