/**
 * FaceScape's single-view-reconstruction benchmark data as downloaded (zhuhao-nju/facescape,
 * folder `benchmark/`, MIT; layout facts from its `code/evaluator.py`), read into the
 * samples the `facescape-wild` / `facescape-lab` protocols score:
 *
 * - `data/wild_gt_mesh/<NNN>.obj`, NNN = 000…399: in-the-wild GT in the orthographic cube.
 * - `data/lab_gt_mesh/<SS>.obj`, SS = 00…19: in-the-lab GT of a subject, pupil-distance units.
 * - `data/lab_cam/<SS>_<F>_<VV>.json`: `[K (3×3), Rt (3×4)]`; the GT in the OpenCV camera
 *   frame in mm is `R·(62.85·v) + 62.85·t`.
 * - `code/predef/`: `wild_pupil_scales.npy` (400,), `wild_head_centers.npy` (400,3),
 *   `wild_rotations.npy` (400,3,3), `lab_head_centers.npy` (3,3) per focal index,
 *   `lab_rotations.npy` (11,3,3) per view index.
 * - Input images (optional): any subfolder of `data/` holding files named like the samples
 *   (`000.jpg`, `00_0_00.png`, …).
 *
 * The root is the `benchmark/` folder or its `data/` folder (predef then `../code/predef`).
 * File names come only from directory listings and become paths only once they match a
 * sample name; symbolic links inside the data are refused.
 */
import { createHash } from 'node:crypto';
import { existsSync, lstatSync, readdirSync, statSync, type Dirent } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { InputError, fileSystemInputError } from '../errors.js';
import type { TriangleMesh } from '../geometry/types.js';
import { readInputFile, sha256File } from '../io/files.js';
import { npyToFloat64, parseNpy } from '../io/npy.js';
import { readMesh } from '../io/read.js';
import { FACESCAPE_PUPIL_DISTANCE_MM, type FacescapeSet, type FacescapeView } from '../protocols/facescape-view.js';
import { assertNoLinks, childPath } from '../util/safe-name.js';
import { FACESCAPE_LAB, facescapeSampleIndex, labTriple, type FacescapeLabTriple } from './facescape-samples.js';
import { FACESCAPE_SAMPLES } from './facescape-results.js';

export interface FacescapeSample {
  set: FacescapeSet;
  /** `000` (in-the-wild) or `00_0_00` (in-the-lab), as {@link facescapeSampleName}. */
  name: string;
  /** FaceScape's sample index: in-the-wild 0…399; in-the-lab subject·33 + focal·11 + view. */
  index: number;
  /** In-the-lab only. */
  lab?: FacescapeLabTriple;
  /** In-the-wild: '0-5' | '5-30' | '30-60' | '60-90' (index / 100); in-the-lab: '0' (view 0) | '30' (1–8) | '60' (9–10). */
  angleBin: string;
  /** Path of the GT OBJ. */
  gtMesh: string;
  /** In-the-lab: path of the camera JSON. */
  camera?: string;
  /** Path of the input image, when one was found. */
  image?: string;
  view: FacescapeView;
  /** In-the-lab: R (row-major 9) and 62.85·t (mm) taking the GT (×62.85) to the camera frame. */
  gtTransform?: { rotation: number[]; translation: number[] };
}

export interface FacescapeBenchmark {
  /** The `benchmark/` folder (the parent of `data/`), whichever form was given. */
  root: string;
  set: FacescapeSet;
  samples: FacescapeSample[];
  /**
   * sha256 over the relative paths (`data/…`, `code/predef/…`, whatever root form or predef
   * folder was given) and contents of the GT meshes, camera files and predef files read.
   */
  id: string;
}

export interface FacescapeReadOptions {
  /** Folder of the predef .npy files (default `<benchmark>/code/predef`). */
  predefDir?: string;
  /** Only these sample names (each must be a sample of the set present in the data). */
  samples?: readonly string[];
}

