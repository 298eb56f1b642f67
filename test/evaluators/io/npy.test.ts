import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { encodeNpy, parseNpy, readNpy, writeNpy, type NpyWriteDtype } from '../../../evaluators/io/index.js';
import { rng } from '../../helpers/random.js';
import { FIXTURES, concatBytes, expectInputError, scratchDir } from './support.js';

/** Build a .npy file by hand: any version, any header dict, raw data bytes. */
function handNpy(dict: string, data: Uint8Array, version: 1 | 2 | 3 = 1): Uint8Array {
  const prefix = version === 1 ? 10 : 12;
  let header = dict;
  header += ' '.repeat((64 - ((prefix + header.length + 1) % 64)) % 64) + '\n';
  const head = new Uint8Array(prefix);
  head.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, version, 0]);
  const view = new DataView(head.buffer);
  if (version === 1) view.setUint16(8, header.length, true);
  else view.setUint32(8, Buffer.byteLength(header, 'utf8'), true);
  return concatBytes(head, new Uint8Array(Buffer.from(header, 'utf8')), data);
}

/** Raw bytes of `values` stored with `write` (one element of `size` bytes each). */
function rawBytes(values: number[], size: number, write: (v: DataView, o: number, x: number) => void): Uint8Array {
  const out = new Uint8Array(values.length * size);
  const view = new DataView(out.buffer);
  values.forEach((x, i) => write(view, i * size, x));
  return out;
}

const DTYPES: [string, number, (v: DataView, o: number, x: number, le: boolean) => void, number[]][] = [
  ['f4', 4, (v, o, x, le) => v.setFloat32(o, x, le), [1.5, -2.25, 3e-5, Math.fround(0.1), 1e30, -0]],
  ['f8', 8, (v, o, x, le) => v.setFloat64(o, x, le), [0.1, -1e-300, Math.PI, 2 ** 60, -7, 123456789.125]],
  ['i1', 1, (v, o, x) => v.setInt8(o, x), [-128, 127, 0, -1, 5, 6]],
  ['u1', 1, (v, o, x) => v.setUint8(o, x), [0, 255, 1, 2, 3, 4]],
  ['b1', 1, (v, o, x) => v.setUint8(o, x), [0, 1, 1, 0, 1, 0]],
  ['i2', 2, (v, o, x, le) => v.setInt16(o, x, le), [-32768, 32767, 0, -2, 9, 10]],
  ['u2', 2, (v, o, x, le) => v.setUint16(o, x, le), [65535, 0, 1, 2, 3, 400]],
  ['i4', 4, (v, o, x, le) => v.setInt32(o, x, le), [-2147483648, 2147483647, 0, -5, 11248, 1]],
  ['u4', 4, (v, o, x, le) => v.setUint32(o, x, le), [4294967295, 0, 7, 8, 9, 10]],
  ['i8', 8, (v, o, x, le) => v.setBigInt64(o, BigInt(x), le), [-(2 ** 53) + 1, 2 ** 53 - 1, -1, 0, 3, 4]],
  ['u8', 8, (v, o, x, le) => v.setBigUint64(o, BigInt(x), le), [2 ** 53 - 1, 0, 1, 2, 3, 2 ** 40]],
];

