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

/**
 * Largest |coordinate| accepted for scoring, in mm (docs/conventions.md#coordinate-bounds):
 * 1e5 mm = 100 m, 500 times the size of a face (about 200 mm across). A real scan or
 * prediction lies within a few metres of its origin; larger values are a wrong unit or a
 * broken file, and would make the search structures' arithmetic meaningless.
 */
export const MAX_COORDINATE_MM = 1e5;

/**
 * Fewest GT points a scoring accepts (docs/protocols.md#minimum-gt-points): one point then
 * moves a recall figure by at most 1 %, and ICP (7 parameters) and the normal estimate (20
 * neighbours) stay well determined. A real face scan has tens of thousands.
 */
export const MIN_GT_POINTS = 100;

/** How a coordinate-bound error tells the user to check the unit, e.g. `--pred-unit`. */
export interface UnitHint {
  /** The option that declares the unit of this input (omitted where there is none). */
  unitOption?: string;
}

function unitAdvice(hint: UnitHint): string {
  return hint.unitOption ? `check the unit (${hint.unitOption}) or the file` : 'check the unit or the file';
}

/**
 * Refuse coordinates beyond ±MAX_COORDINATE_MM (`values` xyz-interleaved, in mm); `what`
 * names an entry (`vertex`, `point`, `landmark`). Non-finite values are refused as such.
 */
export function checkCoordinateBounds(values: ArrayLike<number>, file: string, what: string, hint: UnitHint = {}): void {
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v <= MAX_COORDINATE_MM && v >= -MAX_COORDINATE_MM) continue;
    if (!Number.isFinite(v)) throw new InputError(file, `${what} ${Math.floor(i / 3)} has a non-finite coordinate (${v})`);
    throw new InputError(
      file,
      `${what} ${Math.floor(i / 3)} has a coordinate of ${Number(v.toPrecision(6))} mm, beyond the accepted ±${MAX_COORDINATE_MM} mm (a face is about 200 mm across): ${unitAdvice(hint)}`,
    );
  }
}

/** Index of the first triangle with a non-zero area (a non-zero cross product of its edges), or -1. */
export function firstNonDegenerateTriangle(mesh: TriangleMesh): number {
  const p = mesh.positions;
  const faces = mesh.faces;
  for (let f = 0; f < faces.length; f += 3) {
    const a = 3 * faces[f], b = 3 * faces[f + 1], c = 3 * faces[f + 2];
    const ux = p[b] - p[a], uy = p[b + 1] - p[a + 1], uz = p[b + 2] - p[a + 2];
    const vx = p[c] - p[a], vy = p[c + 1] - p[a + 1], vz = p[c + 2] - p[a + 2];
    if (uy * vz - uz * vy !== 0 || uz * vx - ux * vz !== 0 || ux * vy - uy * vx !== 0) return f / 3;
  }
  return -1;
}

/**
 * Refuse a prediction that cannot be scored beyond `validateMesh`'s checks (which it runs
 * first): coordinates beyond MAX_COORDINATE_MM, or no triangle with a non-zero area (a
 * mesh collapsed to points or lines has no surface and no normals). Used by scoring and
 * by `facebench validate`, so both refuse the same meshes.
 */
export function validatePredictionMesh(mesh: TriangleMesh, file: string, hint: UnitHint = {}): void {
  validateMesh(mesh, file);
  checkCoordinateBounds(mesh.positions, file, 'vertex', hint);
  if (firstNonDegenerateTriangle(mesh) < 0) {
    const n = mesh.faces.length / 3;
    throw new InputError(file, `none of its ${n} triangle${n === 1 ? '' : 's'} has a non-zero area: a degenerate mesh cannot be scored; export the surface again`);
  }
}

/**
 * Refuse a GT cloud that cannot be scored beyond `validatePointCloud`'s checks (which it
 * runs first): coordinates beyond MAX_COORDINATE_MM, or fewer than MIN_GT_POINTS points.
 */
export function validateGroundTruthCloud(cloud: PointCloud, file: string, hint: UnitHint = {}): void {
  validatePointCloud(cloud, file);
  checkCoordinateBounds(cloud.positions, file, 'point', hint);
  const n = cloud.positions.length / 3;
  if (n < MIN_GT_POINTS) {
    throw new InputError(file, `the GT cloud has ${n} point${n === 1 ? '' : 's'}, fewer than the ${MIN_GT_POINTS} a scoring needs; give the whole scan`);
  }
}

/** Refuse landmarks (xyz-interleaved, mm) that are non-finite or beyond MAX_COORDINATE_MM. */
export function validateLandmarkBounds(landmarks: Float64Array, file: string, hint: UnitHint = {}): void {
  checkCoordinateBounds(landmarks, file, 'landmark', hint);
}
