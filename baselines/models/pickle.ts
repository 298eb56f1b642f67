/**
 * A small Python pickle reader for the model files researchers have (FLAME `generic_model.pkl`,
 * `FLAME_masks.pkl`, object `.npy` files). It is a stack machine for the opcodes of pickle
 * protocols 0–4 as documented in CPython's `Lib/pickletools.py` (the reference description of
 * every opcode and its argument encoding) and PEP 307 (protocol 2) / PEP 3154 (protocol 4).
 *
 * Nothing is ever executed: globals are only *named*. A few well-known classes are rebuilt into
 * JavaScript values:
 * - `numpy.core.multiarray._reconstruct` / `numpy._core.multiarray._reconstruct` + BUILD state
 *   `(version, shape, dtype, is_fortran, data)` → {@link NdArray} (C order, native typed array);
 * - `numpy.dtype(code, 0, 1)` + BUILD state `(3, byteorder, …)` → a dtype string such as `<f8`;
 * - `numpy.core.multiarray.scalar(dtype, bytes)` → a number;
 * - `chumpy.ch.Ch` → the array in its state's `x`;
 * - `scipy.sparse.csc.csc_matrix` / `scipy.sparse._csc.csc_matrix` → {@link CscMatrix};
 * - `__builtin__.set` / `builtins.set` / `frozenset` → `Set`.
 * Python-2 `str` values (`STRING`, `BINSTRING`, `SHORT_BINSTRING`) are decoded as latin1, the
 * same as Python 3's `pickle.load(f, encoding='latin1')`, so each char code is one byte; those of
 * 64 KiB or more (array payloads) are returned as the raw bytes (Uint8Array) instead.
 * Any other global becomes an opaque {@link PyObject} (class name, constructor args, state), so
 * files holding e.g. torch tensors still load.
 */
import { InputError } from '../../evaluators/errors.js';

/** Element type of an ndarray, native byte order. */
export type NdData = Float64Array | Float32Array | Int8Array | Uint8Array | Int16Array | Uint16Array | Int32Array | Uint32Array;

/** A numpy array rebuilt from a pickle; data in C order. */
export interface NdArray {
  kind: 'ndarray';
  /** numpy dtype string as stored, e.g. '<f8', '|u1', '|O'. */
  dtype: string;
  shape: number[];
  /** Numeric arrays: a typed array (int64/uint64 as Float64Array, exact below 2^53). Object arrays: the Python values. */
  data: NdData | PyValue[];
}

/** A `scipy.sparse.csc_matrix` (compressed sparse column). */
export interface CscMatrix {
  kind: 'csc';
  shape: [number, number];
  data: Float64Array;
  indices: Int32Array;
  indptr: Int32Array;
  /** The state keys as stored (e.g. `_shape`, `maxprint`, `data`, …). */
  stateKeys: string[];
}

/** An object of a class this reader does not rebuild (kept opaque). */
export interface PyObject {
  kind: 'object';
  /** `module.name` of its class or factory. */
  className: string;
  args: PyValue[];
  state?: PyValue;
  /** Items appended (APPEND/APPENDS on a non-list) or set (SETITEM on a non-dict). */
  items?: PyValue[];
}

/** A named global that was not called. */
export interface PyGlobal {
  kind: 'global';
  module: string;
  name: string;
}

/** A persistent id reference (e.g. torch storages). */
export interface PyPersistent {
  kind: 'persistent';
  id: PyValue;
}

export type PyKey = string | number | boolean | null | bigint;

export type PyValue =
  | null | boolean | number | bigint | string | Uint8Array
  | PyValue[] | PyTuple | Map<PyKey, PyValue> | Set<PyValue>
  | NdArray | CscMatrix | PyObject | PyGlobal | PyPersistent;

/** Tuples are frozen arrays tagged so they can be told from lists. */
export interface PyTuple extends ReadonlyArray<PyValue> {
  readonly __tuple: true;
}

function tuple(items: PyValue[]): PyTuple {
  Object.defineProperty(items, '__tuple', { value: true, enumerable: false });
  return items as unknown as PyTuple;
}

