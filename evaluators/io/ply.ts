/**
 * PLY reader and writer (Greg Turk's polygon file format, as documented by Paul Bourke,
 * "PLY - Polygon File Format"): an ASCII header of `element`/`property` declarations,
 * then the element records in `ascii`, `binary_little_endian` or `binary_big_endian`.
 *
 * Reading is generic: every element and property declared in the header is walked with
 * its own type, so unknown properties (including list properties) and unknown elements
 * are skipped correctly. From element `vertex` it takes x/y/z, optional nx/ny/nz (or
 * normal_x/…) and optional red/green/blue (or diffuse_red/…; 8-bit or 0..1 floats; alpha
 * ignored). From element `face` it takes the list `vertex_indices` (or `vertex_index`)
 * and fan-triangulates polygons: (v0, vk, vk+1). Polygons with fewer than 3 corners are
 * dropped. The data must hold exactly the declared records: a file cut short, one whose
 * records fit other counts than the header's, and bytes (binary) or non-blank lines
 * (ASCII) after the declared records are refused. A UTF-8 byte-order mark before `ply`
 * is skipped.
 */
import { InputError } from '../errors.js';
import type { PointCloud, TriangleMesh } from '../geometry/types.js';
import { writeFileAtomic } from './atomic.js';
import { GrowableUint32 } from './growable.js';
import { formatFloat32, formatFloat64 } from './number-format.js';
import {
  F32, F64, I16, I32, I8, SCALAR_NAME, SCALAR_SIZE, U16, U32, U8, colourChannel, isIntegerScalar, readRecordColumns, readScalar,
} from './scalar-types.js';
import { AsciiScanner, latin1, parseNumber, utf8BomLength } from './text-scan.js';

export type PlyFormat = 'ascii' | 'binary_little_endian' | 'binary_big_endian';

/** Canonical PLY scalar type name. */
export type PlyScalarType = 'int8' | 'uint8' | 'int16' | 'uint16' | 'int32' | 'uint32' | 'float32' | 'float64';

export interface PlyProperty {
  name: string;
  /** Value type (for a list: the item type). */
  type: PlyScalarType;
  /** For `property list <countType> <type> <name>`: the count type. */
  countType?: PlyScalarType;
}

export interface PlyElement {
  name: string;
  count: number;
  properties: PlyProperty[];
}

export interface PlyHeader {
  format: PlyFormat;
  version: string;
  elements: PlyElement[];
  comments: string[];
  objInfo: string[];
  /** Byte offset of the first data byte (just after the `end_header` line). */
  dataOffset: number;
}

const TYPE_CODES: Readonly<Record<string, number>> = {
  char: I8, int8: I8, uchar: U8, uint8: U8, short: I16, int16: I16, ushort: U16, uint16: U16,
  int: I32, int32: I32, uint: U32, uint32: U32, float: F32, float32: F32, double: F64, float64: F64,
};

function typeCode(type: PlyScalarType): number {
  return TYPE_CODES[type];
}

/** Find the byte offset just after the `end_header` line, or -1. */
function findDataOffset(bytes: Uint8Array): number {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const at = buffer.indexOf('\nend_header');
  if (at < 0) return -1;
  let i = at + '\nend_header'.length;
  while (i < bytes.length && (bytes[i] === 0x20 || bytes[i] === 0x09)) i++;
  if (i < bytes.length && bytes[i] === 0x0d && i + 1 < bytes.length && bytes[i + 1] === 0x0a) return i + 2;
  if (i < bytes.length && bytes[i] === 0x0a) return i + 1;
  if (i >= bytes.length) return bytes.length;
  return -1;
}

/** Parse and check the PLY header. */
export function parsePlyHeader(bytes: Uint8Array, file: string): PlyHeader {
  const bom = utf8BomLength(bytes);
  const start = latin1(bytes, bom, Math.min(bytes.length, bom + 4));
  if (!/^ply\s/.test(start)) {
    throw new InputError(file, "not a PLY file (it does not start with the line 'ply')");
  }
  const dataOffset = findDataOffset(bytes);
  if (dataOffset < 0) {
    throw new InputError(file, "bad PLY header: no 'end_header' line (the file is cut short or not a PLY file)");
  }
  const lines = latin1(bytes, bom, dataOffset).split('\n');
  const header: PlyHeader = { format: 'ascii', version: '', elements: [], comments: [], objInfo: [], dataOffset };
  let sawFormat = false;
  for (let k = 1; k < lines.length; k++) {
    const line = lines[k].replace(/\r$/, '');
    const words = line.trim().split(/\s+/);
    const keyword = words[0];
    const where = `bad PLY header, line ${k + 1}`;
    if (keyword === '' || keyword === 'end_header') continue;
    if (keyword === 'comment') {
      header.comments.push(line.replace(/^\s*comment\s?/, ''));
    } else if (keyword === 'obj_info') {
      header.objInfo.push(line.replace(/^\s*obj_info\s?/, ''));
    } else if (keyword === 'format') {
      const format = words[1];
      if (format !== 'ascii' && format !== 'binary_little_endian' && format !== 'binary_big_endian') {
        throw new InputError(file, `${where}: unknown format '${format ?? ''}' (expected ascii, binary_little_endian or binary_big_endian)`);
      }
      header.format = format;
      header.version = words[2] ?? '';
      sawFormat = true;
    } else if (keyword === 'element') {
      const count = Number(words[2]);
      if (words.length !== 3 || !Number.isSafeInteger(count) || count < 0) {
        throw new InputError(file, `${where}: expected 'element <name> <count>', got '${line.trim()}'`);
      }
      header.elements.push({ name: words[1], count, properties: [] });
    } else if (keyword === 'property') {
      const element = header.elements[header.elements.length - 1];
      if (element === undefined) throw new InputError(file, `${where}: property declared before any element`);
      element.properties.push(parsePropertyLine(words, line, where, file));
    } else {
      throw new InputError(file, `${where}: unknown keyword '${keyword}'`);
    }
  }
  if (!sawFormat) throw new InputError(file, "bad PLY header: no 'format' line");
  return header;
}

