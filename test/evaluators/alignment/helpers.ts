/** Random transforms and matrix comparisons for the alignment tests (seeded RNG: test/helpers/random.ts). */
import type { SimilarityTransform } from '../../../evaluators/alignment/index.js';
import { gaussian } from '../../helpers/random.js';

/** Rotation matrix (row-major) of a unit quaternion (w, x, y, z). */
export function quaternionToMatrix(w: number, x: number, y: number, z: number): Float64Array {
  const n = Math.hypot(w, x, y, z);
  w /= n; x /= n; y /= n; z /= n;
  return Float64Array.of(
    1 - 2 * (y * y + z * z), 2 * (x * y - w * z), 2 * (x * z + w * y),
    2 * (x * y + w * z), 1 - 2 * (x * x + z * z), 2 * (y * z - w * x),
    2 * (x * z - w * y), 2 * (y * z + w * x), 1 - 2 * (x * x + y * y),
  );
}

/** A uniformly random rotation (normalised Gaussian quaternion). */
export function randomRotation(random: () => number): Float64Array {
  return quaternionToMatrix(gaussian(random), gaussian(random), gaussian(random), gaussian(random));
}

/** A random similarity with scale in [0.5, 2) and translation in [−100, 100)³. */
export function randomSimilarity(random: () => number): SimilarityTransform {
  return {
    scale: 0.5 + 1.5 * random(),
    rotation: randomRotation(random),
    translation: Float64Array.of(200 * random() - 100, 200 * random() - 100, 200 * random() - 100),
  };
}

/** n random points in [−half, half)³. */
export function randomPoints(random: () => number, n: number, half = 100): Float64Array {
  const out = new Float64Array(3 * n);
  for (let i = 0; i < out.length; i++) out[i] = (2 * random() - 1) * half;
  return out;
}

/** Row-major flat n×n to nested arrays (for mathjs). */
export function toNested(m: ArrayLike<number>, rows: number, cols = rows): number[][] {
  return Array.from({ length: rows }, (_, i) => Array.from({ length: cols }, (_, j) => m[i * cols + j]));
}

/** Largest |a_i − b_i|. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/** Largest |(MᵀM − I)_ij| of a 3x3 matrix. */
export function orthogonalityError(m: ArrayLike<number>): number {
  let e = 0;
  for (let i = 0; i < 3; i++) {
    for (let j = 0; j < 3; j++) {
      let s = 0;
      for (let k = 0; k < 3; k++) s += m[k * 3 + i] * m[k * 3 + j];
      e = Math.max(e, Math.abs(s - (i === j ? 1 : 0)));
    }
  }
  return e;
}
