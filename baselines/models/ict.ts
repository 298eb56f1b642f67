/**
 * The ICT-FaceKit model (ICT Face Model Light, face + head/neck crop; Li et al., "Learning
 * Formation of Physically-Based Face Attributes", CVPR 2020; MIT license): template, identity
 * PCA modes and ARKit-style expression blendshapes (100 and 53 in the full export), all in
 * millimetres, read from the `.npy`/`.json` files of a model folder whose path the user gives.
 * The layout is documented in test/fixtures/ict-facekit/README.md (that folder is a trimmed
 * export with 20 identity and 11 expression modes). It has no skeleton; its 68 landmarks are
 * vertices, embedded as (face, barycentrics with weight 1 on that vertex's corner).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../../evaluators/errors.js';
import { npyToFloat64, readNpy } from '../../evaluators/io/npy.js';
import type { LandmarkEmbedding, LinearFaceModel } from './linear-model.js';

/** The ICT model with its extras. */
export interface IctModel extends LinearFaceModel {
  expressionNames: string[];
  /** The 68 landmark vertex ids (iBUG order). */
  landmarkVertices: Uint32Array;
  /** Region name → sorted vertex indices (regions.json), when present. */
  regions?: Map<string, Uint32Array>;
}

/** The files an ICT-FaceKit model folder must hold (regions.json is optional). */
export const ICT_MODEL_FILES = ['template.npy', 'faces.npy', 'identity.npy', 'expression.npy', 'expression_names.json', 'landmarks68.json'] as const;

function readJson(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new InputError(path, 'cannot read the file; is this the ICT-FaceKit model folder?');
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new InputError(path, `invalid JSON: ${(e as Error).message}`);
  }
}

/** Embedding of landmarks that are mesh vertices: for each, a face using it, weight 1 on that corner. */
export function vertexLandmarkEmbedding(faces: Uint32Array, vertices: ArrayLike<number>, file = 'landmarks'): LandmarkEmbedding {
  const L = vertices.length;
  const want = new Map<number, number[]>();
  for (let k = 0; k < L; k++) {
    const list = want.get(vertices[k]) ?? [];
    list.push(k);
    want.set(vertices[k], list);
  }
  const out: LandmarkEmbedding = { faces: new Uint32Array(L), barycentrics: new Float64Array(3 * L) };
  const found = new Uint8Array(L);
  for (let t = 0; t < faces.length / 3 && want.size > 0; t++) {
    for (let c = 0; c < 3; c++) {
      const list = want.get(faces[3 * t + c]);
      if (list === undefined) continue;
      for (const k of list) {
        out.faces[k] = t;
        out.barycentrics[3 * k + c] = 1;
        found[k] = 1;
      }
      want.delete(faces[3 * t + c]);
    }
  }
  const missing = found.indexOf(0);
  if (missing >= 0) throw new InputError(file, `landmark ${missing} is vertex ${vertices[missing]}, which no face uses`);
  return out;
}

/**
 * Load the ICT-FaceKit model from the folder `dir` (an ICT-FaceKit export in the layout of
 * test/fixtures/ict-facekit/README.md). There is no default folder: InputError without one.
 */
