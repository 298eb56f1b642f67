/**
 * The Pixel3DMM tracker's per-frame checkpoint, `checkpoint/<frame:05d>.frame`: a `torch.save`
 * file, i.e. a zip archive holding `<archive>/data.pkl` (a pickle, protocol 2) and, for torch
 * tensors, `<archive>/data/<key>` raw storages. The tracker saves a dict of numpy arrays:
 *
 * - `flame`: `shape` (1, S) identity, `exp` (1, E) expression, `jaw`, `neck`, `R` (1, 6) rotations
 *   in the 6D representation, `R_rotation_matrix` (1, 3, 3), `eyes` (1, 12), `eyelids` (1, 2),
 *   `t` (1, 3);
 * - `camera`: `R_base_<serial>`, `t_base_<serial>`, `fl` focal length, `pp` principal point;
 * - `img_size`, `frame_id`, `global_step`, `joint_transforms`.
 *
 * Every key is checked (an unknown key means another tracker version whose meaning is not
 * known) and the FLAME arrays' shapes too. Numpy arrays come from the pickle reader; tensors
 * (`torch._utils._rebuild_tensor_v2` over a persistent storage id) are read from their storage.
 */
import { readInputFile } from '../../evaluators/io/files.js';
import { readZipEntries } from '../../evaluators/io/zip.js';
import { InputError } from '../../evaluators/errors.js';
import { isNdArray, isPyObject, isTuple, parsePickle, type NdData, type PyValue } from '../models/pickle.js';

/** Said with archive-level zip errors: what the file should have been. */
const TORCH_SAVE_HINT = "a torch.save file is a zip archive — is this the tracker's .frame file?";
/** Most uncompressed bytes read from one checkpoint (a tracker checkpoint is a few kilobytes). */
const MAX_CHECKPOINT_BYTES = 256 * 1024 * 1024;

export interface FrameArray {
  shape: number[];
  data: Float64Array;
}

export interface TrackerFrame {
  /** FLAME parameters by key (`shape`, `exp`, `jaw`, …), flattened; shapes as stored. */
  flame: Map<string, FrameArray>;
  camera: Map<string, FrameArray>;
  frameId?: number;
}

/** FLAME entries: key → the trailing size of the (1, k) array (undefined: any length). */
const FLAME_KEYS: Record<string, number[] | undefined> = {
  shape: undefined,
  exp: undefined,
  jaw: [6],
  neck: [6],
  R: [6],
  R_rotation_matrix: [3, 3],
  eyes: [12],
  eyelids: [2],
  t: [3],
};
const TOP_KEYS = new Set(['flame', 'camera', 'img_size', 'frame_id', 'global_step', 'joint_transforms']);
const CAMERA_KEY = /^(R_base_|t_base_)[A-Za-z0-9_]+$|^(fl|pp)$/;

const STORAGE_DTYPES: Record<string, { size: number; read: (v: DataView, o: number) => number }> = {
  FloatStorage: { size: 4, read: (v, o) => v.getFloat32(o, true) },
  DoubleStorage: { size: 8, read: (v, o) => v.getFloat64(o, true) },
  HalfStorage: { size: 2, read: () => Number.NaN },
  LongStorage: { size: 8, read: (v, o) => Number(v.getBigInt64(o, true)) },
  IntStorage: { size: 4, read: (v, o) => v.getInt32(o, true) },
};

/** A numeric array from a numpy array or a torch tensor; undefined for other values. */
function toArray(v: PyValue, entries: Map<string, Uint8Array>, prefix: string, file: string): FrameArray | undefined {
  if (isNdArray(v)) {
    if (Array.isArray(v.data)) return undefined;
    return { shape: v.shape, data: Float64Array.from(v.data as NdData) };
  }
  if (isPyObject(v) && (v.className === 'torch._utils._rebuild_tensor_v2' || v.className === 'torch._utils._rebuild_tensor')) {
    const [storage, offset, size, stride] = v.args;
    const id = (storage as { kind?: string; id?: PyValue } | null)?.kind === 'persistent' ? (storage as { id: PyValue }).id : undefined;
    if (!isTuple(id) || id[0] !== 'storage' || !Array.isArray(size) || !Array.isArray(stride) || typeof offset !== 'number') {
      throw new InputError(file, 'a tensor in data.pkl has no readable storage reference');
    }
    const type = id[1] as { kind?: string; name?: string };
    const key = String(id[2]);
    const info = type?.kind === 'global' ? STORAGE_DTYPES[type.name ?? ''] : undefined;
    if (!info || info.size === 2) throw new InputError(file, `a tensor in data.pkl uses storage ${type?.name ?? '?'}, which is not read (float, double, int, long)`);
    if (!/^[0-9A-Za-z_]+$/.test(key)) throw new InputError(file, `tensor storage key ${JSON.stringify(key.slice(0, 40))} is not a plain name`);
    const raw = entries.get(`${prefix}data/${key}`);
    if (!raw) throw new InputError(file, `the archive lacks the storage ${prefix}data/${key} of a tensor`);
    const shape = (size as PyValue[]).map(Number);
    const strides = (stride as PyValue[]).map(Number);
    const count = shape.reduce((a, b) => a * b, 1);
    const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    const data = new Float64Array(count);
    const index = new Array<number>(shape.length).fill(0);
    for (let i = 0; i < count; i++) {
      let element = offset;
      for (let d = 0; d < shape.length; d++) element += index[d] * strides[d];
      const at = element * info.size;
      if (element < 0 || at + info.size > raw.length) throw new InputError(file, `tensor storage ${prefix}data/${key} is too short for shape (${shape.join(', ')})`);
      data[i] = info.read(view, at);
      for (let d = shape.length - 1; d >= 0; d--) {
        if (++index[d] < shape[d]) break;
        index[d] = 0;
      }
    }
    return { shape, data };
  }
  return undefined;
}

