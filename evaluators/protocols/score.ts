import { icp, umeyama, applyTransform, composeTransforms, type SimilarityTransform } from '../alignment/index.js';
import type { ICPCorrespondences } from '../alignment/icp.js';
import { InputError } from '../errors.js';
import { gatherPoints } from '../geometry/points.js';
import type { PointCloud, TriangleMesh } from '../geometry/types.js';
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
    if (scoredPoints.length === 0) {
      throw new InputError(names.gt, 'no GT point lies inside the NoW face crop; check that the GT landmarks belong to this scan and share its unit');
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
    const bvh = TriangleBVH.build(pred.positions, pred.faces);
    const solution = icp(gtPoints, { mesh: pred, bvh }, transform, {
      mode: config.estimateScale ? 'similarity' : 'rigid',
      maxIterations: config.icp.maxIterations,
      relativeTolerance: config.icp.relativeTolerance,
      maxCorrespondenceDistance: config.icp.maxCorrespondenceDistance,
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
  };
}
