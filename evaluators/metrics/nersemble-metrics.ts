import { fractionWithin, mean, median } from './statistics.js';
import type { SurfaceCorrespondences } from './surface-distance.js';

/** The per-item metrics of the nersemble protocol (docs/protocols.md#metrics), lengths in mm. */
/** (A type alias, so that it is assignable to Record<string, number>.) */
export type NersembleMetrics = {
  l1: number;
  l2: number;
  nc: number;
  r1: number;
  r2_5: number;
  r5: number;
  r10: number;
  median: number;
  points: number;
};

/** Recall thresholds (mm) and the metric key each one is written under. */
export const RECALL_THRESHOLDS: ReadonlyArray<readonly [key: 'r1' | 'r2_5' | 'r5' | 'r10', mm: number]> = [
  ['r1', 1],
  ['r2_5', 2.5],
  ['r5', 5],
  ['r10', 10],
];

/** Mean of the finite entries (NaN when there are none). */
function meanFinite(values: Float64Array): number {
  let sum = 0;
  let count = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (Number.isFinite(v)) {
      sum += v;
      count++;
    }
  }
  return count > 0 ? sum / count : Number.NaN;
}

/**
 * L1 (mean Manhattan), L2 (mean Euclidean), NC (mean |n_p·n_f| over points whose
 * normals are defined), recall at 1/2.5/5/10 mm and the median distance.
 */
export function nersembleMetrics(c: SurfaceCorrespondences): NersembleMetrics {
  const out: NersembleMetrics = {
    l1: mean(c.manhattan),
    l2: mean(c.distances),
    nc: meanFinite(c.normalCosines),
    r1: 0,
    r2_5: 0,
    r5: 0,
    r10: 0,
    median: median(c.distances),
    points: c.distances.length,
  };
  for (const [key, mm] of RECALL_THRESHOLDS) out[key] = fractionWithin(c.distances, mm);
  return out;
}
