/**
 * Similarity transforms x ↦ s·R·x + t of 3D points (s > 0 scale, R a 3x3 orthogonal
 * matrix — a rotation unless a reflection was explicitly allowed — and t a translation),
 * on flat xyz-interleaved Float64Arrays.
 */
import { mat3Determinant, mat3Multiply, mat3Transpose } from './linalg.js';

/** x ↦ scale·rotation·x + translation. */
export interface SimilarityTransform {
  scale: number;
  /** 3x3 row-major orthogonal matrix (det +1, or −1 for an allowed reflection). */
  rotation: Float64Array;
  /** 3-vector. */
  translation: Float64Array;
}

/** The transform that leaves every point where it is. */
export function identityTransform(): SimilarityTransform {
  return { scale: 1, rotation: Float64Array.of(1, 0, 0, 0, 1, 0, 0, 0, 1), translation: new Float64Array(3) };
}

/** A deep copy. */
export function cloneTransform(t: SimilarityTransform): SimilarityTransform {
  return { scale: t.scale, rotation: Float64Array.from(t.rotation), translation: Float64Array.from(t.translation) };
}

/**
 * Apply T to xyz-interleaved points: out_i = s·R·p_i + t. `out` (same length) may be
 * `points` itself for an in-place update.
 */
export function applyTransform(transform: SimilarityTransform, points: Float64Array, out: Float64Array = new Float64Array(points.length)): Float64Array {
  checkSameLength(points, out);
  const s = transform.scale;
  const r = transform.rotation;
  const r00 = s * r[0], r01 = s * r[1], r02 = s * r[2];
  const r10 = s * r[3], r11 = s * r[4], r12 = s * r[5];
  const r20 = s * r[6], r21 = s * r[7], r22 = s * r[8];
  const tx = transform.translation[0], ty = transform.translation[1], tz = transform.translation[2];
  for (let i = 0; i < points.length; i += 3) {
    const x = points[i], y = points[i + 1], z = points[i + 2];
    out[i] = r00 * x + r01 * y + r02 * z + tx;
    out[i + 1] = r10 * x + r11 * y + r12 * z + ty;
    out[i + 2] = r20 * x + r21 * y + r22 * z + tz;
  }
  return out;
}

/**
 * Apply only the rotation of T to xyz-interleaved vectors (normals, directions):
 * out_i = R·v_i. Unit vectors stay unit. `out` may be `vectors` itself.
 */
export function applyRotation(transform: SimilarityTransform, vectors: Float64Array, out: Float64Array = new Float64Array(vectors.length)): Float64Array {
  checkSameLength(vectors, out);
  const r = transform.rotation;
  const r00 = r[0], r01 = r[1], r02 = r[2];
  const r10 = r[3], r11 = r[4], r12 = r[5];
  const r20 = r[6], r21 = r[7], r22 = r[8];
  for (let i = 0; i < vectors.length; i += 3) {
    const x = vectors[i], y = vectors[i + 1], z = vectors[i + 2];
    out[i] = r00 * x + r01 * y + r02 * z;
    out[i + 1] = r10 * x + r11 * y + r12 * z;
    out[i + 2] = r20 * x + r21 * y + r22 * z;
  }
  return out;
}

/**
 * A∘B, the transform that applies B first and then A:
 * x ↦ s_A·s_B·R_A·R_B·x + s_A·R_A·t_B + t_A.
 */
export function composeTransforms(a: SimilarityTransform, b: SimilarityTransform): SimilarityTransform {
  const rotation = mat3Multiply(a.rotation, b.rotation);
  const ra = a.rotation;
  const tb = b.translation;
  const s = a.scale;
  const translation = Float64Array.of(
    s * (ra[0] * tb[0] + ra[1] * tb[1] + ra[2] * tb[2]) + a.translation[0],
    s * (ra[3] * tb[0] + ra[4] * tb[1] + ra[5] * tb[2]) + a.translation[1],
    s * (ra[6] * tb[0] + ra[7] * tb[1] + ra[8] * tb[2]) + a.translation[2],
  );
  return { scale: a.scale * b.scale, rotation, translation };
}

/** T⁻¹: y ↦ (1/s)·Rᵀ·(y − t). R is orthogonal, so its inverse is its transpose. */
export function invertTransform(transform: SimilarityTransform): SimilarityTransform {
  const rotation = mat3Transpose(transform.rotation);
  const k = -1 / transform.scale;
  const t = transform.translation;
  const translation = Float64Array.of(
    k * (rotation[0] * t[0] + rotation[1] * t[1] + rotation[2] * t[2]),
    k * (rotation[3] * t[0] + rotation[4] * t[1] + rotation[5] * t[2]),
    k * (rotation[6] * t[0] + rotation[7] * t[1] + rotation[8] * t[2]),
  );
  return { scale: 1 / transform.scale, rotation, translation };
}

