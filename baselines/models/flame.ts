/**
 * FLAME (Li, Bolkart, Black, Li, Romero: "Learning a model of facial shape and expression from 4D
 * scans", SIGGRAPH Asia 2017) is not part of facebench and is never shipped with it. To use a
 * FLAME-based method or the FLAME model layer, register at https://flame.is.tue.mpg.de, accept the
 * FLAME license there, download the model (FLAME 2020 `generic_model.pkl` or FLAME 2023
 * `flame2023*.pkl`; optionally `FLAME_masks.pkl` and a DECA/MICA `landmark_embedding.npy`) and
 * point facebench at your copy of the files. The suite reads the files as distributed (Python-2
 * pickles with numpy, chumpy and scipy objects) or `.npz` conversions with the same keys, without
 * Python. The test suite only uses synthetic files with FLAME's layout.
 *
 * Loader details: the pickle is a dict with `v_template` (n,3), `f` (m,3), `shapedirs` (n,3,K)
 * (a `chumpy.ch.Ch`; FLAME 2020: K = 400 = 300 shape + 100 expression), `posedirs` (n,3,9(J−1)),
 * `J_regressor` (J,n) `scipy.sparse.csc_matrix`, `weights` (n,J) and `kintree_table` (2,J).
 * Lengths are converted from metres to millimetres.
 */
import { readInputFile } from '../../evaluators/io/files.js';
import { InputError } from '../../evaluators/errors.js';
import type { LandmarkEmbedding, LinearFaceModel, Skeleton } from './linear-model.js';
import { cscToDense, isCsc, isNdArray, parsePickle, type NdArray, type PyValue } from './pickle.js';
import { parseNpyValue, parseNpz } from './numpy-files.js';

/** FLAME's joints in kintree order. */
export const FLAME_JOINT_NAMES: readonly string[] = ['global', 'neck', 'jaw', 'eye_left', 'eye_right'];

const MM_PER_M = 1000;

export interface FlameLoadOptions {
  /** `landmark_embedding.npy` (DECA/MICA style) giving the 68 (full) and 51 (static) landmarks. */
  landmarkEmbedding?: string;
  /** `FLAME_masks.pkl` (region name → vertex indices). */
  masks?: string;
  /** Number of leading shapedirs components that are identity (default: 300 when K = 400, else K − expressionCount or K/2). */
  shapeCount?: number;
  /** Number of shapedirs components after the identity ones that are expression (default: the rest). */
  expressionCount?: number;
  /** Model name (default 'flame'). */
  name?: string;
}

/** A FLAME model: the linear model plus FLAME's extras. */
export interface FlameModel extends LinearFaceModel {
  skeleton: Skeleton;
  /** FLAME's 51 static landmarks (the 68 minus the 17 jaw-contour points) when the embedding file gives them. */
  landmarks51?: LandmarkEmbedding;
  /** Region name → sorted vertex indices, from FLAME_masks.pkl. */
  masks?: Map<string, Uint32Array>;
  /** Values of the model file's string entries (e.g. bs_style 'lbs', bs_type 'lrotmin'). */
  info: Record<string, string>;
}

/** Read a pickle, `.npz` or object `.npy` file into a string-keyed dict. */
function readDictFile(path: string): Map<string, PyValue> {
  const bytes = readInputFile(path);
  let value: PyValue;
  if (bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04) value = parseNpz(bytes, path);
  else if (bytes.length >= 6 && bytes[0] === 0x93 && bytes[1] === 0x4e) value = parseNpyValue(bytes, path);
  else value = parsePickle(bytes, path);
  if (!(value instanceof Map)) throw new InputError(path, 'expected a dict (pickle, .npz or object .npy), found another value');
  const out = new Map<string, PyValue>();
  for (const [k, v] of value) out.set(String(k), v);
  return out;
}

