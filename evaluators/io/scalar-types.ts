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