export function isTuple(v: unknown): v is PyTuple {
  return Array.isArray(v) && (v as unknown as { __tuple?: boolean }).__tuple === true;
}

export function isNdArray(v: unknown): v is NdArray {
  return typeof v === 'object' && v !== null && (v as { kind?: string }).kind === 'ndarray' && !Array.isArray(v);
}

export function isCsc(v: unknown): v is CscMatrix {
  return typeof v === 'object' && v !== null && (v as { kind?: string }).kind === 'csc' && !Array.isArray(v);
}

export function isPyObject(v: unknown): v is PyObject {
  return typeof v === 'object' && v !== null && (v as { kind?: string }).kind === 'object' && !Array.isArray(v);
}

type StackItem = PyValue;

/** Placeholder rebuilt in BUILD (numpy arrays and dtypes are created empty, then given state). */
interface Pending {
  kind: 'pending';
  what: 'ndarray' | 'dtype' | 'object';
  className: string;
  args: PyValue[];
  dtype?: string;
  state?: PyValue;
}

/** py2 `str` values at least this long are returned as Uint8Array instead of a latin1 string. */
export const LONG_STRING_AS_BYTES = 65536;

const RECONSTRUCT = new Set(['numpy.core.multiarray._reconstruct', 'numpy._core.multiarray._reconstruct']);
const SCALAR = new Set(['numpy.core.multiarray.scalar', 'numpy._core.multiarray.scalar']);
const CSC = new Set(['scipy.sparse.csc.csc_matrix', 'scipy.sparse._csc.csc_matrix', 'scipy.sparse.csc_matrix']);
const SETS = new Set(['__builtin__.set', 'builtins.set', '__builtin__.frozenset', 'builtins.frozenset']);

const utf8Decoder = new TextDecoder('utf-8');

function latin1String(bytes: Uint8Array): string {
  // TextDecoder('latin1') is windows-1252 per the WHATWG spec; map bytes one to one instead.
  let s = '';
  for (let i = 0; i < bytes.length; i += 8192) s += String.fromCharCode(...bytes.subarray(i, i + 8192));
  return s;
}

/** Bytes of a py2 str (latin1-decoded string) or a bytes object. */
export function pyBytes(v: PyValue): Uint8Array | undefined {
  if (v instanceof Uint8Array) return v;
  if (typeof v === 'string') {
    const out = new Uint8Array(v.length);
    for (let i = 0; i < v.length; i++) {
      const c = v.charCodeAt(i);
      if (c > 255) return undefined;
      out[i] = c;
    }
    return out;
  }
  return undefined;
}

interface DtypeInfo { size: number; make: (n: number) => NdData; read: (view: DataView, offset: number, little: boolean) => number }

const DTYPES: Record<string, DtypeInfo> = {
  f8: { size: 8, make: (n) => new Float64Array(n), read: (v, o, l) => v.getFloat64(o, l) },
  f4: { size: 4, make: (n) => new Float32Array(n), read: (v, o, l) => v.getFloat32(o, l) },
  i1: { size: 1, make: (n) => new Int8Array(n), read: (v, o) => v.getInt8(o) },
  u1: { size: 1, make: (n) => new Uint8Array(n), read: (v, o) => v.getUint8(o) },
  b1: { size: 1, make: (n) => new Uint8Array(n), read: (v, o) => v.getUint8(o) },
  i2: { size: 2, make: (n) => new Int16Array(n), read: (v, o, l) => v.getInt16(o, l) },
  u2: { size: 2, make: (n) => new Uint16Array(n), read: (v, o, l) => v.getUint16(o, l) },
  i4: { size: 4, make: (n) => new Int32Array(n), read: (v, o, l) => v.getInt32(o, l) },
  u4: { size: 4, make: (n) => new Uint32Array(n), read: (v, o, l) => v.getUint32(o, l) },
  i8: { size: 8, make: (n) => new Float64Array(n), read: (v, o, l) => Number(v.getBigInt64(o, l)) },
  u8: { size: 8, make: (n) => new Float64Array(n), read: (v, o, l) => Number(v.getBigUint64(o, l)) },
};

