import os from 'node:os';
import { Presets, SingleBar } from 'cli-progress';
import { toArgusError } from '../../errors/argus-error';
import type { FaceSource, Gallery } from '../../gallery/gallery';
import { galleryPaths, openGallery } from '../../gallery/open-gallery';
import { createFaceAnalyzer } from '../../vision/create-face-analyzer';
import type { FaceAnalyzer } from '../../vision/face-analyzer';
import type { CliContext } from '../cli-context';

export interface Progress {
  update(done: number, total: number): void;
  stop(): void;
}

/** A progress bar on stderr when it is a terminal; silent otherwise (stdout carries the JSON). */
export function progressBar(label: string): Progress {
  if (!process.stderr.isTTY) return { update: () => {}, stop: () => {} };
  let bar: SingleBar | undefined;
  return {
    update(done, total) {
      if (total <= 0) return;
      if (!bar) {
        bar = new SingleBar(
          {
            format: `${label} [{bar}] {value}/{total} {percentage}% eta {eta}s`,
            stream: process.stderr,
            hideCursor: true,
          },
          Presets.shades_classic,
        );
        bar.start(total, done);
      }
      bar.setTotal(total);
      bar.update(done);
    },
    stop() {
      bar?.stop();
      bar = undefined;
    },
  };
}

/** The operator's name for the audit columns when --by is not given. */
export function defaultActor(): string {
  try {
    return os.userInfo().username || 'cli';
  } catch {
    return 'cli';
  }
}

export function printError(ctx: CliContext, json: boolean, err: unknown): void {
  const e = toArgusError(err);
  ctx.out(json ? JSON.stringify({ error: e.toJSON() }) : `error ${e.code}: ${e.message}`);
}

export const r4 = (v: number): number => Math.round(v * 1e4) / 1e4;

/**
 * Opens the gallery of `--data` for one command (index progress bar on a terminal; the face
 * analyzer only if the command needs it), runs it, and always closes both. Errors become the
 * command's error line and exit code 1.
 */
export async function withGallery(
  ctx: CliContext,
  o: { create: boolean; faces: boolean; json: boolean },
  fn: (gallery: Gallery, dir: string) => Promise<number>,
): Promise<number> {
  let analyzer: Promise<FaceAnalyzer> | undefined;
  const faces = (): Promise<FaceSource> => {
    analyzer ??= createFaceAnalyzer(ctx.config, {
      workers: Math.min(ctx.config.vision.workers.count, 2),
      logger: ctx.logger,
    });
    return analyzer;
  };
  const bar = progressBar('rebuilding gallery index');
  let gallery: Gallery | undefined;
  try {
    gallery = openGallery({
      config: ctx.config,
      create: o.create,
      ...(o.faces ? { faces } : {}),
      onIndexProgress: (done, total) => bar.update(done, total),
      logger: ctx.logger,
    });
    bar.stop();
    return await fn(gallery, galleryPaths(ctx.config.dataDir).dir);
  } catch (err) {
    bar.stop();
    printError(ctx, o.json, err);
    return 1;
  } finally {
    await gallery?.close();
    if (analyzer) await analyzer.then((a) => a.close()).catch(() => {});
  }
}
