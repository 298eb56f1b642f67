/**
 * NumPy `.npy` reader and writer (format described in NEP 1, "A simple file format for
 * NumPy arrays", and `numpy.lib.format`): magic `\x93NUMPY`, version byte pair, header
 * length (uint16 for v1.0, uint32 for v2.0/v3.0), a Python-literal dict
 * `{'descr': …, 'fortran_order': …, 'shape': (…)}` padded with spaces and `\n`, then the
 * raw array bytes.
 *
 * Returned data types (the array's native kind, always in C order and native byte order):
 * f2/f4 → Float32Array, f8 → Float64Array, i1 → Int8Array, u1/b1 → Uint8Array,
 * i2 → Int16Array, u2 → Uint16Array, i4 → Int32Array, u4 → Uint32Array, and
 * i8/u8 → Float64Array (every value must be an exact integer below 2^53 in magnitude,
 * otherwise an InputError). Object (pickled), string, complex and structured dtypes are
 * refused.
 */
import { InputError } from '../errors.js';
import { writeFileAtomic } from './atomic.js';
import { readInputFile } from './files.js';
import { F32, F64, I16, I32, I64, I8, SCALAR_SIZE, U16, U32, U64, U8, readScalar } from './scalar-types.js';
import { latin1 } from './text-scan.js';

/** Element kind and size without byte order, e.g. 'f4', 'i8', 'b1'. */
export type NpyDtype = 'f2' | 'f4' | 'f8' | 'i1' | 'i2' | 'i4' | 'i8' | 'u1' | 'u2' | 'u4' | 'u8' | 'b1';

export type NpyData = Float64Array | Float32Array | Int8Array | Uint8Array | Int16Array | Uint16Array | Int32Array | Uint32Array;

export interface NpyArray {
  /** Element type (byte order removed: data is native). */
  dtype: NpyDtype;
  /** The `descr` string as written in the file, e.g. '<f4'. */
  descr: string;
  shape: number[];
  /** Elements in C (row-major) order. */
  data: NpyData;
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59];

type PyValue = string | number | boolean | null | PyValue[] | { [key: string]: PyValue };

/** Tiny reader for the Python literal subset used in .npy headers. */
class PyLiteralReader {
  private i = 0;
  constructor(private readonly text: string, private readonly file: string) {}

  fail(what: string): never {
    throw new InputError(this.file, `bad .npy header: ${what} in ${JSON.stringify(this.text.trim())}`);
  }

  private skip(): void {
    while (this.i < this.text.length && /\s/.test(this.text[this.i])) this.i++;
  }

  value(): PyValue {
    this.skip();
    const c = this.text[this.i];
    if (c === '{') return this.dict();
    if (c === '(' || c === '[') return this.sequence(c === '(' ? ')' : ']');
    if (c === "'" || c === '"') return this.string();
    const m = /^(True|False|None|[+-]?\d+L?)/.exec(this.text.slice(this.i));
    if (m === null) this.fail(`unexpected text at offset ${this.i}`);
    this.i += m[0].length;
    if (m[0] === 'True') return true;
    if (m[0] === 'False') return false;
    if (m[0] === 'None') return null;
    return Number(m[0].replace(/L$/, ''));
  }

  private string(): string {
    const quote = this.text[this.i++];
    const end = this.text.indexOf(quote, this.i);
    if (end < 0) this.fail('unterminated string');
    const s = this.text.slice(this.i, end);
    this.i = end + 1;
    return s;
  }

  private sequence(close: string): PyValue[] {
    this.i++;
    const items: PyValue[] = [];
    for (;;) {
      this.skip();
      if (this.text[this.i] === close) {
        this.i++;
        return items;
      }
      items.push(this.value());
      this.skip();
      if (this.text[this.i] === ',') this.i++;
      else if (this.text[this.i] !== close) this.fail(`expected ',' or '${close}'`);
    }
  }

  private dict(): { [key: string]: PyValue } {
    this.i++;
    const out: { [key: string]: PyValue } = {};
    for (;;) {
      this.skip();
      if (this.text[this.i] === '}') {
        this.i++;
        return out;
      }
      const key = this.value();
      if (typeof key !== 'string') this.fail('dict keys must be strings');
      this.skip();
      if (this.text[this.i] !== ':') this.fail("expected ':'");
      this.i++;
      out[key] = this.value();
      this.skip();
      if (this.text[this.i] === ',') this.i++;
      else if (this.text[this.i] !== '}') this.fail("expected ',' or '}'");
    }
  }
}

interface DtypeInfo {
  dtype: NpyDtype;
  code: number;
  little: boolean;
}

const KIND_CODES: Readonly<Record<string, number>> = {
  f4: F32, f8: F64, i1: I8, i2: I16, i4: I32, i8: I64, u1: U8, u2: U16, u4: U32, u8: U64, b1: U8,
};

