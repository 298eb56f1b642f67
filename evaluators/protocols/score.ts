import { icp, umeyama, applyTransform, composeTransforms, type SimilarityTransform } from '../alignment/index.js';
import type { ICPCorrespondences } from '../alignment/icp.js';
import { InputError } from '../errors.js';
import { gatherPoints } from '../geometry/points.js';
import { MM_PER_UNIT, type LengthUnit, type PointCloud, type TriangleMesh } from '../geometry/types.js';
import { MIN_GT_POINTS } from '../geometry/validate.js';
import {
  cumulativeCurve,
  curveThresholds,
  nersembleMetrics,
  nowMetrics,
  surfaceCorrespondences,
  type NersembleMetrics,
  type NowMetrics,
  type SurfaceCorrespondences,
} from '../metrics/index.js';
import { correspondencesFromClosest } from '../metrics/surface-distance.js';
import { TriangleBVH, estimateNormals } from '../spatial/index.js';
import type { ProtocolConfig, ProtocolName } from './config.js';
import { nowFaceCrop, pointsInCrop } from './now-crop.js';

/** The inputs of one scoring, all in millimetres. */
export interface ScoreInputs {
  pred: TriangleMesh;
  /** 7 landmarks on the prediction (21 values), in the prediction's frame. */
  predLandmarks: Float64Array;
  gt: PointCloud;
  /** 7 GT landmarks (21 values). */
  gtLandmarks: Float64Array;
  /** Set when `gt.normals` were estimated by the caller (reported as such). */
  gtNormalsEstimated?: boolean;
  /** `mortonOrder(gt.positions)`, when the caller keeps it with a cloud it scores many times. */
  gtOrder?: Uint32Array;
  /** Names used in error messages. */
  names?: { pred?: string; predLandmarks?: string; gt?: string; gtLandmarks?: string };
}

/** The transform that takes the prediction into the GT frame, and how it was found. */
export interface AlignmentReport {
  scale: number;
  /** 3x3 rows; determinant −1 only when a reflection was allowed and chosen. */
  rotation: number[][];
  translation: number[];
  /** ICP iterations (0 with --align landmarks). */
  iterations: number;
  converged: boolean;
  /** RMS landmark residual of the landmark similarity, mm. */
  landmark_rmse: number;
  /** RMS distance of the ICP inliers after refinement, mm (null without ICP). */
  icp_rmse: number | null;
  reflection: boolean;
}

/**
 * The metrics of a scoring, tagged by protocol family: `nersemble` (L1, L2, NC, recall,
 * median) for nersemble and nersemble-metrical, `now` (median, mean, std) for the NoW ones.
 */
export type ScoredMetrics = { family: 'nersemble'; metrics: NersembleMetrics } | { family: 'now'; metrics: NowMetrics };

export type ScoreResult = ScoredMetrics & {
  protocol: ProtocolName;
  alignment: AlignmentReport;
  /** Where the GT normals for NC came from. */
  gtNormals: 'file' | 'estimated' | 'unused';
  /** Fraction of scored GT points within each threshold of `curveThresholds`. */
  curve: Float64Array;
  curveThresholds: Float64Array;
  /** Distance of every scored GT point to the aligned prediction, mm. */
  distances: Float64Array;
  /** Indices (into the GT cloud) of the scored points: all of them, or NoW's crop. */
  scoredPoints?: Uint32Array;
  /**
   * Signs that the inputs do not match (docs/protocols.md#warnings): a likely unit mistake
   * or landmarks that fit badly. One line each, without the file name; empty when none.
   */
  warnings: string[];
};

/** The nersemble-family metrics of a scoring; an Error for a NoW-family one. */
export function nersembleMetricsOf(result: ScoreResult): NersembleMetrics {
  if (result.family !== 'nersemble') throw new Error(`${result.protocol} scoring has no nersemble metrics (L1, L2, NC, recall)`);
  return result.metrics;
}

/** The NoW-family metrics of a scoring; an Error for a nersemble-family one. */
export function nowMetricsOf(result: ScoreResult): NowMetrics {
  if (result.family !== 'now') throw new Error(`${result.protocol} scoring has no NoW metrics (median, mean, std)`);
  return result.metrics;
}