function ndarray(dict: Map<string, PyValue>, key: string, file: string, rank?: number): NdArray {
  const v = dict.get(key);
  if (v === undefined) throw new InputError(file, `missing the '${key}' entry; is this a FLAME model file?`);
  // .npz conversions may store a 0-d object array wrapping the value.
  const a = isNdArray(v) && v.dtype === '|O' && v.shape.length === 0 && Array.isArray(v.data) ? v.data[0] : v;
  if (!isNdArray(a) || Array.isArray(a.data)) throw new InputError(file, `'${key}' is not a numeric array`);
  if (rank !== undefined && a.shape.length !== rank) throw new InputError(file, `'${key}' has shape (${a.shape.join(', ')}), expected ${rank} dimensions`);
  return a;
}

function numeric(a: NdArray): ArrayLike<number> {
  return a.data as ArrayLike<number>;
}

/** Dense (rows × cols) joint regressor from a csc_matrix or a dense array. */
function denseRegressor(dict: Map<string, PyValue>, file: string): { data: Float64Array; rows: number; cols: number } {
  let v = dict.get('J_regressor');
  if (isNdArray(v) && v.dtype === '|O' && v.shape.length === 0 && Array.isArray(v.data)) v = v.data[0];
  if (isCsc(v)) return { data: cscToDense(v), rows: v.shape[0], cols: v.shape[1] };
  const a = ndarray(dict, 'J_regressor', file, 2);
  return { data: Float64Array.from(numeric(a)), rows: a.shape[0], cols: a.shape[1] };
}

/** Split of the K shapedirs components into identity and expression counts. */
export function flameSplit(K: number, shapeCount?: number, expressionCount?: number): { shape: number; expression: number } {
  let shape: number, expression: number;
  if (shapeCount !== undefined) {
    shape = shapeCount;
    expression = expressionCount ?? K - shapeCount;
  } else if (expressionCount !== undefined) {
    expression = expressionCount;
    shape = K - expressionCount;
  } else if (K === 400) {
    shape = 300; expression = 100;
  } else {
    shape = Math.ceil(K / 2); expression = K - shape;
  }
  if (!Number.isInteger(shape) || !Number.isInteger(expression) || shape < 0 || expression < 0 || shape + expression > K) {
    throw new RangeError(`cannot split ${K} shapedirs components into ${shape} shape + ${expression} expression`);
  }
  return { shape, expression };
}

