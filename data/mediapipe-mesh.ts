/**
 * The MediaPipe canonical face mesh (468 vertices with UVs), read at run time from the npm
 * package `@mediapipe/face_mesh` (Apache-2.0). Nothing extracted is stored in this
 * repository: the packed asset file is opened, the byte range of the face-geometry
 * metadata is taken from the package's loader script, and the protobuf is decoded here.
 *
 * Schema (google-ai-edge/mediapipe, mediapipe/modules/face_geometry/protos/):
 *   geometry_pipeline_metadata.proto  GeometryPipelineMetadata { Mesh3d canonical_mesh = 1;
 *     repeated WeightedLandmarkRef procrustes_landmark_basis = 2; InputSource input_source = 3; }
 *   mesh_3d.proto  Mesh3d { VertexType vertex_type = 1 (VERTEX_PT = 0: x y z u v);
 *     PrimitiveType primitive_type = 2 (TRIANGLE = 0); repeated float vertex_buffer = 3;
 *     repeated uint32 index_buffer = 4; }
 * The proto says the XYZ coordinates are centimetres.
 *
 * Frame of the returned mesh (the "model frame" of data/): millimetres, the canonical
 * mesh's own axes: +x towards the subject's left (the image's right for a camera in front
 * of the face), +y up, +z out of the face towards a frontal viewer. Triangles are
 * oriented counter-clockwise seen from outside (outward normals).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { messageField, readFields, repeatedFloat, repeatedVarint } from './protobuf-wire.js';

/** The canonical face mesh in the model frame (mm). */
export interface CanonicalFaceMesh {
  /** 3n vertex positions, mm. */
  positions: Float64Array;
  /** 2n texture coordinates (u, v) in [0, 1]. */
  uvs: Float64Array;
  /** 3m vertex indices, counter-clockwise seen from outside. */
  faces: Uint32Array;
}

/** Path of the metadata blob inside the package's packed asset file. */
export const GEOMETRY_METADATA_ASSET = '/third_party/mediapipe/modules/face_geometry/data/geometry_pipeline_metadata_landmarks.binarypb';
const LOADER_SCRIPT = 'face_mesh_solution_packed_assets_loader.js';
const PACKED_ASSETS = 'face_mesh_solution_packed_assets.data';
const MM_PER_CM = 10;

/** Byte range of one file named in an Emscripten file-packager loader script. */
export interface PackedAssetRange {
  start: number;
  end: number;
}

/**
 * Find `filename`'s byte range in an Emscripten file-packager loader script, which lists
 * its files as `{"filename": "...", "start": S, "end": E, ...}` records.
 */
export function findPackedAsset(loaderText: string, filename: string): PackedAssetRange {
  const record = /\{[^{}]*?"filename"\s*:\s*"([^"]+)"[^{}]*?\}/g;
  for (const m of loaderText.matchAll(record)) {
    if (m[1] !== filename) continue;
    const start = /"start"\s*:\s*(\d+)/.exec(m[0]);
    const end = /"end"\s*:\s*(\d+)/.exec(m[0]);
    if (!start || !end) throw new Error(`the loader record of ${filename} has no start/end`);
    return { start: Number(start[1]), end: Number(end[1]) };
  }
  throw new Error(`${filename} is not listed in the loader script`);
}

/** Decoded `Mesh3d` (raw buffers as stored). */
export interface Mesh3d {
  vertexType: number;
  primitiveType: number;
  vertexBuffer: Float32Array;
  indexBuffer: number[];
}

/** Decode a serialized `Mesh3d` message (field numbers in the file comment). */
export function decodeMesh3d(bytes: Uint8Array): Mesh3d {
  const fields = readFields(bytes);
  const enumField = (n: number): number => {
    const v = repeatedVarint(fields, n);
    return v.length ? v[v.length - 1] : 0;
  };
  return {
    vertexType: enumField(1),
    primitiveType: enumField(2),
    vertexBuffer: repeatedFloat(fields, 3),
    indexBuffer: repeatedVarint(fields, 4),
  };
}

/** Decode `GeometryPipelineMetadata` and return its `canonical_mesh` (field 1). */
export function decodeCanonicalMesh(metadata: Uint8Array): Mesh3d {
  const mesh = messageField(readFields(metadata), 1);
  if (!mesh) throw new Error('GeometryPipelineMetadata has no canonical_mesh (field 1)');
  return decodeMesh3d(mesh);
}

/** Convert a VERTEX_PT / TRIANGLE `Mesh3d` in centimetres to the model frame in mm. */
export function meshFromMesh3d(m: Mesh3d): CanonicalFaceMesh {
  if (m.vertexType !== 0) throw new Error(`canonical mesh vertex type ${m.vertexType} is not VERTEX_PT (0)`);
  if (m.primitiveType !== 0) throw new Error(`canonical mesh primitive type ${m.primitiveType} is not TRIANGLE (0)`);
  if (m.vertexBuffer.length % 5 !== 0) throw new Error(`vertex buffer length ${m.vertexBuffer.length} is not a multiple of 5`);
  if (m.indexBuffer.length % 3 !== 0) throw new Error(`index buffer length ${m.indexBuffer.length} is not a multiple of 3`);
  const n = m.vertexBuffer.length / 5;
  const positions = new Float64Array(3 * n);
  const uvs = new Float64Array(2 * n);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < 3; c++) positions[3 * i + c] = m.vertexBuffer[5 * i + c] * MM_PER_CM;
    uvs[2 * i] = m.vertexBuffer[5 * i + 3];
    uvs[2 * i + 1] = m.vertexBuffer[5 * i + 4];
  }
  const faces = Uint32Array.from(m.indexBuffer);
  for (const v of faces) if (v >= n) throw new Error(`triangle index ${v} out of range for ${n} vertices`);
  return { positions, uvs, faces };
}

/** Folder of the installed `@mediapipe/face_mesh` package. */
export function mediapipePackageDir(): string {
  const require = createRequire(import.meta.url);
  return dirname(require.resolve('@mediapipe/face_mesh'));
}

let cached: CanonicalFaceMesh | undefined;

/**
 * The canonical face mesh, extracted from the installed npm package on first use and
 * cached in memory. Throws a message naming the file when the package is missing or
 * its assets are not laid out as expected.
 */
export function loadCanonicalFaceMesh(): CanonicalFaceMesh {
  if (cached) return cached;
  let dir: string;
  try {
    dir = mediapipePackageDir();
  } catch {
    throw new Error('@mediapipe/face_mesh is not installed: run `npm install` in the repository');
  }
  const loaderPath = join(dir, LOADER_SCRIPT);
  const dataPath = join(dir, PACKED_ASSETS);
  let range: PackedAssetRange;
  try {
    range = findPackedAsset(readFileSync(loaderPath, 'utf8'), GEOMETRY_METADATA_ASSET);
  } catch (e) {
    throw new Error(`${loaderPath}: ${(e as Error).message}`);
  }
  const data = readFileSync(dataPath);
  if (range.end > data.length || range.start >= range.end) throw new Error(`${dataPath}: asset range ${range.start}..${range.end} outside the ${data.length}-byte file`);
  try {
    cached = meshFromMesh3d(decodeCanonicalMesh(new Uint8Array(data.buffer, data.byteOffset + range.start, range.end - range.start)));
  } catch (e) {
    throw new Error(`${dataPath}: ${(e as Error).message}`);
  }
  return cached;
}