/** Split a numpy dtype string ('<f8', 'f8', '|O', '>i4', 'float64'…) into byte order and code. */
function splitDtype(dtype: string): { order: string; code: string } {
  const m = /^([<>|=]?)([a-zA-Z]\d*)$/.exec(dtype);
  const named: Record<string, string> = { float64: 'f8', float32: 'f4', int64: 'i8', int32: 'i4', uint32: 'u4', uint8: 'u1', int8: 'i1', int16: 'i2', uint16: 'u2', uint64: 'u8', bool: 'b1', object: 'O' };
  if (m === null) return { order: '=', code: named[dtype] ?? dtype };
  return { order: m[1] === '' ? '=' : m[1], code: m[2] === 'O8' ? 'O' : m[2] };
}

const HOST_LITTLE_ENDIAN = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;

/** Decode raw element bytes into a C-order typed array. */
function decodeElements(raw: Uint8Array, dtype: string, shape: number[], fortran: boolean, file: string): NdData {
  const { order, code } = splitDtype(dtype);
  const info = DTYPES[code];
  if (info === undefined) throw new InputError(file, `unsupported numpy dtype '${dtype}' in the pickle`);
  const count = shape.reduce((a, b) => a * b, 1);
  if (raw.length !== count * info.size) {
    throw new InputError(file, `numpy array of shape (${shape.join(', ')}) ${dtype} holds ${raw.length} bytes, expected ${count * info.size}; the file is damaged`);
  }
  const little = order !== '>';
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const out = info.make(count);
  if (little === HOST_LITTLE_ENDIAN && code !== 'i8' && code !== 'u8') new Uint8Array(out.buffer).set(raw);
  else for (let i = 0; i < count; i++) out[i] = info.read(view, i * info.size, little);
  if ((code === 'i8' || code === 'u8')) {
    for (let i = 0; i < count; i++) {
      if (!Number.isSafeInteger(out[i])) throw new InputError(file, `int64 value ${out[i]} at element ${i} is outside ±2^53`);
    }
  }
  return fortran && shape.length > 1 ? fortranToC(out, shape) : out;
}

function fortranToC(data: NdData, shape: number[]): NdData {
  const out = new (data.constructor as new (n: number) => NdData)(data.length);
  const rank = shape.length;
  const idx = new Array<number>(rank).fill(0);
  for (let c = 0; c < data.length; c++) {
    // c is the C-order position of idx; compute its Fortran-order position.
    let f = 0;
    for (let d = rank - 1; d >= 0; d--) f = f * shape[d] + idx[d];
    out[c] = data[f];
    for (let d = rank - 1; d >= 0; d--) {
      if (++idx[d] < shape[d]) break;
      idx[d] = 0;
    }
  }
  return out;
}

/** Decode a protocol-0 `S'…'` literal (Python repr escapes) into a latin1 string. */
function unescapePy2(s: string, file: string): string {
  const quote = s[0];
  if ((quote !== "'" && quote !== '"') || s[s.length - 1] !== quote || s.length < 2) {
    throw new InputError(file, `bad protocol-0 string literal ${JSON.stringify(s.slice(0, 40))}`);
  }
  const body = s.slice(1, -1);
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const ch = body[i];
    if (ch !== '\\') { out += ch; continue; }
    const e = body[++i];
    switch (e) {
      case 'x': out += String.fromCharCode(parseInt(body.slice(i + 1, i + 3), 16)); i += 2; break;
      case 'n': out += '\n'; break;
      case 'r': out += '\r'; break;
      case 't': out += '\t'; break;
      case 'a': out += '\x07'; break;
      case 'b': out += '\b'; break;
      case 'f': out += '\f'; break;
      case 'v': out += '\v'; break;
      case '\\': case "'": case '"': out += e; break;
      default:
        if (e >= '0' && e <= '7') {
          const m = /^[0-7]{1,3}/.exec(body.slice(i))!;
          out += String.fromCharCode(parseInt(m[0], 8) & 255);
          i += m[0].length - 1;
        } else out += '\\' + e;
    }
  }
  return out;
}

