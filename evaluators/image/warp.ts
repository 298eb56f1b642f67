/**
 * Affine crops of RGB images, as face encoders take them (DECA/EMOCA's box crop, ArcFace's
 * five-point alignment): a 2×3 matrix M maps image pixel coordinates to crop pixel
 * coordinates, both with integer pixel centres (pixel (0, 0) is the point (0, 0), as OpenCV's
 * `warpAffine` and scikit-image's `warp` count); the crop samples the image bilinearly at
 * M⁻¹·(x, y), zero outside the image (their constant border).
 */
import type { RgbImage } from './types.js';

/** Row-major 2×3 affine matrix [a, b, c, d, e, f]: (x, y) ↦ (a·x + b·y + c, d·x + e·y + f). */
export type Affine2 = [number, number, number, number, number, number];

/** Apply an affine to a point. */
export function applyAffine(m: Affine2, x: number, y: number): [number, number] {
  return [m[0] * x + m[1] * y + m[2], m[3] * x + m[4] * y + m[5]];
}

/** The inverse of an affine (throws for a singular one). */
export function invertAffine(m: Affine2): Affine2 {
  const det = m[0] * m[4] - m[1] * m[3];
  if (!(Math.abs(det) > 0) || !Number.isFinite(det)) throw new Error('the affine transform is singular');
  const a = m[4] / det, b = -m[1] / det, d = -m[3] / det, e = m[0] / det;
  return [a, b, -(a * m[2] + b * m[5]), d, e, -(d * m[2] + e * m[5])];
}

/**
 * The least-squares similarity (scale, rotation, translation; no reflection) taking `src`
 * points onto `dst` points (x, y pairs, n ≥ 2): Umeyama (1991) in 2D, the estimate
 * scikit-image's `SimilarityTransform.estimate` and insightface's `estimate_norm` compute.
 */
export function similarity2d(src: ArrayLike<number>, dst: ArrayLike<number>): Affine2 {
  const n = src.length / 2;
  if (n < 2 || dst.length !== src.length) throw new Error(`similarity2d needs two equal lists of at least 2 points, got ${src.length / 2} and ${dst.length / 2}`);
  let msx = 0, msy = 0, mdx = 0, mdy = 0;
  for (let i = 0; i < n; i++) {
    msx += src[2 * i]; msy += src[2 * i + 1];
    mdx += dst[2 * i]; mdy += dst[2 * i + 1];
  }
  msx /= n; msy /= n; mdx /= n; mdy /= n;
  // As complex numbers z = x + iy (centred), the optimal scale·rotation is (Σ conj(sₖ)·dₖ)/Σ|sₖ|².
  let re = 0, im = 0, ss = 0;
  for (let i = 0; i < n; i++) {
    const sx = src[2 * i] - msx, sy = src[2 * i + 1] - msy;
    const dx = dst[2 * i] - mdx, dy = dst[2 * i + 1] - mdy;
    re += sx * dx + sy * dy;
    im += sx * dy - sy * dx;
    ss += sx * sx + sy * sy;
  }
  if (!(ss > 0)) throw new Error('similarity2d: the source points coincide');
  const a = re / ss, b = im / ss; // scale·cos, scale·sin
  return [a, -b, mdx - (a * msx - b * msy), b, a, mdy - (b * msx + a * msy)];
}

/** How crop samples become tensor values: (v/255 − mean[c])/std[c] per RGB channel, v rounded to a byte first with `round`. */
export interface CropNormalisation {
  mean: readonly number[];
  std: readonly number[];
  /** Round each sample to an integer 0…255 first, as a crop made on a uint8 image (OpenCV's warpAffine) is. */
  round?: boolean;
}

/**
 * The crop `width × height` of `image` through M (image → crop pixels) as float32 [3, height,
 * width] tensor data: bilinear samples at M⁻¹·(x, y) for every crop pixel (x, y), zero beyond
 * the image, normalised per channel (CropNormalisation).
 */
export function warpAffineChw(image: RgbImage, m: Affine2, width: number, height: number, norm: CropNormalisation): Float32Array {
  const inv = invertAffine(m);
  const { width: w, height: h, data } = image;
  const plane = width * height;
  const out = new Float32Array(3 * plane);
  const scale = [0, 1, 2].map((c) => 1 / (255 * norm.std[c]));
  const offset = [0, 1, 2].map((c) => norm.mean[c] / norm.std[c]);
  const sample = new Float64Array(3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const u = inv[0] * x + inv[1] * y + inv[2];
      const v = inv[3] * x + inv[4] * y + inv[5];
      const x0 = Math.floor(u), y0 = Math.floor(v);
      const tx = u - x0, ty = v - y0;
      sample.fill(0);
      for (let k = 0; k < 4; k++) {
        const xi = x0 + (k & 1), yi = y0 + (k >> 1);
        if (xi < 0 || yi < 0 || xi >= w || yi >= h) continue;
        const weight = (k & 1 ? tx : 1 - tx) * (k >> 1 ? ty : 1 - ty);
        if (weight === 0) continue;
        const at = 3 * (yi * w + xi);
        sample[0] += weight * data[at];
        sample[1] += weight * data[at + 1];
        sample[2] += weight * data[at + 2];
      }
      const o = y * width + x;
      for (let c = 0; c < 3; c++) {
        const value = norm.round ? Math.round(sample[c]) : sample[c];
        out[c * plane + o] = value * scale[c] - offset[c];
      }
    }
  }
  return out;
}
