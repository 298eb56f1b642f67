/**
 * PCD (Point Cloud Data, PCL file format v0.7, https://pointclouds.org/documentation/tutorials/pcd_file_format.html)
 * reader and an Open3D-layout writer.
 *
 * Header: VERSION, FIELDS, SIZE, TYPE, COUNT, WIDTH, HEIGHT, VIEWPOINT, POINTS, DATA.
 * Bodies: `ascii` (one point per line), `binary` (interleaved little-endian records) and
 * `binary_compressed` (uint32 compressed size, uint32 uncompressed size, an LZF stream whose
 * decompressed bytes are field-major: every point's first field, then the second, …).
 * Fields read: x y z, normal_x normal_y normal_z and `rgb`/`rgba`, PCL's packed colour:
 * the uint32 (r<<16)|(g<<8)|b stored in the bits of a float32 (or as U4). Other fields,
 * of any TYPE/SIZE/COUNT, are skipped.
 */
import { InputError } from '../errors.js';
import type { PointCloud } from '../geometry/types.js';
import { writeFileAtomic } from './atomic.js';
import { lzfCompress, lzfDecompress } from './lzf.js';
import { formatPrintfG } from './number-format.js';
import { F32, F64, I16, I32, I64, I8, SCALAR_SIZE, U16, U32, U64, U8, readRecordColumns } from './scalar-types.js';
import { AsciiScanner, latin1 } from './text-scan.js';

export type PcdDataFormat = 'ascii' | 'binary' | 'binary_compressed';

export interface PcdField {
  name: string;
  /** Bytes per value (SIZE). */
  size: number;
  /** TYPE: F float, I signed, U unsigned. */
  type: 'F' | 'I' | 'U';
  /** Values per point (COUNT). */
  count: number;
}

export interface PcdHeader {
  version: string;
  fields: PcdField[];
  width: number;
  height: number;
  viewpoint: number[];
  points: number;
  data: PcdDataFormat;
  /** Byte offset of the first data byte (after the DATA line). */
  dataOffset: number;
}

const KEYWORDS = new Set(['VERSION', 'FIELDS', 'COLUMNS', 'SIZE', 'TYPE', 'COUNT', 'WIDTH', 'HEIGHT', 'VIEWPOINT', 'POINTS', 'DATA']);

function scalarCode(field: PcdField): number | undefined {
  const key = `${field.type}${field.size}`;
  const codes: Record<string, number> = { F4: F32, F8: F64, I1: I8, I2: I16, I4: I32, I8: I64, U1: U8, U2: U16, U4: U32, U8: U64 };
  return codes[key];
}

function nonNegativeInteger(word: string | undefined, what: string, file: string): number {
  const value = Number(word);
  if (word === undefined || !Number.isSafeInteger(value) || value < 0) {
    throw new InputError(file, `bad PCD header: ${what} must be a non-negative integer, got '${word ?? ''}'`);
  }
  return value;
}

