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
  const voxels = new VoxelTable();
  const p = new Float64Array(3);
  const q = new Float64Array(3);
  const right = new Float64Array(3);
  const down = new Float64Array(3);
  const inv = 1 / options.voxelMm;
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
        voxels.add(Math.floor(p[0] * inv), Math.floor(p[1] * inv), Math.floor(p[2] * inv), p[0], p[1], p[2], nx, ny, nz);
      }
    }
  }
  const sums = voxels.sums;
  const n = voxels.size;
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

/**
 * Voxel → running sums (x, y, z, nx, ny, nz, count), keyed by the three integer voxel
 * indices in an open-addressing hash table (typed arrays; no boxed double keys). Slots are
 * numbered in first-insertion order and every voxel's sums are accumulated in insertion
 * order, so the fused cloud is the same, bit for bit, as with an insertion-ordered Map.
 */
class VoxelTable {
  size = 0;
  sums = new Float64Array(7 * 65536);
  /** Per table entry: slot + 1 (0 = empty), ix, iy, iz. */
  private table = new Int32Array(4 * 262144);
  private mask = 262143;
  /** The entry of the last voxel added: neighbouring pixels mostly fall in the same voxel. */
  private last = -1;

  add(ix: number, iy: number, iz: number, x: number, y: number, z: number, nx: number, ny: number, nz: number): void {
    const table = this.table;
    let e = this.last;
    if (e < 0 || table[e + 1] !== ix || table[e + 2] !== iy || table[e + 3] !== iz) {
      e = this.find(ix, iy, iz);
      if (this.table[e] === 0) {
        if (2 * (this.size + 1) > this.mask + 1) {
          this.grow();
          e = this.find(ix, iy, iz);
        }
        const t = this.table;
        t[e] = ++this.size;
        t[e + 1] = ix;
        t[e + 2] = iy;
        t[e + 3] = iz;
        if (7 * this.size > this.sums.length) {
          const bigger = new Float64Array(2 * this.sums.length);
          bigger.set(this.sums);
          this.sums = bigger;
        }
      }
      this.last = e;
    }
    const s = 7 * (this.table[e] - 1);
    const sums = this.sums;
    sums[s] += x;
    sums[s + 1] += y;
    sums[s + 2] += z;
    sums[s + 3] += nx;
    sums[s + 4] += ny;
    sums[s + 5] += nz;
    sums[s + 6] += 1;
  }

  /** Offset of the table entry holding (ix, iy, iz), or of the empty entry where it would go. */
  private find(ix: number, iy: number, iz: number): number {
    // Neighbouring voxels (consecutive pixels) land in nearby entries: fewer cache misses.
    let h = (ix + Math.imul(iy, 0x9e3779b1 >>> 12) + Math.imul(iz, 0x85ebca77)) | 0;
    const table = this.table;
    const mask = this.mask;
    h &= mask;
    for (;;) {
      const e = 4 * h;
      if (table[e] === 0 || (table[e + 1] === ix && table[e + 2] === iy && table[e + 3] === iz)) return e;
      h = (h + 1) & mask;
    }
  }

  private grow(): void {
    const old = this.table;
    const capacity = 2 * (this.mask + 1);
    this.table = new Int32Array(4 * capacity);
    this.mask = capacity - 1;
    this.last = -1;
    for (let e = 0; e < old.length; e += 4) {
      if (old[e] === 0) continue;
      const f = this.find(old[e + 1], old[e + 2], old[e + 3]);
      this.table[f] = old[e];
      this.table[f + 1] = old[e + 1];
      this.table[f + 2] = old[e + 2];
      this.table[f + 3] = old[e + 3];
    }
  }
}