/** Load FLAME from the files as distributed (see the file comment). */
export function loadFlame(modelPath: string, options: FlameLoadOptions = {}): FlameModel {
  const file = modelPath;
  const dict = readDictFile(modelPath);
  const vt = ndarray(dict, 'v_template', file, 2);
  const n = vt.shape[0];
  if (vt.shape[1] !== 3) throw new InputError(file, `'v_template' has shape (${vt.shape.join(', ')}), expected (n, 3)`);
  const f = ndarray(dict, 'f', file, 2);
  if (f.shape[1] !== 3) throw new InputError(file, `'f' has shape (${f.shape.join(', ')}), expected (m, 3)`);
  const faces = Uint32Array.from(numeric(f));
  for (let i = 0; i < faces.length; i++) if (faces[i] >= n) throw new InputError(file, `'f' references vertex ${faces[i]}, but there are ${n}`);
  const sd = ndarray(dict, 'shapedirs', file, 3);
  if (sd.shape[0] !== n || sd.shape[1] !== 3) throw new InputError(file, `'shapedirs' has shape (${sd.shape.join(', ')}), expected (${n}, 3, K)`);
  const K = sd.shape[2];
  let split: { shape: number; expression: number };
  try {
    split = flameSplit(K, options.shapeCount, options.expressionCount);
  } catch (e) {
    throw new InputError(file, `${(e as Error).message}; check shapeCount/expressionCount`);
  }
  const len = 3 * n;
  const template = new Float64Array(len);
  const vtd = numeric(vt);
  for (let i = 0; i < len; i++) template[i] = vtd[i] * MM_PER_M;
  const sdd = numeric(sd);
  const modes = (first: number, count: number): Float64Array => {
    const out = new Float64Array(count * len);
    for (let k = 0; k < count; k++) {
      const o = k * len;
      for (let i = 0; i < len; i++) out[o + i] = sdd[i * K + first + k] * MM_PER_M;
    }
    return out;
  };

  // Skeleton.
  const kt = ndarray(dict, 'kintree_table', file, 2);
  const J = kt.shape[1];
  const ktd = numeric(kt);
  const parents = new Int32Array(J);
  for (let j = 0; j < J; j++) {
    const p = ktd[j];
    parents[j] = p >= J || p < 0 ? -1 : p;
    if (j > 0 && !(parents[j] >= 0 && parents[j] < j)) throw new InputError(file, `kintree_table: joint ${j} has parent ${p}; parents must precede their children`);
  }
  if (parents[0] !== -1) throw new InputError(file, 'kintree_table: joint 0 must be the root');
  const reg = denseRegressor(dict, file);
  if (reg.rows !== J || reg.cols !== n) throw new InputError(file, `'J_regressor' is (${reg.rows}, ${reg.cols}), expected (${J}, ${n})`);
  const w = ndarray(dict, 'weights', file, 2);
  if (w.shape[0] !== n || w.shape[1] !== J) throw new InputError(file, `'weights' has shape (${w.shape.join(', ')}), expected (${n}, ${J})`);
  const skeleton: Skeleton = {
    names: J === FLAME_JOINT_NAMES.length ? [...FLAME_JOINT_NAMES] : Array.from({ length: J }, (_, j) => `joint_${j}`),
    parents,
    jointRegressor: reg.data,
    weights: Float64Array.from(numeric(w)),
  };
  if (dict.has('posedirs')) {
    const pd = ndarray(dict, 'posedirs', file, 3);
    const P = 9 * (J - 1);
    if (pd.shape[0] !== n || pd.shape[1] !== 3 || pd.shape[2] !== P) throw new InputError(file, `'posedirs' has shape (${pd.shape.join(', ')}), expected (${n}, 3, ${P})`);
    const pdd = numeric(pd);
    const basis = new Float64Array(P * len);
    for (let p = 0; p < P; p++) {
      const o = p * len;
      for (let i = 0; i < len; i++) basis[o + i] = pdd[i * P + p] * MM_PER_M;
    }
    skeleton.poseBasis = basis;
  }

  const info: Record<string, string> = {};
  for (const [k, v] of dict) if (typeof v === 'string') info[k] = v;

  const model: FlameModel = {
    name: options.name ?? 'flame',
    template,
    faces,
    identityBasis: modes(0, split.shape),
    identityCount: split.shape,
    expressionBasis: modes(split.shape, split.expression),
    expressionCount: split.expression,
    skeleton,
    info,
  };
  if (options.landmarkEmbedding !== undefined) {
    const emb = loadFlameLandmarkEmbedding(options.landmarkEmbedding, faces.length / 3);
    if (emb.full !== undefined) model.landmarks68 = emb.full;
    if (emb.static !== undefined) model.landmarks51 = emb.static;
  }
  if (options.masks !== undefined) model.masks = loadFlameMasks(options.masks, n);
  return model;
}

function embeddingFrom(dict: Map<string, PyValue>, facesKey: string, baryKey: string, file: string, faceCount: number): LandmarkEmbedding | undefined {
  if (!dict.has(facesKey) || !dict.has(baryKey)) return undefined;
  const fi = ndarray(dict, facesKey, file);
  const bc = ndarray(dict, baryKey, file);
  const L = fi.shape.reduce((a, b) => a * b, 1);
  if (bc.shape.reduce((a, b) => a * b, 1) !== 3 * L || bc.shape[bc.shape.length - 1] !== 3) {
    throw new InputError(file, `'${baryKey}' has shape (${bc.shape.join(', ')}), expected (${L}, 3)`);
  }
  const faces = Uint32Array.from(numeric(fi));
  for (let k = 0; k < L; k++) if (faces[k] >= faceCount) throw new InputError(file, `'${facesKey}' entry ${k} is face ${faces[k]}, but the model has ${faceCount} faces`);
  return { faces, barycentrics: Float64Array.from(numeric(bc)) };
}

