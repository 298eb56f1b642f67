import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sha256File } from '../../../evaluators/io/index.js';
import { expectInputError, fileSaver, scratchDir } from './support.js';

/** Bytes that differ at every position (a byte-level LCG), so a misplaced chunk changes the digest. */
function bytes(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s >>> 24;
  }
  return out;
}

describe('sha256File', () => {
  const dir = scratchDir('files');
  const save = fileSaver(dir);

  it('gives the FIPS 180-2 digests of the empty message and of "abc"', () => {
    expect(sha256File(save('empty.bin', new Uint8Array(0)))).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(sha256File(save('abc.txt', 'abc'))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  it('equals a one-shot hash of the whole file around and across its 256 KB chunks', () => {
    const chunk = 1 << 18;
    for (const n of [1, chunk - 1, chunk, chunk + 1, 3 * chunk + 12345]) {
      const content = bytes(n, n);
      expect(sha256File(save(`f${n}.bin`, content)), `${n} bytes`).toBe(createHash('sha256').update(content).digest('hex'));
    }
  });

  it('does not carry bytes over from the file hashed before (a shorter file after a longer one)', () => {
    const long = bytes(2 * (1 << 18) + 100, 7);
    const short = long.subarray(0, 100);
    sha256File(save('long.bin', long));
    expect(sha256File(save('short.bin', short))).toBe(createHash('sha256').update(short).digest('hex'));
  });

  it('refuses a missing file and a folder in one line naming the path', () => {
    const missing = join(dir, 'nope.bin');
    expectInputError(() => sha256File(missing), missing, /file not found/);
    expectInputError(() => sha256File(dir), dir, /is a folder/);
  });
});