/** Decode protocol-0 `V` raw-unicode-escape text. */
function unescapeRawUnicode(bytes: Uint8Array): string {
  const s = latin1String(bytes);
  return s.replace(/\\u([0-9a-fA-F]{4})|\\U([0-9a-fA-F]{8})/g, (_m, a: string | undefined, b: string | undefined) => String.fromCodePoint(parseInt(a ?? b!, 16)));
}

function decodeLong(bytes: Uint8Array): number | bigint {
  if (bytes.length === 0) return 0;
  let v = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(bytes[i]);
  if (bytes[bytes.length - 1] & 0x80) v -= 1n << BigInt(8 * bytes.length);
  return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
}

/** The pickle virtual machine. */
class Unpickler {
  private pos = 0;
  private readonly stack: StackItem[] = [];
  private readonly marks: number[] = [];
  private readonly memo = new Map<number, PyValue>();
  private readonly view: DataView;

  constructor(private readonly bytes: Uint8Array, private readonly file: string) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  private fail(detail: string): never {
    throw new InputError(this.file, `${detail} (pickle byte ${this.pos}); the file is damaged or not a pickle`);
  }

  private need(n: number): void {
    if (this.pos + n > this.bytes.length) this.fail(`truncated pickle: ${n} more bytes needed`);
  }