function scalarType(word: string | undefined, where: string, file: string): PlyScalarType {
  const code = word === undefined ? undefined : TYPE_CODES[word];
  if (code === undefined) {
    throw new InputError(file, `${where}: unknown property type '${word ?? ''}' (expected char, uchar, short, ushort, int, uint, float, double or int8…float64)`);
  }
  return SCALAR_NAME[code] as PlyScalarType;
}

function parsePropertyLine(words: string[], line: string, where: string, file: string): PlyProperty {
  if (words[1] === 'list') {
    if (words.length !== 5) throw new InputError(file, `${where}: expected 'property list <count type> <item type> <name>', got '${line.trim()}'`);
    const countType = scalarType(words[2], where, file);
    if (!isIntegerScalar(typeCode(countType))) throw new InputError(file, `${where}: list count type must be an integer type, got '${words[2]}'`);
    return { name: words[4], type: scalarType(words[3], where, file), countType };
  }
  if (words.length !== 3) throw new InputError(file, `${where}: expected 'property <type> <name>', got '${line.trim()}'`);
  return { name: words[2], type: scalarType(words[1], where, file) };
}

// Destination slots for vertex properties.
const SLOT_X = 0;
const SLOT_NX = 3;
const SLOT_R = 6;
const SLOT_COUNT = 9;
/** Slot marking the face index list. */
const SLOT_FACE = -2;
const SLOT_SKIP = -1;

const VERTEX_SLOTS: Readonly<Record<string, number>> = {
  x: 0, y: 1, z: 2, nx: 3, ny: 4, nz: 5, normal_x: 3, normal_y: 4, normal_z: 5,
  red: 6, green: 7, blue: 8, diffuse_red: 6, diffuse_green: 7, diffuse_blue: 8,
};

/** How to walk one element: per property its type code, list count code (-1 if scalar) and slot. */
interface ElementPlan {
  name: string;
  count: number;
  codes: Int32Array;
  countCodes: Int32Array;
  slots: Int32Array;
  /** Record size in bytes when no property is a list, else -1. */
  fixedSize: number;
  /** Smallest possible record size in bytes. */
  minSize: number;
}

function planElement(element: PlyElement, role: 'vertex' | 'face' | 'other'): ElementPlan {
  const n = element.properties.length;
  const plan: ElementPlan = {
    name: element.name,
    count: element.count,
    codes: new Int32Array(n),
    countCodes: new Int32Array(n),
    slots: new Int32Array(n),
    fixedSize: 0,
    minSize: 0,
  };
  let hasList = false;
  let faceListTaken = false;
  element.properties.forEach((p, k) => {
    plan.codes[k] = typeCode(p.type);
    plan.countCodes[k] = p.countType === undefined ? -1 : typeCode(p.countType);
    let slot = SLOT_SKIP;
    if (p.countType === undefined) {
      if (role === 'vertex') slot = VERTEX_SLOTS[p.name] ?? SLOT_SKIP;
      plan.minSize += SCALAR_SIZE[plan.codes[k]];
    } else {
      hasList = true;
      plan.minSize += SCALAR_SIZE[plan.countCodes[k]];
      if (role === 'face' && !faceListTaken && (p.name === 'vertex_indices' || p.name === 'vertex_index')) {
        slot = SLOT_FACE;
        faceListTaken = true;
      }
    }
    plan.slots[k] = slot;
  });
  plan.fixedSize = hasList ? -1 : plan.minSize;
  return plan;
}

function plural(name: string, count: number): string {
  if (name === 'vertex') return `${count} ${count === 1 ? 'vertex' : 'vertices'}`;
  if (name === 'face') return `${count} face${count === 1 ? '' : 's'}`;
  return `${count} '${name}' element${count === 1 ? '' : 's'}`;
}

function singular(name: string): string {
  return name === 'vertex' || name === 'face' ? name : `'${name}' element`;
}