function parseDescr(descr: PyValue, file: string): DtypeInfo {
  if (typeof descr !== 'string') {
    throw new InputError(file, 'structured (record) dtypes are not supported; save a plain numeric array');
  }
  const m = /^([<>|=]?)([a-zA-Z])(\d*)$/.exec(descr);
  if (m === null) throw new InputError(file, `unsupported dtype '${descr}'`);
  const [, order, kind, size] = m;
  if (kind === 'O') {
    throw new InputError(file, `holds a pickled object array (dtype '${descr}'), which is refused for safety; save a numeric array (np.save(..., allow_pickle=False))`);
  }
  const key = `${kind}${size}`;
  if (key !== 'f2' && KIND_CODES[key] === undefined) {
    throw new InputError(file, `unsupported dtype '${descr}' (expected float16/32/64, int8..int64, uint8..uint64 or bool)`);
  }
  return { dtype: key as NpyDtype, code: key === 'f2' ? -1 : KIND_CODES[key], little: order !== '>' };
}

/** IEEE 754 half-precision bits to a number. */
function halfToNumber(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24;
  if (exponent === 31) return fraction === 0 ? sign * Number.POSITIVE_INFINITY : Number.NaN;
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}

function allocate(dtype: NpyDtype, n: number): NpyData {
  switch (dtype) {
    case 'f2':
    case 'f4':
      return new Float32Array(n);
    case 'f8':
    case 'i8':
    case 'u8':
      return new Float64Array(n);
    case 'i1':
      return new Int8Array(n);
    case 'u1':
    case 'b1':
      return new Uint8Array(n);
    case 'i2':
      return new Int16Array(n);
    case 'u2':
      return new Uint16Array(n);
    case 'i4':
      return new Int32Array(n);
    case 'u4':
      return new Uint32Array(n);
  }
}

/** Permutation from Fortran-order storage to C order: out[c] = in[fortranIndex(c)]. */
function fortranToC<T extends NpyData>(data: T, shape: number[]): T {
  const out = data.slice() as T;
  const nd = shape.length;
  if (nd < 2) return out;
  // Fortran strides (in elements) of each axis.
  const fstride = new Array<number>(nd);
  let s = 1;
  for (let a = 0; a < nd; a++) {
    fstride[a] = s;
    s *= shape[a];
  }
  const index = new Array<number>(nd).fill(0);
  let f = 0;
  for (let c = 0; c < data.length; c++) {
    out[c] = data[f];
    // Advance the C-order multi-index (last axis fastest) and its Fortran offset.
    for (let a = nd - 1; a >= 0; a--) {
      index[a]++;
      f += fstride[a];
      if (index[a] < shape[a]) break;
      f -= fstride[a] * shape[a];
      index[a] = 0;
    }
  }
  return out;
}

/** Parse a .npy file held in memory. */
export function parseNpy(bytes: Uint8Array, file: string): NpyArray {
  if (bytes.length < 10 || MAGIC.some((b, k) => bytes[k] !== b)) {
    throw new InputError(file, 'not a .npy file (missing the \\x93NUMPY magic)');
  }
  const major = bytes[6];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let headerLength: number;
  let headerStart: number;
  if (major === 1) {
    headerLength = view.getUint16(8, true);
    headerStart = 10;
  } else if (major === 2 || major === 3) {
    if (bytes.length < 12) throw new InputError(file, 'truncated .npy header');
    headerLength = view.getUint32(8, true);
    headerStart = 12;
  } else {
    throw new InputError(file, `unsupported .npy format version ${major}.${bytes[7]} (expected 1.0, 2.0 or 3.0)`);
  }
  const dataStart = headerStart + headerLength;
  if (dataStart > bytes.length) throw new InputError(file, `truncated .npy header: ${headerLength} header bytes announced, file has ${bytes.length - headerStart}`);
  const text = major === 3
    ? new TextDecoder('utf-8').decode(bytes.subarray(headerStart, dataStart))
    : latin1(bytes, headerStart, dataStart);
  const reader: PyLiteralReader = new PyLiteralReader(text, file);
  const dict = reader.value();
  if (dict === null || typeof dict !== 'object' || Array.isArray(dict)) reader.fail('the header is not a dict');
  const { descr, fortran_order: fortranOrder, shape: shapeValue } = dict;
  if (descr === undefined || fortranOrder === undefined || shapeValue === undefined) {
    reader.fail("the header needs 'descr', 'fortran_order' and 'shape'");
  }
  const info = parseDescr(descr, file);
  if (typeof fortranOrder !== 'boolean') reader.fail("'fortran_order' must be True or False");
  if (!Array.isArray(shapeValue) || shapeValue.some((d) => typeof d !== 'number' || !Number.isSafeInteger(d) || d < 0)) {
    reader.fail("'shape' must be a tuple of non-negative integers");
  }
  const shape = shapeValue as number[];
  const count = shape.reduce((a, b) => a * b, 1);
  const itemSize = info.dtype === 'f2' ? 2 : SCALAR_SIZE[info.code];
  const needed = count * itemSize;
  if (dataStart + needed > bytes.length) {
    throw new InputError(file, `truncated .npy data: shape (${shape.join(', ')}) of ${info.dtype} needs ${needed} bytes, file has ${bytes.length - dataStart}`);
  }
  let data = allocate(info.dtype, count);
  if (info.dtype === 'f2') {
    for (let i = 0; i < count; i++) data[i] = halfToNumber(view.getUint16(dataStart + 2 * i, info.little));
  } else if (info.little && info.code !== I64 && info.code !== U64) {
    // Copy into a fresh (aligned) buffer and view it directly.
    new Uint8Array(data.buffer).set(bytes.subarray(dataStart, dataStart + needed));
  } else {
    for (let i = 0; i < count; i++) data[i] = readScalar(view, dataStart + i * itemSize, info.code, info.little);
  }
  if (info.code === I64 || info.code === U64) {
    for (let i = 0; i < count; i++) {
      if (!Number.isSafeInteger(data[i])) {
        throw new InputError(file, `int64 value at element ${i} is outside ±2^53 and cannot be represented exactly`);
      }
    }
  }
  if (fortranOrder) data = fortranToC(data, shape);
  return { dtype: info.dtype, descr: descr as string, shape, data };
}

