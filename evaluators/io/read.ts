/**
 * Entry points that read a mesh or point cloud from disk by file type, convert it to
 * millimetres (positions × MM_PER_UNIT[unit]; normals unchanged) and validate it, so every
 * caller gets the same one-line InputError for missing files, unsupported types, broken
 * files, empty geometry and non-finite values.
 */
import { basename, join } from 'node:path';
import { InputError } from '../errors.js';
import { MM_PER_UNIT, type LengthUnit, type PointCloud, type TriangleMesh } from '../geometry/types.js';
import { validateMesh, validatePointCloud } from '../geometry/validate.js';
import { parseColmapPoints3DBin, parseColmapPoints3DTxt } from './colmap.js';
import { extensionOf, pathKind, readInputFile } from './files.js';
import { parseObj } from './obj.js';
import { parsePcd } from './pcd.js';
import { parsePly } from './ply.js';

export interface GeometryReadOptions {
  /** Unit of the file's coordinates (default 'mm'). */
  unit?: LengthUnit;
}

/** Mesh file types `readMesh` accepts. */
export const MESH_EXTENSIONS: readonly string[] = ['.ply', '.obj'];
/** Point cloud file types `readPointCloud` accepts (besides COLMAP folders). */
export const POINT_CLOUD_EXTENSIONS: readonly string[] = ['.ply', '.pcd', '.obj', '.bin', '.txt'];

/** Where `readPointCloud` looks, in order, when given a folder. */
export const COLMAP_CLOUD_CANDIDATES: readonly string[] = [
  'fused.ply', 'points3D.bin', 'points3D.txt',
  'dense/fused.ply', 'dense/0/fused.ply',
  'sparse/points3D.bin', 'sparse/points3D.txt', 'sparse/0/points3D.bin', 'sparse/0/points3D.txt',
];

function scaleInPlace(positions: Float64Array, unit: LengthUnit): void {
  const scale = MM_PER_UNIT[unit];
  if (scale === undefined) throw new Error(`unknown length unit '${String(unit)}'`);
  if (scale === 1) return;
  for (let i = 0; i < positions.length; i++) positions[i] *= scale;
}

function requireFile(path: string, expected: string): void {
  const kind = pathKind(path);
  if (kind === 'missing') throw new InputError(path, 'file not found');
  if (kind === 'directory') throw new InputError(path, `is a folder; expected ${expected}`);
}

/**
 * Read a triangle mesh (.ply or .obj) in `unit` and return it in millimetres. Refuses
 * missing or unreadable files, other types, empty meshes, meshes without faces, NaN/Inf
 * coordinates and face indices out of range.
 */
export function readMesh(path: string, options: GeometryReadOptions = {}): TriangleMesh {
  requireFile(path, 'a mesh file (.ply or .obj)');
  meshType(path);
  return parseMesh(readInputFile(path), path, options);
}

function meshType(file: string): string {
  const ext = extensionOf(file);
  if (ext !== '.ply' && ext !== '.obj') throw new InputError(file, `unsupported mesh type '${ext || '(no extension)'}'; use .ply or .obj`);
  return ext;
}

/**
 * A mesh held in memory (e.g. an archive entry), typed by the extension of `file`, which
 * names it in errors; converted and checked as by {@link readMesh}.
 */
export function parseMesh(bytes: Uint8Array, file: string, options: GeometryReadOptions = {}): TriangleMesh {
  const mesh = meshType(file) === '.ply' ? parsePly(bytes, file) : parseObj(bytes, file);
  scaleInPlace(mesh.positions, options.unit ?? 'mm');
  validateMesh(mesh, file);
  return mesh;
}

/** The point-cloud file inside a COLMAP workspace or model folder (see COLMAP_CLOUD_CANDIDATES). */
export function findColmapCloud(dir: string): string {
  for (const candidate of COLMAP_CLOUD_CANDIDATES) {
    const path = join(dir, candidate);
    if (pathKind(path) === 'file') return path;
  }
  throw new InputError(dir, 'is a folder without a COLMAP point cloud (looked for fused.ply, points3D.bin/.txt, dense/fused.ply, sparse/[0/]points3D.bin/.txt)');
}

function cloudOnly(g: PointCloud): PointCloud {
  const cloud: PointCloud = { positions: g.positions };
  if (g.normals) cloud.normals = g.normals;
  if (g.colors) cloud.colors = g.colors;
  return cloud;
}

/**
 * Read a point cloud in `unit` and return it in millimetres: .ply (faces ignored; also
 * COLMAP `fused.ply`), .pcd, .obj (its vertices), COLMAP points3D.bin/.txt, or a COLMAP
 * folder (see `findColmapCloud`). Refuses missing files, other types, empty clouds and
 * NaN/Inf values.
 */
export function readPointCloud(path: string, options: GeometryReadOptions = {}): PointCloud {
  const kind = pathKind(path);
  if (kind === 'missing') throw new InputError(path, 'file not found');
  const file = kind === 'directory' ? findColmapCloud(path) : path;
  const ext = extensionOf(file);
  let cloud: PointCloud;
  if (ext === '.ply') cloud = cloudOnly(parsePly(readInputFile(file), file));
  else if (ext === '.pcd') cloud = parsePcd(readInputFile(file), file);
  else if (ext === '.obj') cloud = cloudOnly(parseObj(readInputFile(file), file));
  else if (ext === '.bin' || ext === '.txt') {
    const name = basename(file).toLowerCase();
    if (name.startsWith('cameras') || name.startsWith('images')) {
      throw new InputError(file, 'is a COLMAP cameras/images file, not a point cloud; give points3D.bin/.txt or the model folder');
    }
    const bytes = readInputFile(file);
    cloud = cloudOnly(ext === '.bin' ? parseColmapPoints3DBin(bytes, file) : parseColmapPoints3DTxt(bytes, file));
  } else {
    throw new InputError(file, `unsupported point cloud type '${ext || '(no extension)'}'; use .ply, .pcd, .obj, COLMAP points3D.bin/.txt or a COLMAP folder`);
  }
  scaleInPlace(cloud.positions, options.unit ?? 'mm');
  validatePointCloud(cloud, file);
  return cloud;
}
