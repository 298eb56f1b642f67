/**
 * Geometry containers. Everything is a flat typed array: positions and normals are
 * xyz-interleaved Float64Array (millimetres inside the suite), faces are Uint32Array
 * triangles (three vertex indices each), colours are RGB Uint8Array.
 */
export interface TriangleMesh {
  /** 3·n vertex coordinates. */
  positions: Float64Array;
  /** 3·m vertex indices, counter-clockwise seen from outside. */
  faces: Uint32Array;
  /** Optional 3·n per-vertex normals. */
  normals?: Float64Array;
  /** Optional 3·n per-vertex RGB colours. */
  colors?: Uint8Array;
  /** Optional 2·t texture coordinates (OBJ `vt`). */
  texcoords?: Float64Array;
  /** Optional 3·m per-corner indices into `texcoords`. */
  faceTexcoords?: Uint32Array;
}

export interface PointCloud {
  /** 3·n point coordinates. */
  positions: Float64Array;
  /** Optional 3·n unit normals. */
  normals?: Float64Array;
  /** Optional 3·n RGB colours. */
  colors?: Uint8Array;
}

export type LengthUnit = 'mm' | 'cm' | 'm';

/** Factor that converts a length in `unit` to millimetres. */
export const MM_PER_UNIT: Readonly<Record<LengthUnit, number>> = { mm: 1, cm: 10, m: 1000 };

export function isLengthUnit(value: string): value is LengthUnit {
  return value === 'mm' || value === 'cm' || value === 'm';
}

export function vertexCount(geometry: { positions: Float64Array }): number {
  return geometry.positions.length / 3;
}

export function faceCount(mesh: TriangleMesh): number {
  return mesh.faces.length / 3;
}
