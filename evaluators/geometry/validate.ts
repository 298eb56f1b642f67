import { InputError } from '../errors.js';
import type { PointCloud, TriangleMesh } from './types.js';

/** Index of the first non-finite value, or -1. */
export function firstNonFinite(values: ArrayLike<number>): number {
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i])) return i;
  }
  return -1;
}

/**
 * Refuse a point cloud that cannot be scored: no points, NaN/Inf coordinates or normals,
 * or arrays whose lengths disagree. `file` names the source in the error.
 */
export function validatePointCloud(cloud: PointCloud, file: string): void {
  const n = cloud.positions.length;
  if (n % 3 !== 0) throw new InputError(file, `position array length ${n} is not a multiple of 3`);
  if (n === 0) throw new InputError(file, 'the point cloud is empty (0 points)');
  const bad = firstNonFinite(cloud.positions);
  if (bad >= 0) {
    throw new InputError(file, `point ${Math.floor(bad / 3)} has a non-finite coordinate (${cloud.positions[bad]})`);
  }
  if (cloud.normals) {
    if (cloud.normals.length !== n) throw new InputError(file, `has ${cloud.normals.length / 3} normals for ${n / 3} points`);
    const badN = firstNonFinite(cloud.normals);
    if (badN >= 0) throw new InputError(file, `normal ${Math.floor(badN / 3)} is not finite (${cloud.normals[badN]})`);
  }
  if (cloud.colors && cloud.colors.length !== n) {
    throw new InputError(file, `has ${cloud.colors.length / 3} colours for ${n / 3} points`);
  }
}

/**
 * Refuse a mesh that cannot be scored: no vertices or no faces, non-finite coordinates,
 * face indices out of range.
 */
export function validateMesh(mesh: TriangleMesh, file: string): void {
  const nv = mesh.positions.length / 3;
  if (mesh.positions.length % 3 !== 0) throw new InputError(file, `position array length ${mesh.positions.length} is not a multiple of 3`);
  if (nv === 0) throw new InputError(file, 'the mesh is empty (0 vertices)');
  if (mesh.faces.length % 3 !== 0) throw new InputError(file, `face array length ${mesh.faces.length} is not a multiple of 3`);
  if (mesh.faces.length === 0) throw new InputError(file, 'the mesh has no faces; a surface is needed (a point cloud cannot be scored as a prediction)');
  const bad = firstNonFinite(mesh.positions);
  if (bad >= 0) {
    throw new InputError(file, `vertex ${Math.floor(bad / 3)} has a non-finite coordinate (${mesh.positions[bad]})`);
  }
  const faces = mesh.faces;
  for (let i = 0; i < faces.length; i++) {
    if (faces[i] >= nv) {
      throw new InputError(file, `face ${Math.floor(i / 3)} refers to vertex ${faces[i]}, but the mesh has ${nv} vertices`);
    }
  }
  if (mesh.normals && mesh.normals.length !== mesh.positions.length) {
    throw new InputError(file, `has ${mesh.normals.length / 3} normals for ${nv} vertices`);
  }
}
