import { TriangleBVH } from '../spatial/index.js';
import type { TriangleMesh } from '../geometry/types.js';

/** Per-point correspondence between GT points and a (prediction) surface. */
export interface SurfaceCorrespondences {
  /** Euclidean distance ‖p − c_p‖₂, mm. */
  distances: Float64Array;
  /** Manhattan distance ‖p − c_p‖₁, mm. */
  manhattan: Float64Array;
  /** |n_p · normal(f_p)|, NaN where the GT normal or the face normal is undefined (zero length). */
  normalCosines: Float64Array;
  /** Closest face per point. */
  faces: Int32Array;
}

/**
 * For every GT point p (with normal n_p when given) find the closest point c_p on the
 * mesh surface and its face f_p, and report the distances and normal agreement used by
 * the metrics of SPEC §4. The mesh must already be in the GT frame.
 */
export function surfaceCorrespondences(
  points: Float64Array,
  normals: Float64Array | undefined,
  mesh: TriangleMesh,
  bvh: TriangleBVH = TriangleBVH.build(mesh.positions, mesh.faces),
): SurfaceCorrespondences {
  const n = points.length / 3;
  const batch = bvh.closestPoints(points);
  const { distances, faces } = batch;
  const closest = batch.points;
  const manhattan = new Float64Array(n);
  const normalCosines = new Float64Array(n).fill(Number.NaN);
  const pos = mesh.positions;
  const tri = mesh.faces;
  for (let i = 0; i < n; i++) {
    manhattan[i] =
      Math.abs(points[3 * i] - closest[3 * i]) + Math.abs(points[3 * i + 1] - closest[3 * i + 1]) + Math.abs(points[3 * i + 2] - closest[3 * i + 2]);
    if (!normals) continue;
    const f = faces[i];
    const a = 3 * tri[3 * f];
    const b = 3 * tri[3 * f + 1];
    const c = 3 * tri[3 * f + 2];
    const e1x = pos[b] - pos[a], e1y = pos[b + 1] - pos[a + 1], e1z = pos[b + 2] - pos[a + 2];
    const e2x = pos[c] - pos[a], e2y = pos[c + 1] - pos[a + 1], e2z = pos[c + 2] - pos[a + 2];
    const fx = e1y * e2z - e1z * e2y;
    const fy = e1z * e2x - e1x * e2z;
    const fz = e1x * e2y - e1y * e2x;
    const nx = normals[3 * i], ny = normals[3 * i + 1], nz = normals[3 * i + 2];
    const fl = Math.sqrt(fx * fx + fy * fy + fz * fz);
    const nl = Math.sqrt(nx * nx + ny * ny + nz * nz);
    if (fl > 0 && nl > 0) normalCosines[i] = Math.abs(fx * nx + fy * ny + fz * nz) / (fl * nl);
  }
  return { distances, manhattan, normalCosines, faces };
}
