/**
 * The error map `eval` stores per task for the report's pictures: which scored points it
 * keeps, the bytes round trip, which picture strides it can serve, refusals of damaged files,
 * and the results store's handling (key check, stale maps removed).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  ERROR_MAP_POINTS, ResultsStore, decodeErrorMap, encodeErrorMap, errorMapDistances, errorMapOf, errorMapStride, pictureStride, type TaskRecord,
} from '../../../evaluators/formats/index.js';
import { tempDir } from '../../benchmark/cli-helpers.js';
import { expectInputError } from '../io/support.js';

const KEY = 'ab'.repeat(32);
const distancesOf = (n: number) => Float64Array.from({ length: n }, (_, i) => 0.001 * i + 0.25);

describe('error maps', () => {
  it('keep every ⌈n / ERROR_MAP_POINTS⌉-th scored point', () => {
    expect(errorMapStride(1)).toBe(1);
    expect(errorMapStride(ERROR_MAP_POINTS)).toBe(1);
    expect(errorMapStride(ERROR_MAP_POINTS + 1)).toBe(2);
    expect(errorMapStride(100_000)).toBe(7);
    const d = distancesOf(40_000);
    const map = errorMapOf(KEY, d);
    expect(map.scored).toBe(40_000);
    expect(map.distances.length).toBe(13_334); // indices 0, 3, …, 39 999
    for (const k of [0, 1, 5000, 13_333]) expect(map.distances[k]).toBe(Math.fround(d[3 * k]));
    const small = errorMapOf(KEY, distancesOf(10));
    expect(Array.from(small.distances)).toEqual(Array.from(distancesOf(10), Math.fround));
  });

  it('hold every point of a picture no denser than themselves (pictureStride)', () => {
    for (const scored of [1, 999, 16_384, 16_385, 30_270, 100_000, 250_001]) {
      const own = errorMapStride(scored);
      for (const maxPoints of [1, 50, 2500, 3000, 16_384, 40_000, 1e9]) {
        const stride = pictureStride(scored, maxPoints);
        expect(Math.ceil(scored / stride)).toBeLessThanOrEqual(Math.max(1, maxPoints)); // the budget holds
        if (maxPoints <= ERROR_MAP_POINTS) {
          expect(stride % own).toBe(0); // served by the map
          // The smallest such stride: one map stride less would exceed the budget (or be below 1).
          expect(stride - own < 1 || Math.ceil(scored / (stride - own)) > maxPoints).toBe(true);
        } else {
          expect(stride).toBe(Math.max(1, Math.ceil(scored / maxPoints))); // denser than the map: measured
        }
      }
    }
    expect(pictureStride(30_270, 3000)).toBe(12); // the demo's worst-item pictures: 11 rounded up to the map's 2
    expect(pictureStride(30_270, ERROR_MAP_POINTS)).toBe(2);
    const map = errorMapOf(KEY, distancesOf(30_270));
    expect(errorMapDistances(map, 30_270, pictureStride(30_270, 3000))!.length).toBe(2523);
  });

  it('round-trip through their bytes', () => {
    const map = errorMapOf(KEY, distancesOf(20_001));
    const bytes = encodeErrorMap(map);
    expect(bytes.length).toBe(84 + 4 * map.distances.length);
    const back = decodeErrorMap(bytes, 'm.bin');
    expect(back.key).toBe(KEY);
    expect(back.scored).toBe(20_001);
    expect(Array.from(back.distances)).toEqual(Array.from(map.distances));
    // A view into a larger buffer at an odd offset reads the same.
    const shifted = new Uint8Array(bytes.length + 3);
    shifted.set(bytes, 3);
    expect(Array.from(decodeErrorMap(shifted.subarray(3), 'm.bin').distances)).toEqual(Array.from(map.distances));
  });

  it('serve the picture strides that are multiples of their own, and nothing else', () => {
    const d = distancesOf(40_000);
    const map = errorMapOf(KEY, d); // stride 3
    const every6 = errorMapDistances(map, 40_000, 6)!;
    expect(every6.length).toBe(Math.ceil(40_000 / 6));
    every6.forEach((v, k) => expect(v).toBe(Math.fround(d[6 * k])));
    expect(errorMapDistances(map, 40_000, 3)!.length).toBe(13_334);
    expect(errorMapDistances(map, 40_000, 4)).toBeUndefined(); // points the map does not hold
    expect(errorMapDistances(map, 40_000, 1)).toBeUndefined();
    expect(errorMapDistances(map, 39_999, 6)).toBeUndefined(); // the GT changed
  });

  it('refuse damaged files in one line naming the file', () => {
    const good = encodeErrorMap(errorMapOf(KEY, distancesOf(100)));
    const damaged = (edit: (b: Uint8Array, v: DataView) => Uint8Array | void): Uint8Array => {
      const b = Uint8Array.from(good);
      return edit(b, new DataView(b.buffer)) ?? b;
    };
    const cases: [Uint8Array, RegExp][] = [
      [good.subarray(0, 40), /shorter than its 84-byte header/],
      [damaged((b) => { b[0] = 0x58; }), /does not start with FBERRMAP/],
      [damaged((_b, v) => v.setUint32(8, 2, true)), /version 2/],
      [damaged((_b, v) => v.setUint32(16, 99, true)), /99 distances for 100 scored points/],
      [good.subarray(0, good.length - 4), /bytes where its header announces/],
      [damaged((b) => { b[20] = 0x5a; }), /key is not 64 hex digits/],
      [damaged((_b, v) => v.setFloat32(84 + 4 * 7, Number.NaN, true)), /distance 7 is NaN/],
      [damaged((_b, v) => v.setFloat32(84, -1, true)), /distance 0 is -1/],
      [damaged((_b, v) => v.setFloat32(84, Number.POSITIVE_INFINITY, true)), /distance 0 is Infinity/],
    ];
    for (const [bytes, message] of cases) {
      const error = expectInputError(() => decodeErrorMap(bytes, '/r/items/001/X/posed.errors.bin'), '/r/items/001/X/posed.errors.bin', message);
      expect(error.detail).toMatch(/^is not a valid error map \(/);
    }
    expect(() => encodeErrorMap({ key: 'x', scored: 1, distances: new Float32Array(1) })).toThrow(/64 lowercase hex digits/);
    expect(() => encodeErrorMap({ key: KEY, scored: 10, distances: new Float32Array(9) })).toThrow(/9 distances for 10 scored points/);
  });

  it('are stored beside the task record, read back only for its key, and removed with a re-scoring that has none', () => {
    const dir = tempDir('error-map-store');
    const store = new ResultsStore(dir);
    const record = { person: '001', item: 'EXP-1_000_222200000', task: 'posed', key: KEY, status: 'ok', seconds: 0 } as TaskRecord;
    const path = join(dir, 'items', '001', 'EXP-1_000_222200000', 'posed.errors.bin');
    const map = errorMapOf(KEY, distancesOf(500));
    store.write(record, undefined, map);
    expect(existsSync(path)).toBe(true);
    expect(Array.from(store.readErrorMap(record)!.distances)).toEqual(Array.from(map.distances));
    // Another scoring's key, a damaged file, or no file: no map (the report measures instead).
    expect(store.readErrorMap({ ...record, key: 'cd'.repeat(32) })).toBeUndefined();
    writeFileSync(path, readFileSync(path).subarray(0, 100));
    expect(store.readErrorMap(record)).toBeUndefined();
    store.write(record, undefined, map);
    expect(store.readErrorMap(record)).toBeDefined();
    store.write({ ...record, status: 'error', error: 'x' } as TaskRecord);
    expect(existsSync(path)).toBe(false);
    expect(store.readErrorMap(record)).toBeUndefined();
  });
});