/** The 4x4 homogeneous matrix [[s·R, t], [0 0 0 1]] as nested row arrays (for JSON). */
export function transformToMatrix4(transform: SimilarityTransform): number[][] {
  const s = transform.scale;
  const r = transform.rotation;
  const t = transform.translation;
  return [
    [s * r[0], s * r[1], s * r[2], t[0]],
    [s * r[3], s * r[4], s * r[5], t[1]],
    [s * r[6], s * r[7], s * r[8], t[2]],
    [0, 0, 0, 1],
  ];
}

/**
 * Read back a 4x4 similarity matrix (as written by `transformToMatrix4`): s = |det(M₃ₓ₃)|^(1/3),
 * R = M₃ₓ₃/s. Throws a RangeError naming the problem when M is not a similarity within
 * `tolerance` (relative, on RᵀR = I and the last row).
 */
export function transformFromMatrix4(matrix: ArrayLike<ArrayLike<number>>, tolerance = 1e-6): SimilarityTransform {
  if (matrix.length !== 4 || Array.from({ length: 4 }, (_, i) => matrix[i].length).some((n) => n !== 4)) {
    throw new RangeError('expected a 4x4 matrix (4 rows of 4 numbers)');
  }
  for (let i = 0; i < 4; i++) {
    for (let j = 0; j < 4; j++) {
      if (!Number.isFinite(matrix[i][j])) throw new RangeError(`matrix entry (${i}, ${j}) is not finite (${matrix[i][j]})`);
    }
  }
  const last = matrix[3];
  if (Math.abs(last[0]) > tolerance || Math.abs(last[1]) > tolerance || Math.abs(last[2]) > tolerance || Math.abs(last[3] - 1) > tolerance) {
    throw new RangeError(`the last row must be [0, 0, 0, 1], got [${Array.from(last).join(', ')}]`);
  }
  const m = Float64Array.of(
    matrix[0][0], matrix[0][1], matrix[0][2],
    matrix[1][0], matrix[1][1], matrix[1][2],
    matrix[2][0], matrix[2][1], matrix[2][2],
  );
  const det = mat3Determinant(m);
  if (!(Math.abs(det) > 0)) throw new RangeError('the 3x3 block is singular; a similarity needs a non-zero scale');
  const scale = Math.cbrt(Math.abs(det));
  for (let k = 0; k < 9; k++) m[k] /= scale;
  const rtr = mat3Multiply(mat3Transpose(m), m);
  for (let i = 0; i < 3; i++) {
    for (let j = 0; j < 3; j++) {
      const dev = Math.abs(rtr[i * 3 + j] - (i === j ? 1 : 0));
      if (dev > tolerance) {
        throw new RangeError(`the 3x3 block is not a scaled rotation (RᵀR deviates from I by ${dev.toExponential(2)}); shear or non-uniform scale is not a similarity`);
      }
    }
  }
  return { scale, rotation: m, translation: Float64Array.of(matrix[0][3], matrix[1][3], matrix[2][3]) };
}

/**
 * max_p ‖A(p) − B(p)‖ over the given xyz-interleaved points: how far apart two transforms
 * put the same points (e.g. a recovered transform against the truth, in mm). 0 for no points.
 */
export function transformDifference(a: SimilarityTransform, b: SimilarityTransform, points: Float64Array): number {
  // A(p) − B(p) = (s_A·R_A − s_B·R_B)·p + (t_A − t_B): one affine map, no temporaries.
  const m = new Float64Array(9);
  for (let k = 0; k < 9; k++) m[k] = a.scale * a.rotation[k] - b.scale * b.rotation[k];
  const dx = a.translation[0] - b.translation[0];
  const dy = a.translation[1] - b.translation[1];
  const dz = a.translation[2] - b.translation[2];
  let maxSq = 0;
  for (let i = 0; i + 2 < points.length; i += 3) {
    const x = points[i], y = points[i + 1], z = points[i + 2];
    const ex = m[0] * x + m[1] * y + m[2] * z + dx;
    const ey = m[3] * x + m[4] * y + m[5] * z + dy;
    const ez = m[6] * x + m[7] * y + m[8] * z + dz;
    const sq = ex * ex + ey * ey + ez * ez;
    if (sq > maxSq) maxSq = sq;
  }
  return Math.sqrt(maxSq);
}

function checkSameLength(input: Float64Array, out: Float64Array): void {
  if (input.length % 3 !== 0) throw new RangeError(`expected xyz triples, got an array of length ${input.length}`);
  if (out.length !== input.length) throw new RangeError(`output length ${out.length} differs from input length ${input.length}`);
}