function joinAnd(parts: string[]): string {
  return parts.length <= 1 ? parts.join('') : `${parts.slice(0, -1).join(', ')} and ${parts[parts.length - 1]}`;
}

/** "5023 vertices and 9976 faces": the element counts of the header, or `counts` in their place. */
function listCounts(plans: ElementPlan[], counts?: ArrayLike<number>): string {
  return joinAnd(plans.map((p, k) => plural(p.name, counts === undefined ? p.count : counts[k])));
}

/** The error for data that ends inside element `k`, after `complete` of its records. */
function truncatedError(file: string, plans: ElementPlan[], k: number, complete: number): InputError {
  const parts: string[] = [];
  for (let j = 0; j < k; j++) if (plans[j].count > 0) parts.push(plural(plans[j].name, plans[j].count));
  if (complete > 0) parts.push(plural(plans[k].name, complete));
  const where = parts.length === 0 ? `before the first ${singular(plans[k].name)}` : `after ${joinAnd(parts)}`;
  return new InputError(file, `truncated: the header declares ${listCounts(plans)}, the data ends ${where}; the file is cut short: copy or export it again`);
}

/** The error for data whose records are those of other element counts than the header's. */
function disagreeError(file: string, plans: ElementPlan[], counts: number[]): InputError {
  return new InputError(
    file,
    `the header and the data disagree: the header declares ${listCounts(plans)}, the data holds ${listCounts(plans, counts)}; correct the counts in the header or export the file again`,
  );
}

/** Collects the vertex columns and triangles while the body is walked. */
class MeshSink {
  positions = new Float64Array(0);
  normals: Float64Array | undefined;
  colors: Uint8Array | undefined;
  colourCodes: Int32Array = new Int32Array(3);
  triangles = new GrowableUint32(0);
  /** Largest vertex index met in the faces (-1 before any). */
  maxIndex = -1;
  /** Values of the current vertex record, by slot. */
  readonly scratch = new Float64Array(SLOT_COUNT);
  /** Corner indices of the current polygon. */
  polygon = new Float64Array(16);
  private has: boolean[] = [];

  /** Check that the vertex element has x, y and z and note which optional columns it has. */
  planVertices(element: PlyElement, plan: ElementPlan, file: string): void {
    const has = new Array<boolean>(SLOT_COUNT).fill(false);
    element.properties.forEach((_, k) => {
      const slot = plan.slots[k];
      if (slot >= 0) {
        has[slot] = true;
        if (slot >= SLOT_R) this.colourCodes[slot - SLOT_R] = plan.codes[k];
      }
    });
    if (!has[0] || !has[1] || !has[2]) {
      throw new InputError(file, `the 'vertex' element has no x, y and z properties (found: ${element.properties.map((p) => p.name).join(', ') || 'none'})`);
    }
    this.has = has;
  }

  /** Allocate the vertex columns (once the data is known to be long enough). */
  allocate(vertices: number, faces: number): void {
    const has = this.has;
    this.positions = new Float64Array(3 * vertices);
    if (has[3] && has[4] && has[5]) this.normals = new Float64Array(3 * vertices);
    if (has[6] && has[7] && has[8]) this.colors = new Uint8Array(3 * vertices);
    this.triangles = new GrowableUint32(3 * faces);
  }

  storeVertex(i: number): void {
    const s = this.scratch;
    const o = 3 * i;
    this.positions[o] = s[SLOT_X];
    this.positions[o + 1] = s[SLOT_X + 1];
    this.positions[o + 2] = s[SLOT_X + 2];
    const normals = this.normals;
    if (normals !== undefined) {
      normals[o] = s[SLOT_NX];
      normals[o + 1] = s[SLOT_NX + 1];
      normals[o + 2] = s[SLOT_NX + 2];
    }
    const colors = this.colors;
    if (colors !== undefined) {
      const c = this.colourCodes;
      colors[o] = colourChannel(s[SLOT_R], c[0]);
      colors[o + 1] = colourChannel(s[SLOT_R + 1], c[1]);
      colors[o + 2] = colourChannel(s[SLOT_R + 2], c[2]);
    }
  }

  polygonCapacity(corners: number): Float64Array {
    if (corners > this.polygon.length) this.polygon = new Float64Array(Math.max(corners, 2 * this.polygon.length));
    return this.polygon;
  }

  /** Fan-triangulate the first `corners` entries of `polygon`; `face` is the record index (for errors). */
  storePolygon(corners: number, face: number, file: string): void {
    const poly = this.polygon;
    let max = this.maxIndex;
    for (let k = 0; k < corners; k++) {
      const v = poly[k];
      if (!(v >= 0) || !Number.isInteger(v) || v > 0xffffffff) {
        throw new InputError(file, `face ${face} has an invalid vertex index (${v}); indices must be integers >= 0`);
      }
      if (v > max) max = v;
    }
    this.maxIndex = max;
    for (let k = 1; k + 1 < corners; k++) this.triangles.push3(poly[0], poly[k], poly[k + 1]);
  }
}