function dictOf(v: PyValue | undefined, what: string, file: string): Map<string, PyValue> {
  if (!(v instanceof Map)) throw new InputError(file, `${what} is not a dict; is this a Pixel3DMM tracker checkpoint?`);
  const out = new Map<string, PyValue>();
  for (const [k, x] of v) out.set(String(k), x);
  return out;
}

/** Read and check a tracker `.frame` file. */
export function readTrackerFrame(path: string): TrackerFrame {
  const entries = readZipEntries(readInputFile(path), path, { hint: TORCH_SAVE_HINT, maxTotalBytes: MAX_CHECKPOINT_BYTES });
  const pickles = [...entries.keys()].filter((name) => /^[^/]+\/data\.pkl$/.test(name));
  if (pickles.length !== 1) throw new InputError(path, pickles.length === 0 ? 'the archive holds no <name>/data.pkl; not a torch.save file' : 'the archive holds more than one data.pkl');
  const prefix = pickles[0].slice(0, -'data.pkl'.length);
  const top = dictOf(parsePickle(entries.get(pickles[0])!, `${path} (${pickles[0]})`), 'the saved value', path);
  for (const key of top.keys()) if (!TOP_KEYS.has(key)) throw new InputError(path, `unknown key "${key.slice(0, 40)}" (expected ${[...TOP_KEYS].join(', ')}); written by another tracker version?`);
  const flameDict = dictOf(top.get('flame'), '"flame"', path);
  const flame = new Map<string, FrameArray>();
  for (const [key, value] of flameDict) {
    if (!(key in FLAME_KEYS)) throw new InputError(path, `unknown FLAME parameter "flame.${key.slice(0, 40)}" (expected ${Object.keys(FLAME_KEYS).join(', ')})`);
    const a = toArray(value, entries, prefix, path);
    if (!a) throw new InputError(path, `flame.${key} is not a numeric array`);
    const trailing = FLAME_KEYS[key];
    const rank = trailing ? trailing.length : 1;
    const batch = a.shape.length === rank + 1 ? a.shape[0] : a.shape.length === rank ? 1 : -1;
    const tail = a.shape.slice(a.shape.length - rank);
    if (batch !== 1 || (trailing !== undefined && tail.join() !== trailing.join())) {
      throw new InputError(path, `flame.${key} has shape (${a.shape.join(', ')}), expected (1, ${trailing ? trailing.join(', ') : 'k'}): one frame`);
    }
    for (let i = 0; i < a.data.length; i++) if (!Number.isFinite(a.data[i])) throw new InputError(path, `flame.${key} holds a non-finite value at element ${i}`);
    flame.set(key, a);
  }
  if (!flame.has('shape')) throw new InputError(path, 'has no flame.shape (the fitted identity)');
  const camera = new Map<string, FrameArray>();
  if (top.has('camera')) {
    for (const [key, value] of dictOf(top.get('camera'), '"camera"', path)) {
      if (!CAMERA_KEY.test(key)) throw new InputError(path, `unknown camera parameter "camera.${key.slice(0, 40)}" (expected R_base_<serial>, t_base_<serial>, fl, pp)`);
      const a = toArray(value, entries, prefix, path);
      if (!a) throw new InputError(path, `camera.${key} is not a numeric array`);
      camera.set(key, a);
    }
  }
  const frameId = top.get('frame_id');
  return { flame, camera, frameId: typeof frameId === 'number' ? frameId : undefined };
}
