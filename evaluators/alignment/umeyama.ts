/**
 * Closed-form least-squares similarity between corresponding point sets:
 * S. Umeyama, "Least-squares estimation of transformation parameters between two point
 * patterns", IEEE TPAMI 13(4):376–380, 1991.
 */
import { InputError } from '../errors.js';
import { firstNonFinite } from '../geometry/validate.js';
import { mat3Determinant, mat3Multiply, mat3Transpose, svd3, symmetricEigen } from './linalg.js';
import type { SimilarityTransform } from './similarity.js';

export interface UmeyamaOptions {
  /** Estimate the scale s (default true); false fixes s = 1 (rigid fit). */
  withScale?: boolean;
  /** Return an improper orthogonal matrix (det −1) when it fits better (default false). */
  allowReflection?: boolean;
  /** One non-negative weight per point pair (0 ignores the pair); default all 1. */
  weights?: Float64Array;
  /** Name of the source points in error messages (e.g. their file). */
  sourceName?: string;
  /** Name of the target points in error messages. */
  targetName?: string;
}

export interface UmeyamaSolution {
  /** Takes the source points onto the target points. */
  transform: SimilarityTransform;
  /** Weighted RMS distance ‖T(x_i) − y_i‖ after alignment, in the input unit (mm). */
  rmse: number;
  /** True when `transform.rotation` is a reflection (only with allowReflection). */
  reflection: boolean;
}

/** σ₂/σ₁ (ratio of singular values of the centred points) below which a set counts as collinear. */
const COLLINEAR_RATIO = 1e-7;
/** Spread (RMS distance to the centroid) relative to the coordinate magnitude below which points coincide. */
const COINCIDENT_RATIO = 1e-12;

/**
 * The similarity T(x) = s·R·x + t minimising Σ w_i ‖y_i − T(x_i)‖² (Umeyama 1991, Theorem):
 * with centroids μ_x, μ_y, variance σ_x² of the source and the cross-covariance
 * Σ_xy = Σ w_i (y_i − μ_y)(x_i − μ_x)ᵀ / Σ w_i = U·D·Vᵀ,
 * R = U·S·Vᵀ with S = diag(1, 1, sign(det U·det V)), s = tr(D·S)/σ_x², t = μ_y − s·R·μ_x.
 * S is the sign fix that returns the best proper rotation when the best orthogonal matrix
 * is a reflection; with `allowReflection` S = I and the reflection is returned.
 *
 * `source` and `target` are xyz-interleaved and list corresponding points in the same
 * order. Throws an InputError for mismatched or too few points, non-finite values, bad
 * weights, or configurations whose rotation is undetermined (coincident or collinear points).
 */