/** Number of whole records of `plan` that fit in `view` from `offset` (for the truncation message). */
function countCompleteRecords(view: DataView, offset: number, plan: ElementPlan, little: boolean): number {
  const end = view.byteLength;
  if (plan.fixedSize >= 0) return plan.fixedSize === 0 ? plan.count : Math.floor((end - offset) / plan.fixedSize);
  let complete = 0;
  for (let i = 0; i < plan.count; i++) {
    for (let k = 0; k < plan.codes.length; k++) {
      const countCode = plan.countCodes[k];
      if (countCode >= 0) {
        if (offset + SCALAR_SIZE[countCode] > end) return complete;
        const n = readScalar(view, offset, countCode, little);
        offset += SCALAR_SIZE[countCode] + Math.max(0, n) * SCALAR_SIZE[plan.codes[k]];
      } else {
        offset += SCALAR_SIZE[plan.codes[k]];
      }
      if (offset > end) return complete;
    }
    complete++;
  }
  return complete;
}

/** Where binary data too short for the header ends: element `k` after `complete` records; undefined if every record fits. */
function binaryDataEnd(view: DataView, offset: number, plans: ElementPlan[], little: boolean): { k: number; complete: number } | undefined {
  const end = view.byteLength;
  for (let k = 0; k < plans.length; k++) {
    const plan = plans[k];
    const complete = countCompleteRecords(view, offset, plan, little);
    if (complete < plan.count) return { k, complete };
    offset = skipBinaryRecords(view, offset, plan, little);
    if (offset > end) return { k, complete: plan.count };
  }
  return undefined;
}

/** The offset after all records of `plan` from `offset` (lists read for their lengths). */
function skipBinaryRecords(view: DataView, offset: number, plan: ElementPlan, little: boolean): number {
  if (plan.fixedSize >= 0) return offset + plan.count * plan.fixedSize;
  for (let i = 0; i < plan.count; i++) {
    for (let k = 0; k < plan.codes.length; k++) {
      const countCode = plan.countCodes[k];
      if (countCode < 0) {
        offset += SCALAR_SIZE[plan.codes[k]];
      } else {
        const n = readScalar(view, offset, countCode, little);
        offset += SCALAR_SIZE[countCode] + Math.max(0, n) * SCALAR_SIZE[plan.codes[k]];
      }
    }
  }
  return offset;
}

/**
 * The plans of a plain mesh or cloud body: a vertex element without list properties,
 * optionally followed by a face element whose only property is its index list, and no
 * other element with records. Only such bodies are diagnosed when header and data disagree.
 */
function plainLayout(plans: ElementPlan[]): { v: ElementPlan; f: ElementPlan | undefined } | undefined {
  const used = plans.filter((p) => p.count > 0 && p.codes.length > 0);
  const v = plans.find((p) => p.name === 'vertex');
  const f = plans.find((p) => p.name === 'face');
  if (v === undefined || v.fixedSize <= 0 || used.some((p) => p !== v && p !== f)) return undefined;
  if (f === undefined) return { v, f: undefined };
  if (plans.indexOf(f) < plans.indexOf(v) || f.codes.length !== 1 || f.slots[0] !== SLOT_FACE) return undefined;
  return { v, f };
}

function countsWith(plans: ElementPlan[], v: ElementPlan, vertices: number, f: ElementPlan | undefined, faces: number): number[] {
  return plans.map((p) => (p === v ? vertices : p === f ? faces : p.count));
}

/** Whether `faces` triangle records from `offset` (count 3, indices below `vertices`) fill the data exactly. */
function trianglesFit(view: DataView, offset: number, faces: number, vertices: number, f: ElementPlan, little: boolean): boolean {
  const countCode = f.countCodes[0];
  const code = f.codes[0];
  const countSize = SCALAR_SIZE[countCode];
  const size = SCALAR_SIZE[code];
  for (let i = 0; i < faces; i++) {
    if (readScalar(view, offset, countCode, little) !== 3) return false;
    offset += countSize;
    for (let c = 0; c < 3; c++) {
      const index = readScalar(view, offset, code, little);
      if (!(index >= 0 && index < vertices) || !Number.isInteger(index)) return false;
      offset += size;
    }
  }
  return offset === view.byteLength;
}

/**
 * When binary data does not fit the header, the counts it does fit, if that is clear: the
 * declared triangles after a different number of vertices, or a different number of
 * triangles after the declared vertices (every face record checked). Undefined otherwise.
 */