/** Parse and check a PCD header. */
export function parsePcdHeader(bytes: Uint8Array, file: string): PcdHeader {
  const values = new Map<string, string[]>();
  let offset = 0;
  let lineNo = 0;
  let data: PcdDataFormat | undefined;
  while (offset < bytes.length && data === undefined) {
    let end = offset;
    while (end < bytes.length && bytes[end] !== 0x0a) end++;
    lineNo++;
    const line = latin1(bytes, offset, end).trim();
    offset = Math.min(end + 1, bytes.length);
    if (line === '' || line.startsWith('#')) continue;
    const words = line.split(/\s+/);
    const key = words[0].toUpperCase();
    if (!KEYWORDS.has(key)) {
      if (values.size === 0) throw new InputError(file, 'not a PCD file (no VERSION/FIELDS header)');
      throw new InputError(file, `bad PCD header, line ${lineNo}: unknown keyword '${words[0]}'`);
    }
    if (key === 'DATA') {
      const kind = (words[1] ?? '').toLowerCase();
      if (kind !== 'ascii' && kind !== 'binary' && kind !== 'binary_compressed') {
        throw new InputError(file, `bad PCD header, line ${lineNo}: DATA must be ascii, binary or binary_compressed, got '${words[1] ?? ''}'`);
      }
      data = kind;
    }
    values.set(key === 'COLUMNS' ? 'FIELDS' : key, words.slice(1));
  }
  if (data === undefined) throw new InputError(file, "bad PCD header: no 'DATA' line (the file is cut short or not a PCD file)");
  const names = values.get('FIELDS');
  if (names === undefined || names.length === 0) throw new InputError(file, "bad PCD header: no 'FIELDS' line");
  const sizes = values.get('SIZE');
  const types = values.get('TYPE');
  const counts = values.get('COUNT') ?? names.map(() => '1');
  for (const [key, list] of [['SIZE', sizes], ['TYPE', types], ['COUNT', counts]] as const) {
    if (list === undefined) throw new InputError(file, `bad PCD header: no '${key}' line`);
    if (list.length !== names.length) {
      throw new InputError(file, `bad PCD header: ${key} has ${list.length} entries for ${names.length} FIELDS`);
    }
  }
  const fields: PcdField[] = names.map((name, k) => {
    const type = (types as string[])[k].toUpperCase();
    if (type !== 'F' && type !== 'I' && type !== 'U') throw new InputError(file, `bad PCD header: TYPE of field '${name}' is '${type}', expected F, I or U`);
    const field: PcdField = {
      name,
      size: nonNegativeInteger((sizes as string[])[k], `SIZE of '${name}'`, file),
      type,
      count: nonNegativeInteger(counts[k], `COUNT of '${name}'`, file),
    };
    if (scalarCode(field) === undefined) throw new InputError(file, `bad PCD header: field '${name}' has unsupported TYPE/SIZE ${type}${field.size}`);
    return field;
  });
  const width = nonNegativeInteger(values.get('WIDTH')?.[0], 'WIDTH', file);
  const height = values.has('HEIGHT') ? nonNegativeInteger(values.get('HEIGHT')?.[0], 'HEIGHT', file) : 1;
  const points = values.has('POINTS') ? nonNegativeInteger(values.get('POINTS')?.[0], 'POINTS', file) : width * height;
  if (points !== width * height) {
    throw new InputError(file, `bad PCD header: POINTS ${points} differs from WIDTH × HEIGHT = ${width * height}`);
  }
  return {
    version: values.get('VERSION')?.[0] ?? '',
    fields,
    width,
    height,
    viewpoint: (values.get('VIEWPOINT') ?? ['0', '0', '0', '1', '0', '0', '0']).map(Number),
    points,
    data,
    dataOffset: offset,
  };
}

// Destination of each field: 0..2 position, 3..5 normal, 6 packed colour.
const ROLE: Readonly<Record<string, number>> = { x: 0, y: 1, z: 2, normal_x: 3, normal_y: 4, normal_z: 5, rgb: 6, rgba: 6 };

interface FieldPlan {
  codes: Int32Array;
  counts: Int32Array;
  roles: Int32Array;
  /** Byte offset of each field inside an interleaved record. */
  offsets: Int32Array;
  recordSize: number;
  hasNormals: boolean;
  hasColours: boolean;
}

function planFields(header: PcdHeader, file: string): FieldPlan {
  const n = header.fields.length;
  const plan: FieldPlan = {
    codes: new Int32Array(n), counts: new Int32Array(n), roles: new Int32Array(n).fill(-1), offsets: new Int32Array(n),
    recordSize: 0, hasNormals: false, hasColours: false,
  };
  const seen = new Array<boolean>(7).fill(false);
  header.fields.forEach((f, k) => {
    plan.codes[k] = scalarCode(f) as number;
    plan.counts[k] = f.count;
    plan.offsets[k] = plan.recordSize;
    plan.recordSize += f.size * f.count;
    const role = ROLE[f.name];
    if (role !== undefined && f.count >= 1 && !seen[role]) {
      if (role === 6 && f.size !== 4) throw new InputError(file, `field '${f.name}' must have SIZE 4 (packed colour), got ${f.size}`);
      plan.roles[k] = role;
      seen[role] = true;
    }
  });
  if (!seen[0] || !seen[1] || !seen[2]) {
    throw new InputError(file, `the PCD file has no x, y and z fields (FIELDS ${header.fields.map((f) => f.name).join(' ')})`);
  }
  plan.hasNormals = seen[3] && seen[4] && seen[5];
  plan.hasColours = seen[6];
  return plan;
}

const packScratch = new Float32Array(1);
const packBits = new Uint32Array(packScratch.buffer);

/** The uint32 bit pattern of a float32 value. */
function float32Bits(value: number): number {
  packScratch[0] = value;
  return packBits[0];
}

function bitsToFloat32(bits: number): number {
  packBits[0] = bits;
  return packScratch[0];
}

interface CloudArrays {
  positions: Float64Array;
  normals: Float64Array | undefined;
  colors: Uint8Array | undefined;
}

