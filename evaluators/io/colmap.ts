/**
 * COLMAP sparse model readers (`cameras`, `images`, `points3D` in .bin and .txt), following
 * the layouts of COLMAP's `src/base/reconstruction.cc` (Write*Binary / Write*Text) as
 * documented in "Output Format" of the COLMAP manual. All binary values are little-endian.
 *
 * points3D.bin: uint64 count; per point uint64 id, 3 float64 xyz, 3 uint8 rgb, float64
 *   error, uint64 track length, then that many (uint32 image_id, uint32 point2D_idx).
 * cameras.bin: uint64 count; per camera uint32 id, int32 model id, uint64 width, uint64
 *   height, then the model's float64 parameters.
 * images.bin: uint64 count; per image uint32 id, 4 float64 qw qx qy qz, 3 float64 t,
 *   uint32 camera id, a NUL-terminated name, uint64 number of 2D points, then per point
 *   float64 x, float64 y, int64 point3D id (-1 when untriangulated).
 * Values are returned in the model's own units (no unit conversion here).
 */
import { join } from 'node:path';
import { InputError } from '../errors.js';
import type { PointCloud } from '../geometry/types.js';
import { extensionOf, pathKind, readInputFile } from './files.js';
import { GrowableFloat64, GrowableUint32 } from './growable.js';
import { I64, U64, readScalar } from './scalar-types.js';
import { AsciiScanner } from './text-scan.js';

/** A COLMAP points3D table: a coloured cloud plus per-point ids, errors and tracks. */
export interface ColmapPoints3D extends PointCloud {
  colors: Uint8Array;
  /** point3D_id of each point. */
  ids: Float64Array;
  /** Mean reprojection error of each point (pixels). */
  errors: Float64Array;
  trackLengths: Uint32Array;
  /** Track of point i: entries trackOffsets[i] .. trackOffsets[i+1]-1. */
  trackOffsets: Uint32Array;
  trackImageIds: Uint32Array;
  trackPoint2DIndices: Uint32Array;
}

export interface ColmapCamera {
  id: number;
  /** Model name, e.g. 'PINHOLE'. */
  model: string;
  width: number;
  height: number;
  params: Float64Array;
}

export interface ColmapImage {
  id: number;
  /** Rotation world→camera as a unit quaternion (qw, qx, qy, qz). */
  qvec: Float64Array;
  /** Translation world→camera: X_cam = R·X_world + t. */
  tvec: Float64Array;
  cameraId: number;
  name: string;
  /** 2·k keypoint coordinates (x, y) in pixels. */
  points2D: Float64Array;
  /** k point3D ids (-1 when the keypoint is not triangulated). */
  point3DIds: Float64Array;
}

export interface ColmapModel {
  cameras: ColmapCamera[];
  images: ColmapImage[];
  points: ColmapPoints3D;
}

/** COLMAP camera models: [name, number of parameters], indexed by model id. */
const CAMERA_MODELS: ReadonlyArray<readonly [string, number]> = [
  ['SIMPLE_PINHOLE', 3], ['PINHOLE', 4], ['SIMPLE_RADIAL', 4], ['RADIAL', 5], ['OPENCV', 8],
  ['OPENCV_FISHEYE', 8], ['FULL_OPENCV', 12], ['FOV', 5], ['SIMPLE_RADIAL_FISHEYE', 4],
  ['RADIAL_FISHEYE', 5], ['THIN_PRISM_FISHEYE', 12], ['RAD_TAN_THIN_PRISM_FISHEYE', 16],
];