function diagnoseBinary(view: DataView, dataOffset: number, plans: ElementPlan[], little: boolean, file: string): InputError | undefined {
  const layout = plainLayout(plans);
  if (layout === undefined) return undefined;
  const { v, f } = layout;
  const bytes = view.byteLength - dataOffset;
  const vs = v.fixedSize;
  if (f === undefined) {
    return bytes % vs === 0 && bytes / vs > v.count ? disagreeError(file, plans, countsWith(plans, v, bytes / vs, f, 0)) : undefined;
  }
  const fr = SCALAR_SIZE[f.countCodes[0]] + 3 * SCALAR_SIZE[f.codes[0]];
  const vertexBytes = bytes - f.count * fr;
  if (vertexBytes >= 0 && vertexBytes % vs === 0 && vertexBytes / vs !== v.count
    && trianglesFit(view, dataOffset + vertexBytes, f.count, vertexBytes / vs, f, little)) {
    return disagreeError(file, plans, countsWith(plans, v, vertexBytes / vs, f, f.count));
  }
  const faceBytes = bytes - v.count * vs;
  if (faceBytes >= 0 && faceBytes % fr === 0 && faceBytes / fr > f.count
    && trianglesFit(view, dataOffset + v.count * vs, faceBytes / fr, v.count, f, little)) {
    return disagreeError(file, plans, countsWith(plans, v, v.count, f, faceBytes / fr));
  }
  return undefined;
}

/**
 * ASCII counterpart of `diagnoseBinary`, from the line structure (one record per line):
 * the leading lines with as many numbers as a vertex record are vertices, the following
 * lines `n i1 … in` are faces. Undefined when the lines do not read that way or agree with
 * the header.
 */
function diagnoseAscii(bytes: Uint8Array, dataOffset: number, plans: ElementPlan[], file: string): InputError | undefined {
  const layout = plainLayout(plans);
  if (layout === undefined) return undefined;
  const { v, f } = layout;
  const perVertex = v.codes.length;
  let vertices = 0;
  let faces = 0;
  let inFaces = false;
  let i = dataOffset;
  const end = bytes.length;
  while (i < end) {
    let tokens = 0;
    let firstStart = -1;
    let firstEnd = -1;
    while (i < end && bytes[i] !== 0x0a) {
      const c = bytes[i];
      if (c === 0x20 || c === 0x09 || c === 0x0d || c === 0x0b || c === 0x0c) {
        i++;
        continue;
      }
      const start = i;
      while (i < end && bytes[i] !== 0x0a && bytes[i] !== 0x20 && bytes[i] !== 0x09 && bytes[i] !== 0x0d && bytes[i] !== 0x0b && bytes[i] !== 0x0c) i++;
      if (tokens === 0) {
        firstStart = start;
        firstEnd = i;
      }
      tokens++;
    }
    i++;
    if (tokens === 0) continue;
    if (!inFaces && tokens === perVertex) {
      vertices++;
      continue;
    }
    inFaces = true;
    if (f === undefined) return undefined;
    const n = parseNumber(bytes, firstStart, firstEnd);
    if (!Number.isInteger(n) || n < 0 || tokens !== n + 1) return undefined;
    faces++;
  }
  const declaredFaces = f?.count ?? 0;
  // A prefix of the declared records is a file cut short, reported as such.
  if ((vertices <= v.count && faces === 0) || (vertices === v.count && faces <= declaredFaces)) return undefined;
  // Face lines with as many numbers as a vertex record cannot be told apart from vertices.
  if (declaredFaces > 0 && faces === 0) return undefined;
  return disagreeError(file, plans, countsWith(plans, v, vertices, f, faces));
}

/**
 * Vertex records without list properties (bounds already checked): read only the wanted
 * columns, each straight into its array (see `readRecordColumns`).
 */
function readFixedVertices(view: DataView, offset: number, plan: ElementPlan, little: boolean, sink: MeshSink): number {
  const count = plan.count;
  const columns: Parameters<typeof readRecordColumns>[5] = [];
  const colours: { code: number; channel: number; values: Float64Array }[] = [];
  let at = 0;
  for (let k = 0; k < plan.codes.length; k++) {
    const slot = plan.slots[k];
    const code = plan.codes[k];
    if (slot >= SLOT_X && slot < SLOT_NX) {
      columns.push({ code, offset: at, dest: sink.positions, destOffset: slot - SLOT_X, destStride: 3 });
    } else if (slot >= SLOT_NX && slot < SLOT_R && sink.normals !== undefined) {
      columns.push({ code, offset: at, dest: sink.normals, destOffset: slot - SLOT_NX, destStride: 3 });
    } else if (slot >= SLOT_R && slot < SLOT_COUNT && sink.colors !== undefined) {
      const values = new Float64Array(count);
      colours.push({ code, channel: slot - SLOT_R, values });
      columns.push({ code, offset: at, dest: values, destOffset: 0, destStride: 1 });
    }
    at += SCALAR_SIZE[code];
  }
  const bytes = new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
  readRecordColumns(bytes, offset, plan.fixedSize, count, little, columns);
  const colors = sink.colors;
  for (const { code, channel, values } of colours) for (let i = 0; i < count; i++) colors![3 * i + channel] = colourChannel(values[i], code);
  return offset + count * plan.fixedSize;
}

/**
 * Walk the records of one element in binary data; returns the offset after them.
 * `cut(i)` is the error for data that ends inside record i.
 */