export function loadIctModel(dir: string): IctModel {
  if (typeof dir !== 'string' || dir.trim() === '') {
    throw new InputError('ICT-FaceKit model', `no model folder given: pass the folder of an ICT-FaceKit export (${ICT_MODEL_FILES.join(', ')})`);
  }
  const npy = (name: string, shape: number[]): Float64Array => {
    const path = join(dir, name);
    const a = readNpy(path);
    if (a.shape.length !== shape.length || a.shape.some((d, i) => shape[i] >= 0 && d !== shape[i])) {
      throw new InputError(path, `shape (${a.shape.join(', ')}) does not match the expected (${shape.map((d) => (d < 0 ? '?' : d)).join(', ')})`);
    }
    return npyToFloat64(a);
  };
  const template = npy('template.npy', [-1, 3]);
  const n = template.length / 3;
  const facesPath = join(dir, 'faces.npy');
  const facesArr = readNpy(facesPath);
  if (facesArr.shape.length !== 2 || facesArr.shape[1] !== 3) throw new InputError(facesPath, `shape (${facesArr.shape.join(', ')}), expected (m, 3)`);
  const faces = Uint32Array.from(facesArr.data);
  for (let i = 0; i < faces.length; i++) if (faces[i] >= n) throw new InputError(facesPath, `face corner ${i} is vertex ${faces[i]}, but the template has ${n}`);
  const identity = npy('identity.npy', [-1, n, 3]);
  const expression = npy('expression.npy', [-1, n, 3]);
  const namesPath = join(dir, 'expression_names.json');
  const names = readJson(namesPath);
  const expressionCount = expression.length / (3 * n);
  if (!Array.isArray(names) || names.length !== expressionCount || names.some((s) => typeof s !== 'string')) {
    throw new InputError(namesPath, `expected a list of ${expressionCount} expression names`);
  }
  const lmPath = join(dir, 'landmarks68.json');
  const lm = readJson(lmPath) as { vertex_indices?: unknown };
  const ids = lm.vertex_indices;
  if (!Array.isArray(ids) || ids.length !== 68 || ids.some((v) => !Number.isInteger(v) || v < 0 || v >= n)) {
    throw new InputError(lmPath, `'vertex_indices' must list 68 vertex ids below ${n}`);
  }
  const landmarkVertices = Uint32Array.from(ids as number[]);
  const model: IctModel = {
    name: 'ict-facekit',
    template,
    faces,
    identityBasis: identity,
    identityCount: identity.length / (3 * n),
    expressionBasis: expression,
    expressionCount,
    expressionNames: names as string[],
    landmarks68: vertexLandmarkEmbedding(faces, landmarkVertices, lmPath),
    landmarkVertices,
  };
  const uvPath = join(dir, 'uv_coords.npy'), cornerPath = join(dir, 'faces_uv.npy');
  if (existsSync(uvPath) && existsSync(cornerPath)) model.uvs = ictVertexUvs(uvPath, cornerPath, faces, n);
  const regionsPath = join(dir, 'regions.json');
  if (existsSync(regionsPath)) {
    const regions = readJson(regionsPath);
    if (typeof regions === 'object' && regions !== null && !Array.isArray(regions)) {
      model.regions = new Map(Object.entries(regions as Record<string, number[]>).map(([k, v]) => [k, Uint32Array.from(v)]));
    }
  }
  return model;
}

/**
 * Per-vertex UVs of the ICT-FaceKit model from its per-corner UVs (`uv_coords.npy` (k, 2) and
 * `faces_uv.npy` (m, 3), the UV index of each face corner). The layout has seams (a vertex may
 * have several UVs): a vertex keeps the UV of its first corner in face order. Vertices on no face
 * get NaN.
 */
export function ictVertexUvs(uvPath: string, cornerPath: string, faces: Uint32Array, n: number): Float64Array {
  const uv = readNpy(uvPath);
  if (uv.shape.length !== 2 || uv.shape[1] !== 2) throw new InputError(uvPath, `shape (${uv.shape.join(', ')}), expected (k, 2)`);
  const coords = npyToFloat64(uv);
  const corners = readNpy(cornerPath);
  if (corners.shape.length !== 2 || corners.shape[1] !== 3 || corners.shape[0] !== faces.length / 3) {
    throw new InputError(cornerPath, `shape (${corners.shape.join(', ')}), expected (${faces.length / 3}, 3) like faces.npy`);
  }
  const index = npyToFloat64(corners);
  const out = new Float64Array(2 * n).fill(Number.NaN);
  const k = coords.length / 2;
  for (let i = 0; i < faces.length; i++) {
    const t = index[i];
    if (!Number.isInteger(t) || t < 0 || t >= k) throw new InputError(cornerPath, `corner ${i} names UV ${t}, but uv_coords has ${k}`);
    const v = faces[i];
    if (!Number.isNaN(out[2 * v])) continue;
    out[2 * v] = coords[2 * t];
    out[2 * v + 1] = coords[2 * t + 1];
  }
  return out;
}