/** Bounds-checked little-endian reader over a COLMAP binary file. */
class BinaryCursor {
  readonly view: DataView;
  offset = 0;
  constructor(readonly bytes: Uint8Array, readonly file: string, readonly what: string) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  has(n: number): boolean {
    return this.offset + n <= this.bytes.length;
  }
  need(n: number, done: number, total: number): void {
    if (!this.has(n)) {
      throw new InputError(this.file, `truncated binary data: expected ${total} ${this.what}, file ends after ${done}`);
    }
  }
  u8(): number {
    return this.view.getUint8(this.offset++);
  }
  u32(): number {
    const v = this.view.getUint32(this.offset, true);
    this.offset += 4;
    return v;
  }
  i32(): number {
    const v = this.view.getInt32(this.offset, true);
    this.offset += 4;
    return v;
  }
  u64(): number {
    const v = readScalar(this.view, this.offset, U64, true);
    this.offset += 8;
    return v;
  }
  i64(): number {
    const v = readScalar(this.view, this.offset, I64, true);
    this.offset += 8;
    return v;
  }
  f64(): number {
    const v = this.view.getFloat64(this.offset, true);
    this.offset += 8;
    return v;
  }
  count(): number {
    if (!this.has(8)) throw new InputError(this.file, `truncated binary data: the ${this.what} count (8 bytes) is missing`);
    const n = this.u64();
    if (!Number.isSafeInteger(n)) throw new InputError(this.file, `implausible ${this.what} count ${n}`);
    return n;
  }
}

function finishPoints(
  n: number, positions: Float64Array, colors: Uint8Array, ids: Float64Array, errors: Float64Array,
  trackLengths: Uint32Array, images: GrowableUint32, points2D: GrowableUint32,
): ColmapPoints3D {
  const trackOffsets = new Uint32Array(n + 1);
  for (let i = 0; i < n; i++) trackOffsets[i + 1] = trackOffsets[i] + trackLengths[i];
  return {
    positions, colors, ids, errors, trackLengths, trackOffsets,
    trackImageIds: images.toArray(), trackPoint2DIndices: points2D.toArray(),
  };
}

/** Parse COLMAP `points3D.bin`. */
export function parseColmapPoints3DBin(bytes: Uint8Array, file: string): ColmapPoints3D {
  const c = new BinaryCursor(bytes, file, 'points');
  const n = c.count();
  if (8 + n * 51 > bytes.length) {
    // Walk what is there for an exact figure.
    let done = 0;
    while (done < n && c.has(51)) {
      c.offset += 43;
      const len = c.u64();
      if (!c.has(8 * len)) break;
      c.offset += 8 * len;
      done++;
    }
    throw new InputError(file, `truncated binary data: expected ${n} points, file ends after ${done}`);
  }
  const positions = new Float64Array(3 * n);
  const colors = new Uint8Array(3 * n);
  const ids = new Float64Array(n);
  const errors = new Float64Array(n);
  const trackLengths = new Uint32Array(n);
  const images = new GrowableUint32(8 * n);
  const points2D = new GrowableUint32(8 * n);
  for (let i = 0; i < n; i++) {
    c.need(51, i, n);
    ids[i] = c.u64();
    positions[3 * i] = c.f64();
    positions[3 * i + 1] = c.f64();
    positions[3 * i + 2] = c.f64();
    colors[3 * i] = c.u8();
    colors[3 * i + 1] = c.u8();
    colors[3 * i + 2] = c.u8();
    errors[i] = c.f64();
    const len = c.u64();
    c.need(8 * len, i, n);
    trackLengths[i] = len;
    for (let k = 0; k < len; k++) {
      images.push(c.u32());
      points2D.push(c.u32());
    }
  }
  return finishPoints(n, positions, colors, ids, errors, trackLengths, images, points2D);
}

/** Read the next token on the line as a number, or fail naming the line. */
function lineNumber(scanner: AsciiScanner, file: string, what: string): number {
  if (!scanner.nextOnLine()) throw new InputError(file, `line ${scanner.line}: missing ${what}`);
  const v = scanner.number();
  if (Number.isNaN(v) && !scanner.tokenIsNan()) throw new InputError(file, `line ${scanner.line}: ${what} '${scanner.text()}' is not a number`);
  return v;
}

function isComment(scanner: AsciiScanner): boolean {
  return scanner.bytes[scanner.tokenStart] === 0x23;
}

