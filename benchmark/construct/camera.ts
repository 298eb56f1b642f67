import type { Camera } from '../../evaluators/formats/capture-cameras.js';

/** Camera-frame coordinates of a world point: x_cam = R·x + t (mm). Written to out[0..2]. */
export function worldToCamera(cam: Camera, x: number, y: number, z: number, out: Float64Array): Float64Array {
  const R = cam.R;
  out[0] = R[0] * x + R[1] * y + R[2] * z + cam.t[0];
  out[1] = R[3] * x + R[4] * y + R[5] * z + cam.t[1];
  out[2] = R[6] * x + R[7] * y + R[8] * z + cam.t[2];
  return out;
}

/**
 * Project a world point to pixel coordinates (u, v) and camera depth z, written to out[0..2].
 * OpenCV convention: pixel centres at integer coordinates, so pixel (i, j) covers
 * [i − ½, i + ½) × [j − ½, j + ½).
 */
export function projectPoint(cam: Camera, x: number, y: number, z: number, out: Float64Array): Float64Array {
  worldToCamera(cam, x, y, z, out);
  const K = cam.K;
  const zc = out[2];
  const u = (K[0] * out[0] + K[1] * out[1]) / zc + K[2];
  const v = (K[4] * out[1]) / zc + K[5];
  out[0] = u;
  out[1] = v;
  return out;
}

/** World point seen at pixel (u, v) at camera depth z (the inverse of projectPoint), written to out[0..2]. */
export function backProject(cam: Camera, u: number, v: number, z: number, out: Float64Array): Float64Array {
  const K = cam.K;
  const yc = ((v - K[5]) / K[4]) * z;
  const xc = ((u - K[2]) * z - K[1] * yc) / K[0];
  const dx = xc - cam.t[0];
  const dy = yc - cam.t[1];
  const dz = z - cam.t[2];
  const R = cam.R;
  // x = Rᵀ·(x_cam − t)
  out[0] = R[0] * dx + R[3] * dy + R[6] * dz;
  out[1] = R[1] * dx + R[4] * dy + R[7] * dz;
  out[2] = R[2] * dx + R[5] * dy + R[8] * dz;
  return out;
}

/** Camera centre in world coordinates: −Rᵀ·t. */
export function cameraCentre(cam: Camera): [number, number, number] {
  const R = cam.R;
  const t = cam.t;
  return [-(R[0] * t[0] + R[3] * t[1] + R[6] * t[2]), -(R[1] * t[0] + R[4] * t[1] + R[7] * t[2]), -(R[2] * t[0] + R[5] * t[1] + R[8] * t[2])];
}

/** Unit viewing direction (the camera's +z axis) in world coordinates: third row of R. */
export function viewingDirection(cam: Camera): [number, number, number] {
  return [cam.R[6], cam.R[7], cam.R[8]];
}
