/**
 * Normal-map accuracy (Pixel3DMM Table 4): per valid pixel the cosine similarity between
 * the predicted and the GT unit normal (both in the crop camera's frame), its mean over the
 * valid pixels, and the angular error's mean and median in degrees.
 */
import { InputError } from '../errors.js';
import { median } from './statistics.js';

export interface NormalMapScore {
  /** GT-valid pixels (finite, non-zero GT normal). */
  pixels: number;
  /** Of those, pixels where the prediction is missing (NaN or zero); they score cosine 0 (90°). */
  missing: number;
  meanCosine: number;
  meanAngleDeg: number;
  medianAngleDeg: number;
}

/**
 * Score a predicted H×W×3 normal map against the GT map of the same size (interleaved xyz;
 * NaN = invalid). Vectors are normalised before comparing. `file` names the prediction in errors.
 */
export function scoreNormalMaps(gt: ArrayLike<number>, pred: ArrayLike<number>, width: number, height: number, file: string): NormalMapScore {
  const n = width * height;
  if (gt.length !== 3 * n) throw new InputError(file, `GT normal map has ${gt.length} values; expected ${height}x${width}x3`);
  if (pred.length !== 3 * n) throw new InputError(file, `has ${pred.length} values; expected ${height}x${width}x3 like the GT normal map`);
  const angles: number[] = [];
  let cosSum = 0;
  let missing = 0;
  let predicted = 0;
  for (let p = 0; p < n; p++) {
    const gx = gt[3 * p], gy = gt[3 * p + 1], gz = gt[3 * p + 2];
    const gl = Math.hypot(gx, gy, gz);
    if (!(gl > 0) || !Number.isFinite(gl)) continue;
    const px = pred[3 * p], py = pred[3 * p + 1], pz = pred[3 * p + 2];
    const pl = Math.hypot(px, py, pz);
    let cos = 0;
    if (pl > 0 && Number.isFinite(pl)) {
      cos = Math.min(1, Math.max(-1, (gx * px + gy * py + gz * pz) / (gl * pl)));
      predicted++;
    } else {
      missing++;
    }
    cosSum += cos;
    angles.push((Math.acos(cos) * 180) / Math.PI);
  }
  if (angles.length === 0) throw new InputError(file, 'the GT normal map has no valid pixel');
  if (predicted === 0) throw new InputError(file, `predicts no normal (all NaN or zero) on the ${angles.length} valid face pixels`);
  return {
    pixels: angles.length,
    missing,
    meanCosine: cosSum / angles.length,
    meanAngleDeg: angles.reduce((a, b) => a + b, 0) / angles.length,
    medianAngleDeg: median(Float64Array.from(angles)),
  };
}