/** Parse COLMAP `points3D.txt` (`POINT3D_ID X Y Z R G B ERROR TRACK[] as (IMAGE_ID, POINT2D_IDX)`). */
export function parseColmapPoints3DTxt(bytes: Uint8Array, file: string): ColmapPoints3D {
  const scanner = new AsciiScanner(bytes);
  const positions = new GrowableFloat64(1024);
  const colorValues = new GrowableUint32(1024);
  const ids = new GrowableFloat64(1024);
  const errors = new GrowableFloat64(1024);
  const lengths = new GrowableUint32(1024);
  const images = new GrowableUint32(1024);
  const points2D = new GrowableUint32(1024);
  const colour = (what: string): number => {
    const v = lineNumber(scanner, file, what);
    if (!Number.isInteger(v) || v < 0 || v > 255) throw new InputError(file, `line ${scanner.line}: colour ${what} '${scanner.text()}' must be an integer 0..255`);
    return v;
  };
  do {
    if (!scanner.nextOnLine() || isComment(scanner)) continue;
    const id = scanner.number();
    if (!Number.isSafeInteger(id)) throw new InputError(file, `line ${scanner.line}: POINT3D_ID '${scanner.text()}' is not an integer`);
    ids.push(id);
    positions.push3(lineNumber(scanner, file, 'X'), lineNumber(scanner, file, 'Y'), lineNumber(scanner, file, 'Z'));
    colorValues.push3(colour('R'), colour('G'), colour('B'));
    errors.push(lineNumber(scanner, file, 'ERROR'));
    let len = 0;
    while (scanner.nextOnLine()) {
      const image = scanner.number();
      const point = lineNumber(scanner, file, 'POINT2D_IDX of a track entry');
      if (!Number.isInteger(image) || image < 0 || !Number.isInteger(point) || point < 0) {
        throw new InputError(file, `line ${scanner.line}: track entries must be non-negative integers (IMAGE_ID POINT2D_IDX)`);
      }
      images.push(image);
      points2D.push(point);
      len++;
    }
    lengths.push(len);
  } while (scanner.nextLine());
  const n = ids.length;
  return finishPoints(
    n, positions.toArray(), Uint8Array.from(colorValues.toArray()), ids.toArray(), errors.toArray(),
    lengths.toArray(), images, points2D,
  );
}

/** Parse COLMAP `cameras.bin`. */
export function parseColmapCamerasBin(bytes: Uint8Array, file: string): ColmapCamera[] {
  const c = new BinaryCursor(bytes, file, 'cameras');
  const n = c.count();
  const cameras: ColmapCamera[] = [];
  for (let i = 0; i < n; i++) {
    c.need(24, i, n);
    const id = c.u32();
    const modelId = c.i32();
    const model = CAMERA_MODELS[modelId];
    if (model === undefined) throw new InputError(file, `camera ${id} has unknown model id ${modelId}`);
    const width = c.u64();
    const height = c.u64();
    c.need(8 * model[1], i, n);
    const params = new Float64Array(model[1]);
    for (let k = 0; k < model[1]; k++) params[k] = c.f64();
    cameras.push({ id, model: model[0], width, height, params });
  }
  return cameras;
}

/** Parse COLMAP `cameras.txt` (`CAMERA_ID MODEL WIDTH HEIGHT PARAMS[]`). */
export function parseColmapCamerasTxt(bytes: Uint8Array, file: string): ColmapCamera[] {
  const scanner = new AsciiScanner(bytes);
  const cameras: ColmapCamera[] = [];
  do {
    if (!scanner.nextOnLine() || isComment(scanner)) continue;
    const id = scanner.number();
    if (!scanner.nextOnLine()) throw new InputError(file, `line ${scanner.line}: missing MODEL`);
    const name = scanner.text();
    const model = CAMERA_MODELS.find((m) => m[0] === name);
    if (model === undefined) throw new InputError(file, `line ${scanner.line}: unknown camera model '${name}'`);
    const width = lineNumber(scanner, file, 'WIDTH');
    const height = lineNumber(scanner, file, 'HEIGHT');
    const params = new Float64Array(model[1]);
    for (let k = 0; k < model[1]; k++) params[k] = lineNumber(scanner, file, `parameter ${k + 1} of ${name}`);
    if (!Number.isInteger(id) || !Number.isInteger(width) || !Number.isInteger(height)) {
      throw new InputError(file, `line ${scanner.line}: CAMERA_ID, WIDTH and HEIGHT must be integers`);
    }
    cameras.push({ id, model: name, width, height, params });
  } while (scanner.nextLine());
  return cameras;
}