describe('NPY reader', () => {
  const cases = DTYPES.flatMap(([kind, size, write, values]) => (['<', '>'] as const).flatMap((order) =>
    ([1, 2, 3] as const).map((version) => ({ kind, size, write, values, order, version }))))
    .filter((c) => !(c.size === 1 && c.order === '>'));

  it.each(cases)('$order$kind version $version', ({ kind, size, write, values, order, version }) => {
    const descr = (size === 1 ? '|' : order) + kind;
    const le = order === '<';
    const bytes = handNpy(`{'descr': '${descr}', 'fortran_order': False, 'shape': (2, 3), }`,
      rawBytes(values, size, (v, o, x) => write(v, o, x, le)), version);
    const array = parseNpy(bytes, 'a.npy');
    expect(array.dtype).toBe(kind);
    expect(array.descr).toBe(descr);
    expect(array.shape).toEqual([2, 3]);
    const expected = kind === 'f4' ? values.map(Math.fround) : values;
    expect(Array.from(array.data)).toEqual(expected);
  });

  it('data types are the documented native arrays', () => {
    const make = (descr: string, size: number) => parseNpy(handNpy(`{'descr': '${descr}', 'fortran_order': False, 'shape': (1,), }`, new Uint8Array(size)), 'x.npy').data;
    expect(make('<f4', 4)).toBeInstanceOf(Float32Array);
    expect(make('<f8', 8)).toBeInstanceOf(Float64Array);
    expect(make('<i8', 8)).toBeInstanceOf(Float64Array);
    expect(make('<u8', 8)).toBeInstanceOf(Float64Array);
    expect(make('<i4', 4)).toBeInstanceOf(Int32Array);
    expect(make('|b1', 1)).toBeInstanceOf(Uint8Array);
    expect(make('<f2', 2)).toBeInstanceOf(Float32Array);
  });

  it('converts Fortran order to C order (2-D and 3-D)', () => {
    // A (2,3) array a[i][j] = 10 i + j stored column-major.
    const f2d = [0, 10, 1, 11, 2, 12];
    const a = parseNpy(handNpy("{'descr': '<i4', 'fortran_order': True, 'shape': (2, 3), }", rawBytes(f2d, 4, (v, o, x) => v.setInt32(o, x, true))), 'f.npy');
    expect(Array.from(a.data)).toEqual([0, 1, 2, 10, 11, 12]);
    // (2,3,4) b[i][j][k] = 100 i + 10 j + k; Fortran storage has i fastest.
    const fortran: number[] = [];
    for (let k = 0; k < 4; k++) for (let j = 0; j < 3; j++) for (let i = 0; i < 2; i++) fortran.push(100 * i + 10 * j + k);
    const b = parseNpy(handNpy("{'descr': '>f8', 'fortran_order': True, 'shape': (2, 3, 4), }", rawBytes(fortran, 8, (v, o, x) => v.setFloat64(o, x, false))), 'f3.npy');
    const c: number[] = [];
    for (let i = 0; i < 2; i++) for (let j = 0; j < 3; j++) for (let k = 0; k < 4; k++) c.push(100 * i + 10 * j + k);
    expect(Array.from(b.data)).toEqual(c);
  });

  it('shapes (), (n,), empty and half floats; dict keys in any order', () => {
    const scalar = parseNpy(handNpy("{'shape': (), 'fortran_order': False, 'descr': '<f8'}", rawBytes([42.5], 8, (v, o, x) => v.setFloat64(o, x, true))), 's.npy');
    expect(scalar.shape).toEqual([]);
    expect(Array.from(scalar.data)).toEqual([42.5]);
    const vec = parseNpy(handNpy("{'descr': '<u2', 'fortran_order': False, 'shape': (3,), }", rawBytes([1, 2, 3], 2, (v, o, x) => v.setUint16(o, x, true))), 'v.npy');
    expect(vec.shape).toEqual([3]);
    const empty = parseNpy(handNpy("{'descr': '<f4', 'fortran_order': False, 'shape': (0, 3), }", new Uint8Array(0)), 'e.npy');
    expect(empty.shape).toEqual([0, 3]);
    expect(empty.data.length).toBe(0);
    // float16: 1.0 = 0x3c00, -2 = 0xc000, 65504 = 0x7bff, smallest subnormal = 0x0001.
    const half = parseNpy(handNpy("{'descr': '<f2', 'fortran_order': False, 'shape': (4,), }", rawBytes([0x3c00, 0xc000, 0x7bff, 1], 2, (v, o, x) => v.setUint16(o, x, true))), 'h.npy');
    expect(Array.from(half.data)).toEqual([1, -2, 65504, 2 ** -24]);
  });

  it('reads the ICT-FaceKit fixtures', () => {
    const template = readNpy(`${FIXTURES}ict-facekit/template.npy`);
    expect(template.dtype).toBe('f4');
    expect(template.shape).toEqual([11248, 3]);
    // Nose tip (vertex 4857) from the fixture README: (0.00, 4.06, 130.69).
    expect(template.data[3 * 4857 + 2]).toBeCloseTo(130.69, 2);
    expect(template.data[3 * 4857 + 1]).toBeCloseTo(4.06, 2);
    const labels = readNpy(`${FIXTURES}colmap-ict/vertex_labels.npy`);
    expect(labels.descr).toBe('|u1');
    expect(labels.shape).toEqual([11248]);
    expect(Math.max(...labels.data)).toBe(5);
  });
});