export function umeyama(source: Float64Array, target: Float64Array, options: UmeyamaOptions = {}): UmeyamaSolution {
  const withScale = options.withScale ?? true;
  const allowReflection = options.allowReflection ?? false;
  const srcName = options.sourceName ?? 'source points';
  const dstName = options.targetName ?? 'target points';

  validatePointArray(source, srcName);
  validatePointArray(target, dstName);
  const n = source.length / 3;
  if (target.length !== source.length) {
    throw new InputError(srcName, `has ${n} points but ${dstName} has ${target.length / 3}; both must list the same points in the same order`);
  }
  if (n < 3) {
    throw new InputError(srcName, `a similarity needs at least 3 corresponding points, got ${n}`);
  }
  const weights = options.weights;
  let weightSum = n;
  if (weights) {
    if (weights.length !== n) {
      throw new InputError(srcName, `got ${weights.length} weights for ${n} point pairs; give one weight per pair`);
    }
    weightSum = 0;
    let positive = 0;
    for (let i = 0; i < n; i++) {
      const w = weights[i];
      if (!Number.isFinite(w) || w < 0) {
        throw new InputError(srcName, `weight ${i} is ${w}; weights must be finite and ≥ 0 (use 0 to ignore a pair)`);
      }
      if (w > 0) positive++;
      weightSum += w;
    }
    if (positive < 3) {
      throw new InputError(srcName, `only ${positive} point pairs have a positive weight; at least 3 are needed`);
    }
  }
  const weightOf = (i: number): number => (weights ? weights[i] : 1);

  // Weighted centroids.
  let mx0 = 0, mx1 = 0, mx2 = 0, my0 = 0, my1 = 0, my2 = 0;
  for (let i = 0; i < n; i++) {
    const w = weightOf(i);
    mx0 += w * source[3 * i];
    mx1 += w * source[3 * i + 1];
    mx2 += w * source[3 * i + 2];
    my0 += w * target[3 * i];
    my1 += w * target[3 * i + 1];
    my2 += w * target[3 * i + 2];
  }
  mx0 /= weightSum; mx1 /= weightSum; mx2 /= weightSum;
  my0 /= weightSum; my1 /= weightSum; my2 /= weightSum;

  // Source variance, the two auto-covariances (for the degeneracy checks) and Σ_xy.
  const covX = new Float64Array(9);
  const covY = new Float64Array(9);
  const sigma = new Float64Array(9);
  let varX = 0;
  for (let i = 0; i < n; i++) {
    const w = weightOf(i);
    if (w === 0) continue;
    const x0 = source[3 * i] - mx0, x1 = source[3 * i + 1] - mx1, x2 = source[3 * i + 2] - mx2;
    const y0 = target[3 * i] - my0, y1 = target[3 * i + 1] - my1, y2 = target[3 * i + 2] - my2;
    varX += w * (x0 * x0 + x1 * x1 + x2 * x2);
    const x = [x0, x1, x2];
    const y = [y0, y1, y2];
    for (let r = 0; r < 3; r++) {
      for (let c = 0; c < 3; c++) {
        covX[r * 3 + c] += w * x[r] * x[c];
        covY[r * 3 + c] += w * y[r] * y[c];
        sigma[r * 3 + c] += w * y[r] * x[c];
      }
    }
  }
  varX /= weightSum;
  for (let k = 0; k < 9; k++) {
    covX[k] /= weightSum;
    covY[k] /= weightSum;
    sigma[k] /= weightSum;
  }

  checkSpread(covX, source, weights, srcName, 'source');
  checkSpread(covY, target, weights, dstName, 'target');

  const { u, values: d, v } = svd3(sigma);
  if (!(d[1] > COLLINEAR_RATIO * d[0])) {
    throw new InputError(
      srcName,
      `the cross-covariance with ${dstName} has rank < 2, so the rotation is undetermined; check that both list the same points in the same order`,
    );
  }
  const detUV = mat3Determinant(u) * mat3Determinant(v);
  // A planar configuration (σ₃ ≈ 0) fits a rotation exactly as well as its mirror image:
  // keep the proper rotation then, even when reflections are allowed.
  const planar = !(d[2] > COLLINEAR_RATIO * d[0]);
  const flip = detUV < 0 && (!allowReflection || planar);
  const us = Float64Array.from(u);
  if (flip) {
    us[2] = -us[2];
    us[5] = -us[5];
    us[8] = -us[8];
  }
  const rotation = mat3Multiply(us, mat3Transpose(v));
  const reflection = mat3Determinant(rotation) < 0;

  const trace = d[0] + d[1] + (flip ? -d[2] : d[2]);
  const scale = withScale ? trace / varX : 1;
  const translation = Float64Array.of(
    my0 - scale * (rotation[0] * mx0 + rotation[1] * mx1 + rotation[2] * mx2),
    my1 - scale * (rotation[3] * mx0 + rotation[4] * mx1 + rotation[5] * mx2),
    my2 - scale * (rotation[6] * mx0 + rotation[7] * mx1 + rotation[8] * mx2),
  );
  const transform: SimilarityTransform = { scale, rotation, translation };

  // Residual, computed directly (not from the closed form) for accuracy.
  let sq = 0;
  for (let i = 0; i < n; i++) {
    const w = weightOf(i);
    if (w === 0) continue;
    const x = source[3 * i], y = source[3 * i + 1], z = source[3 * i + 2];
    const e0 = scale * (rotation[0] * x + rotation[1] * y + rotation[2] * z) + translation[0] - target[3 * i];
    const e1 = scale * (rotation[3] * x + rotation[4] * y + rotation[5] * z) + translation[1] - target[3 * i + 1];
    const e2 = scale * (rotation[6] * x + rotation[7] * y + rotation[8] * z) + translation[2] - target[3 * i + 2];
    sq += w * (e0 * e0 + e1 * e1 + e2 * e2);
  }
  return { transform, rmse: Math.sqrt(sq / weightSum), reflection };
}

function validatePointArray(points: Float64Array, name: string): void {
  if (points.length % 3 !== 0) {
    throw new InputError(name, `array length ${points.length} is not a multiple of 3; expected xyz triples`);
  }
  const bad = firstNonFinite(points);
  if (bad >= 0) {
    throw new InputError(name, `point ${Math.floor(bad / 3)} has a non-finite coordinate (${points[bad]})`);
  }
}

/**
 * Refuse a point set whose (weighted) spread leaves the rotation undetermined: all points
 * in one place, or all on one line (the rotation about that line is free).
 */
function checkSpread(cov: Float64Array, points: Float64Array, weights: Float64Array | undefined, name: string, role: string): void {
  let magnitude = 0;
  for (let i = 0; i < points.length; i++) {
    if (weights && weights[Math.floor(i / 3)] === 0) continue;
    magnitude = Math.max(magnitude, Math.abs(points[i]));
  }
  const { values } = symmetricEigen(cov, 3);
  const spread = Math.sqrt(Math.max(values[0] + values[1] + values[2], 0));
  if (!(spread > COINCIDENT_RATIO * magnitude) || spread === 0) {
    throw new InputError(name, `all ${role} points (with positive weight) coincide, so no rotation or scale can be estimated; check that the right points were loaded`);
  }
  // Eigenvalues of the covariance are the squared singular values of the centred points.
  const ratio = Math.sqrt(Math.max(values[1], 0) / values[0]);
  if (!(ratio > COLLINEAR_RATIO)) {
    throw new InputError(
      name,
      `the ${role} points are collinear (spread across their line is ${ratio.toExponential(1)} of the spread along it), so the rotation about that line is undetermined; use at least 3 non-collinear points`,
    );
  }
}
