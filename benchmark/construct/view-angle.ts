import { umeyama } from '../../evaluators/alignment/index.js';
import type { Camera } from '../../evaluators/formats/capture-cameras.js';
import { gatherPoints } from '../../evaluators/geometry/points.js';
import { cameraCentre, worldToCamera } from './camera.js';
import { POSE_LANDMARKS } from './expressions.js';

type Vec3 = [number, number, number];

const point = (lm: Float64Array, i: number): Vec3 => [lm[3 * i], lm[3 * i + 1], lm[3 * i + 2]];
const sub = (a: Vec3, b: Vec3): Vec3 => [a[0] - b[0], a[1] - b[1], a[2] - b[2]];
const cross = (a: Vec3, b: Vec3): Vec3 => [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]];
const unit = (a: Vec3): Vec3 => {
  const l = Math.hypot(a[0], a[1], a[2]) || 1;
  return [a[0] / l, a[1] / l, a[2] / l];
};
const mid = (...ps: Vec3[]): Vec3 => [0, 1, 2].map((k) => ps.reduce((s, p) => s + p[k], 0) / ps.length) as Vec3;

/**
 * The forward direction of a face from its 68 landmarks: the normal of the face plane, i.e.
 * the cross product of the eye-corner axis (iBUG 36 → 45, towards the subject's left) and the
 * vertical axis (mouth-corner midpoint, iBUG 48, 54, → eye-corner midpoint, 36, 39, 42, 45).
 * It points out of the face. The face plane leans back a little (the mouth is ahead of the
 * eyes), so this axis is tilted up by a few degrees from a head frame's horizontal forward
 * axis (5–7° on the demo persons).
 */
export function faceForward(landmarks: Float64Array): Vec3 {
  const right = sub(point(landmarks, 45), point(landmarks, 36));
  const eyes = mid(point(landmarks, 36), point(landmarks, 39), point(landmarks, 42), point(landmarks, 45));
  const mouth = mid(point(landmarks, 48), point(landmarks, 54));
  return unit(cross(right, sub(eyes, mouth)));
}

/** Mean of the 68 landmarks: where the camera's direction to the head starts. */
export function headCentre(landmarks: Float64Array): Vec3 {
  const c: Vec3 = [0, 0, 0];
  const n = landmarks.length / 3;
  for (let i = 0; i < n; i++) for (let k = 0; k < 3; k++) c[k] += landmarks[3 * i + k] / n;
  return c;
}

/**
 * The head's forward direction in a frame: the neutral frame's face-plane normal turned by the
 * head rotation from the neutral frame to this one (the similarity on POSE_LANDMARKS — nose and
 * eye corners, which move little with expression — that the expression selection uses), so
 * it follows head pose and not expression (an open jaw does not tilt it).
 */
export function headForward(landmarks: Float64Array, neutral: Float64Array, neutralForward: Vec3 = faceForward(neutral)): Vec3 {
  const R = umeyama(gatherPoints(neutral, POSE_LANDMARKS), gatherPoints(landmarks, POSE_LANDMARKS), { withScale: true }).transform.rotation;
  const f = neutralForward;
  return unit([R[0] * f[0] + R[1] * f[1] + R[2] * f[2], R[3] * f[0] + R[4] * f[1] + R[5] * f[2], R[6] * f[0] + R[7] * f[1] + R[8] * f[2]]);
}

/** Angle (degrees) between the direction from the head centre to the camera centre and the head's forward direction. */
export function viewAngleDeg(camera: Camera, centre: Vec3, forward: Vec3): number {
  const d = unit(sub(cameraCentre(camera), centre));
  const cos = Math.max(-1, Math.min(1, d[0] * forward[0] + d[1] * forward[1] + d[2] * forward[2]));
  return (Math.acos(cos) * 180) / Math.PI;
}

/** True when every landmark lies in front of the camera (positive camera depth). */
export function inFrontOf(camera: Camera, landmarks: Float64Array): boolean {
  const q = new Float64Array(3);
  for (let i = 0; i < landmarks.length; i += 3) if (worldToCamera(camera, landmarks[i], landmarks[i + 1], landmarks[i + 2], q)[2] <= 0) return false;
  return true;
}

/** A view angle as recorded in the manifest and meta.json: degrees rounded to 0.001. */
export function roundAngle(deg: number): number {
  return Math.round(deg * 1000) / 1000;
}