/** Parse COLMAP `images.bin`. */
export function parseColmapImagesBin(bytes: Uint8Array, file: string): ColmapImage[] {
  const c = new BinaryCursor(bytes, file, 'images');
  const n = c.count();
  const images: ColmapImage[] = [];
  for (let i = 0; i < n; i++) {
    c.need(64, i, n);
    const id = c.u32();
    const qvec = Float64Array.of(c.f64(), c.f64(), c.f64(), c.f64());
    const tvec = Float64Array.of(c.f64(), c.f64(), c.f64());
    const cameraId = c.u32();
    const nameStart = c.offset;
    while (c.has(1) && bytes[c.offset] !== 0) c.offset++;
    c.need(1, i, n);
    const name = Buffer.from(bytes.buffer, bytes.byteOffset + nameStart, c.offset - nameStart).toString('utf8');
    c.offset++;
    c.need(8, i, n);
    const k = c.u64();
    c.need(24 * k, i, n);
    const points2D = new Float64Array(2 * k);
    const point3DIds = new Float64Array(k);
    for (let j = 0; j < k; j++) {
      points2D[2 * j] = c.f64();
      points2D[2 * j + 1] = c.f64();
      point3DIds[j] = c.i64();
    }
    images.push({ id, qvec, tvec, cameraId, name, points2D, point3DIds });
  }
  return images;
}

/**
 * Parse COLMAP `images.txt`: per image a line `IMAGE_ID QW QX QY QZ TX TY TZ CAMERA_ID NAME`
 * followed by a (possibly empty) line of `X Y POINT3D_ID` triples.
 */
export function parseColmapImagesTxt(bytes: Uint8Array, file: string): ColmapImage[] {
  const scanner = new AsciiScanner(bytes);
  const images: ColmapImage[] = [];
  let pending: ColmapImage | undefined;
  const xy = new GrowableFloat64(1024);
  const ids = new GrowableFloat64(1024);
  do {
    if (pending !== undefined) {
      xy.length = 0;
      ids.length = 0;
      while (scanner.nextOnLine()) {
        const x = scanner.number();
        const y = lineNumber(scanner, file, 'Y of a 2D point');
        const id = lineNumber(scanner, file, 'POINT3D_ID of a 2D point');
        if (Number.isNaN(x)) throw new InputError(file, `line ${scanner.line}: X of a 2D point '${scanner.text()}' is not a number`);
        xy.push(x);
        xy.push(y);
        ids.push(id);
      }
      pending.points2D = xy.toArray().slice();
      pending.point3DIds = ids.toArray().slice();
      images.push(pending);
      pending = undefined;
      continue;
    }
    if (!scanner.nextOnLine() || isComment(scanner)) continue;
    const id = scanner.number();
    const q = [lineNumber(scanner, file, 'QW'), lineNumber(scanner, file, 'QX'), lineNumber(scanner, file, 'QY'), lineNumber(scanner, file, 'QZ')];
    const t = [lineNumber(scanner, file, 'TX'), lineNumber(scanner, file, 'TY'), lineNumber(scanner, file, 'TZ')];
    const cameraId = lineNumber(scanner, file, 'CAMERA_ID');
    if (!scanner.nextOnLine()) throw new InputError(file, `line ${scanner.line}: missing NAME`);
    const name = scanner.text();
    if (!Number.isInteger(id) || !Number.isInteger(cameraId)) throw new InputError(file, `line ${scanner.line}: IMAGE_ID and CAMERA_ID must be integers`);
    pending = { id, qvec: Float64Array.from(q), tvec: Float64Array.from(t), cameraId, name, points2D: new Float64Array(0), point3DIds: new Float64Array(0) };
  } while (scanner.nextLine());
  if (pending !== undefined) images.push(pending);
  return images;
}

