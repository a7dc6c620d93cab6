/** Anchor layout of an SSD-style detector such as Ultra-Light-Fast-Generic-Face-Detector. */
export interface PriorSpec {
  readonly strides: readonly number[];
  readonly minSizes: readonly (readonly number[])[];
}

const cache = new Map<string, Float32Array>();

/**
 * Priors (cx, cy, w, h), normalised to the input size, in the order the network emits them:
 * stride level, then row, then column, then anchor size. Matches the reference Python
 * (`x_center = (i + 0.5) / (W / stride)`), so a non-multiple-of-stride size still lines up.
 * Anchor sizes are clamped to the input as the reference does (it trained at 320x240).
 */
export function generatePriors(width: number, height: number, spec: PriorSpec): Float32Array {
  const key = `${width}x${height}:${spec.strides.join(',')}:${spec.minSizes.map((m) => m.join('/')).join(',')}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const out: number[] = [];
  spec.strides.forEach((stride, k) => {
    const fw = Math.ceil(width / stride);
    const fh = Math.ceil(height / stride);
    const scaleW = width / stride;
    const scaleH = height / stride;
    const sizes = spec.minSizes[k] ?? [];
    for (let j = 0; j < fh; j++) {
      for (let i = 0; i < fw; i++) {
        // Centres are not clamped: when a side is not a multiple of the stride, the last cell's
        // centre lies past the edge, and that is where the network's cell really looks.
        const cx = (i + 0.5) / scaleW;
        const cy = (j + 0.5) / scaleH;
        for (const m of sizes) out.push(cx, cy, clamp01(m / width), clamp01(m / height));
      }
    }
  });
  const priors = Float32Array.from(out);
  if (cache.size > 32) cache.clear();
  cache.set(key, priors);
  return priors;
}

export function priorCount(width: number, height: number, spec: PriorSpec): number {
  return spec.strides.reduce(
    (n, s, k) => n + Math.ceil(width / s) * Math.ceil(height / s) * (spec.minSizes[k]?.length ?? 0),
    0,
  );
}

function clamp01(v: number): number {
  return v < 0 ? 0 : Math.min(v, 1);
}