function walkBinaryElement(
  view: DataView, offset: number, plan: ElementPlan, little: boolean, role: 'vertex' | 'face' | 'other',
  sink: MeshSink, file: string, cut: (complete: number) => InputError,
): number {
  const end = view.byteLength;
  const count = plan.count;
  if (offset + count * plan.minSize > end) throw cut(countCompleteRecords(view, offset, plan, little));
  if (role === 'other' && plan.fixedSize >= 0) return offset + count * plan.fixedSize;
  if (role === 'vertex' && plan.fixedSize >= 0) return readFixedVertices(view, offset, plan, little, sink);
  const { codes, countCodes, slots } = plan;
  const nprops = codes.length;
  const scratch = sink.scratch;
  for (let i = 0; i < count; i++) {
    for (let k = 0; k < nprops; k++) {
      const code = codes[k];
      const countCode = countCodes[k];
      if (countCode < 0) {
        if (offset + SCALAR_SIZE[code] > end) throw cut(i);
        const slot = slots[k];
        if (slot >= 0) scratch[slot] = readScalar(view, offset, code, little);
        offset += SCALAR_SIZE[code];
        continue;
      }
      if (offset + SCALAR_SIZE[countCode] > end) throw cut(i);
      const n = readScalar(view, offset, countCode, little);
      offset += SCALAR_SIZE[countCode];
      if (n < 0) throw new InputError(file, `${plan.name} ${i}: negative list length ${n}`);
      const size = SCALAR_SIZE[code];
      if (offset + n * size > end) throw cut(i);
      if (slots[k] === SLOT_FACE) {
        const poly = sink.polygonCapacity(n);
        for (let c = 0; c < n; c++) poly[c] = readScalar(view, offset + c * size, code, little);
        sink.storePolygon(n, i, file);
      }
      offset += n * size;
    }
    if (role === 'vertex') sink.storeVertex(i);
  }
  return offset;
}

/**
 * Walk the records of one element in ASCII data (tokens may span lines). `cut(i)` is the
 * error for data that ends inside record i.
 */
function walkAsciiElement(
  scanner: AsciiScanner, plan: ElementPlan, role: 'vertex' | 'face' | 'other', sink: MeshSink, file: string,
  cut: (complete: number) => InputError,
): void {
  const { codes, countCodes, slots } = plan;
  const nprops = codes.length;
  const scratch = sink.scratch;
  for (let i = 0; i < plan.count; i++) {
    for (let k = 0; k < nprops; k++) {
      if (!scanner.next()) throw cut(i);
      const countCode = countCodes[k];
      if (countCode < 0) {
        const slot = slots[k];
        if (slot < 0) continue;
        const value = scanner.number();
        if (Number.isNaN(value) && !scanner.tokenIsNan()) {
          throw new InputError(file, `${plan.name} ${i} (line ${scanner.line}): '${scanner.text()}' is not a number`);
        }
        // A float32 property holds the float32 nearest to the decimal (as C strtof reads it).
        scratch[slot] = codes[k] === F32 ? Math.fround(value) : value;
        continue;
      }
      const n = scanner.number();
      if (!Number.isInteger(n) || n < 0) {
        throw new InputError(file, `${plan.name} ${i} (line ${scanner.line}): list length '${scanner.text()}' is not a non-negative integer`);
      }
      if (slots[k] !== SLOT_FACE) {
        for (let c = 0; c < n; c++) if (!scanner.next()) throw cut(i);
        continue;
      }
      const poly = sink.polygonCapacity(n);
      for (let c = 0; c < n; c++) {
        if (!scanner.next()) throw cut(i);
        poly[c] = scanner.number();
      }
      sink.storePolygon(n, i, file);
    }
    if (role === 'vertex') sink.storeVertex(i);
  }
}

/** Where ASCII data too short for the header ends (a dry walk of the tokens); undefined if it does not simply run out. */
function asciiDataEnd(bytes: Uint8Array, start: number, plans: ElementPlan[]): { k: number; complete: number } | undefined {
  const scanner = new AsciiScanner(bytes, start, bytes.length);
  for (let k = 0; k < plans.length; k++) {
    const plan = plans[k];
    for (let i = 0; i < plan.count; i++) {
      for (let p = 0; p < plan.codes.length; p++) {
        if (!scanner.next()) return { k, complete: i };
        if (plan.countCodes[p] < 0) continue;
        const n = scanner.number();
        if (!Number.isInteger(n) || n < 0) return undefined;
        for (let c = 0; c < n; c++) if (!scanner.next()) return { k, complete: i };
      }
    }
  }
  return undefined;
}

/** Number of lines holding something other than whitespace in `bytes[start, end)`. */
function countTextLines(bytes: Uint8Array, start: number): number {
  let lines = 0;
  let filled = false;
  for (let i = start; i < bytes.length; i++) {
    const c = bytes[i];
    if (c === 0x0a) {
      if (filled) lines++;
      filled = false;
    } else if (c !== 0x20 && c !== 0x09 && c !== 0x0d && c !== 0x0b && c !== 0x0c) {
      filled = true;
    }
  }
  return filled ? lines + 1 : lines;
}

