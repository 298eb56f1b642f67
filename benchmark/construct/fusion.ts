import type { PointCloud } from '../../evaluators/geometry/types.js';
import { backProject, cameraCentre, projectPoint } from './camera.js';
import type { Camera } from '../../evaluators/formats/capture-cameras.js';

/** A depth map in mm (0 = no depth) seen by a camera. */
export interface CameraDepth {
  camera: Camera;
  width: number;
  height: number;
  depth: Float32Array;
}

export interface FusionOptions {
  /** A point is kept when at least this many cameras (its own included) see it consistently. */
  minViews: number;
  /** Depth agreement needed for another camera to confirm a point: max(absolute mm, relative · depth). */
  toleranceMm: number;
  toleranceRelative: number;
  /** Edge length of the voxels that merge the points of all cameras, mm. */
  voxelMm: number;
}

export const DEFAULT_FUSION: FusionOptions = { minViews: 2, toleranceMm: 1, toleranceRelative: 0.002, voxelMm: 1 };

/** Depth at the pixel nearest to (u, v), or 0 outside the map. */
export function depthAt(map: CameraDepth, u: number, v: number): number {
  const i = Math.round(u);
  const j = Math.round(v);
  if (i < 0 || j < 0 || i >= map.width || j >= map.height) return 0;
  return map.depth[j * map.width + i];
}

/**
 * Fuse per-camera depth maps into one cloud with normals, the way multi-view stereo
 * fusion keeps geometry: every pixel is back-projected, checked against the other cameras'
 * depth maps (it must agree within the tolerance in at least minViews − 1 of them), and the
 * confirmed points of all cameras are merged per voxel (mean position, mean normal).
 * Normals come from the depth map's own neighbours (cross product of the back-projected
 * right and lower pixels), turned towards the camera.
 */
export function fuseDepthMaps(maps: CameraDepth[], options: FusionOptions = DEFAULT_FUSION): PointCloud {
  const voxels = new Map<number, number>();
  const sums: number[] = [];
  const p = new Float64Array(3);
  const q = new Float64Array(3);
  const right = new Float64Array(3);
  const down = new Float64Array(3);
  const inv = 1 / options.voxelMm;
  // 17 bits per axis (±65 m at 1 mm voxels) pack exactly into one float64 key.
  const OFFSET = 1 << 16;
  for (const map of maps) {
    const { width, height, depth, camera } = map;
    const centre = cameraCentre(camera);
    for (let j = 0; j + 1 < height; j++) {
      for (let i = 0; i + 1 < width; i++) {
        const z = depth[j * width + i];
        const zr = depth[j * width + i + 1];
        const zd = depth[(j + 1) * width + i];
        if (z <= 0 || zr <= 0 || zd <= 0) continue;
        const tol = Math.max(options.toleranceMm, options.toleranceRelative * z);
        // Depth discontinuities (silhouettes) give no reliable normal: skip them.
        if (Math.abs(zr - z) > 4 * tol || Math.abs(zd - z) > 4 * tol) continue;
        backProject(camera, i, j, z, p);
        let views = 1;
        for (const other of maps) {
          if (other === map || views >= options.minViews) continue;
          projectPoint(other.camera, p[0], p[1], p[2], q);
          if (q[2] <= 0) continue;
          const d = depthAt(other, q[0], q[1]);
          if (d > 0 && Math.abs(d - q[2]) <= Math.max(options.toleranceMm, options.toleranceRelative * q[2])) views++;
        }
        if (views < options.minViews) continue;
        backProject(camera, i + 1, j, zr, right);
        backProject(camera, i, j + 1, zd, down);
        const ax = right[0] - p[0], ay = right[1] - p[1], az = right[2] - p[2];
        const bx = down[0] - p[0], by = down[1] - p[1], bz = down[2] - p[2];
        let nx = ay * bz - az * by;
        let ny = az * bx - ax * bz;
        let nz = ax * by - ay * bx;
        const len = Math.hypot(nx, ny, nz);
        if (!(len > 0)) continue;
        const facing = nx * (centre[0] - p[0]) + ny * (centre[1] - p[1]) + nz * (centre[2] - p[2]);
        const sign = facing < 0 ? -1 / len : 1 / len;
        nx *= sign;
        ny *= sign;
        nz *= sign;
        const key =
          (Math.floor(p[0] * inv) + OFFSET) * 2 ** 34 + (Math.floor(p[1] * inv) + OFFSET) * 2 ** 17 + (Math.floor(p[2] * inv) + OFFSET);
        let slot = voxels.get(key);
        if (slot === undefined) {
          slot = sums.length;
          voxels.set(key, slot);
          sums.push(0, 0, 0, 0, 0, 0, 0);
        }
        sums[slot] += p[0];
        sums[slot + 1] += p[1];
        sums[slot + 2] += p[2];
        sums[slot + 3] += nx;
        sums[slot + 4] += ny;
        sums[slot + 5] += nz;
        sums[slot + 6] += 1;
      }
    }
  }
  const n = sums.length / 7;
  const positions = new Float64Array(3 * n);
  const normals = new Float64Array(3 * n);
  for (let k = 0; k < n; k++) {
    const s = 7 * k;
    const c = sums[s + 6];
    positions[3 * k] = sums[s] / c;
    positions[3 * k + 1] = sums[s + 1] / c;
    positions[3 * k + 2] = sums[s + 2] / c;
    const l = Math.hypot(sums[s + 3], sums[s + 4], sums[s + 5]) || 1;
    normals[3 * k] = sums[s + 3] / l;
    normals[3 * k + 1] = sums[s + 4] / l;
    normals[3 * k + 2] = sums[s + 5] / l;
  }
  return { positions, normals };
}
