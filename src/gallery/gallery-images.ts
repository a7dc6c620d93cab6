import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { ArgusError } from '../errors/argus-error';
import type { ImageInput } from './gallery-types';

export interface ImageBytes {
  /** File path or given name, for outcomes and errors. */
  source: string;
  bytes: Uint8Array;
  sha256: string;
}

export const sha256Hex = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

/** Reads an enrolment image's bytes (decoding happens later); missing files are ARGUS_E_FILE_NOT_FOUND. */
export async function readImageInput(
  input: ImageInput,
  index: number,
  maxBytes: number,
): Promise<ImageBytes> {
  if (typeof input !== 'string') {
    const source = input.name ?? `image ${index + 1}`;
    return { source, bytes: input.bytes, sha256: sha256Hex(input.bytes) };
  }
  let bytes: Buffer;
  try {
    bytes = await readFile(input);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'EISDIR' || code === 'ENOTDIR') {
      throw new ArgusError('ARGUS_E_FILE_NOT_FOUND', { path: input }, { cause: err });
    }
    throw new ArgusError('ARGUS_E_IMAGE_CORRUPT', { reason: (err as Error).message }, { cause: err });
  }
  if (bytes.length > maxBytes) {
    throw new ArgusError('ARGUS_E_IMAGE_FILE_TOO_LARGE', { bytes: bytes.length, limit: maxBytes });
  }
  return { source: input, bytes, sha256: sha256Hex(bytes) };
}

const IMAGE_EXT = /\.(jpe?g|png|webp)$/i;

/** Image files directly inside a folder, sorted by name (hidden files skipped). */
export function isImageFileName(name: string): boolean {
  return !name.startsWith('.') && IMAGE_EXT.test(path.basename(name));
}