/**
 * Parse a PLY file held in memory. Returns the vertices (with normals/colours when all
 * three components are present) and the fan-triangulated faces (empty for a point cloud).
 * Structural problems throw an InputError naming `file`; values are not validated here.
 * The data must hold exactly the records the header declares: data that ends early, and
 * data left after the declared records (other than whitespace in an ASCII file), are
 * refused, and when the records fit other element counts the error names them.
 */
export function parsePly(bytes: Uint8Array, file: string): TriangleMesh {
  const header = parsePlyHeader(bytes, file);
  const vertexIndex = header.elements.findIndex((e) => e.name === 'vertex');
  if (vertexIndex < 0) throw new InputError(file, "the PLY file has no 'vertex' element");
  const faceIndex = header.elements.findIndex((e) => e.name === 'face');
  const roles = header.elements.map((_, k) => (k === vertexIndex ? 'vertex' : k === faceIndex ? 'face' : 'other') as 'vertex' | 'face' | 'other');
  const plans = header.elements.map((e, k) => planElement(e, roles[k]));
  if (faceIndex >= 0 && header.elements[faceIndex].count > 0 && !plans[faceIndex].slots.includes(SLOT_FACE)) {
    throw new InputError(file, "the 'face' element has no list property 'vertex_indices' (or 'vertex_index')");
  }
  const sink = new MeshSink();
  sink.planVertices(header.elements[vertexIndex], plans[vertexIndex], file);
  const vertexCount = plans[vertexIndex].count;
  const faceCountDeclared = faceIndex >= 0 ? plans[faceIndex].count : 0;
  const start = header.dataOffset;
  const cut = (k: number) => (complete: number): InputError => truncatedError(file, plans, k, complete);

  if (header.format === 'ascii') {
    const diagnose = (): InputError | undefined => diagnoseAscii(bytes, start, plans, file);
    // Each record needs at least one token per property and a separator after all but the last.
    const tokens = plans.reduce((n, p) => n + p.count * p.codes.length, 0);
    if (2 * tokens - 1 > bytes.length - start) {
      const end = asciiDataEnd(bytes, start, plans);
      throw diagnose() ?? (end === undefined
        ? new InputError(file, `truncated: the header declares ${listCounts(plans)}, the data has only ${bytes.length - start} bytes; correct the counts in the header or export the file again`)
        : truncatedError(file, plans, end.k, end.complete));
    }
    sink.allocate(vertexCount, faceCountDeclared);
    const firstLine = latin1(bytes, 0, start).split('\n').length;
    const scanner = new AsciiScanner(bytes, start, bytes.length, firstLine);
    try {
      plans.forEach((plan, k) => walkAsciiElement(scanner, plan, roles[k], sink, file, cut(k)));
    } catch (error) {
      throw (error instanceof InputError ? diagnose() : undefined) ?? error;
    }
    if (scanner.next()) {
      const line = scanner.line;
      const extra = countTextLines(bytes, scanner.tokenStart);
      throw diagnose() ?? new InputError(
        file,
        `${extra} line${extra === 1 ? '' : 's'} after the declared data (${listCounts(plans)}), from line ${line}: the header and the data disagree; correct the counts in the header or export the file again`,
      );
    }
    if (faceIndex >= 0 && sink.maxIndex >= vertexCount) {
      const error = diagnose();
      if (error) throw error;
    }
  } else {
    const little = header.format === 'binary_little_endian';
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const diagnose = (): InputError | undefined => diagnoseBinary(view, start, plans, little, file);
    const minimum = plans.reduce((n, p) => n + p.count * p.minSize, 0);
    if (start + minimum > bytes.length) {
      const end = binaryDataEnd(view, start, plans, little);
      throw diagnose() ?? truncatedError(file, plans, end?.k ?? plans.length - 1, end?.complete ?? 0);
    }
    sink.allocate(vertexCount, faceCountDeclared);
    let offset = start;
    try {
      plans.forEach((plan, k) => {
        offset = walkBinaryElement(view, offset, plan, little, roles[k], sink, file, cut(k));
      });
    } catch (error) {
      throw (error instanceof InputError ? diagnose() : undefined) ?? error;
    }
    if (offset < bytes.length) {
      const extra = bytes.length - offset;
      throw diagnose() ?? new InputError(
        file,
        `${extra} byte${extra === 1 ? '' : 's'} after the declared data (${listCounts(plans)}): the header and the data disagree; correct the counts in the header or export the file again`,
      );
    }
    if (faceIndex >= 0 && sink.maxIndex >= vertexCount) {
      const error = diagnose();
      if (error) throw error;
    }
  }
  const mesh: TriangleMesh = { positions: sink.positions, faces: sink.triangles.toArray() };
  if (sink.normals) mesh.normals = sink.normals;
  if (sink.colors) mesh.colors = sink.colors;
  return mesh;
}

export interface PlyWriteOptions {
  /** Default `binary_little_endian`. */
  format?: PlyFormat;
  /** Storage of positions and normals: `float` (float32, default) or `double`. */
  precision?: 'float' | 'double';
  /** Header comment lines (no line breaks). */
  comments?: string[];
}

