/** Summary figures of a COLMAP sparse model, as COLMAP's own `model_analyzer` reports them. */
import type { ColmapPoints3D } from '../../../evaluators/io/index.js';

export interface ColmapSparseStats {
  points: number;
  /** Sum of track lengths. */
  observations: number;
  /** Mean over points of each point's mean reprojection error (pixels), as COLMAP computes it. */
  meanReprojectionError: number;
  trackLength: { min: number; max: number; mean: number };
}

/** Stats of a points3D table (NaN/0 for an empty one). */
export function summarizePoints3D(points: ColmapPoints3D): ColmapSparseStats {
  const n = points.trackLengths.length;
  let observations = 0;
  let errorSum = 0;
  let min = Infinity;
  let max = 0;
  for (let i = 0; i < n; i++) {
    const t = points.trackLengths[i];
    observations += t;
    errorSum += points.errors[i];
    if (t < min) min = t;
    if (t > max) max = t;
  }
  return {
    points: n,
    observations,
    meanReprojectionError: n > 0 ? errorSum / n : NaN,
    trackLength: { min: n > 0 ? min : 0, max, mean: n > 0 ? observations / n : NaN },
  };
}
