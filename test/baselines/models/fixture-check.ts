/** Checks of arrays read from the flame-schema fixture against its expected_values.json. */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { FIXTURES } from '../../helpers/faces.js';
import type { NdData } from '../../../baselines/models/index.js';

export const FLAME_SCHEMA = join(FIXTURES, 'flame-schema');

export interface ExpectedEntry { index: number[]; value: number }
export interface ExpectedArray {
  dtype: string;
  shape: number[];
  sum: number;
  sum_abs: number;
  sha256_c_order_le_bytes: string;
  entries: Record<string, ExpectedEntry>;
  more_entries: ExpectedEntry[];
  values?: number[];
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const EXPECTED: any = JSON.parse(readFileSync(join(FLAME_SCHEMA, 'expected_values.json'), 'utf8'));

/** Little-endian C-order bytes of `data` stored as `dtype` (int64 from exact doubles). */
export function leBytes(data: ArrayLike<number>, dtype: string): Uint8Array {
  const n = data.length;
  switch (dtype) {
    case '<f8': return new Uint8Array(Float64Array.from(data).buffer);
    case '<f4': return new Uint8Array(Float32Array.from(data).buffer);
    case '<u4': return new Uint8Array(Uint32Array.from(data).buffer);
    case '<i4': return new Uint8Array(Int32Array.from(data).buffer);
    case '<i8': {
      const out = new BigInt64Array(n);
      for (let i = 0; i < n; i++) out[i] = BigInt(data[i]);
      return new Uint8Array(out.buffer);
    }
    default: throw new Error(`dtype ${dtype}`);
  }
}

function flatIndex(index: number[], shape: number[]): number {
  let f = 0;
  for (let d = 0; d < shape.length; d++) f = f * shape[d] + index[d];
  return f;
}

/** Every fact of an expected_values.json array entry. */
export function checkArray(name: string, dtype: string, shape: number[], data: NdData | ArrayLike<number>, exp: ExpectedArray): void {
  expect(dtype, `${name} dtype`).toBe(exp.dtype);
  expect(shape, `${name} shape`).toEqual(exp.shape);
  expect(data.length, `${name} size`).toBe(exp.shape.reduce((a, b) => a * b, 1));
  let sum = 0, sumAbs = 0;
  for (let i = 0; i < data.length; i++) { sum += data[i]; sumAbs += Math.abs(data[i]); }
  const tol = (x: number): number => 1e-12 * Math.max(1, Math.abs(x));
  expect(Math.abs(sum - exp.sum), `${name} sum ${sum} vs ${exp.sum}`).toBeLessThanOrEqual(tol(exp.sum_abs));
  expect(Math.abs(sumAbs - exp.sum_abs), `${name} sum_abs`).toBeLessThanOrEqual(tol(exp.sum_abs));
  const hash = createHash('sha256').update(leBytes(data, dtype)).digest('hex');
  expect(hash, `${name} sha256`).toBe(exp.sha256_c_order_le_bytes);
  for (const e of [...Object.values(exp.entries), ...exp.more_entries]) {
    expect(data[flatIndex(e.index, exp.shape)], `${name}[${e.index.join(',')}]`).toBe(e.value);
  }
  if (exp.values !== undefined) expect(Array.from(data), `${name} values`).toEqual(exp.values);
}