/**
 * DECA/MICA `landmark_embedding.npy`: `full_lmk_faces_idx` (1,68) + `full_lmk_bary_coords` (1,68,3)
 * give the 68 landmarks, `static_lmk_*` the 51 static ones. The dynamic (contour) entries,
 * torch-pickled in the real file, are not used.
 */
export function loadFlameLandmarkEmbedding(path: string, faceCount = Infinity): { full?: LandmarkEmbedding; static?: LandmarkEmbedding } {
  const dict = readDictFile(path);
  const full = embeddingFrom(dict, 'full_lmk_faces_idx', 'full_lmk_bary_coords', path, faceCount);
  const stat = embeddingFrom(dict, 'static_lmk_faces_idx', 'static_lmk_bary_coords', path, faceCount)
    ?? embeddingFrom(dict, 'lmk_face_idx', 'lmk_b_coords', path, faceCount);
  if (full === undefined && stat === undefined) throw new InputError(path, 'no landmark embedding found (expected full_lmk_faces_idx/full_lmk_bary_coords or static_lmk_faces_idx/static_lmk_bary_coords)');
  const out: { full?: LandmarkEmbedding; static?: LandmarkEmbedding } = {};
  if (full !== undefined) {
    if (full.faces.length !== 68) throw new InputError(path, `full_lmk_faces_idx has ${full.faces.length} landmarks, expected 68`);
    out.full = full;
  }
  if (stat !== undefined) out.static = stat;
  return out;
}

/**
 * A MediaPipe landmark embedding of FLAME (`mediapipe_landmark_embedding.npz`, shipped with
 * Metrical Tracker and SMIRK): `lmk_face_idx` (L), `lmk_b_coords` (L×3) and `landmark_indices`
 * (L: which of MediaPipe's 478 points each landmark is). Returns the embedding and those indices.
 */
export function loadMediapipeEmbedding(path: string, faceCount = Infinity): { embedding: LandmarkEmbedding; meshIndices: Uint32Array } {
  const dict = readDictFile(path);
  const embedding = embeddingFrom(dict, 'lmk_face_idx', 'lmk_b_coords', path, faceCount);
  if (!embedding || !dict.has('landmark_indices')) throw new InputError(path, 'not a MediaPipe landmark embedding (expected lmk_face_idx, lmk_b_coords and landmark_indices)');
  const meshIndices = Uint32Array.from(numeric(ndarray(dict, 'landmark_indices', path)));
  if (meshIndices.length !== embedding.faces.length) throw new InputError(path, `landmark_indices has ${meshIndices.length} entries for ${embedding.faces.length} landmarks`);
  for (const i of meshIndices) if (i >= 478) throw new InputError(path, `landmark_indices lists MediaPipe point ${i}; MediaPipe has 478`);
  return { embedding, meshIndices };
}

/** `FLAME_masks.pkl`: region name → sorted vertex indices (file order kept). */
export function loadFlameMasks(path: string, vertexCount = Infinity): Map<string, Uint32Array> {
  const dict = readDictFile(path);
  const out = new Map<string, Uint32Array>();
  for (const key of dict.keys()) {
    const a = ndarray(dict, key, path, 1);
    const idx = Uint32Array.from(numeric(a));
    for (let i = 0; i < idx.length; i++) if (idx[i] >= vertexCount) throw new InputError(path, `mask '${key}' lists vertex ${idx[i]}, but the model has ${vertexCount}`);
    out.set(key, idx);
  }
  return out;
}