/** What the PLY writer stores: positions, optional normals/colours, optional triangles. */
export type PlyGeometry = PointCloud & { faces?: Uint32Array };

function checkGeometry(g: PlyGeometry): number {
  const n = g.positions.length / 3;
  if (!Number.isInteger(n)) throw new Error(`positions length ${g.positions.length} is not a multiple of 3`);
  if (g.normals && g.normals.length !== g.positions.length) throw new Error(`${g.normals.length / 3} normals for ${n} vertices`);
  if (g.colors && g.colors.length !== g.positions.length) throw new Error(`${g.colors.length / 3} colours for ${n} vertices`);
  if (g.faces && g.faces.length % 3 !== 0) throw new Error(`faces length ${g.faces.length} is not a multiple of 3`);
  if (g.faces && g.faces.length > 0 && n > 0x7fffffff) throw new Error('too many vertices for int32 face indices');
  return n;
}

function plyHeaderText(g: PlyGeometry, format: PlyFormat, precision: 'float' | 'double', comments: string[]): string {
  const t = precision;
  const lines = ['ply', `format ${format} 1.0`];
  for (const c of comments) lines.push(`comment ${c.replace(/[\r\n]+/g, ' ')}`);
  lines.push(`element vertex ${g.positions.length / 3}`);
  for (const a of ['x', 'y', 'z']) lines.push(`property ${t} ${a}`);
  if (g.normals) for (const a of ['nx', 'ny', 'nz']) lines.push(`property ${t} ${a}`);
  if (g.colors) for (const a of ['red', 'green', 'blue']) lines.push(`property uchar ${a}`);
  const nf = g.faces ? g.faces.length / 3 : 0;
  if (nf > 0) {
    lines.push(`element face ${nf}`);
    lines.push('property list uchar int vertex_indices');
  }
  lines.push('end_header', '');
  return lines.join('\n');
}

/**
 * Encode positions, optional normals and colours, and triangles (`list uchar int
 * vertex_indices`) as PLY. ASCII numbers are the shortest decimals that read back exactly
 * at the chosen precision.
 */
export function encodePly(geometry: PlyGeometry, options: PlyWriteOptions = {}): Uint8Array {
  const format = options.format ?? 'binary_little_endian';
  const precision = options.precision ?? 'float';
  const n = checkGeometry(geometry);
  const header = Buffer.from(plyHeaderText(geometry, format, precision, options.comments ?? []), 'latin1');
  const { positions, normals, colors } = geometry;
  const faces = geometry.faces ?? new Uint32Array(0);
  const nf = faces.length / 3;
  if (format === 'ascii') {
    const fmt = precision === 'float' ? formatFloat32 : formatFloat64;
    const parts: string[] = [];
    for (let i = 0; i < n; i++) {
      const o = 3 * i;
      let line = `${fmt(positions[o])} ${fmt(positions[o + 1])} ${fmt(positions[o + 2])}`;
      if (normals) line += ` ${fmt(normals[o])} ${fmt(normals[o + 1])} ${fmt(normals[o + 2])}`;
      if (colors) line += ` ${colors[o]} ${colors[o + 1]} ${colors[o + 2]}`;
      parts.push(line);
    }
    for (let f = 0; f < nf; f++) parts.push(`3 ${faces[3 * f]} ${faces[3 * f + 1]} ${faces[3 * f + 2]}`);
    const body = Buffer.from(parts.length > 0 ? parts.join('\n') + '\n' : '', 'latin1');
    return Buffer.concat([header, body]);
  }
  const little = format === 'binary_little_endian';
  const ps = precision === 'float' ? 4 : 8;
  const vertexSize = 3 * ps + (normals ? 3 * ps : 0) + (colors ? 3 : 0);
  const out = new Uint8Array(header.length + n * vertexSize + nf * 13);
  out.set(header, 0);
  const view = new DataView(out.buffer);
  let o = header.length;
  const put = ps === 4
    ? (v: number): void => { view.setFloat32(o, v, little); o += 4; }
    : (v: number): void => { view.setFloat64(o, v, little); o += 8; };
  for (let i = 0; i < n; i++) {
    const b = 3 * i;
    put(positions[b]);
    put(positions[b + 1]);
    put(positions[b + 2]);
    if (normals) {
      put(normals[b]);
      put(normals[b + 1]);
      put(normals[b + 2]);
    }
    if (colors) {
      out[o] = colors[b];
      out[o + 1] = colors[b + 1];
      out[o + 2] = colors[b + 2];
      o += 3;
    }
  }
  for (let f = 0; f < nf; f++) {
    out[o] = 3;
    view.setInt32(o + 1, faces[3 * f], little);
    view.setInt32(o + 5, faces[3 * f + 1], little);
    view.setInt32(o + 9, faces[3 * f + 2], little);
    o += 13;
  }
  return out;
}

/** Write `geometry` as a PLY file (atomically: temporary name, then rename). */
export function writePly(path: string, geometry: PlyGeometry, options: PlyWriteOptions = {}): void {
  writeFileAtomic(path, encodePly(geometry, options));
}