  private u8(): number { this.need(1); return this.bytes[this.pos++]; }
  private u16(): number { this.need(2); const v = this.view.getUint16(this.pos, true); this.pos += 2; return v; }
  private u32(): number { this.need(4); const v = this.view.getUint32(this.pos, true); this.pos += 4; return v; }
  private i32(): number { this.need(4); const v = this.view.getInt32(this.pos, true); this.pos += 4; return v; }
  private u64(): number {
    this.need(8);
    const v = this.view.getBigUint64(this.pos, true);
    this.pos += 8;
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) this.fail('length too large');
    return Number(v);
  }
  private take(n: number): Uint8Array { this.need(n); const b = this.bytes.subarray(this.pos, this.pos + n); this.pos += n; return b; }
  private line(): string {
    const end = this.bytes.indexOf(0x0a, this.pos);
    if (end < 0) this.fail('truncated pickle: a text argument has no end of line');
    const s = latin1String(this.bytes.subarray(this.pos, end));
    this.pos = end + 1;
    return s;
  }

  private push(v: PyValue): void { this.stack.push(v); }
  private pop(): PyValue {
    if (this.stack.length === 0 || (this.marks.length > 0 && this.stack.length <= this.marks[this.marks.length - 1])) this.fail('stack underflow');
    return this.stack.pop()!;
  }
  private top(): PyValue {
    const v = this.stack[this.stack.length - 1];
    if (this.stack.length === 0) this.fail('stack underflow');
    return v;
  }
  private popMark(): PyValue[] {
    const m = this.marks.pop();
    if (m === undefined) this.fail('no mark on the stack');
    const items = this.stack.splice(m) as PyValue[];
    return items;
  }
  private memoGet(i: number): PyValue {
    if (!this.memo.has(i)) this.fail(`memo key ${i} not defined`);
    return this.memo.get(i)!;
  }

  private global(module: string, name: string): PyValue {
    return { kind: 'global', module, name };
  }

  /** Call a global (REDUCE / NEWOBJ / OBJ / INST). */
  private call(fn: PyValue, args: PyValue[]): PyValue {
    if (typeof fn !== 'object' || fn === null || (fn as PyGlobal).kind !== 'global') {
      return { kind: 'object', className: '<call of non-global>', args };
    }
    const g = fn as PyGlobal;
    const full = `${g.module}.${g.name}`;
    if (RECONSTRUCT.has(full)) return { kind: 'pending', what: 'ndarray', className: full, args } as unknown as PyValue;
    if ((g.module === 'numpy' || g.module === 'numpy.core.multiarray' || g.module === 'numpy._core.multiarray') && g.name === 'dtype') {
      const code = args[0];
      return { kind: 'pending', what: 'dtype', className: full, args, dtype: typeof code === 'string' ? code : String(code) } as unknown as PyValue;
    }
    if (SETS.has(full)) {
      const items = args[0];
      return new Set(Array.isArray(items) ? items as PyValue[] : []);
    }
    if ((g.module === '__builtin__' || g.module === 'builtins') && g.name === 'object') return { kind: 'object', className: full, args };
    if (full === '_codecs.encode' && typeof args[0] === 'string') {
      // Python 3 pickles bytes for protocol < 3 as _codecs.encode(latin1 text, 'latin1').
      return pyBytes(args[0]) ?? args[0];
    }
    return { kind: 'pending', what: 'object', className: full, args } as unknown as PyValue;
  }

  private build(target: PyValue, state: PyValue): void {
    const t = target as unknown as Pending;
    if (typeof t !== 'object' || t === null || t.kind !== 'pending') {
      if (isPyObject(target)) target.state = state;
      return;
    }
    t.state = state;
  }

  run(): PyValue {
    const bytes = this.bytes;
    for (;;) {
      if (this.pos >= bytes.length) this.fail('truncated pickle: no STOP opcode');
      const op = bytes[this.pos++];
      switch (op) {
        case 0x80: { const proto = this.u8(); if (proto > 5) this.fail(`unsupported pickle protocol ${proto}`); break; }
        case 0x95: this.u64(); break; // FRAME
        case 0x2e: { // STOP
          const v = this.pop();
          return v;
        }
        case 0x28: this.marks.push(this.stack.length); break; // MARK
        case 0x30: { // POP
          if (this.marks.length > 0 && this.marks[this.marks.length - 1] === this.stack.length) this.marks.pop();
          else this.pop();
          break;
        }
        case 0x31: this.popMark(); break; // POP_MARK
        case 0x32: this.push(this.top()); break; // DUP
        case 0x4e: this.push(null); break; // NONE
        case 0x88: this.push(true); break;
        case 0x89: this.push(false); break;
        case 0x49: { // INT
          const s = this.line().trim();
          if (s === '00') this.push(false);
          else if (s === '01') this.push(true);
          else { const v = Number(s); if (!Number.isFinite(v) && s !== '') this.fail(`bad INT ${s}`); this.push(Number.isSafeInteger(v) ? v : BigInt(s)); }
          break;
        }
        case 0x4a: this.push(this.i32()); break; // BININT
        case 0x4b: this.push(this.u8()); break; // BININT1
        case 0x4d: this.push(this.u16()); break; // BININT2
        case 0x4c: { // LONG
          const s = this.line().trim().replace(/L$/, '');
          const b = BigInt(s);
          this.push(b >= BigInt(Number.MIN_SAFE_INTEGER) && b <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(b) : b);
          break;
        }
        case 0x8a: { const n = this.u8(); this.push(decodeLong(this.take(n))); break; } // LONG1
        case 0x8b: { const n = this.i32(); if (n < 0) this.fail('negative LONG4 length'); this.push(decodeLong(this.take(n))); break; }
        case 0x46: this.push(Number(this.line())); break; // FLOAT
        case 0x47: { this.need(8); const v = this.view.getFloat64(this.pos, false); this.pos += 8; this.push(v); break; } // BINFLOAT
        case 0x53: this.push(unescapePy2(this.line().trimEnd(), this.file)); break; // STRING
        case 0x54: { // BINSTRING
          const n = this.i32();
          if (n < 0) this.fail('negative BINSTRING length');
          // Long py2 strings are array payloads: keep them as bytes (the latin1 decoding maps byte to char 1:1).
          this.push(n >= LONG_STRING_AS_BYTES ? this.take(n).slice() : latin1String(this.take(n)));
          break;
        }
        case 0x55: { const n = this.u8(); this.push(latin1String(this.take(n))); break; } // SHORT_BINSTRING
        case 0x56: { // UNICODE
          const end = bytes.indexOf(0x0a, this.pos);
          if (end < 0) this.fail('truncated pickle: UNICODE without end of line');
          this.push(unescapeRawUnicode(bytes.subarray(this.pos, end)));
          this.pos = end + 1;
          break;
        }
        case 0x58: { const n = this.u32(); this.push(utf8Decoder.decode(this.take(n))); break; } // BINUNICODE
        case 0x8c: { const n = this.u8(); this.push(utf8Decoder.decode(this.take(n))); break; } // SHORT_BINUNICODE
        case 0x8d: { const n = this.u64(); this.push(utf8Decoder.decode(this.take(n))); break; } // BINUNICODE8
        case 0x42: { const n = this.u32(); this.push(this.take(n).slice()); break; } // BINBYTES
        case 0x43: { const n = this.u8(); this.push(this.take(n).slice()); break; } // SHORT_BINBYTES
        case 0x8e: { const n = this.u64(); this.push(this.take(n).slice()); break; } // BINBYTES8
        case 0x96: { const n = this.u64(); this.push(this.take(n).slice()); break; } // BYTEARRAY8
        case 0x29: this.push(tuple([])); break; // EMPTY_TUPLE
        case 0x85: { const a = this.pop(); this.push(tuple([a])); break; }
        case 0x86: { const b = this.pop(); const a = this.pop(); this.push(tuple([a, b])); break; }
        case 0x87: { const c = this.pop(); const b = this.pop(); const a = this.pop(); this.push(tuple([a, b, c])); break; }
        case 0x74: { const items = this.popMark(); this.push(tuple(items)); break; } // TUPLE
        case 0x5d: this.push([]); break; // EMPTY_LIST
        case 0x6c: { const items = this.popMark(); this.push(items); break; } // LIST
        case 0x7d: this.push(new Map()); break; // EMPTY_DICT
        case 0x64: { // DICT
          const items = this.popMark();
          const d = new Map<PyKey, PyValue>();
          for (let i = 0; i + 1 < items.length; i += 2) d.set(this.key(items[i]), items[i + 1]);
          this.push(d);
          break;
        }
        case 0x8f: this.push(new Set()); break; // EMPTY_SET
        case 0x90: { const items = this.popMark(); const s = this.top(); if (s instanceof Set) for (const x of items) s.add(x); break; }
        case 0x91: { const items = this.popMark(); this.push(new Set(items)); break; } // FROZENSET
        case 0x61: { const v = this.pop(); this.append(this.top(), [v]); break; } // APPEND
        case 0x65: { const items = this.popMark(); this.append(this.top(), items); break; } // APPENDS
        case 0x73: { const v = this.pop(); const k = this.pop(); this.setItems(this.top(), [k, v]); break; } // SETITEM
        case 0x75: { const items = this.popMark(); this.setItems(this.top(), items); break; } // SETITEMS
        case 0x67: this.push(this.memoGet(Number(this.line()))); break; // GET
        case 0x68: this.push(this.memoGet(this.u8())); break; // BINGET
        case 0x6a: this.push(this.memoGet(this.u32())); break; // LONG_BINGET
        case 0x70: this.memo.set(Number(this.line()), this.top()); break; // PUT
        case 0x71: this.memo.set(this.u8(), this.top()); break; // BINPUT
        case 0x72: this.memo.set(this.u32(), this.top()); break; // LONG_BINPUT
        case 0x94: this.memo.set(this.memo.size, this.top()); break; // MEMOIZE
        case 0x63: { const module = this.line(); const name = this.line(); this.push(this.global(module, name)); break; } // GLOBAL
        case 0x93: { // STACK_GLOBAL
          const name = this.pop(); const module = this.pop();
          if (typeof name !== 'string' || typeof module !== 'string') this.fail('STACK_GLOBAL needs two strings');
          this.push(this.global(module, name));
          break;
        }
        case 0x52: { // REDUCE
          const args = this.pop(); const fn = this.pop();
          this.push(this.call(fn, Array.isArray(args) ? [...args] : []));
          break;
        }
        case 0x81: { // NEWOBJ
          const args = this.pop(); const cls = this.pop();
          this.push(this.call(cls, Array.isArray(args) ? [...args] : []));
          break;
        }
        case 0x92: { // NEWOBJ_EX
          this.pop(); const args = this.pop(); const cls = this.pop();
          this.push(this.call(cls, Array.isArray(args) ? [...args] : []));
          break;
        }
        case 0x6f: { // OBJ
          const items = this.popMark();
          const [cls, ...args] = items;
          this.push(this.call(cls, args));
          break;
        }
        case 0x69: { // INST
          const module = this.line(); const name = this.line();
          const args = this.popMark();
          this.push(this.call(this.global(module, name), args));
          break;
        }
        case 0x62: { const state = this.pop(); this.build(this.top(), state); break; } // BUILD
        case 0x50: this.push({ kind: 'persistent', id: this.line() }); break; // PERSID
        case 0x51: this.push({ kind: 'persistent', id: this.pop() }); break; // BINPERSID
        case 0x82: case 0x83: case 0x84: this.fail('pickle extension registry codes (EXT1/2/4) are not supported');
        default: this.fail(`unknown pickle opcode 0x${op.toString(16).padStart(2, '0')}`);
      }
    }
  }

  private key(k: PyValue): PyKey {
    if (k === null || typeof k === 'string' || typeof k === 'number' || typeof k === 'boolean' || typeof k === 'bigint') return k;
    if (k instanceof Uint8Array) return latin1String(k);
    if (isTuple(k)) return JSON.stringify(k, (_x, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
    this.fail('unsupported dict key type');
  }

  private append(target: PyValue, items: PyValue[]): void {
    if (Array.isArray(target) && !isTuple(target)) (target as PyValue[]).push(...items);
    else if (typeof target === 'object' && target !== null && ((target as { kind?: string }).kind === 'pending' || isPyObject(target))) {
      const t = target as unknown as { items?: PyValue[] };
      (t.items ??= []).push(...items);
    } else this.fail('APPEND on a value that is not a list');
  }

  private setItems(target: PyValue, items: PyValue[]): void {
    if (target instanceof Map) {
      for (let i = 0; i + 1 < items.length; i += 2) target.set(this.key(items[i]), items[i + 1]);
    } else if (typeof target === 'object' && target !== null && ((target as { kind?: string }).kind === 'pending' || isPyObject(target))) {
      const t = target as unknown as { items?: PyValue[] };
      (t.items ??= []).push(...items);
    } else this.fail('SETITEM on a value that is not a dict');
  }
}


/** Turn the placeholders left by the VM into final values (arrays, dtypes, Ch, csc, opaque objects). */
class Resolver {
  private readonly done = new Map<object, PyValue>();
  constructor(private readonly file: string) {}

  resolve(v: PyValue): PyValue {
    if (typeof v !== 'object' || v === null || v instanceof Uint8Array) return v;
    const cached = this.done.get(v);
    if (cached !== undefined) return cached;
    if (Array.isArray(v)) {
      const out: PyValue[] = [];
      this.done.set(v, isTuple(v) ? tuple(out) : out);
      for (const x of v as PyValue[]) out.push(this.resolve(x));
      return this.done.get(v)!;
    }
    if (v instanceof Map) {
      const out = new Map<PyKey, PyValue>();
      this.done.set(v, out);
      for (const [k, x] of v) out.set(k, this.resolve(x));
      return out;
    }
    if (v instanceof Set) {
      const out = new Set<PyValue>();
      this.done.set(v, out);
      for (const x of v) out.add(this.resolve(x));
      return out;
    }
    const kind = (v as { kind?: string }).kind;
    if (kind !== 'pending') return v;
    const p = v as unknown as Pending;
    let out: PyValue;
    if (p.what === 'dtype') out = this.dtype(p);
    else if (p.what === 'ndarray') out = this.ndarray(p);
    else out = this.object(p);
    this.done.set(v, out);
    return out;
  }

  private dtype(p: Pending): string {
    const code = p.dtype ?? 'f8';
    const st = p.state;
    let order = '';
    if (Array.isArray(st) && typeof st[1] === 'string') order = st[1];
    const { code: c } = splitDtype(code);
    if (c === 'O') return '|O';
    if (order === '' || order === '=') order = '<';
    if (order === '|' || c.endsWith('1')) return `|${c}`;
    return `${order}${c}`;
  }

  private ndarray(p: Pending): NdArray {
    const st = p.state;
    if (!Array.isArray(st) || st.length < 5) throw new InputError(this.file, `numpy array in the pickle has no valid state (${p.className})`);
    const [, shapeV, dtypeV, fortranV, dataV] = st as PyValue[];
    const shape = Array.isArray(shapeV) ? (shapeV as PyValue[]).map((d) => Number(d)) : [];
    const dtype = typeof dtypeV === 'string' ? dtypeV : this.resolve(dtypeV);
    if (typeof dtype !== 'string') throw new InputError(this.file, 'numpy array in the pickle has an unreadable dtype');
    const fortran = fortranV === true || fortranV === 1;
    if (dtype === '|O') {
      const items = Array.isArray(dataV) ? (dataV as PyValue[]).map((x) => this.resolve(x)) : [];
      return { kind: 'ndarray', dtype, shape, data: items };
    }
    const raw = pyBytes(dataV);
    if (raw === undefined) throw new InputError(this.file, `numpy array data in the pickle is not a byte string (dtype ${dtype})`);
    return { kind: 'ndarray', dtype, shape, data: decodeElements(raw, dtype, shape, fortran, this.file) };
  }

  private object(p: Pending): PyValue {
    const state = p.state === undefined ? undefined : this.resolve(p.state);
    if (p.className === 'chumpy.ch.Ch' && state instanceof Map && state.has('x')) return state.get('x')!;
    if (CSC.has(p.className) && state instanceof Map) return this.csc(state);
    if (SCALAR.has(p.className)) {
      const dtype = this.resolve(p.args[0] ?? null);
      const raw = pyBytes(p.args[1] ?? null);
      if (typeof dtype === 'string' && raw !== undefined && dtype !== '|O') return decodeElements(raw, dtype, [], false, this.file)[0];
    }
    const obj: PyObject = { kind: 'object', className: p.className, args: p.args.map((a) => this.resolve(a)) };
    if (state !== undefined) obj.state = state;
    const items = (p as unknown as { items?: PyValue[] }).items;
    if (items !== undefined) obj.items = items.map((a) => this.resolve(a));
    return obj;
  }

  private csc(state: Map<PyKey, PyValue>): CscMatrix {
    const shapeV = state.get('_shape') ?? state.get('shape');
    const data = state.get('data'), indices = state.get('indices'), indptr = state.get('indptr');
    if (!Array.isArray(shapeV) || !isNdArray(data) || !isNdArray(indices) || !isNdArray(indptr)) {
      throw new InputError(this.file, 'scipy csc_matrix in the pickle lacks _shape/data/indices/indptr');
    }
    const shape: [number, number] = [Number(shapeV[0]), Number(shapeV[1])];
    const ip = Int32Array.from(indptr.data as NdData);
    if (ip.length !== shape[1] + 1) throw new InputError(this.file, `scipy csc_matrix indptr has ${ip.length} entries for ${shape[1]} columns`);
    return {
      kind: 'csc', shape,
      data: Float64Array.from(data.data as NdData),
      indices: Int32Array.from(indices.data as NdData),
      indptr: ip,
      stateKeys: [...state.keys()].map(String),
    };
  }
}

/**
 * Load a pickle held in memory. `file` names the source in error messages.
 * Throws an InputError for truncated or invalid data.
 */
export function parsePickle(bytes: Uint8Array, file: string): PyValue {
  const vm = new Unpickler(bytes, file);
  let raw: PyValue;
  try {
    raw = vm.run();
  } catch (error) {
    if (error instanceof InputError) throw error;
    throw new InputError(file, `invalid pickle: ${(error as Error).message}`);
  }
  return new Resolver(file).resolve(raw);
}

/** Dense row-major copy of a CSC matrix. */
export function cscToDense(m: CscMatrix): Float64Array {
  const [rows, cols] = m.shape;
  const out = new Float64Array(rows * cols);
  for (let c = 0; c < cols; c++) {
    for (let k = m.indptr[c]; k < m.indptr[c + 1]; k++) out[m.indices[k] * cols + c] += m.data[k];
  }
  return out;
}

/** The value under `key` in a pickled dict (latin1/str keys). */
export function dictGet(d: PyValue, key: string): PyValue | undefined {
  return d instanceof Map ? d.get(key) : undefined;
}