const LANDMARK_VALUES = 21;

/**
 * Factor beyond which sizes count as inconsistent (docs/protocols.md#warnings): a free
 * landmark fit's scale outside [1/2, 2] under a fixed-scale protocol, or GT outer eye
 * corners outside [1/2, 2] × TYPICAL_EYE_DISTANCE_MM apart. Human faces differ in size by
 * far less; the units differ by 10 or more.
 */
export const SIZE_WARNING_FACTOR = 2;
/** Typical distance between the outer eye corners (landmarks 1 and 4) of an adult, mm. */
export const TYPICAL_EYE_DISTANCE_MM = 90;
/**
 * RMS landmark residual (mm) after the landmark fit above which a scoring is reported: the
 * 7 landmarks span about 90 mm, and even a mean face fits a real one to a few mm, so 20 mm
 * means landmarks in another order or unit, or of another face.
 */
export const LANDMARK_RMSE_WARNING_MM = 20;

const UNITS: readonly LengthUnit[] = ['mm', 'cm', 'm'];

/** The unit whose mm factor is within SIZE_WARNING_FACTOR of `factor`, if any. */
function unitNear(factor: number): LengthUnit | undefined {
  return UNITS.find((u) => factor >= MM_PER_UNIT[u] / SIZE_WARNING_FACTOR && factor <= MM_PER_UNIT[u] * SIZE_WARNING_FACTOR);
}

function outside(ratio: number): boolean {
  return !(ratio >= 1 / SIZE_WARNING_FACTOR && ratio <= SIZE_WARNING_FACTOR);
}

function figure(value: number): string {
  return String(Number(value.toPrecision(3)));
}

/**
 * The warnings of a scoring (docs/protocols.md#warnings): GT landmarks of an implausible
 * face size (a wrong --gt-unit); under a fixed-scale protocol, a free similarity fit of the
 * landmarks that would rescale the prediction (a wrong --pred-unit or --gt-unit); and a
 * large landmark residual after the protocol's own landmark fit.
 */
function scoringWarnings(
  inputs: ScoreInputs, config: ProtocolConfig, landmarkRmse: number, landmarkNames: { sourceName: string; targetName: string },
): string[] {
  const warnings: string[] = [];
  const lm = inputs.gtLandmarks;
  const eyes = Math.hypot(lm[0] - lm[9], lm[1] - lm[10], lm[2] - lm[11]);
  const gtRatio = eyes / TYPICAL_EYE_DISTANCE_MM;
  const gtWarned = outside(gtRatio);
  if (gtWarned) {
    const likely = unitNear(MM_PER_UNIT[config.gtUnit] / gtRatio);
    const advice = likely !== undefined && likely !== config.gtUnit
      ? `the GT looks like it is in ${likely}, not ${config.gtUnit}: pass --gt-unit ${likely}`
      : 'check --gt-unit and the GT landmark file';
    warnings.push(`the GT landmarks' outer eye corners are ${figure(eyes)} mm apart, a face's about ${TYPICAL_EYE_DISTANCE_MM} mm: ${advice}`);
  }
  if (!config.estimateScale) {
    const free = umeyama(inputs.predLandmarks, lm, { withScale: true, allowReflection: config.allowReflection, ...landmarkNames });
    const s = free.transform.scale;
    if (outside(s)) {
      const predLikely = unitNear(MM_PER_UNIT[config.predUnit] * s);
      const gtLikely = unitNear(MM_PER_UNIT[config.gtUnit] / s);
      const start = `a free fit of the landmarks would scale the prediction by ${figure(s)}, but ${config.protocol} keeps its scale`;
      if (predLikely !== undefined && predLikely !== config.predUnit) {
        warnings.push(`${start}: the prediction looks like it is in ${predLikely}, not ${config.predUnit}: pass --pred-unit ${predLikely}`);
      } else if (!gtWarned) {
        warnings.push(gtLikely !== undefined && gtLikely !== config.gtUnit
          ? `${start}: the GT looks like it is in ${gtLikely}, not ${config.gtUnit}: pass --gt-unit ${gtLikely}`
          : `${start}: check --pred-unit, --gt-unit and the landmark files`);
      }
    }
  }
  if (landmarkRmse > LANDMARK_RMSE_WARNING_MM) {
    warnings.push(
      `the 7 landmarks fit with an RMS error of ${figure(landmarkRmse)} mm (more than ${LANDMARK_RMSE_WARNING_MM} mm): the landmark files may be in another order or unit or belong to another face; check them${config.estimateScale ? '' : ' and --pred-unit'}`,
    );
  }
  return warnings;
}

