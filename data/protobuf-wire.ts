/**
 * A minimal reader for the protobuf binary wire format
 * (https://protobuf.dev/programming-guides/encoding/): base-128 varints, fixed 32/64-bit
 * scalars and length-delimited records, plus the packed encoding of repeated scalars.
 * It knows nothing about schemas: callers map field numbers to meanings.
 */

/** Wire types of the protobuf encoding (3 and 4, the deprecated groups, are rejected). */
export const WIRE_VARINT = 0;
export const WIRE_FIXED64 = 1;
export const WIRE_LENGTH_DELIMITED = 2;
export const WIRE_FIXED32 = 5;

/** One field occurrence in a message, in the order it appears. */
export interface WireField {
  /** Field number from the .proto schema. */
  field: number;
  /** 0 varint, 1 fixed64, 2 length-delimited, 5 fixed32. */
  wireType: number;
  /** Varint value (exact up to 2^53), or the raw little-endian bits of a fixed32 as an unsigned integer. */
  value: number;
  /** Payload of a length-delimited field, or the 8 bytes of a fixed64 (a view, not a copy). */
  bytes?: Uint8Array;
}

/** A varint value and the offset just past it. */
export interface VarintRead {
  value: number;
  next: number;
}

/**
 * Decode the base-128 varint starting at `offset`. Values are accumulated as doubles, exact
 * up to 2^53 (ample for lengths, enums and uint32 indices; negative int64 values lose
 * their low bits). Throws on a truncated or over-long (> 10 bytes) varint.
 */
export function readVarint(buf: Uint8Array, offset: number): VarintRead {
  let value = 0;
  let scale = 1;
  for (let i = 0; i < 10; i++) {
    const p = offset + i;
    if (p >= buf.length) throw new Error(`truncated varint at byte ${offset}`);
    const b = buf[p];
    value += (b & 0x7f) * scale;
    if ((b & 0x80) === 0) return { value, next: p + 1 };
    scale *= 128;
  }
  throw new Error(`varint longer than 10 bytes at byte ${offset}`);
}

/** Split a serialized message into its field occurrences (top level only). */
export function readFields(buf: Uint8Array): WireField[] {
  const fields: WireField[] = [];
  let pos = 0;
  while (pos < buf.length) {
    const key = readVarint(buf, pos);
    pos = key.next;
    const field = Math.floor(key.value / 8);
    const wireType = key.value % 8;
    if (field === 0) throw new Error(`field number 0 at byte ${pos}`);
    switch (wireType) {
      case WIRE_VARINT: {
        const v = readVarint(buf, pos);
        fields.push({ field, wireType, value: v.value });
        pos = v.next;
        break;
      }
      case WIRE_FIXED64: {
        if (pos + 8 > buf.length) throw new Error(`truncated fixed64 field ${field} at byte ${pos}`);
        fields.push({ field, wireType, value: 0, bytes: buf.subarray(pos, pos + 8) });
        pos += 8;
        break;
      }
      case WIRE_LENGTH_DELIMITED: {
        const len = readVarint(buf, pos);
        const end = len.next + len.value;
        if (end > buf.length) throw new Error(`length-delimited field ${field} at byte ${pos} runs past the end (${len.value} bytes)`);
        fields.push({ field, wireType, value: len.value, bytes: buf.subarray(len.next, end) });
        pos = end;
        break;
      }
      case WIRE_FIXED32: {
        if (pos + 4 > buf.length) throw new Error(`truncated fixed32 field ${field} at byte ${pos}`);
        const v = (buf[pos] | (buf[pos + 1] << 8) | (buf[pos + 2] << 16) | (buf[pos + 3] << 24)) >>> 0;
        fields.push({ field, wireType, value: v });
        pos += 4;
        break;
      }
      default:
        throw new Error(`unsupported wire type ${wireType} for field ${field} at byte ${pos}`);
    }
  }
  return fields;
}

const f32Scratch = new DataView(new ArrayBuffer(4));

/** Reinterpret the unsigned 32-bit pattern of a fixed32 field as an IEEE float. */
export function fixed32ToFloat(bits: number): number {
  f32Scratch.setUint32(0, bits, true);
  return f32Scratch.getFloat32(0, true);
}

/**
 * All values of a `repeated float` field, accepting both encodings a parser must accept:
 * unpacked (one fixed32 occurrence per value) and packed (length-delimited runs of
 * little-endian float32), in order of appearance.
 */
export function repeatedFloat(fields: readonly WireField[], field: number): Float32Array {
  let count = 0;
  for (const f of fields) {
    if (f.field !== field) continue;
    if (f.wireType === WIRE_FIXED32) count += 1;
    else if (f.wireType === WIRE_LENGTH_DELIMITED) {
      if (f.bytes!.length % 4 !== 0) throw new Error(`packed float field ${field} has ${f.bytes!.length} bytes, not a multiple of 4`);
      count += f.bytes!.length / 4;
    } else throw new Error(`float field ${field} has wire type ${f.wireType}`);
  }
  const out = new Float32Array(count);
  let k = 0;
  for (const f of fields) {
    if (f.field !== field) continue;
    if (f.wireType === WIRE_FIXED32) out[k++] = fixed32ToFloat(f.value);
    else {
      const b = f.bytes!;
      const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
      for (let o = 0; o < b.length; o += 4) out[k++] = view.getFloat32(o, true);
    }
  }
  return out;
}

/** All values of a repeated varint field (uint32/int32/enum), packed or unpacked. */
export function repeatedVarint(fields: readonly WireField[], field: number): number[] {
  const out: number[] = [];
  for (const f of fields) {
    if (f.field !== field) continue;
    if (f.wireType === WIRE_VARINT) out.push(f.value);
    else if (f.wireType === WIRE_LENGTH_DELIMITED) {
      const b = f.bytes!;
      let pos = 0;
      while (pos < b.length) {
        const v = readVarint(b, pos);
        out.push(v.value);
        pos = v.next;
      }
    } else throw new Error(`varint field ${field} has wire type ${f.wireType}`);
  }
  return out;
}

/**
 * The payload of an embedded-message field, or undefined when absent. Several occurrences
 * of the same message field merge, which for the wire format equals parsing their
 * payloads concatenated, so that is what is returned.
 */
export function messageField(fields: readonly WireField[], field: number): Uint8Array | undefined {
  const parts: Uint8Array[] = [];
  for (const f of fields) {
    if (f.field !== field) continue;
    if (f.wireType !== WIRE_LENGTH_DELIMITED) throw new Error(`message field ${field} has wire type ${f.wireType}`);
    parts.push(f.bytes!);
  }
  if (parts.length === 0) return undefined;
  if (parts.length === 1) return parts[0];
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