function byExtension<T>(path: string, bin: (b: Uint8Array, f: string) => T, txt: (b: Uint8Array, f: string) => T): T {
  const ext = extensionOf(path);
  if (ext === '.bin') return bin(readInputFile(path), path);
  if (ext === '.txt') return txt(readInputFile(path), path);
  throw new InputError(path, `expected a COLMAP .bin or .txt file, got '${ext || '(no extension)'}'`);
}

/** Read COLMAP points3D.bin or points3D.txt (by extension). */
export function readColmapPoints3D(path: string): ColmapPoints3D {
  return byExtension(path, parseColmapPoints3DBin, parseColmapPoints3DTxt);
}

/** Read COLMAP cameras.bin or cameras.txt (by extension). */
export function readColmapCameras(path: string): ColmapCamera[] {
  return byExtension(path, parseColmapCamerasBin, parseColmapCamerasTxt);
}

/** Read COLMAP images.bin or images.txt (by extension). */
export function readColmapImages(path: string): ColmapImage[] {
  return byExtension(path, parseColmapImagesBin, parseColmapImagesTxt);
}

/** Path of `<dir>/<stem>.bin`, else `<dir>/<stem>.txt`, else undefined. */
export function findColmapFile(dir: string, stem: string): string | undefined {
  for (const ext of ['.bin', '.txt']) {
    const path = join(dir, stem + ext);
    if (pathKind(path) === 'file') return path;
  }
  return undefined;
}

/** Read a COLMAP sparse model folder (cameras, images, points3D; .bin preferred over .txt). */
export function readColmapModel(dir: string): ColmapModel {
  const kind = pathKind(dir);
  if (kind === 'missing') throw new InputError(dir, 'folder not found');
  if (kind !== 'directory') throw new InputError(dir, 'is not a folder; give the COLMAP model folder (with cameras/images/points3D .bin or .txt)');
  const paths = ['cameras', 'images', 'points3D'].map((stem) => findColmapFile(dir, stem));
  const missing = ['cameras', 'images', 'points3D'].filter((_, k) => paths[k] === undefined);
  if (missing.length > 0) throw new InputError(dir, `not a COLMAP model folder: no ${missing.map((m) => `${m}.bin/.txt`).join(', ')}`);
  return {
    cameras: readColmapCameras(paths[0] as string),
    images: readColmapImages(paths[1] as string),
    points: readColmapPoints3D(paths[2] as string),
  };
}

/**
 * The 4×4 world→camera matrix (row-major) of a COLMAP image: R from the normalized
 * quaternion (qw, qx, qy, qz) (Hamilton convention, as Eigen::Quaterniond), t = tvec.
 */
export function colmapWorldToCam(image: ColmapImage): Float64Array {
  const [w0, x0, y0, z0] = image.qvec;
  const norm = Math.hypot(w0, x0, y0, z0);
  const w = w0 / norm;
  const x = x0 / norm;
  const y = y0 / norm;
  const z = z0 / norm;
  const t = image.tvec;
  return Float64Array.of(
    1 - 2 * (y * y + z * z), 2 * (x * y - w * z), 2 * (x * z + w * y), t[0],
    2 * (x * y + w * z), 1 - 2 * (x * x + z * z), 2 * (y * z - w * x), t[1],
    2 * (x * z - w * y), 2 * (y * z + w * x), 1 - 2 * (x * x + y * y), t[2],
    0, 0, 0, 1,
  );
}

