import { describe, expect, it } from 'vitest';
import { lzfCompress, lzfDecompress } from '../../../evaluators/io/index.js';
import { rng } from '../../helpers/random.js';
import { expectInputError } from './support.js';

/** Reference decoder written straight from the format description, independent of the library code. */
function referenceDecode(input: Uint8Array): number[] {
  const out: number[] = [];
  let i = 0;
  while (i < input.length) {
    const ctrl = input[i++];
    if (ctrl < 32) {
      for (let k = 0; k <= ctrl; k++) out.push(input[i++]);
    } else {
      let len = ctrl >> 5;
      if (len === 7) len += input[i++];
      const start = out.length - ((ctrl & 31) << 8) - input[i++] - 1;
      for (let k = 0; k < len + 2; k++) out.push(out[start + k]);
    }
  }
  return out;
}

function check(input: Uint8Array): Uint8Array {
  const packed = lzfCompress(input);
  expect(packed.length).toBeLessThanOrEqual(input.length + Math.ceil(input.length / 32) + 1);
  expect(lzfDecompress(packed, input.length, 'x')).toEqual(input);
  expect(referenceDecode(packed)).toEqual(Array.from(input));
  return packed;
}

describe('LZF', () => {
  it('decodes a hand-made stream (literals, short and long back-references, overlapping copy)', () => {
    // "abc" literal, copy 3 from 3 back ("abc"), then a long overlapping run of 'c' (len 7+1+2 = 10).
    const stream = Uint8Array.of(2, 0x61, 0x62, 0x63, (1 << 5) | 0, 2, (7 << 5) | 0, 1, 0);
    expect(Buffer.from(lzfDecompress(stream, 16, 's')).toString()).toBe('abcabccccccccccc');
  });

  it('compress → decompress on random, repetitive, tiny and long-range data', () => {
    const rand = rng(99);
    check(new Uint8Array(0));
    check(Uint8Array.of(7));
    check(Uint8Array.of(1, 2));
    check(Uint8Array.of(5, 5, 5, 5, 5, 5));
    const random = Uint8Array.from({ length: 50000 }, () => Math.floor(rand() * 256));
    const randomPacked = check(random);
    expect(randomPacked.length).toBeGreaterThan(50000);
    const runs = new Uint8Array(100000).fill(42);
    // Longest match is 264 bytes, coded in 3 bytes.
    expect(check(runs).length).toBeLessThanOrEqual(Math.ceil(100000 / 264) * 3 + 2);
    const text = Buffer.from('the quick brown fox jumps over the lazy dog; '.repeat(2000));
    expect(check(new Uint8Array(text)).length).toBeLessThan(text.length / 20);
    // Matches at the edge of the 8192-byte window and beyond it.
    const block = Uint8Array.from({ length: 8192 }, () => Math.floor(rand() * 256));
    const far = new Uint8Array(3 * 8192 + 5);
    far.set(block, 0);
    far.set(block, 8192);
    far.set(block, 2 * 8192 + 3);
    check(far);
    // Float32 point data like the PCD bodies.
    const floats = new Float32Array(20000);
    for (let i = 0; i < floats.length; i++) floats[i] = Math.round(rand() * 100) / 4;
    check(new Uint8Array(floats.buffer));
  });

  it('refuses corrupt streams', () => {
    expectInputError(() => lzfDecompress(Uint8Array.of(0x20, 0x00), 10, 'c.pcd'), 'c.pcd', /back-reference to 1 bytes before the start of the output/);
    expectInputError(() => lzfDecompress(Uint8Array.of(3, 1, 2, 3, 4), 2, 'c.pcd'), 'c.pcd', /output overrun \(more than the 2 bytes announced\)/);
    expectInputError(() => lzfDecompress(Uint8Array.of(0, 9, 0x40, 0), 3, 'c.pcd'), 'c.pcd', /output overrun/);
    expectInputError(() => lzfDecompress(Uint8Array.of(5, 1, 2), 6, 'c.pcd'), 'c.pcd', /literal run at input byte 0 runs past the end/);
    expectInputError(() => lzfDecompress(Uint8Array.of(0, 1, 0xe0), 20, 'c.pcd'), 'c.pcd', /back-reference cut short/);
    expectInputError(() => lzfDecompress(Uint8Array.of(1, 1, 2), 5, 'c.pcd'), 'c.pcd', /decompressed to 2 bytes, expected 5/);
  });
});
