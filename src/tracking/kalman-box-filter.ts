import type { Box } from '../domain/geometry';

/**
 * SORT's constant-velocity Kalman filter on one face box (Bewley et al. 2016).
 * State x = [cx, cy, s, r, vcx, vcy, vs]: centre, area s = w*h, aspect r = w/h (assumed constant,
 * so it has no velocity), and the velocities of centre and area. Measurement z = [cx, cy, s, r].
 * Time is in "frames": the caller chooses the unit (FaceTracker uses a nominal frame interval), so
 * a stream that skips frames predicts further instead of lagging behind the face.
 * Noise values are SORT's; they are in pixels, which suits faces from ~20 px to full HD.
 *
 * The matrix algebra is written out for this structure (F = I + dt on three velocity couplings,
 * H = the first four state components) on flat Float64Arrays: a generic 7x7 multiply allocated per
 * call cost ~70 us per predict+update, too much for 100 tracks per frame.
 */
const N = 7;
const M = 4;

const R_DIAG = [1, 1, 10, 10];
/** Per-frame process noise; the velocity terms are small so a single jumpy box does not fling the track. */
const Q_PER_FRAME = [1, 1, 1, 1, 0.01, 0.01, 0.0001];
/** Initial uncertainty: positions are trusted, velocities (unobserved) are not. */
const P0 = [10, 10, 10, 10, 10000, 10000, 10000];

/** Scratch space for `update` (synchronous, so shared by all filters): no allocation per call. */
const S = new Float64Array(M * M);
const K = new Float64Array(N * M);
const TOP = new Float64Array(M * N);
const AUG = new Float64Array(M * 2 * M);

export function boxToMeasurement(b: Box): number[] {
  const w = Math.max(b.w, 1e-6);
  const h = Math.max(b.h, 1e-6);
  return [b.x + w / 2, b.y + h / 2, w * h, w / h];
}

export function measurementToBox(cx: number, cy: number, s: number, r: number): Box {
  const area = Math.max(s, 1e-6);
  const aspect = Math.max(r, 1e-6);
  const w = Math.sqrt(area * aspect);
  const h = area / w;
  return { x: cx - w / 2, y: cy - h / 2, w, h };
}

/** In-place Gauss-Jordan inverse of an n x n row-major matrix, partial pivoting; false when singular. */
export function invertInPlace(a: Float64Array, n: number): boolean {
  const aug = n === M ? AUG.fill(0) : new Float64Array(n * 2 * n);
  const w = 2 * n;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) aug[i * w + j] = a[i * n + j]!;
    aug[i * w + n + i] = 1;
  }
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(aug[r * w + c]!) > Math.abs(aug[p * w + c]!)) p = r;
    if (Math.abs(aug[p * w + c]!) < 1e-12) return false;
    if (p !== c) {
      for (let j = 0; j < w; j++) {
        const t = aug[c * w + j]!;
        aug[c * w + j] = aug[p * w + j]!;
        aug[p * w + j] = t;
      }
    }
    const inv = 1 / aug[c * w + c]!;
    for (let j = 0; j < w; j++) aug[c * w + j]! *= inv;
    for (let r = 0; r < n; r++) {
      const f = aug[r * w + c]!;
      if (r === c || f === 0) continue;
      for (let j = 0; j < w; j++) aug[r * w + j]! -= f * aug[c * w + j]!;
    }
  }
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) a[i * n + j] = aug[i * w + n + j]!;
  return true;
}

export class KalmanBoxFilter {
  private readonly x = new Float64Array(N);
  /** Covariance, row-major 7x7. */
  private readonly P = new Float64Array(N * N);

  constructor(initial: Box) {
    this.x.set(boxToMeasurement(initial));
    for (let i = 0; i < N; i++) this.P[i * N + i] = P0[i]!;
  }

  /** Advances the state by `dtFrames` (>= 0, fractional allowed) and returns the predicted box. */
  predict(dtFrames = 1): Box {
    const dt = Number.isFinite(dtFrames) && dtFrames > 0 ? dtFrames : 0;
    const { x, P } = this;
    // An area shrinking through zero would give a box with no size: stop the shrink instead (SORT).
    if (x[2]! + x[6]! * dt <= 0) x[6] = 0;
    if (dt === 0) return this.box();
    for (let i = 0; i < 3; i++) x[i]! += dt * x[i + 4]!;
    // P <- F P F^T: rows 0..2 gain dt * rows 4..6, then columns 0..2 gain dt * columns 4..6.
    for (let i = 0; i < 3; i++) for (let j = 0; j < N; j++) P[i * N + j]! += dt * P[(i + 4) * N + j]!;
    for (let r = 0; r < N; r++) for (let j = 0; j < 3; j++) P[r * N + j]! += dt * P[r * N + j + 4]!;
    for (let i = 0; i < N; i++) P[i * N + i]! += Q_PER_FRAME[i]! * dt;
    return this.box();
  }

  /** Corrects the state with an observed box; returns the corrected box. */
  update(observed: Box): Box {
    const { x, P } = this;
    const z = boxToMeasurement(observed);
    // S = H P H^T + R: the top-left 4x4 of P plus R.
    for (let i = 0; i < M; i++) for (let j = 0; j < M; j++) S[i * M + j] = P[i * N + j]!;
    for (let i = 0; i < M; i++) S[i * M + i]! += R_DIAG[i]!;
    if (!invertInPlace(S, M)) return this.box();
    // K = P H^T S^-1: (first four columns of P) x S^-1, 7x4.
    for (let r = 0; r < N; r++) {
      for (let j = 0; j < M; j++) {
        let s = 0;
        for (let k = 0; k < M; k++) s += P[r * N + k]! * S[k * M + j]!;
        K[r * M + j] = s;
      }
    }
    const y = [z[0]! - x[0]!, z[1]! - x[1]!, z[2]! - x[2]!, z[3]! - x[3]!];
    for (let r = 0; r < N; r++) {
      let s = 0;
      for (let k = 0; k < M; k++) s += K[r * M + k]! * y[k]!;
      x[r]! += s;
    }
    // P <- (I - K H) P = P - K (first four rows of P).
    const top = TOP;
    for (let i = 0; i < M * N; i++) top[i] = P[i]!;
    for (let r = 0; r < N; r++) {
      for (let j = 0; j < N; j++) {
        let s = 0;
        for (let k = 0; k < M; k++) s += K[r * M + k]! * top[k * N + j]!;
        P[r * N + j]! -= s;
      }
    }
    return this.box();
  }

  /** The current state estimate as a box. */
  box(): Box {
    return measurementToBox(this.x[0]!, this.x[1]!, this.x[2]!, this.x[3]!);
  }

  /** Estimated centre velocity in pixels per frame unit. */
  velocity(): { vx: number; vy: number } {
    return { vx: this.x[4]!, vy: this.x[5]! };
  }
}