const WILD_GT = 'wild_gt_mesh';
const LAB_GT = 'lab_gt_mesh';
const LAB_CAM = 'lab_cam';
const DATA_FOLDERS = [WILD_GT, LAB_GT, LAB_CAM];
const IMAGE = /^(.+)\.(jpg|jpeg|png)$/i;
const WILD_BINS = ['0-5', '5-30', '30-60', '60-90'];
/** Largest |RᵀR − I| entry and smallest det accepted for a rotation. */
const ORTHONORMAL_TOLERANCE = 1e-4;

const SET_TEXT: Record<FacescapeSet, string> = { fswild: 'in-the-wild', fslab: 'in-the-lab' };

/** The angle bin of a sample (FaceScape's table columns). */
export function facescapeAngleBin(set: FacescapeSet, index: number): string {
  if (set === 'fswild') return WILD_BINS[Math.floor(index / 100)];
  const view = labTriple(index).view;
  return view === 0 ? '0' : view <= 8 ? '30' : '60';
}

function isLink(path: string): boolean {
  try {
    return lstatSync(path).isSymbolicLink();
  } catch {
    return false;
  }
}

function isDir(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

function isFile(path: string): boolean {
  try {
    return lstatSync(path).isFile();
  } catch {
    return false;
  }
}

function listDir(dir: string): Dirent[] {
  try {
    return readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  } catch (e) {
    throw fileSystemInputError(e) ?? e;
  }
}

/** Refuse symbolic links at or below `dir` (which may itself be a link only when it is `root`), with a reader's message. */
function refuseLinks(dir: string, root: string, what: string): void {
  try {
    assertNoLinks(dir, root);
  } catch (e) {
    if (e instanceof InputError) throw new InputError(e.file, `is a symbolic link inside ${what}; facebench reads only the files actually there: replace the link by the file or folder it points to`);
    throw fileSystemInputError(e) ?? e;
  }
}

interface Layout {
  benchmark: string;
  data: string;
  predef: string;
  /** Whether predef is the default `<benchmark>/code/predef` (then it must hold no links either). */
  defaultPredef: boolean;
}

function locate(root: string, predefDir: string | undefined): Layout {
  if (!existsSync(root)) throw new InputError(root, "no such folder (give FaceScape's benchmark/ folder or its data/ folder)");
  if (!isDir(root)) throw new InputError(root, "is a file; give FaceScape's benchmark/ folder or its data/ folder");
  const holdsData = (d: string) => DATA_FOLDERS.some((f) => isDir(join(d, f)));
  const nested = join(root, 'data');
  let benchmark: string;
  let data: string;
  if (isDir(nested) && holdsData(nested)) {
    benchmark = root;
    data = nested;
  } else if (holdsData(root)) {
    data = root;
    benchmark = dirname(resolve(root));
  } else {
    throw new InputError(root, `not FaceScape's benchmark data: expected a data/ folder (or this folder itself) holding ${DATA_FOLDERS.join('/, ')}/ as extracted from data.zip`);
  }
  const predef = predefDir ?? join(benchmark, 'code', 'predef');
  return { benchmark, data, predef, defaultPredef: predefDir === undefined };
}

/**
 * Read FaceScape's benchmark data for one set: every sample present (in-the-wild: its GT
 * mesh exists; in-the-lab: its camera JSON and its subject's GT mesh exist), in index order,
 * with its view from the predef arrays. Bad input is a one-line InputError naming the file.
 * GT meshes are parsed only by {@link loadFacescapeGt}.
 */
export function readFacescapeBenchmark(root: string, set: FacescapeSet, options: FacescapeReadOptions = {}): FacescapeBenchmark {
  const layout = locate(root, options.predefDir);
  refuseLinks(layout.data, layout.data === root ? root : layout.benchmark, `FaceScape's data folder ${layout.data}`);
  let found = set === 'fswild' ? listWild(layout.data) : listLab(layout.data);
  if (options.samples !== undefined) found = restrict(found, options.samples, set, layout.data);
  const hashed: HashedFile[] = [];
  const predef = readPredef(layout, set, found, hashed);
  const images = findImages(layout.data, set);
  const samples = found.map((f): FacescapeSample => {
    const base = { set, name: f.name, index: f.index, angleBin: facescapeAngleBin(set, f.index), gtMesh: f.gtMesh };
    const image = images.get(f.name);
    if (set === 'fswild') {
      const i = f.index;
      return {
        ...base,
        ...(image !== undefined ? { image } : {}),
        view: {
          set,
          pupilScale: predef.scales![i],
          headCentre: Array.from(predef.centres.subarray(3 * i, 3 * i + 3)),
          rotation: Array.from(predef.rotations.subarray(9 * i, 9 * i + 9)),
        },
      };
    }
    const lab = labTriple(f.index);
    const cam = readCamera(f.camera!, hashed, relative(layout.benchmark, f.camera!));
    return {
      ...base,
      lab,
      camera: f.camera,
      ...(image !== undefined ? { image } : {}),
      view: {
        set,
        pupilScale: 1,
        K: cam.K,
        headCentre: Array.from(predef.centres.subarray(3 * lab.focal, 3 * lab.focal + 3)),
        rotation: Array.from(predef.rotations.subarray(9 * lab.view, 9 * lab.view + 9)),
      },
      gtTransform: { rotation: cam.R, translation: cam.t.map((v) => v * FACESCAPE_PUPIL_DISTANCE_MM) },
    };
  });
  const gtFiles = [...new Set(found.map((f) => f.gtMesh))];
  // The GT meshes are hashed, not read here: they are parsed per sample by loadFacescapeGt.
  for (const path of gtFiles) hashed.push({ rel: relative(layout.benchmark, path), sha256: sha256File(path) });
  return { root: layout.benchmark, set, samples, id: contentId(set, hashed) };
}

interface Found {
  name: string;
  index: number;
  gtMesh: string;
  camera?: string;
}

function requireFolder(data: string, folder: string, expected: string): string {
  const path = join(data, folder);
  if (!isDir(path)) throw new InputError(data, `has no ${folder}/ folder (expected ${expected}, as extracted from FaceScape's data.zip)`);
  return path;
}

function listWild(data: string): Found[] {
  const dir = requireFolder(data, WILD_GT, `${WILD_GT}/<NNN>.obj, NNN = 000…399`);
  const out: Found[] = [];
  for (const entry of listDir(dir)) {
    if (!entry.isFile() || !entry.name.endsWith('.obj')) continue;
    const name = entry.name.slice(0, -4);
    const index = facescapeSampleIndex('fswild', name);
    if (index === undefined) continue;
    out.push({ name, index, gtMesh: childPath(dir, [entry.name], 'GT mesh file name', dir) });
  }
  if (out.length === 0) throw new InputError(dir, 'holds no in-the-wild GT meshes (expected <NNN>.obj, NNN = 000…399)');
  return out.sort((a, b) => a.index - b.index);
}

function listLab(data: string): Found[] {
  const cams = requireFolder(data, LAB_CAM, `${LAB_CAM}/<SS>_<F>_<VV>.json`);
  const gts = requireFolder(data, LAB_GT, `${LAB_GT}/<SS>.obj, SS = 00…19`);
  const subjects = new Map<number, string>();
  for (const entry of listDir(gts)) {
    const m = /^(\d{2})\.obj$/.exec(entry.name);
    if (!entry.isFile() || !m || Number(m[1]) >= FACESCAPE_LAB.subjects) continue;
    subjects.set(Number(m[1]), childPath(gts, [entry.name], 'GT mesh file name', gts));
  }
  const out: Found[] = [];
  for (const entry of listDir(cams)) {
    if (!entry.isFile() || !entry.name.endsWith('.json')) continue;
    const name = entry.name.slice(0, -5);
    const index = facescapeSampleIndex('fslab', name);
    if (index === undefined) continue;
    const gtMesh = subjects.get(labTriple(index).subject);
    if (gtMesh === undefined) continue;
    out.push({ name, index, gtMesh, camera: childPath(cams, [entry.name], 'camera file name', cams) });
  }
  if (out.length === 0) {
    throw new InputError(cams, `holds no in-the-lab samples (expected <SS>_<F>_<VV>.json cameras with a matching ${LAB_GT}/<SS>.obj; ${subjects.size} subject GT mesh${subjects.size === 1 ? '' : 'es'} found)`);
  }
  return out.sort((a, b) => a.index - b.index);
}

function restrict(found: Found[], names: readonly string[], set: FacescapeSet, data: string): Found[] {
  const byName = new Map(found.map((f) => [f.name, f]));
  const keep = new Set<string>();
  for (const name of names) {
    const index = facescapeSampleIndex(set, name);
    if (index === undefined) {
      const form = set === 'fswild' ? '000…399' : '<SS>_<F>_<VV>, SS < 20, F < 3, VV < 11';
      throw new InputError(data, `${JSON.stringify(String(name)).slice(0, 40)} is not a FaceScape ${SET_TEXT[set]} sample name (${form})`);
    }
    if (!byName.has(name)) {
      const what = set === 'fswild'
        ? `${WILD_GT}/${name}.obj`
        : `${LAB_CAM}/${name}.json and ${LAB_GT}/${name.slice(0, 2)}.obj`;
      throw new InputError(data, `sample ${name} was asked for but is not in the data (needs ${what})`);
    }
    keep.add(name);
  }
  return found.filter((f) => keep.has(f.name));
}

interface Predef {
  scales?: Float64Array;
  centres: Float64Array;
  rotations: Float64Array;
}

function readPredef(layout: Layout, set: FacescapeSet, found: Found[], hashed: HashedFile[]): Predef {
  const dir = layout.predef;
  if (!isDir(dir)) {
    throw new InputError(dir, `no such folder (FaceScape's code/predef folder with the ${set === 'fswild' ? 'wild' : 'lab'}_*.npy files${layout.defaultPredef ? '; give it with the predef option when it is elsewhere' : ''})`);
  }
  refuseLinks(dir, layout.defaultPredef ? layout.benchmark : dir, `the predef folder ${dir}`);
  if (layout.defaultPredef) for (const p of [join(layout.benchmark, 'code'), dir]) if (isLink(p)) throw new InputError(p, 'is a symbolic link inside the benchmark folder; give the predef folder explicitly');
  const load = (file: string, rows: number, minRows: number, tail: number[]) => {
    const path = join(dir, file);
    if (!isFile(path)) throw new InputError(path, `file not found (FaceScape's predef array ${file}, shipped in benchmark/code/predef)`);
    const bytes = readInputFile(path);
    hashed.push({ rel: `code/predef/${file}`, sha256: sha256Bytes(bytes) });
    const array = parseNpy(bytes, path);
    const expected = `(${[rows, ...tail].join(', ')}${tail.length === 0 ? ',' : ''})`;
    if (array.dtype !== 'f8' && array.dtype !== 'f4') throw new InputError(path, `has dtype ${array.descr}, expected float64 (or float32) ${expected}`);
    const shape = array.shape;
    const tailOk = shape.length === 1 + tail.length && tail.every((n, k) => shape[k + 1] === n);
    const rowsOk = shape[0] <= rows && shape[0] >= minRows;
    if (!tailOk || !rowsOk) {
      const fewer = minRows < rows ? ` (fewer rows only when they cover sample index ${minRows - 1})` : '';
      throw new InputError(path, `has shape (${shape.join(', ')}), expected ${expected}${fewer}`);
    }
    return npyToFloat64(array);
  };
  const finiteRows = (path: string, values: Float64Array, width: number, rows: Iterable<number>) => {
    for (const r of rows) {
      for (let k = 0; k < width; k++) {
        const v = values[r * width + k];
        if (!Number.isFinite(v)) throw new InputError(path, `row ${r} holds a non-finite value (${v})`);
      }
    }
  };
  const rotationRows = (path: string, values: Float64Array, rows: Iterable<number>) => {
    finiteRows(path, values, 9, rows);
    for (const r of rows) {
      const problem = rotationProblem(values.subarray(9 * r, 9 * r + 9));
      if (problem !== undefined) throw new InputError(path, `row ${r} is not a rotation: ${problem}`);
    }
  };
  if (set === 'fswild') {
    const used = found.map((f) => f.index);
    const need = Math.max(...used) + 1;
    const total = FACESCAPE_SAMPLES.fswild;
    const scalesPath = join(dir, 'wild_pupil_scales.npy');
    const centresPath = join(dir, 'wild_head_centers.npy');
    const rotationsPath = join(dir, 'wild_rotations.npy');
    const scales = load('wild_pupil_scales.npy', total, need, []);
    const centres = load('wild_head_centers.npy', total, need, [3]);
    const rotations = load('wild_rotations.npy', total, need, [3, 3]);
    finiteRows(scalesPath, scales, 1, used);
    for (const r of used) if (!(scales[r] > 0)) throw new InputError(scalesPath, `row ${r}: pupil scale ${scales[r]} is not positive`);
    finiteRows(centresPath, centres, 3, used);
    rotationRows(rotationsPath, rotations, used);
    return { scales, centres, rotations };
  }
  const all = (n: number) => Array.from({ length: n }, (_, i) => i);
  const centres = load('lab_head_centers.npy', FACESCAPE_LAB.focals, FACESCAPE_LAB.focals, [3]);
  const rotations = load('lab_rotations.npy', FACESCAPE_LAB.views, FACESCAPE_LAB.views, [3, 3]);
  finiteRows(join(dir, 'lab_head_centers.npy'), centres, 3, all(FACESCAPE_LAB.focals));
  rotationRows(join(dir, 'lab_rotations.npy'), rotations, all(FACESCAPE_LAB.views));
  return { centres, rotations };
}

/** Why a row-major 3×3 is not a proper rotation (|RᵀR − I| > 1e-4 or det < 0), or undefined. */
function rotationProblem(R: ArrayLike<number>): string | undefined {
  let worst = 0;
  for (let i = 0; i < 3; i++) {
    for (let j = 0; j < 3; j++) {
      const dot = R[i] * R[j] + R[3 + i] * R[3 + j] + R[6 + i] * R[6 + j];
      worst = Math.max(worst, Math.abs(dot - (i === j ? 1 : 0)));
    }
  }
  if (worst > ORTHONORMAL_TOLERANCE) return `not orthonormal (|RᵀR − I| reaches ${worst.toPrecision(3)}, more than ${ORTHONORMAL_TOLERANCE})`;
  const det = R[0] * (R[4] * R[8] - R[5] * R[7]) - R[1] * (R[3] * R[8] - R[5] * R[6]) + R[2] * (R[3] * R[7] - R[4] * R[6]);
  if (det < 0) return `a reflection (det ${det.toPrecision(3)})`;
  return undefined;
}

function readCamera(path: string, hashed: HashedFile[], rel: string): { K: number[]; R: number[]; t: number[] } {
  const bytes = readInputFile(path);
  hashed.push({ rel, sha256: sha256Bytes(bytes) });
  let doc: unknown;
  try {
    doc = JSON.parse(Buffer.from(bytes).toString('utf8').replace(/^\uFEFF/, ''));
  } catch (e) {
    throw new InputError(path, `not valid JSON (${(e as Error).message})`);
  }
  const shape = 'expected [K, Rt]: K a 3×3 and Rt a 3×4 list of numbers';
  const matrix = (value: unknown, cols: number, what: string): number[] => {
    if (!Array.isArray(value) || value.length !== 3) throw new InputError(path, `${what} is not a list of 3 rows; ${shape}`);
    const out: number[] = [];
    value.forEach((row: unknown, r) => {
      if (!Array.isArray(row) || row.length !== cols) throw new InputError(path, `${what} row ${r} is not a list of ${cols} numbers; ${shape}`);
      for (const v of row) {
        if (typeof v !== 'number' || !Number.isFinite(v)) throw new InputError(path, `${what} row ${r} holds ${JSON.stringify(v)?.slice(0, 30)}, not a finite number; ${shape}`);
        out.push(v);
      }
    });
    return out;
  };
  if (!Array.isArray(doc) || doc.length !== 2) throw new InputError(path, `not a 2-element list; ${shape}`);
  const K = matrix(doc[0], 3, 'K');
  const Rt = matrix(doc[1], 4, 'Rt');
  if (!(K[0] > 0) || !(K[4] > 0)) throw new InputError(path, `K has a non-positive focal length (fx ${K[0]}, fy ${K[4]})`);
  const R = [Rt[0], Rt[1], Rt[2], Rt[4], Rt[5], Rt[6], Rt[8], Rt[9], Rt[10]];
  const problem = rotationProblem(R);
  if (problem !== undefined) throw new InputError(path, `the rotation of Rt is ${problem}`);
  return { K, R, t: [Rt[3], Rt[7], Rt[11]] };
}

/**
 * Input images: per sample name, the first (in name order) subfolder of `data/` other than the
 * GT and camera folders holding `<name>.jpg|jpeg|png`. Symbolic links were refused already.
 */
function findImages(data: string, set: FacescapeSet): Map<string, string> {
  const images = new Map<string, string>();
  for (const folder of listDir(data)) {
    if (!folder.isDirectory() || DATA_FOLDERS.includes(folder.name)) continue;
    const dir = childPath(data, [folder.name], 'image folder name', data);
    for (const entry of listDir(dir)) {
      const m = IMAGE.exec(entry.name);
      if (!entry.isFile() || !m || images.has(m[1]) || facescapeSampleIndex(set, m[1]) === undefined) continue;
      images.set(m[1], childPath(dir, [entry.name], 'image file name', dir));
    }
  }
  return images;
}

/** A file the benchmark's id covers: its path relative to the benchmark folder and its sha256. */
interface HashedFile {
  rel: string;
  sha256: string;
}

function sha256Bytes(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function contentId(set: FacescapeSet, files: HashedFile[]): string {
  const lines = files
    .map((f) => `${f.rel.split(sep).join('/')}\t${f.sha256}`)
    .sort();
  return createHash('sha256').update(`facescape ${set}\n${lines.join('\n')}\n`).digest('hex');
}

/**
 * The GT mesh of a sample in its protocol's input frame: in-the-wild as in the file (cube
 * units); in-the-lab ×62.85 then `gtTransform` (mm, OpenCV camera frame). Normals, when the
 * file has them, are rotated along. OBJ problems are readMesh's InputErrors.
 */
export function loadFacescapeGt(sample: FacescapeSample): TriangleMesh {
  const mesh = readMesh(sample.gtMesh);
  if (sample.set === 'fswild') return mesh;
  const transform = sample.gtTransform;
  if (transform === undefined) throw new Error(`in-the-lab sample ${sample.name} has no gtTransform`);
  const R = transform.rotation;
  const [tx, ty, tz] = transform.translation;
  const s = FACESCAPE_PUPIL_DISTANCE_MM;
  const p = mesh.positions;
  for (let i = 0; i < p.length; i += 3) {
    const x = s * p[i], y = s * p[i + 1], z = s * p[i + 2];
    p[i] = R[0] * x + R[1] * y + R[2] * z + tx;
    p[i + 1] = R[3] * x + R[4] * y + R[5] * z + ty;
    p[i + 2] = R[6] * x + R[7] * y + R[8] * z + tz;
  }
  const n = mesh.normals;
  if (n) {
    for (let i = 0; i < n.length; i += 3) {
      const x = n[i], y = n[i + 1], z = n[i + 2];
      n[i] = R[0] * x + R[1] * y + R[2] * z;
      n[i + 1] = R[3] * x + R[4] * y + R[5] * z;
      n[i + 2] = R[6] * x + R[7] * y + R[8] * z;
    }
  }
  return mesh;
}
