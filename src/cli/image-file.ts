import { readFile } from 'node:fs/promises';
import type { RgbImage } from '../domain/image';
import { ArgusError } from '../errors/argus-error';
import { decodeImage } from '../images/decode-image';
import type { ImageLimits } from '../images/image-limits';

/** Reads and decodes an image file; every failure is a catalogued ArgusError. */
export async function readImageFile(file: string, limits: ImageLimits): Promise<RgbImage> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'EISDIR' || code === 'ENOTDIR') {
      throw new ArgusError('ARGUS_E_FILE_NOT_FOUND', { path: file }, { cause: err });
    }
    throw new ArgusError('ARGUS_E_IMAGE_CORRUPT', { reason: (err as Error).message }, { cause: err });
  }
  return decodeImage(bytes, limits);
}