/** Read a .npy file (see `parseNpy`). */
export function readNpy(path: string): NpyArray {
  return parseNpy(readInputFile(path), path);
}

/** dtypes the writer produces (little-endian or byte-order-free, C order). */
export type NpyWriteDtype = '<f4' | '<f8' | '<i1' | '<i2' | '<i4' | '<i8' | '<u1' | '<u2' | '<u4' | '<u8' | '|u1' | '|i1' | '|b1';

function defaultDtype(data: ArrayLike<number>): NpyWriteDtype {
  if (data instanceof Float32Array) return '<f4';
  if (data instanceof Int8Array) return '|i1';
  if (data instanceof Uint8Array) return '|u1';
  if (data instanceof Int16Array) return '<i2';
  if (data instanceof Uint16Array) return '<u2';
  if (data instanceof Int32Array) return '<i4';
  if (data instanceof Uint32Array) return '<u4';
  return '<f8';
}

/**
 * Encode `data` (C order) as a version 1.0 .npy file with the given shape. The header is
 * written as NumPy writes it (keys in order descr/fortran_order/shape, padded with spaces
 * to a multiple of 64 bytes, ending in '\n'). `dtype` defaults from the typed array kind
 * (plain arrays: '<f8').
 */
export function encodeNpy(data: ArrayLike<number>, shape: readonly number[], dtype?: NpyWriteDtype): Uint8Array {
  const descr = dtype ?? defaultDtype(data);
  const count = shape.reduce((a, b) => a * b, 1);
  if (count !== data.length) throw new Error(`shape (${shape.join(', ')}) holds ${count} elements, data has ${data.length}`);
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shapeText}, }`;
  const total = 10 + header.length + 1;
  header += ' '.repeat((64 - (total % 64)) % 64) + '\n';
  if (header.length > 0xffff) throw new Error('npy header too long for format 1.0');
  const info = parseDescr(descr, 'encodeNpy');
  const itemSize = SCALAR_SIZE[info.code];
  const out = new Uint8Array(10 + header.length + count * itemSize);
  out.set(MAGIC, 0);
  out[6] = 1;
  out[7] = 0;
  const view = new DataView(out.buffer);
  view.setUint16(8, header.length, true);
  for (let k = 0; k < header.length; k++) out[10 + k] = header.charCodeAt(k);
  let o = 10 + header.length;
  for (let i = 0; i < count; i++, o += itemSize) {
    const v = data[i];
    switch (info.code) {
      case F32: view.setFloat32(o, v, true); break;
      case F64: view.setFloat64(o, v, true); break;
      case I8: view.setInt8(o, v); break;
      case U8: view.setUint8(o, info.dtype === 'b1' ? (v ? 1 : 0) : v); break;
      case I16: view.setInt16(o, v, true); break;
      case U16: view.setUint16(o, v, true); break;
      case I32: view.setInt32(o, v, true); break;
      case U32: view.setUint32(o, v, true); break;
      case I64: view.setBigInt64(o, BigInt(Math.trunc(v)), true); break;
      default: view.setBigUint64(o, BigInt(Math.trunc(v)), true); break;
    }
  }
  return out;
}

/** Write `data` as a .npy file (atomically). */
export function writeNpy(path: string, data: ArrayLike<number>, shape: readonly number[], dtype?: NpyWriteDtype): void {
  writeFileAtomic(path, encodeNpy(data, shape, dtype));
}

/** Copy any numeric NpyArray into a Float64Array. */
export function npyToFloat64(array: NpyArray): Float64Array {
  return array.data instanceof Float64Array ? array.data : Float64Array.from(array.data);
}
