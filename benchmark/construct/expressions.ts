import { applyTransform, umeyama } from '../../evaluators/alignment/index.js';
import { gatherPoints } from '../../evaluators/geometry/points.js';

/**
 * iBUG-68 points that move little with expression (nose bridge and base, eye corners), used
 * to remove head pose: each frame's 68 landmarks are moved by the similarity that takes
 * these points onto the neutral frame's.
 */
export const POSE_LANDMARKS = [27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 39, 42, 45];

/** The 68 landmarks of a frame with head pose removed (similarity on POSE_LANDMARKS onto `neutral`). */
export function poseNormalised(landmarks: Float64Array, neutral: Float64Array): Float64Array {
  const fit = umeyama(gatherPoints(landmarks, POSE_LANDMARKS), gatherPoints(neutral, POSE_LANDMARKS), { withScale: true });
  return applyTransform(fit.transform, landmarks);
}

/** RMS distance between two landmark configurations (mm). */
export function landmarkDistance(a: Float64Array, b: Float64Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += (a[i] - b[i]) ** 2;
  return Math.sqrt(sum / (a.length / 3));
}

export interface ExpressionSelection {
  /** Indices into the candidate frames, in selection order. */
  order: number[];
  /** For each selected frame, its distance to the nearest already-selected frame (or neutral) when chosen, mm. */
  distances: number[];
  /** Distance of every candidate to the neutral frame, mm. */
  toNeutral: number[];
}

/**
 * Furthest point sampling in pose-normalised landmark space (as the Pixel3DMM benchmark
 * chose its expressions): the first pick is the frame farthest from neutral, each next pick
 * the frame whose distance to the nearest of neutral and all picks so far is largest.
 * Ties go to the earlier candidate, so the selection is deterministic.
 */
export function selectExpressions(candidates: Float64Array[], neutral: Float64Array, count: number): ExpressionSelection {
  const normalised = candidates.map((c) => poseNormalised(c, neutral));
  const toNeutral = normalised.map((c) => landmarkDistance(c, neutral));
  const nearest = Float64Array.from(toNeutral);
  const chosen = new Uint8Array(candidates.length);
  const order: number[] = [];
  const distances: number[] = [];
  const k = Math.min(count, candidates.length);
  for (let step = 0; step < k; step++) {
    let best = -1;
    for (let i = 0; i < candidates.length; i++) {
      if (!chosen[i] && (best < 0 || nearest[i] > nearest[best])) best = i;
    }
    chosen[best] = 1;
    order.push(best);
    distances.push(nearest[best]);
    for (let i = 0; i < candidates.length; i++) {
      if (!chosen[i]) nearest[i] = Math.min(nearest[i], landmarkDistance(normalised[i], normalised[best]));
    }
  }
  return { order, distances, toNeutral };
}

/** Inner-lip gap relative to the outer eye-corner distance: iBUG 62–66, 61–67, 63–65. */
export function mouthOpening(landmarks: Float64Array): number {
  const d = (a: number, b: number) => Math.hypot(landmarks[3 * a] - landmarks[3 * b], landmarks[3 * a + 1] - landmarks[3 * b + 1], landmarks[3 * a + 2] - landmarks[3 * b + 2]);
  return (d(62, 66) + d(61, 67) + d(63, 65)) / 3 / d(36, 45);
}

/** Mouth openings up to this fraction of the eye-corner distance count as closed. */
export const MOUTH_CLOSED = 0.05;

/**
 * The neutral frame when none is given: among frames with the mouth closed (all frames if
 * none is), the one whose pose-normalised landmarks are closest to the mean configuration.
 * Pose is normalised against the first candidate.
 */
export function pickNeutral(candidates: Float64Array[]): number {
  const reference = candidates[0];
  const normalised = candidates.map((c) => poseNormalised(c, reference));
  const mean = new Float64Array(reference.length);
  for (const c of normalised) for (let i = 0; i < mean.length; i++) mean[i] += c[i] / normalised.length;
  const closed = candidates.map((c, i) => (mouthOpening(c) <= MOUTH_CLOSED ? i : -1)).filter((i) => i >= 0);
  const pool = closed.length > 0 ? closed : candidates.map((_c, i) => i);
  let best = pool[0];
  for (const i of pool) if (landmarkDistance(normalised[i], mean) < landmarkDistance(normalised[best], mean)) best = i;
  return best;
}
