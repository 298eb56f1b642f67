/**
 * Initial head pose for the landmark fit from the model's mean landmarks: the least-squares
 * affine camera u ≈ A·X + b (a scaled orthographic / weak-perspective camera, the classic
 * initialisation of 3DMM landmark fitting), whose rows are orthonormalised into a rotation
 * and whose scale s = f/t_z gives the depth for the chosen focal length.
 */
import { solveLDLT } from '../../evaluators/alignment/index.js';

/** A perspective pinhole camera in image pixels (OpenCV: pixel centres at integers, y down, z forward). */
export interface PinholeIntrinsics {
  focal: number;
  cx: number;
  cy: number;
}

/** World (model) to camera: x_cam = R·x + t, R row-major, t in mm. */
export interface RigidPose {
  rotation: Float64Array;
  translation: Float64Array;
}

/**
 * Pose whose perspective projection with `camera` best matches the 2D points `observed`
 * (2L values, pixels) for the 3D points `points` (3L values, mm) under a weak-perspective
 * approximation. `weights` (L values; 0 = ignore the point) default to 1.
 * Throws when fewer than 4 points carry weight or they are degenerate (collinear/coplanar in 2D).
 */
export function weakPerspectivePose(points: Float64Array, observed: Float64Array, camera: PinholeIntrinsics, weights?: Float64Array): RigidPose {
  const L = points.length / 3;
  // Normal equations of [X Y Z 1]·[A_row; b] = u (and = v).
  const M = new Float64Array(16);
  const ru = new Float64Array(4);
  const rv = new Float64Array(4);
  let used = 0;
  for (let l = 0; l < L; l++) {
    const w = weights ? weights[l] : 1;
    if (!(w > 0)) continue;
    used++;
    const row = [points[3 * l], points[3 * l + 1], points[3 * l + 2], 1];
    for (let i = 0; i < 4; i++) {
      for (let j = 0; j < 4; j++) M[4 * i + j] += w * row[i] * row[j];
      ru[i] += w * row[i] * observed[2 * l];
      rv[i] += w * row[i] * observed[2 * l + 1];
    }
  }
  if (used < 4) throw new Error(`pose initialisation needs at least 4 landmarks, got ${used}`);
  const M2 = Float64Array.from(M);
  if (!solveLDLT(M, ru, 4, ru) || !solveLDLT(M2, rv, 4, rv)) throw new Error('pose initialisation: the landmarks are degenerate (all on a line or plane)');
  const a0 = [ru[0], ru[1], ru[2]];
  const a1 = [rv[0], rv[1], rv[2]];
  const n0 = Math.hypot(a0[0], a0[1], a0[2]);
  const r1 = a0.map((v) => v / n0);
  const d = a1[0] * r1[0] + a1[1] * r1[1] + a1[2] * r1[2];
  const o = a1.map((v, i) => v - d * r1[i]);
  const no = Math.hypot(o[0], o[1], o[2]);
  const r2 = o.map((v) => v / no);
  const r3 = [r1[1] * r2[2] - r1[2] * r2[1], r1[2] * r2[0] - r1[0] * r2[2], r1[0] * r2[1] - r1[1] * r2[0]];
  const s = (n0 + Math.hypot(a1[0], a1[1], a1[2])) / 2;
  const tz = camera.focal / s;
  // The affine offset b is the image of the model origin: b = f·(t_x, t_y)/t_z + c.
  return {
    rotation: Float64Array.of(r1[0], r1[1], r1[2], r2[0], r2[1], r2[2], r3[0], r3[1], r3[2]),
    translation: Float64Array.of((ru[3] - camera.cx) / s, (rv[3] - camera.cy) / s, tz),
  };
}

/** Project 3D points (3L, model frame) to pixels (2L) with a pose and pinhole camera. */
export function projectLandmarks(points: Float64Array, pose: RigidPose, camera: PinholeIntrinsics, out: Float64Array = new Float64Array((2 * points.length) / 3)): Float64Array {
  const R = pose.rotation, t = pose.translation;
  for (let l = 0; l < points.length / 3; l++) {
    const x = points[3 * l], y = points[3 * l + 1], z = points[3 * l + 2];
    const X = R[0] * x + R[1] * y + R[2] * z + t[0];
    const Y = R[3] * x + R[4] * y + R[5] * z + t[1];
    const Z = R[6] * x + R[7] * y + R[8] * z + t[2];
    out[2 * l] = (camera.focal * X) / Z + camera.cx;
    out[2 * l + 1] = (camera.focal * Y) / Z + camera.cy;
  }
  return out;
}