function storeValue(out: CloudArrays, role: number, i: number, value: number): void {
  if (role < 3) out.positions[3 * i + role] = value;
  else if (role < 6) {
    if (out.normals) out.normals[3 * i + role - 3] = value;
  } else if (out.colors) {
    const bits = value >>> 0;
    out.colors[3 * i] = (bits >>> 16) & 0xff;
    out.colors[3 * i + 1] = (bits >>> 8) & 0xff;
    out.colors[3 * i + 2] = bits & 0xff;
  }
}

function readBinaryBody(data: DataView, dataStart: number, header: PcdHeader, plan: FieldPlan, fieldMajor: boolean, out: CloudArrays): void {
  const n = header.points;
  const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  const columns: Parameters<typeof readRecordColumns>[5] = [];
  let blockStart = dataStart;
  for (let k = 0; k < plan.codes.length; k++) {
    const role = plan.roles[k];
    const code = plan.codes[k];
    const size = SCALAR_SIZE[code];
    // Field-major (decompressed binary_compressed): one block per field; else interleaved records.
    const stride = fieldMajor ? size * plan.counts[k] : plan.recordSize;
    const block = blockStart;
    blockStart += n * size * plan.counts[k];
    if (role < 0) continue;
    if (role === 6) {
      const start = fieldMajor ? block : dataStart + plan.offsets[k];
      for (let i = 0; i < n; i++) storeValue(out, role, i, data.getUint32(start + i * stride, true));
      continue;
    }
    const dest = role < 3 ? out.positions : out.normals;
    if (!dest) continue;
    const column = { code, offset: fieldMajor ? 0 : plan.offsets[k], dest, destOffset: role % 3, destStride: 3 };
    if (fieldMajor) readRecordColumns(bytes, block, stride, n, true, [column]);
    else columns.push(column);
  }
  if (!fieldMajor) readRecordColumns(bytes, dataStart, plan.recordSize, n, true, columns);
}

function readAsciiBody(bytes: Uint8Array, header: PcdHeader, plan: FieldPlan, out: CloudArrays, file: string): void {
  const scanner = new AsciiScanner(bytes, header.dataOffset);
  const nf = plan.codes.length;
  for (let i = 0; i < header.points; i++) {
    for (let k = 0; k < nf; k++) {
      const role = plan.roles[k];
      for (let c = 0; c < plan.counts[k]; c++) {
        if (!scanner.next()) {
          throw new InputError(file, `ASCII data ends early: expected ${header.points} points, file ends after ${i}`);
        }
        if (role < 0 || c > 0) continue;
        let value = scanner.number();
        if (Number.isNaN(value) && !scanner.tokenIsNan()) {
          throw new InputError(file, `point ${i} (line ${scanner.line}): '${scanner.text()}' is not a number`);
        }
        // F4 fields hold the float32 nearest to the decimal (as C strtof reads it).
        if (plan.codes[k] === F32) value = role === 6 ? float32Bits(value) : Math.fround(value);
        storeValue(out, role, i, value);
      }
    }
  }
}

/**
 * Parse a PCD file held in memory into positions, optional normals and optional colours.
 * Structural problems throw an InputError naming `file`; values are not validated here.
 */
export function parsePcd(bytes: Uint8Array, file: string): PointCloud {
  const header = parsePcdHeader(bytes, file);
  const plan = planFields(header, file);
  const n = header.points;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const body = bytes.length - header.dataOffset;
  if (header.data === 'binary' && n * plan.recordSize > body) {
    const complete = plan.recordSize > 0 ? Math.floor(body / plan.recordSize) : 0;
    throw new InputError(file, `truncated binary data: expected ${n} points, file ends after ${complete}`);
  }
  if (header.data === 'ascii' && n > body) {
    throw new InputError(file, `ASCII data ends early: expected ${n} points in ${body} bytes`);
  }
  const out: CloudArrays = {
    positions: new Float64Array(3 * n),
    normals: plan.hasNormals ? new Float64Array(3 * n) : undefined,
    colors: plan.hasColours ? new Uint8Array(3 * n) : undefined,
  };
  if (header.data === 'ascii') {
    readAsciiBody(bytes, header, plan, out, file);
  } else if (header.data === 'binary') {
    readBinaryBody(view, header.dataOffset, header, plan, false, out);
  } else {
    if (body < 8) throw new InputError(file, 'truncated binary_compressed data: the 8-byte size header is missing');
    const compressedSize = view.getUint32(header.dataOffset, true);
    const uncompressedSize = view.getUint32(header.dataOffset + 4, true);
    const expected = n * plan.recordSize;
    if (uncompressedSize !== expected) {
      throw new InputError(file, `binary_compressed data announces ${uncompressedSize} uncompressed bytes, but ${n} points × ${plan.recordSize} bytes = ${expected}`);
    }
    if (compressedSize > body - 8) {
      throw new InputError(file, `truncated binary_compressed data: ${compressedSize} compressed bytes announced, file has ${body - 8}`);
    }
    const start = header.dataOffset + 8;
    const raw = lzfDecompress(bytes.subarray(start, start + compressedSize), uncompressedSize, file);
    readBinaryBody(new DataView(raw.buffer, raw.byteOffset, raw.byteLength), 0, header, plan, true, out);
  }
  const cloud: PointCloud = { positions: out.positions };
  if (out.normals) cloud.normals = out.normals;
  if (out.colors) cloud.colors = out.colors;
  return cloud;
}

