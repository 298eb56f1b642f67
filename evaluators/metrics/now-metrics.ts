import { mean, median, standardDeviation } from './statistics.js';

/** NoW's summary of unsigned scan-to-mesh distances (mm). */
export type NowMetrics = {
  median: number;
  mean: number;
  std: number;
  points: number;
};

/** Median, mean and population std (numpy's default) of the distances, as NoW's evaluation reports them. */
export function nowMetrics(distances: Float64Array): NowMetrics {
  return {
    median: median(distances),
    mean: mean(distances),
    std: standardDeviation(distances),
    points: distances.length,
  };
}

/** NoW's cumulative error curve spans 0–8 mm. */
export const NOW_CURVE_MAX_MM = 8;
