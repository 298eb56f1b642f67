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
 * the metrics of docs/protocols.md#metrics. The mesh must already be in the GT frame.
 */
export function surfaceCorrespondences(
  points: Float64Array,
  normals: Float64Array | undefined,
  mesh: TriangleMesh,
  bvh: TriangleBVH = TriangleBVH.build(mesh.positions, mesh.faces),
): SurfaceCorrespondences {
  const batch = bvh.closestPoints(points);
  return correspondencesFromClosest(points, normals, mesh, batch.points, batch.faces, batch.distances);
}

/**
 * The metrics' correspondences from closest points found elsewhere (e.g. by ICP's last
 * pass): `closest` (c_p, GT frame), `faces` (f_p, faces of `mesh`) and `distances`
 * (‖p − c_p‖₂, GT frame) per GT point; `distances` and `faces` are kept, not copied.
 *
 * `mesh` may be in its own frame: `rotation` (3x3, rows) is then the linear part of the
 * map to the GT frame divided by its scale, and turns the mesh's face normals into the
 * aligned mesh's. A reflection (determinant −1) would also flip the normals' orientation,
 * which |n_p · normal(f_p)| ignores. Default: the identity (mesh already in the GT frame).
 */
export function correspondencesFromClosest(
  points: Float64Array,
  normals: Float64Array | undefined,
  mesh: TriangleMesh,
  closest: Float64Array,
  faces: Int32Array,
  distances: Float64Array,
  rotation?: Float64Array,
): SurfaceCorrespondences {
  const n = points.length / 3;
  if (closest.length !== 3 * n || faces.length !== n || distances.length !== n) {
    throw new RangeError(`correspondencesFromClosest: ${n} points but ${closest.length / 3} closest points, ${faces.length} faces, ${distances.length} distances`);
  }
  if (rotation && rotation.length !== 9) throw new RangeError(`correspondencesFromClosest: rotation has ${rotation.length} entries, 9 needed`);
  const manhattan = new Float64Array(n);
  const normalCosines = new Float64Array(n).fill(Number.NaN);
  const pos = mesh.positions;
  const tri = mesh.faces;
  const r00 = rotation ? rotation[0] : 1, r01 = rotation ? rotation[1] : 0, r02 = rotation ? rotation[2] : 0;
  const r10 = rotation ? rotation[3] : 0, r11 = rotation ? rotation[4] : 1, r12 = rotation ? rotation[5] : 0;
  const r20 = rotation ? rotation[6] : 0, r21 = rotation ? rotation[7] : 0, r22 = rotation ? rotation[8] : 1;
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
    const mx = e1y * e2z - e1z * e2y;
    const my = e1z * e2x - e1x * e2z;
    const mz = e1x * e2y - e1y * e2x;
    const fx = r00 * mx + r01 * my + r02 * mz;
    const fy = r10 * mx + r11 * my + r12 * mz;
    const fz = r20 * mx + r21 * my + r22 * mz;
    const nx = normals[3 * i], ny = normals[3 * i + 1], nz = normals[3 * i + 2];
    const fl = Math.sqrt(fx * fx + fy * fy + fz * fz);
    const nl = Math.sqrt(nx * nx + ny * ny + nz * nz);
    if (fl > 0 && nl > 0) normalCosines[i] = Math.abs(fx * nx + fy * ny + fz * nz) / (fl * nl);
  }
  return { distances, manhattan, normalCosines, faces };
}
