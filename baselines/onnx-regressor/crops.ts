/**
 * The crops face encoders are trained on, computed from the MediaPipe Face Mesh points the
 * suite detects (468 × (x, y, z) px of the input image). Each gives the affine M that maps
 * image pixels to crop pixels (evaluators/image/warp.ts); the crop is then sampled bilinearly
 * with a zero border, as scikit-image's `warp` and OpenCV's `warpAffine` do.
 *
 * - `deca` (DECA, Feng et al. 2021, `TestData` of decalib/datasets/datasets.py; EMOCA's
 *   `TestData` is the same): the box of the 68 landmarks, side ((r − l) + (b − t))/2 × 1.1
 *   (their 'kpt68' rule), scaled by 1.25 and truncated to an integer; the square's corners
 *   (top-left, bottom-left, top-right) go to (0, 0), (0, S−1), (S−1, 0).
 * - `smirk` (SMIRK, Retsinas et al. 2024, `crop_face` of its demo.py): the box of every
 *   MediaPipe point (the 10 iris points SMIRK's 478 add lie inside the eyes, so the box is the
 *   same), side ((r − l) + (b − t))/2 × 1.4, truncated, the same three corners.
 * - `arcface` (MICA, Zielonka et al. 2022: insightface's `norm_crop`): five points — the two
 *   eye centres, the nose tip and the two mouth corners — taken from the 68 landmarks as
 *   MICA's FAN path does (eyes: means of iBUG 38/41 and 44/46; nose 30; mouth 60 and 64),
 *   mapped by the least-squares similarity onto ArcFace's template scaled by S/112.
 * - `none`: the whole image resized to the input size (the plain `onnx-regressor`).
 *
 * The landmarks differ from the detectors of the original code (FAN's 68 points for DECA and
 * EMOCA, RetinaFace's five for MICA, MediaPipe's 478 for SMIRK): facebench runs MediaPipe
 * for all (docs: baselines/README.md#named-regressors).
 */
import { similarity2d, type Affine2 } from '../../evaluators/image/index.js';
import { ibug68FromFaceMesh } from '../mediapipe/index.js';

export const CROP_KINDS = ['none', 'deca', 'smirk', 'arcface'] as const;
export type CropKind = (typeof CROP_KINDS)[number];

/** ArcFace's five destination points in its 112 × 112 crop (insightface `arcface_dst`). */
export const ARCFACE_TEMPLATE_112: readonly number[] = [
  38.2946, 51.6963, 73.5318, 51.5014, 56.0252, 71.7366, 41.5493, 92.3655, 70.7299, 92.2041,
];

/** The square box crop of DECA/EMOCA/SMIRK: `points` (x, y pairs) → crop of side `size`. */
export function boxCrop(points: ArrayLike<number>, size: number, factor: number, scale: number): Affine2 {
  let left = Infinity, right = -Infinity, top = Infinity, bottom = -Infinity;
  for (let i = 0; i < points.length; i += 2) {
    left = Math.min(left, points[i]);
    right = Math.max(right, points[i]);
    top = Math.min(top, points[i + 1]);
    bottom = Math.max(bottom, points[i + 1]);
  }
  const side = Math.trunc((((right - left) + (bottom - top)) / 2) * factor * scale);
  if (!(side > 0)) throw new Error('the face box is empty');
  const cx = (left + right) / 2, cy = (top + bottom) / 2, h = side / 2;
  const src = [cx - h, cy - h, cx - h, cy + h, cx + h, cy - h];
  const dst = [0, 0, 0, size - 1, size - 1, 0];
  return similarity2d(src, dst);
}

/** The five ArcFace points (left eye, right eye, nose, left and right mouth corner; x, y pairs) from 68×2 iBUG landmarks, by MICA's rule. */
export function fivePointsFromIbug68(lmk68: ArrayLike<number>): Float64Array {
  const p = (k: number, c: number): number => lmk68[2 * k + c];
  const out = new Float64Array(10);
  for (let c = 0; c < 2; c++) {
    out[c] = (p(38, c) + p(41, c)) / 2;
    out[2 + c] = (p(44, c) + p(46, c)) / 2;
    out[4 + c] = p(30, c);
    out[6 + c] = p(60, c);
    out[8 + c] = p(64, c);
  }
  return out;
}

/** The ArcFace alignment: the similarity taking the five points onto the template at side `size`. */
export function arcfaceCrop(five: ArrayLike<number>, size: number): Affine2 {
  const ratio = size / 112;
  return similarity2d(five, ARCFACE_TEMPLATE_112.map((v) => v * ratio));
}

/** The crop affine of `kind` (not 'none') for a face of 468×3 Face Mesh points (px), at side `size`. */
export function cropAffine(kind: Exclude<CropKind, 'none'>, faceMesh: Float64Array, size: number): Affine2 {
  if (kind === 'smirk') {
    const xy = new Float64Array((2 * faceMesh.length) / 3);
    for (let i = 0, j = 0; i < faceMesh.length; i += 3, j += 2) {
      xy[j] = faceMesh[i];
      xy[j + 1] = faceMesh[i + 1];
    }
    return boxCrop(xy, size, 1, 1.4);
  }
  const lmk68 = ibug68FromFaceMesh(faceMesh, 2);
  return kind === 'deca' ? boxCrop(lmk68, size, 1.1, 1.25) : arcfaceCrop(fivePointsFromIbug68(lmk68), size);
}
