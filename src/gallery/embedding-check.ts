import { ArgusError } from '../errors/argus-error';

/**
 * Validates an embedding for a `dim`-D model and returns a unit-length Float32Array copy.
 * Wrong length, NaN/Infinity or an all-zero vector is ARGUS_E_EMBEDDING_INVALID; a vector that is
 * merely not unit length is normalised (cosine is scale-free).
 */
export function checkEmbedding(v: ArrayLike<number>, dim: number): Float32Array {
  if (v === null || typeof v !== 'object' || typeof v.length !== 'number') {
    throw new ArgusError('ARGUS_E_EMBEDDING_INVALID', { reason: 'not an array of numbers' });
  }
  if (v.length !== dim) {
    throw new ArgusError('ARGUS_E_EMBEDDING_INVALID', {
      reason: `${v.length} numbers, the gallery's model produces ${dim}`,
    });
  }
  let sum = 0;
  for (let i = 0; i < dim; i++) {
    const x = v[i]!;
    if (typeof x !== 'number' || !Number.isFinite(x)) {
      throw new ArgusError('ARGUS_E_EMBEDDING_INVALID', { reason: `element ${i} is not a finite number` });
    }
    sum += x * x;
  }
  if (sum === 0) throw new ArgusError('ARGUS_E_EMBEDDING_INVALID', { reason: 'all elements are zero' });
  const inv = 1 / Math.sqrt(sum);
  const out = new Float32Array(dim);
  for (let i = 0; i < dim; i++) out[i] = v[i]! * inv;
  return out;
}

/** Float32 little-endian bytes of an embedding, as stored in SQLite. */
export function embeddingToBytes(v: Float32Array): Buffer {
  return Buffer.from(v.buffer, v.byteOffset, v.byteLength);
}

/** Copies stored bytes into an aligned Float32Array. */
export function embeddingFromBytes(bytes: Uint8Array, dim: number): Float32Array {
  if (bytes.byteLength !== dim * 4) {
    throw new ArgusError('ARGUS_E_EMBEDDING_INVALID', {
      reason: `stored embedding has ${bytes.byteLength} bytes, expected ${dim * 4}`,
    });
  }
  const out = new Float32Array(dim);
  new Uint8Array(out.buffer).set(bytes);
  return out;
}