export interface PcdWriteOptions {
  /** Default `binary`. */
  data?: PcdDataFormat;
}

/** The packed-float colour of Open3D/PCL: (r<<16)|(g<<8)|b as float32 bits. */
export function packRgb(r: number, g: number, b: number): number {
  return bitsToFloat32(((r & 0xff) << 16) | ((g & 0xff) << 8) | (b & 0xff));
}

/**
 * Encode a cloud as PCD the way Open3D's `write_point_cloud` does: FIELDS x y z
 * [normal_x normal_y normal_z] [rgb], all `F 4`, WIDTH = POINTS, HEIGHT 1, identity
 * VIEWPOINT; ASCII numbers printed with C `%.10g` (of the float64 values), binary values
 * as little-endian float32, compressed bodies field-major and LZF-compressed.
 */
export function encodePcd(cloud: PointCloud, options: PcdWriteOptions = {}): Uint8Array {
  const data = options.data ?? 'binary';
  const { positions, normals, colors } = cloud;
  const n = positions.length / 3;
  if (!Number.isInteger(n)) throw new Error(`positions length ${positions.length} is not a multiple of 3`);
  if (normals && normals.length !== positions.length) throw new Error(`${normals.length / 3} normals for ${n} points`);
  if (colors && colors.length !== positions.length) throw new Error(`${colors.length / 3} colours for ${n} points`);
  const names = ['x', 'y', 'z'];
  if (normals) names.push('normal_x', 'normal_y', 'normal_z');
  if (colors) names.push('rgb');
  const nf = names.length;
  const header = [
    '# .PCD v0.7 - Point Cloud Data file format',
    'VERSION 0.7',
    `FIELDS ${names.join(' ')}`,
    `SIZE ${names.map(() => '4').join(' ')}`,
    `TYPE ${names.map(() => 'F').join(' ')}`,
    `COUNT ${names.map(() => '1').join(' ')}`,
    `WIDTH ${n}`,
    'HEIGHT 1',
    'VIEWPOINT 0 0 0 1 0 0 0',
    `POINTS ${n}`,
    `DATA ${data}`,
    '',
  ].join('\n');
  const headerBytes = Buffer.from(header, 'latin1');
  const value = (i: number, k: number): number => {
    if (k < 3) return positions[3 * i + k];
    if (normals && k < 6) return normals[3 * i + k - 3];
    const c = colors as Uint8Array;
    return packRgb(c[3 * i], c[3 * i + 1], c[3 * i + 2]);
  };
  if (data === 'ascii') {
    const lines: string[] = [];
    for (let i = 0; i < n; i++) {
      const parts = new Array<string>(nf);
      for (let k = 0; k < nf; k++) parts[k] = formatPrintfG(value(i, k), 10);
      lines.push(parts.join(' '));
    }
    return Buffer.concat([headerBytes, Buffer.from(lines.length > 0 ? lines.join('\n') + '\n' : '', 'latin1')]);
  }
  const raw = new Uint8Array(n * nf * 4);
  const view = new DataView(raw.buffer);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < nf; k++) {
      const at = data === 'binary' ? (i * nf + k) * 4 : (k * n + i) * 4;
      view.setFloat32(at, value(i, k), true);
    }
  }
  if (data === 'binary') return Buffer.concat([headerBytes, raw]);
  const compressed = lzfCompress(raw);
  const sizes = new Uint8Array(8);
  const sizeView = new DataView(sizes.buffer);
  sizeView.setUint32(0, compressed.length, true);
  sizeView.setUint32(4, raw.length, true);
  return Buffer.concat([headerBytes, sizes, compressed]);
}

/** Write `cloud` as a PCD file (atomically). */
export function writePcd(path: string, cloud: PointCloud, options: PcdWriteOptions = {}): void {
  writeFileAtomic(path, encodePcd(cloud, options));
}