describe('NPY writer', () => {
  it('reproduces NumPy files byte for byte', () => {
    for (const name of ['template.npy', 'faces.npy', 'uv_coords.npy']) {
      const original = readFileSync(`${FIXTURES}ict-facekit/${name}`);
      const array = parseNpy(original, name);
      expect(Buffer.from(encodeNpy(array.data, array.shape, array.descr as NpyWriteDtype)).equals(original), name).toBe(true);
    }
    const labels = readFileSync(`${FIXTURES}colmap-ict/vertex_labels.npy`);
    const l = parseNpy(labels, 'labels');
    expect(Buffer.from(encodeNpy(l.data, l.shape)).equals(labels)).toBe(true);
  });

  it('round-trips every writable dtype and infers the dtype from the typed array', () => {
    const rand = rng(8);
    const dtypes: NpyWriteDtype[] = ['<f4', '<f8', '<i1', '<i2', '<i4', '<i8', '<u1', '<u2', '<u4', '<u8', '|u1', '|i1', '|b1'];
    for (const dtype of dtypes) {
      const values = Array.from({ length: 12 }, () => {
        const r = rand();
        if (dtype.endsWith('b1')) return r < 0.5 ? 0 : 1;
        if (dtype.includes('f')) return (r - 0.5) * 1e4;
        const bits = Number(dtype.slice(2)) * 8;
        const signed = dtype.includes('i');
        const span = bits >= 53 ? 2 ** 40 : 2 ** bits;
        return Math.floor(r * span) - (signed ? span / 2 : 0);
      });
      for (const shape of [[12], [3, 4], [2, 3, 2]]) {
        const back = parseNpy(encodeNpy(values, shape, dtype), 'rt.npy');
        expect(back.shape).toEqual(shape);
        expect(Array.from(back.data), dtype).toEqual(dtype === '<f4' ? values.map(Math.fround) : values);
        expect(back.descr).toBe(dtype);
      }
    }
    const dir = scratchDir('npy');
    const path = join(dir, 'lm.npy');
    writeNpy(path, Float32Array.of(1, 2, 3, 4, 5, 6), [2, 3]);
    expect(readNpy(path).descr).toBe('<f4');
    writeNpy(path, Float64Array.of(1, 2, 3), [1, 3]);
    expect(readNpy(path).descr).toBe('<f8');
    expect(Buffer.from(encodeNpy(Int32Array.of(1), [1])).subarray(10, 50).toString()).toBe("{'descr': '<i4', 'fortran_order': False,");
    expect(Buffer.from(encodeNpy([7], [])).toString('latin1')).toContain("'shape': (), }");
  });
});

describe('NPY bad input', () => {
  it('refuses the pickled FLAME landmark embedding with a clear message', () => {
    const path = `${FIXTURES}flame-schema/landmark_embedding.npy`;
    expectInputError(() => readNpy(path), path, /pickled object array \(dtype '\|O'\).*allow_pickle=False/);
  });

  it('refuses bad magic, versions, headers, dtypes and truncated data', () => {
    const ok = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }";
    const cases: [Uint8Array, RegExp][] = [
      [concatBytes('NUMPY not really'), /not a \.npy file/],
      [(() => { const b = handNpy(ok, new Uint8Array(24)); b[6] = 4; return b; })(), /unsupported \.npy format version 4\.0/],
      [handNpy(ok, new Uint8Array(20)), /truncated \.npy data: shape \(2, 3\) of f4 needs 24 bytes, file has 20/],
      [handNpy("{'descr': '<U8', 'fortran_order': False, 'shape': (1,), }", new Uint8Array(32)), /unsupported dtype '<U8'/],
      [handNpy("{'descr': '<c16', 'fortran_order': False, 'shape': (1,), }", new Uint8Array(16)), /unsupported dtype '<c16'/],
      [handNpy("{'descr': [('x', '<f4'), ('y', '<f4')], 'fortran_order': False, 'shape': (1,), }", new Uint8Array(8)), /structured \(record\) dtypes are not supported/],
      [handNpy("{'descr': '<f4', 'fortran_order': False}", new Uint8Array(0)), /needs 'descr', 'fortran_order' and 'shape'/],
      [handNpy("{'descr': '<f4', 'fortran_order': False, 'shape': (2, -3), }", new Uint8Array(0)), /'shape' must be a tuple of non-negative integers/],
      [handNpy("{'descr': '<f4', 'fortran_order': Maybe, 'shape': (2,), }", new Uint8Array(8)), /bad \.npy header: unexpected text/],
      [handNpy("{'descr': '<i8', 'fortran_order': False, 'shape': (1,), }", rawBytes([0], 8, (v, o) => v.setBigInt64(o, 2n ** 60n, true))), /outside ±2\^53/],
    ];
    for (const [bytes, pattern] of cases) expectInputError(() => parseNpy(bytes, 'bad.npy'), 'bad.npy', pattern);
    expectInputError(() => readNpy('/nonexistent/x.npy'), '/nonexistent/x.npy', /^file not found$/);
  });
});
