/**
 * 3D landmark files (docs/conventions.md#landmark-files): `.npy` (count,3) or (1,count,3) float32/float64; `.txt`
 * one `x y z` per line (whitespace or commas; blank lines and `#` comments ignored);
 * `.json` `[[x,y,z],…]` or `{"landmarks": [[x,y,z],…]}`; MeshLab `.pp` picked points
 * (`<point x=".." y=".." z=".." …/>`, attributes in any order; every point is used, in
 * file order, whatever its `active` flag). Text files may start with a UTF-8 byte-order mark.
 */
import { InputError } from '../errors.js';
import { MM_PER_UNIT, type LengthUnit } from '../geometry/types.js';
import { writeFileAtomic } from './atomic.js';
import { extensionOf, readInputFile } from './files.js';
import { formatFloat64 } from './number-format.js';
import { parseNpy } from './npy.js';
import { stripBom } from './text-scan.js';

export interface LandmarkReadOptions {
  /** Number of landmarks expected (default 7). */
  count?: number;
  /** Unit of the file's coordinates (default 'mm'); the result is in mm. */
  unit?: LengthUnit;
}

function fromNpy(bytes: Uint8Array, file: string, count: number): Float64Array {
  const array = parseNpy(bytes, file);
  const shape = array.shape;
  const ok = (shape.length === 2 && shape[0] === count && shape[1] === 3)
    || (shape.length === 3 && shape[0] === 1 && shape[1] === count && shape[2] === 3);
  if (!ok) {
    throw new InputError(file, `expected ${count} landmarks of shape (${count},3), got (${shape.join(',')})${shape.length === 1 ? ' (a flat array)' : ''}`);
  }
  if (array.dtype !== 'f4' && array.dtype !== 'f8' && array.dtype !== 'f2') {
    throw new InputError(file, `landmarks must be float32 or float64, got dtype '${array.descr}'`);
  }
  return Float64Array.from(array.data);
}

function fromText(text: string, file: string, count: number): Float64Array {
  const rows: number[][] = [];
  const lines = text.split(/\r?\n/);
  lines.forEach((raw, k) => {
    const line = raw.replace(/#.*$/, '').trim();
    if (line === '') return;
    const words = line.split(/[\s,]+/).filter((w) => w !== '');
    if (words.length !== 3) {
      throw new InputError(file, `line ${k + 1}: expected 3 numbers 'x y z', got ${words.length}`);
    }
    const row = words.map(Number);
    const bad = words.findIndex((w, i) => Number.isNaN(row[i]) && !/^[+-]?nan$/i.test(w));
    if (bad >= 0) throw new InputError(file, `line ${k + 1}: '${words[bad]}' is not a number`);
    rows.push(row);
  });
  if (rows.length !== count) {
    throw new InputError(file, `expected ${count} landmarks of shape (${count},3) (${count} lines 'x y z'), got ${rows.length} lines`);
  }
  return Float64Array.from(rows.flat());
}

function fromJson(text: string, file: string, count: number): Float64Array {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new InputError(file, `invalid JSON (${(error as Error).message})`);
  }
  if (value !== null && typeof value === 'object' && !Array.isArray(value) && 'landmarks' in value) {
    value = (value as { landmarks: unknown }).landmarks;
  }
  if (!Array.isArray(value)) {
    throw new InputError(file, `expected a list [[x,y,z], …] of ${count} landmarks (or {"landmarks": [[x,y,z], …]})`);
  }
  const lengths = new Set(value.map((r) => (Array.isArray(r) ? r.length : -1)));
  if (value.length !== count || lengths.size !== 1 || !lengths.has(3)) {
    const shape = value.length === 0
      ? 'an empty list'
      : lengths.size === 1 && !lengths.has(-1)
        ? `(${value.length},${(value[0] as unknown[]).length})`
        : `${value.length} items that are not all [x,y,z] lists`;
    throw new InputError(file, `expected ${count} landmarks of shape (${count},3), got ${shape}`);
  }
  const badRow = value.findIndex((r) => !(r as unknown[]).every((v) => typeof v === 'number' || v === null));
  if (badRow >= 0) throw new InputError(file, `landmark ${badRow}: ${JSON.stringify(value[badRow])} holds a value that is not a number`);
  // JSON has no NaN: null stands for a missing value.
  return Float64Array.from((value as (number | null)[][]).flat().map((v) => (v === null ? Number.NaN : v)));
}

