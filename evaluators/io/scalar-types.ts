/**
 * Fixed-size scalar types shared by the binary readers (PLY property types, PCD TYPE/SIZE
 * pairs, NPY dtypes), as small integer codes so inner loops can switch on them.
 */
export const I8 = 0;
export const U8 = 1;
export const I16 = 2;
export const U16 = 3;
export const I32 = 4;
export const U32 = 5;
export const F32 = 6;
export const F64 = 7;
export const I64 = 8;
export const U64 = 9;

/** Byte size of each scalar code. */
export const SCALAR_SIZE: readonly number[] = [1, 1, 2, 2, 4, 4, 4, 8, 8, 8];

/** Canonical names of the scalar codes (PLY spelling of the sized aliases). */
export const SCALAR_NAME: readonly string[] = [
  'int8', 'uint8', 'int16', 'uint16', 'int32', 'uint32', 'float32', 'float64', 'int64', 'uint64',
];

const TWO_POW_32 = 4294967296;

/** Whether a scalar code holds integers. */
export function isIntegerScalar(code: number): boolean {
  return code !== F32 && code !== F64;
}

/**
 * Read one scalar of type `code` at `offset`. 64-bit integers are returned as the nearest
 * double (exact below 2^53).
 */
export function readScalar(view: DataView, offset: number, code: number, little: boolean): number {
  switch (code) {
    case I8:
      return view.getInt8(offset);
    case U8:
      return view.getUint8(offset);
    case I16:
      return view.getInt16(offset, little);
    case U16:
      return view.getUint16(offset, little);
    case I32:
      return view.getInt32(offset, little);
    case U32:
      return view.getUint32(offset, little);
    case F32:
      return view.getFloat32(offset, little);
    case F64:
      return view.getFloat64(offset, little);
    case I64: {
      const lo = view.getUint32(little ? offset : offset + 4, little);
      const hi = view.getInt32(little ? offset + 4 : offset, little);
      return hi * TWO_POW_32 + lo;
    }
    default: {
      const lo = view.getUint32(little ? offset : offset + 4, little);
      const hi = view.getUint32(little ? offset + 4 : offset, little);
      return hi * TWO_POW_32 + lo;
    }
  }
}

const LITTLE_ENDIAN_PLATFORM = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * Read `count` scalars of type `code`, the k-th at `offset + k·stride`, into
 * `dest[destOffset + k·destStride]`: one column of fixed-size records (the caller has checked
 * that the data is long enough). Floats in the platform's byte order at aligned offsets are
 * read through a typed-array view of the buffer, which is fast from the first call (a
 * DataView call costs ~0.3 µs until the optimising compiler has taken the loop); see
 * {@link readRecordColumns} for records at any offset.
 */
export function readColumn(
  view: DataView, offset: number, stride: number, count: number, code: number, little: boolean,
  dest: Float64Array, destOffset: number, destStride: number,
): void {
  const size = SCALAR_SIZE[code];
  const start = view.byteOffset + offset;
  let to = destOffset;
  if ((code === F64 || code === F32) && little === LITTLE_ENDIAN_PLATFORM && start % size === 0 && stride % size === 0 && count > 0) {
    const step = stride / size;
    const words = (count - 1) * step + 1;
    const src = code === F64 ? new Float64Array(view.buffer, start, words) : new Float32Array(view.buffer, start, words);
    for (let k = 0, at = 0; k < count; k++, at += step, to += destStride) dest[to] = src[at];
    return;
  }
  let at = offset;
  for (let k = 0; k < count; k++, at += stride, to += destStride) dest[to] = readScalar(view, at, code, little);
}

/** Bytes of fixed-size records copied at once by {@link readRecordColumns}. */
const RECORD_CHUNK_BYTES = 1 << 16;

/**
 * Read columns of `count` fixed-size records of `stride` bytes at `offset` (bounds checked by
 * the caller): column k, of scalar type `codes[k]` at byte `offsets[k]` of a record, into
 * `dests[k][destOffsets[k] + i·destStrides[k]]` for record i. The records are copied in
 * 64 KB chunks into one aligned scratch buffer and read from there through typed-array views
 * ({@link readColumn}): no copy of the whole block, whose fresh pages cost more to fault in
 * (~3 ms per MB on a virtual machine) than the reading itself.
 */
export function readRecordColumns(
  bytes: Uint8Array, offset: number, stride: number, count: number, little: boolean,
  columns: { code: number; offset: number; dest: Float64Array; destOffset: number; destStride: number }[],
): void {
  if (count === 0 || columns.length === 0) return;
  const perChunk = Math.max(1, Math.floor(RECORD_CHUNK_BYTES / stride));
  const scratch = new Uint8Array(Math.ceil((perChunk * stride) / 8) * 8);
  const view = new DataView(scratch.buffer);
  for (let first = 0; first < count; first += perChunk) {
    const n = Math.min(perChunk, count - first);
    const start = offset + first * stride;
    scratch.set(bytes.subarray(start, start + n * stride));
    for (const c of columns) readColumn(view, c.offset, stride, n, c.code, little, c.dest, c.destOffset + first * c.destStride, c.destStride);
  }
}

/**
 * Convert a colour channel stored as scalar type `code` to 0..255: 8-bit integers as they
 * are, 16-bit unsigned scaled by 255/65535, floats read as 0..1, anything else clamped.
 */
export function colourChannel(value: number, code: number): number {
  let v: number;
  if (code === F32 || code === F64) v = Math.round(value * 255);
  else if (code === U16) v = Math.round(value / 257);
  else v = value;
  if (!(v > 0)) return 0;
  return v > 255 ? 255 : v;
}