function checkLandmarks(values: Float64Array, name: string): void {
  if (values.length !== LANDMARK_VALUES) {
    throw new InputError(name, `expected 7 landmarks (7x3), got ${values.length / 3}`);
  }
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i])) throw new InputError(name, `landmark ${Math.floor(i / 3)} is not finite`);
  }
}

/** x ↦ −x on positions and landmarks, with the face winding reversed so normals stay outward. */
function mirrorPrediction(mesh: TriangleMesh, landmarks: Float64Array): { mesh: TriangleMesh; landmarks: Float64Array } {
  const positions = Float64Array.from(mesh.positions);
  for (let i = 0; i < positions.length; i += 3) positions[i] = -positions[i];
  const faces = Uint32Array.from(mesh.faces);
  for (let f = 0; f < faces.length; f += 3) {
    const t = faces[f + 1];
    faces[f + 1] = faces[f + 2];
    faces[f + 2] = t;
  }
  const lm = Float64Array.from(landmarks);
  for (let i = 0; i < lm.length; i += 3) lm[i] = -lm[i];
  return { mesh: { positions, faces }, landmarks: lm };
}

const MIRROR_X: SimilarityTransform = {
  scale: 1,
  rotation: Float64Array.of(-1, 0, 0, 0, 1, 0, 0, 0, 1),
  translation: new Float64Array(3),
};

function rows3(m: Float64Array): number[][] {
  return [Array.from(m.subarray(0, 3)), Array.from(m.subarray(3, 6)), Array.from(m.subarray(6, 9))];
}

/**
 * Score one prediction against one GT cloud under a protocol (SPEC §4):
 * 1. similarity (Umeyama) taking the 7 predicted landmarks onto the GT landmarks;
 * 2. unless `align` is `landmarks`, ICP refinement of the prediction onto the GT points
 *    (trimmed at the protocol's correspondence distance);
 * 3. closest-point metrics from every scored GT point to the aligned surface.
 * NoW protocols first crop the GT to NoW's face ball and report median/mean/std.
 *
 * With ICP, the prediction keeps its own frame throughout: one BVH on it serves every ICP
 * pass, and ICP's last pass (at the final transform) supplies the metrics' closest points,
 * taken to the GT frame, so no aligned copy of the mesh is built or searched.
 */