function attribute(attributes: string, name: string): string | undefined {
  const m = new RegExp(`(?:^|\\s)${name}\\s*=\\s*(?:"([^"]*)"|'([^']*)'|([^\\s"'/>]+))`).exec(attributes);
  return m === null ? undefined : (m[1] ?? m[2] ?? m[3]);
}

function fromPickedPoints(text: string, file: string, count: number): Float64Array {
  const values: number[] = [];
  const pattern = /<point\b([^>]*?)\/?>/g;
  let m: RegExpExecArray | null;
  let k = 0;
  while ((m = pattern.exec(text)) !== null) {
    const attributes = m[1];
    for (const axis of ['x', 'y', 'z']) {
      const raw = attribute(attributes, axis);
      if (raw === undefined) throw new InputError(file, `picked point ${k} has no '${axis}' attribute`);
      const v = Number(raw);
      if (Number.isNaN(v) && !/^[+-]?nan$/i.test(raw.trim())) throw new InputError(file, `picked point ${k}: ${axis}="${raw}" is not a number`);
      values.push(v);
    }
    k++;
  }
  if (k !== count) {
    throw new InputError(file, `expected ${count} landmarks of shape (${count},3) (${count} <point> entries), got ${k}`);
  }
  return Float64Array.from(values);
}

/**
 * Read `count` 3D landmarks and return them as a Float64Array of 3·count millimetre
 * coordinates. A wrong count or shape and non-finite values throw an InputError.
 */
export function readLandmarks(path: string, options: LandmarkReadOptions = {}): Float64Array {
  landmarkType(path);
  return parseLandmarks(readInputFile(path), path, options);
}

function landmarkType(file: string): string {
  const ext = extensionOf(file);
  if (ext !== '.npy' && ext !== '.txt' && ext !== '.json' && ext !== '.pp') {
    throw new InputError(file, `unsupported landmark file type '${ext || '(none)'}'; use .npy, .txt, .json or MeshLab .pp`);
  }
  return ext;
}

/**
 * Landmarks held in memory (e.g. an archive entry), typed by the extension of `path`, which
 * names them in errors; as {@link readLandmarks}.
 */
export function parseLandmarks(bytes: Uint8Array, path: string, options: LandmarkReadOptions = {}): Float64Array {
  const count = options.count ?? 7;
  const unit = options.unit ?? 'mm';
  const ext = landmarkType(path);
  let out: Float64Array;
  if (ext === '.npy') {
    out = fromNpy(bytes, path, count);
  } else {
    if (bytes.length >= 2 && ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff))) {
      throw new InputError(path, 'is UTF-16 text; save it as UTF-8 (or ASCII) and try again');
    }
    const text = stripBom(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'));
    if (ext === '.txt') out = fromText(text, path, count);
    else if (ext === '.json') out = fromJson(text, path, count);
    else out = fromPickedPoints(text, path, count);
  }
  for (let i = 0; i < out.length; i++) {
    if (!Number.isFinite(out[i])) {
      throw new InputError(path, `landmark ${Math.floor(i / 3)} has a non-finite coordinate (${out[i]})`);
    }
  }
  const scale = MM_PER_UNIT[unit];
  if (scale !== 1) for (let i = 0; i < out.length; i++) out[i] *= scale;
  return out;
}

/** JSON text `[[x,y,z], …]` (one landmark per line) of 3·n coordinates. */
export function encodeLandmarksJson(landmarks: ArrayLike<number>): string {
  if (landmarks.length % 3 !== 0) throw new Error(`landmark array length ${landmarks.length} is not a multiple of 3`);
  const rows: string[] = [];
  for (let i = 0; i < landmarks.length; i += 3) {
    const xyz = [landmarks[i], landmarks[i + 1], landmarks[i + 2]];
    if (!xyz.every(Number.isFinite)) throw new Error(`landmark ${i / 3} is not finite`);
    rows.push(`  [${xyz.map(formatFloat64).join(', ')}]`);
  }
  return `[\n${rows.join(',\n')}\n]\n`;
}

/** Write landmarks (3·n coordinates) as a JSON file `[[x,y,z], …]` (atomically). */
export function writeLandmarksJson(path: string, landmarks: ArrayLike<number>): void {
  writeFileAtomic(path, encodeLandmarksJson(landmarks));
}
