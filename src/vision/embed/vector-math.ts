/** In-place L2 normalisation of `n` vectors of length `dim` stored back to back. */
export function l2NormalizeRows(data: Float32Array, dim: number): void {
  for (let off = 0; off + dim <= data.length; off += dim) {
    let s = 0;
    for (let i = 0; i < dim; i++) s += data[off + i]! * data[off + i]!;
    const inv = s > 0 ? 1 / Math.sqrt(s) : 0;
    for (let i = 0; i < dim; i++) data[off + i]! *= inv;
  }
}

/** Cosine similarity of two L2-normalised vectors (their dot product). */
export function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new RangeError(`length mismatch: ${a.length} vs ${b.length}`);
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}