export function scorePrediction(inputs: ScoreInputs, config: ProtocolConfig): ScoreResult {
  const names = {
    pred: inputs.names?.pred ?? 'prediction',
    predLandmarks: inputs.names?.predLandmarks ?? 'prediction landmarks',
    gt: inputs.names?.gt ?? 'ground truth',
    gtLandmarks: inputs.names?.gtLandmarks ?? 'ground-truth landmarks',
  };
  checkLandmarks(inputs.predLandmarks, names.predLandmarks);
  checkLandmarks(inputs.gtLandmarks, names.gtLandmarks);

  const isNow = config.protocol === 'now' || config.protocol === 'now-metrical';

  // GT points to score: everything, or NoW's face crop.
  let gtPoints = inputs.gt.positions;
  let gtNormals = inputs.gt.normals;
  let scoredPoints: Uint32Array | undefined;
  if (isNow) {
    const crop = config.crop ?? { centreFactor: 0.3, radiusFactor: 1.4 };
    scoredPoints = pointsInCrop(gtPoints, nowFaceCrop(inputs.gtLandmarks, crop.centreFactor, crop.radiusFactor));
    if (scoredPoints.length < MIN_GT_POINTS) {
      const inside = scoredPoints.length === 0 ? 'no GT point lies' : `only ${scoredPoints.length} of the ${gtPoints.length / 3} GT points lie`;
      throw new InputError(
        names.gt,
        `${inside} inside the NoW face crop, fewer than the ${MIN_GT_POINTS} a scoring needs; check that the GT landmarks belong to this scan and share its unit`,
      );
    }
    gtPoints = gatherPoints(gtPoints, scoredPoints);
    gtNormals = undefined;
  }

  // 1. Landmark similarity (a reflection is handled by mirroring the prediction first).
  let pred = inputs.pred;
  let predLandmarks = inputs.predLandmarks;
  const landmarkNames = { sourceName: names.predLandmarks, targetName: names.gtLandmarks };
  let landmarkFit = umeyama(predLandmarks, inputs.gtLandmarks, {
    withScale: config.estimateScale,
    allowReflection: config.allowReflection,
    ...landmarkNames,
  });
  const reflection = landmarkFit.reflection;
  if (reflection) {
    ({ mesh: pred, landmarks: predLandmarks } = mirrorPrediction(pred, predLandmarks));
    landmarkFit = umeyama(predLandmarks, inputs.gtLandmarks, { withScale: config.estimateScale, allowReflection: false, ...landmarkNames });
  }

  // 2. ICP refinement.
  let transform = landmarkFit.transform;
  let iterations = 0;
  let converged = true;
  let icpRmse: number | null = null;
  let closest: ICPCorrespondences | undefined;
  if (config.align === 'icp') {
    // Morton splits: built about 4× faster than SAH, and the candidate grid that ICP's passes
    // get answers most queries before the tree is visited (docs/protocols.md#coarse-to-fine-icp).
    const bvh = TriangleBVH.build(pred.positions, pred.faces, { strategy: 'morton' });
    const solution = icp(gtPoints, { mesh: pred, bvh }, transform, {
      mode: config.estimateScale ? 'similarity' : 'rigid',
      maxIterations: config.icp.maxIterations,
      relativeTolerance: config.icp.relativeTolerance,
      maxCorrespondenceDistance: config.icp.maxCorrespondenceDistance,
      subsample: config.icp.subsample,
      // Not for NoW's crop, a subset of the cloud.
      order: scoredPoints ? undefined : inputs.gtOrder,
      name: `ICP of ${names.pred} onto ${names.gt}`,
      correspondences: true,
    });
    transform = solution.transform;
    iterations = solution.iterations;
    converged = solution.converged;
    icpRmse = solution.rmse;
    closest = solution.correspondences;
  }

  // 3. Metrics on the aligned prediction.
  let normalsSource: ScoreResult['gtNormals'] = 'unused';
  if (!isNow) {
    if (gtNormals) normalsSource = inputs.gtNormalsEstimated ? 'estimated' : 'file';
    else {
      gtNormals = estimateNormals(gtPoints, { k: config.normalNeighbours });
      normalsSource = 'estimated';
    }
  }
  let correspondences: SurfaceCorrespondences;
  if (closest) {
    // The face normals of T(pred) are R times those of pred (T = s·R·x + t).
    correspondences = correspondencesFromClosest(gtPoints, gtNormals, pred, closest.points, closest.faces, closest.distances, transform.rotation);
  } else {
    const aligned: TriangleMesh = { positions: applyTransform(transform, pred.positions), faces: pred.faces };
    correspondences = surfaceCorrespondences(gtPoints, gtNormals, aligned);
  }
  const scored: ScoredMetrics = isNow ? { family: 'now', metrics: nowMetrics(correspondences.distances) } : { family: 'nersemble', metrics: nersembleMetrics(correspondences) };
  const thresholds = curveThresholds(config.curve.maxMm, config.curve.stepMm);

  const reported = reflection ? composeTransforms(transform, MIRROR_X) : transform;
  return {
    ...scored,
    protocol: config.protocol,
    alignment: {
      scale: reported.scale,
      rotation: rows3(reported.rotation),
      translation: Array.from(reported.translation),
      iterations,
      converged,
      landmark_rmse: landmarkFit.rmse,
      icp_rmse: icpRmse,
      reflection,
    },
    gtNormals: normalsSource,
    curve: cumulativeCurve(correspondences.distances, thresholds),
    curveThresholds: thresholds,
    distances: correspondences.distances,
    scoredPoints,
    warnings: scoringWarnings(inputs, config, landmarkFit.rmse, landmarkNames),
  };
}
