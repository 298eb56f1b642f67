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
 * dropped.
 */
import { InputError } from '../errors.js';
import type { PointCloud, TriangleMesh } from '../geometry/types.js';
import { writeFileAtomic } from './atomic.js';
import { GrowableUint32 } from './growable.js';
import { formatFloat32, formatFloat64 } from './number-format.js';
import {
  F32, F64, I16, I32, I8, SCALAR_NAME, SCALAR_SIZE, U16, U32, U8, colourChannel, isIntegerScalar, readScalar,
} from './scalar-types.js';
import { AsciiScanner, latin1 } from './text-scan.js';

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
  const start = latin1(bytes, 0, Math.min(bytes.length, 4));
  if (!/^ply\s/.test(start)) {
    throw new InputError(file, "not a PLY file (it does not start with the line 'ply')");
  }
  const dataOffset = findDataOffset(bytes);
  if (dataOffset < 0) {
    throw new InputError(file, "bad PLY header: no 'end_header' line (the file is cut short or not a PLY file)");
  }
  const lines = latin1(bytes, 0, dataOffset).split('\n');
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
  if (name === 'vertex') return `${count} vertices`;
  if (name === 'face') return `${count} faces`;
  return `${count} '${name}' elements`;
}

/** Collects the vertex columns and triangles while the body is walked. */
class MeshSink {
  positions = new Float64Array(0);
  normals: Float64Array | undefined;
  colors: Uint8Array | undefined;
  colourCodes: Int32Array = new Int32Array(3);
  triangles = new GrowableUint32(0);
  /** Values of the current vertex record, by slot. */
  readonly scratch = new Float64Array(SLOT_COUNT);
  /** Corner indices of the current polygon. */
  polygon = new Float64Array(16);

  startVertices(element: PlyElement, plan: ElementPlan, file: string): void {
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
    const n = element.count;
    this.positions = new Float64Array(3 * n);
    if (has[3] && has[4] && has[5]) this.normals = new Float64Array(3 * n);
    if (has[6] && has[7] && has[8]) this.colors = new Uint8Array(3 * n);
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
    for (let k = 0; k < corners; k++) {
      const v = poly[k];
      if (!(v >= 0) || !Number.isInteger(v) || v > 0xffffffff) {
        throw new InputError(file, `face ${face} has an invalid vertex index (${v}); indices must be integers >= 0`);
      }
    }
    for (let k = 1; k + 1 < corners; k++) this.triangles.push3(poly[0], poly[k], poly[k + 1]);
  }
}

function truncatedBinary(file: string, plan: ElementPlan, complete: number): InputError {
  return new InputError(file, `truncated binary data: expected ${plural(plan.name, plan.count)}, file ends after ${complete}`);
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

/** Vertex records without list properties (bounds already checked): read only the wanted columns. */
function readFixedVertices(view: DataView, offset: number, plan: ElementPlan, little: boolean, sink: MeshSink): number {
  const wantedSlots: number[] = [];
  const wantedOffsets: number[] = [];
  const wantedCodes: number[] = [];
  let at = 0;
  for (let k = 0; k < plan.codes.length; k++) {
    if (plan.slots[k] >= 0) {
      wantedSlots.push(plan.slots[k]);
      wantedOffsets.push(at);
      wantedCodes.push(plan.codes[k]);
    }
    at += SCALAR_SIZE[plan.codes[k]];
  }
  const nw = wantedSlots.length;
  const slots = Int32Array.from(wantedSlots);
  const offsets = Int32Array.from(wantedOffsets);
  const codes = Int32Array.from(wantedCodes);
  const scratch = sink.scratch;
  const size = plan.fixedSize;
  for (let i = 0; i < plan.count; i++) {
    const base = offset + i * size;
    for (let w = 0; w < nw; w++) scratch[slots[w]] = readScalar(view, base + offsets[w], codes[w], little);
    sink.storeVertex(i);
  }
  return offset + plan.count * size;
}

/** Walk the records of one element in binary data; returns the offset after them. */
function walkBinaryElement(
  view: DataView, offset: number, plan: ElementPlan, little: boolean, role: 'vertex' | 'face' | 'other',
  sink: MeshSink, file: string,
): number {
  const end = view.byteLength;
  const count = plan.count;
  if (offset + count * plan.minSize > end) throw truncatedBinary(file, plan, countCompleteRecords(view, offset, plan, little));
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
        if (offset + SCALAR_SIZE[code] > end) throw truncatedBinary(file, plan, i);
        const slot = slots[k];
        if (slot >= 0) scratch[slot] = readScalar(view, offset, code, little);
        offset += SCALAR_SIZE[code];
        continue;
      }
      if (offset + SCALAR_SIZE[countCode] > end) throw truncatedBinary(file, plan, i);
      const n = readScalar(view, offset, countCode, little);
      offset += SCALAR_SIZE[countCode];
      if (n < 0) throw new InputError(file, `${plan.name} ${i}: negative list length ${n}`);
      const size = SCALAR_SIZE[code];
      if (offset + n * size > end) throw truncatedBinary(file, plan, i);
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

/** Walk the records of one element in ASCII data (tokens may span lines). */
function walkAsciiElement(scanner: AsciiScanner, plan: ElementPlan, role: 'vertex' | 'face' | 'other', sink: MeshSink, file: string): void {
  const { codes, countCodes, slots } = plan;
  const nprops = codes.length;
  const scratch = sink.scratch;
  const ended = (i: number): InputError =>
    new InputError(file, `ASCII data ends early: expected ${plural(plan.name, plan.count)}, file ends after ${i}`);
  for (let i = 0; i < plan.count; i++) {
    for (let k = 0; k < nprops; k++) {
      if (!scanner.next()) throw ended(i);
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
        for (let c = 0; c < n; c++) if (!scanner.next()) throw ended(i);
        continue;
      }
      const poly = sink.polygonCapacity(n);
      for (let c = 0; c < n; c++) {
        if (!scanner.next()) throw ended(i);
        poly[c] = scanner.number();
      }
      sink.storePolygon(n, i, file);
    }
    if (role === 'vertex') sink.storeVertex(i);
  }
}

/**
 * Parse a PLY file held in memory. Returns the vertices (with normals/colours when all
 * three components are present) and the fan-triangulated faces (empty for a point cloud).
 * Structural problems throw an InputError naming `file`; values are not validated here.
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
  sink.startVertices(header.elements[vertexIndex], plans[vertexIndex], file);
  if (faceIndex >= 0) sink.triangles = new GrowableUint32(3 * header.elements[faceIndex].count);

  if (header.format === 'ascii') {
    const remaining = bytes.length - header.dataOffset;
    const firstLine = latin1(bytes, 0, header.dataOffset).split('\n').length;
    const scanner = new AsciiScanner(bytes, header.dataOffset, bytes.length, firstLine);
    plans.forEach((plan, k) => {
      if (plan.codes.length > 0 && plan.count > remaining) {
        throw new InputError(file, `ASCII data ends early: expected ${plural(plan.name, plan.count)} in ${remaining} bytes`);
      }
      walkAsciiElement(scanner, plan, roles[k], sink, file);
    });
  } else {
    const little = header.format === 'binary_little_endian';
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    let offset = header.dataOffset;
    plans.forEach((plan, k) => {
      offset = walkBinaryElement(view, offset, plan, little, roles[k], sink, file);
    });
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
