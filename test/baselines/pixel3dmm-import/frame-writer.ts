/**
 * Writes files in the format of `torch.save` of a dict of numpy arrays, as the Pixel3DMM
 * tracker saves `checkpoint/<frame>.frame`: a zip archive (stored or deflated entries) holding
 * `<archive>/data.pkl`, a pickle of protocol 2 in which each numpy array is
 * `numpy.core.multiarray._reconstruct(ndarray, (0,), b'b')` + BUILD `(1, shape, dtype, False, bytes)`
 * and each bytes object is `_codecs.encode(latin1 text, 'latin1')` (Python 3's protocol-2 form).
 */
import { crc32, deflateRawSync } from 'node:zlib';

export class F32 {
  constructor(readonly shape: number[], readonly values: ArrayLike<number>) {}
}
export type FrameValue = F32 | number | { [key: string]: FrameValue };

const enc = new TextEncoder();

function u32(n: number): number[] {
  return [n & 255, (n >>> 8) & 255, (n >>> 16) & 255, (n >>> 24) & 255];
}

class PickleWriter {
  readonly out: number[] = [];
  op(...bytes: number[]): void { this.out.push(...bytes); }
  text(s: string): void { this.out.push(...enc.encode(s)); }
  unicode(s: string): void { const b = enc.encode(s); this.op(0x58, ...u32(b.length)); this.out.push(...b); }
  global(module: string, name: string): void { this.op(0x63); this.text(`${module}\n${name}\n`); }
  int(n: number): void { this.op(0x4a, ...u32(n | 0)); }
  bytes(b: Uint8Array): void {
    this.global('_codecs', 'encode');
    let s = '';
    for (const x of b) s += String.fromCharCode(x);
    this.unicode(s);
    this.unicode('latin1');
    this.op(0x86, 0x52); // TUPLE2, REDUCE
  }
  array(a: F32): void {
    this.global('numpy.core.multiarray', '_reconstruct');
    this.global('numpy', 'ndarray');
    this.int(0); this.op(0x85); // (0,)
    this.bytes(enc.encode('b'));
    this.op(0x87, 0x52); // TUPLE3, REDUCE
    this.op(0x28); this.int(1);
    this.op(0x28); for (const d of a.shape) this.int(d); this.op(0x74);
    this.global('numpy', 'dtype'); this.unicode('f4'); this.op(0x89, 0x88, 0x87, 0x52);
    this.op(0x28); this.int(3); this.unicode('<'); this.op(0x4e, 0x4e, 0x4e); this.int(-1); this.int(-1); this.int(0); this.op(0x74, 0x62);
    this.op(0x89);
    this.bytes(new Uint8Array(Float32Array.from(a.values).buffer));
    this.op(0x74, 0x62); // TUPLE, BUILD
  }
  value(v: FrameValue): void {
    if (v instanceof F32) this.array(v);
    else if (typeof v === 'number') this.int(v);
    else {
      this.op(0x7d, 0x28);
      for (const [k, x] of Object.entries(v)) { this.unicode(k); this.value(x); }
      this.op(0x75);
    }
  }
}

/** Pickle protocol 2 bytes of a dict of numpy float32 arrays, ints and nested dicts. */
export function pickleFrame(value: FrameValue): Uint8Array {
  const w = new PickleWriter();
  w.op(0x80, 2);
  w.value(value);
  w.op(0x2e);
  return Uint8Array.from(w.out);
}

/** A zip archive of the entries (deflated when `deflate` names them, else stored). */
export function zipArchive(entries: [string, Uint8Array][], deflate: ReadonlySet<string> = new Set()): Uint8Array {
  const local: number[] = [];
  const central: number[] = [];
  for (const [name, data] of entries) {
    const nameBytes = [...enc.encode(name)];
    const packed = deflate.has(name) ? new Uint8Array(deflateRawSync(data)) : data;
    const method = deflate.has(name) ? 8 : 0;
    const crc = crc32(data);
    const offset = local.length;
    const common = [20, 0, 0, 0, method, 0, 0, 0, 0, 0, ...u32(crc), ...u32(packed.length), ...u32(data.length), nameBytes.length & 255, nameBytes.length >> 8, 0, 0];
    local.push(0x50, 0x4b, 0x03, 0x04, ...common, ...nameBytes, ...packed);
    central.push(0x50, 0x4b, 0x01, 0x02, 20, 0, ...common, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, ...u32(offset), ...nameBytes);
  }
  const end = [0x50, 0x4b, 0x05, 0x06, 0, 0, 0, 0, entries.length, 0, entries.length, 0, ...u32(central.length), ...u32(local.length), 0, 0];
  return Uint8Array.from([...local, ...central, ...end]);
}

/** A `.frame` file as torch.save writes it: `<archive>/data.pkl`, `byteorder`, `version`. */
export function torchSaveFrame(value: FrameValue, archive = '00000', deflate = false): Uint8Array {
  const pkl = `${archive}/data.pkl`;
  return zipArchive([
    [pkl, pickleFrame(value)],
    [`${archive}/byteorder`, enc.encode('little')],
    [`${archive}/version`, enc.encode('3\n')],
  ], deflate ? new Set([pkl]) : new Set());
}
