import type { PointCloud } from '../../evaluators/geometry/types.js';
import { projectPoint } from './camera.js';
import type { Camera } from '../../evaluators/formats/capture-cameras.js';
import { depthAt, type CameraDepth } from './fusion.js';

/** A label map (label id per pixel) seen by a camera, with the depth map used for visibility if there is one. */
export interface CameraLabels {
  camera: Camera;
  width: number;
  height: number;
  labels: Uint8Array;
  depth?: CameraDepth;
}

export interface MaskResult {
  /** Indices of the kept points. */
  kept: Uint32Array;
  /** Points seen by no camera (dropped). */
  unseen: number;
  /** Points whose visible views mostly say a non-face class (dropped). */
  nonFace: number;
}

/**
 * Segmentation masking: each point is projected into every camera; where it is visible
 * (its depth agrees with the camera's depth map, or, without one, with a z-buffer splatted
 * from the cloud itself) the label under it is a vote. A point is kept when a strict
 * majority of its visible views vote for a kept class (face skin, brows, nose, lips).
 */
export function maskByLabels(cloud: PointCloud, views: CameraLabels[], kept: Set<number>, toleranceMm = 2): MaskResult {
  const n = cloud.positions.length / 3;
  const p = cloud.positions;
  const keptLabel = new Uint8Array(256);
  for (const id of kept) keptLabel[id] = 1;
  const yes = new Uint16Array(n);
  const seen = new Uint16Array(n);
  const q = new Float64Array(3);
  for (const view of views) {
    const zbuffer = view.depth ? undefined : splatDepth(cloud, view);
    for (let i = 0; i < n; i++) {
      projectPoint(view.camera, p[3 * i], p[3 * i + 1], p[3 * i + 2], q);
      if (q[2] <= 0) continue;
      const u = Math.round(q[0]);
      const v = Math.round(q[1]);
      if (u < 0 || v < 0 || u >= view.width || v >= view.height) continue;
      const surface = view.depth ? depthAt(view.depth, q[0], q[1]) : zbuffer![v * view.width + u];
      if (!(surface > 0) || Math.abs(surface - q[2]) > toleranceMm) continue;
      seen[i]++;
      yes[i] += keptLabel[view.labels[v * view.width + u]];
    }
  }
  const out: number[] = [];
  let unseen = 0;
  let nonFace = 0;
  for (let i = 0; i < n; i++) {
    if (seen[i] === 0) unseen++;
    else if (2 * yes[i] > seen[i]) out.push(i);
    else nonFace++;
  }
  return { kept: Uint32Array.from(out), unseen, nonFace };
}

/** Nearest depth of the cloud per pixel (each point splatted to its pixel and the 8 around it). */
function splatDepth(cloud: PointCloud, view: CameraLabels): Float32Array {
  const { width, height } = view;
  const z = new Float32Array(width * height).fill(Infinity);
  const q = new Float64Array(3);
  const p = cloud.positions;
  for (let i = 0; i < p.length; i += 3) {
    projectPoint(view.camera, p[i], p[i + 1], p[i + 2], q);
    if (q[2] <= 0) continue;
    const u0 = Math.round(q[0]);
    const v0 = Math.round(q[1]);
    for (let dv = -1; dv <= 1; dv++) {
      for (let du = -1; du <= 1; du++) {
        const u = u0 + du;
        const v = v0 + dv;
        if (u < 0 || v < 0 || u >= width || v >= height) continue;
        const k = v * width + u;
        if (q[2] < z[k]) z[k] = q[2];
      }
    }
  }
  for (let k = 0; k < z.length; k++) if (z[k] === Infinity) z[k] = 0;
  return z;
}
