import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32, deflateSync } from 'node:zlib';
import { PNG } from 'pngjs';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeStoredPng, encodePng } from '../../../evaluators/image/png-codec.js';
import { readDepthMap, readLabelMap, readRgbImage } from '../../../evaluators/image/index.js';
import { rng } from '../../helpers/random.js';

const CHANNELS = { 0: 1, 2: 3, 4: 2, 6: 4 } as const;
type ColorType = keyof typeof CHANNELS;

/** Samples of a w×h image: noise among ramps 3·(x − y) (shifted per channel), smooth and rough rows for every filter. */
function image(w: number, h: number, channels: number, bitDepth: 8 | 16, seed: number): Uint8Array | Uint16Array {
  const random = rng(seed);
  const max = bitDepth === 8 ? 255 : 65535;
  const out = bitDepth === 8 ? new Uint8Array(w * h * channels) : new Uint16Array(w * h * channels);
  for (let i = 0; i < out.length; i++) {
    const p = Math.floor(i / channels), x = p % w, y = Math.floor(p / w);
    out[i] = i % 7 === 0 ? Math.floor(random() * (max + 1)) : (3 * (x - y) + 64 * (i % channels) + 4 * (max + 1)) % (max + 1);
  }
  return out;
}

/** pngjs's PNG of the samples (16-bit input as native-endian uint16). */
function pngjsWrite(samples: Uint8Array | Uint16Array, w: number, h: number, colorType: ColorType, bitDepth: 8 | 16, options: { filterType?: number; deflateLevel?: number } = {}): Buffer {
  const png = new PNG({ width: w, height: h, colorType, inputColorType: colorType, bitDepth, inputHasAlpha: colorType === 4 || colorType === 6 });
  png.data = Buffer.from(samples.buffer, samples.byteOffset, samples.byteLength);
  return PNG.sync.write(png, { colorType, inputColorType: colorType, bitDepth, inputHasAlpha: colorType === 4 || colorType === 6, ...options });
}

/** A PNG from raw chunks: [type, data] after the signature. */
function pngOf(chunks: Array<[string, Uint8Array]>): Buffer {
  const parts: Buffer[] = [Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])];
  for (const [type, data] of chunks) {
    const c = Buffer.alloc(12 + data.length);
    c.writeUInt32BE(data.length, 0);
    c.write(type, 4, 'latin1');
    c.set(data, 8);
    c.writeUInt32BE(crc32(c.subarray(4, 8 + data.length)), 8 + data.length);
    parts.push(c);
  }
  return Buffer.concat(parts);
}

function ihdr(w: number, h: number, bitDepth: number, colorType: number, interlace = 0): Uint8Array {
  const b = Buffer.alloc(13);
  b.writeUInt32BE(w, 0);
  b.writeUInt32BE(h, 4);
  b[8] = bitDepth;
  b[9] = colorType;
  b[12] = interlace;
  return b;
}

const dir = mkdtempSync(join(tmpdir(), 'facebench-png-codec-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('PNG codec', () => {
  it("encodes the bytes pngjs writes with deflateLevel 3 and filterType 1, and pngjs reads them back", () => {
    for (const [colorType, bitDepth, w, h] of [[0, 8, 37, 11], [0, 16, 23, 9], [2, 8, 31, 17], [2, 8, 1, 1], [0, 16, 1, 5]] as const) {
      const samples = image(w, h, CHANNELS[colorType], bitDepth, w + h);
      const ours = encodePng(samples, w, h, colorType, bitDepth);
      expect(ours.equals(pngjsWrite(samples, w, h, colorType, bitDepth, { deflateLevel: 3, filterType: 1 })), `${colorType}/${bitDepth} ${w}×${h}`).toBe(true);
      const back = PNG.sync.read(ours, { skipRescale: true } as Parameters<typeof PNG.sync.read>[1]);
      const data = back.data as unknown as ArrayLike<number>;
      for (let i = 0; i < w * h; i++) expect(data[4 * i]).toBe(samples[CHANNELS[colorType] * i]);
    }
    expect(() => encodePng(new Uint8Array(5), 2, 2, 0, 8)).toThrow(/5 samples for a 2×2 image/);
  });

  it('decodes what pngjs writes, with every row filter, grey/grey+alpha/RGB/RGBA at 8 and 16 bits', () => {
    for (const colorType of [0, 2, 4, 6] as const) {
      for (const bitDepth of [8, 16] as const) {
        for (const filterType of [0, 1, 2, 3, 4, -1]) {
          const w = 13 + colorType, h = 7 + (filterType + 1);
          const samples = image(w, h, CHANNELS[colorType], bitDepth, 7 * colorType + bitDepth + filterType);
          const decoded = decodeStoredPng(pngjsWrite(samples, w, h, colorType, bitDepth, { filterType }));
          const what = `colour type ${colorType}, ${bitDepth}-bit, filter ${filterType}`;
          expect(decoded, what).not.toBeNull();
          expect([decoded!.width, decoded!.height, decoded!.bitDepth, decoded!.colorType, decoded!.channels], what).toEqual([w, h, bitDepth, colorType, CHANNELS[colorType]]);
          expect(Array.from(decoded!.samples), what).toEqual(Array.from(samples));
        }
      }
    }
  });

  it('the readers give what they gave through pngjs: RGB (grey expanded, alpha dropped), label maps, depth maps', () => {
    const w = 19, h = 6;
    for (const colorType of [0, 2, 4, 6] as const) {
      const samples = image(w, h, CHANNELS[colorType], 8, colorType);
      const path = join(dir, `rgb${colorType}.png`);
      writeFileSync(path, pngjsWrite(samples, w, h, colorType, 8, { filterType: 4 }));
      const rgba = PNG.sync.read(pngjsWrite(samples, w, h, colorType, 8)).data;
      const rgb = readRgbImage(path);
      const labels = readLabelMap(path);
      for (let i = 0; i < w * h; i++) {
        for (let c = 0; c < 3; c++) expect(rgb.data[3 * i + c]).toBe(rgba[4 * i + c]);
        expect(labels.data[i]).toBe(rgba[4 * i]);
      }
    }
    const depth = image(w, h, 1, 16, 5) as Uint16Array;
    const path = join(dir, 'depth.png');
    writeFileSync(path, encodePng(depth, w, h, 0, 16));
    const read = readDepthMap(path);
    for (let i = 0; i < w * h; i++) expect(read.data[i]).toBe(Math.fround(depth[i] === 0 ? 0 : ((depth[i] - 1) * 2) / 65534));
    expect(() => readLabelMap(path)).toThrow(/label maps must be 8-bit PNGs, this one is 16-bit/);
    const eight = join(dir, 'eight.png');
    writeFileSync(eight, encodePng(new Uint8Array(w * h), w, h, 0, 8));
    expect(() => readDepthMap(eight)).toThrow(/depth maps must be 16-bit PNGs/);
  });

  it('refuses damaged files with the fault named, and never inflates past the image size', () => {
    const good = encodePng(image(8, 8, 3, 8, 1), 8, 8, 2, 8);
    expect(() => decodeStoredPng(good.subarray(0, 40))).toThrow(/chunk/);
    const flipped = Buffer.from(good);
    flipped[45] ^= 0x10; // inside IDAT
    expect(() => decodeStoredPng(flipped)).toThrow(/CRC mismatch in chunk IDAT/);
    expect(() => decodeStoredPng(Buffer.from('GIF89a and more bytes'))).toThrow(/signature/);
    // A 2×2 grey image whose data inflates to 1 MB.
    const bomb = pngOf([['IHDR', ihdr(2, 2, 8, 0)], ['IDAT', deflateSync(new Uint8Array(1 << 20))], ['IEND', new Uint8Array(0)]]);
    expect(() => decodeStoredPng(bomb)).toThrow(/does not inflate to 6 bytes/);
    // Too little data, and an unknown row filter.
    expect(() => decodeStoredPng(pngOf([['IHDR', ihdr(2, 2, 8, 0)], ['IDAT', deflateSync(new Uint8Array(3))], ['IEND', new Uint8Array(0)]]))).toThrow(/3 bytes, 6 expected/);
    expect(() => decodeStoredPng(pngOf([['IHDR', ihdr(2, 2, 8, 0)], ['IDAT', deflateSync(Uint8Array.of(0, 1, 2, 7, 1, 2))], ['IEND', new Uint8Array(0)]]))).toThrow(/unknown row filter 7 in row 1/);
    expect(() => decodeStoredPng(pngOf([['IHDR', ihdr(2, 2, 8, 0)], ['IEND', new Uint8Array(0)]]))).toThrow(/no IDAT/);
    expect(() => decodeStoredPng(pngOf([['IDAT', new Uint8Array(2)]]))).toThrow(/first chunk is not IHDR/);
    // Through a reader: one line naming the file.
    const path = join(dir, 'flipped.png');
    writeFileSync(path, flipped);
    expect(() => readRgbImage(path)).toThrow(/flipped\.png.*not a readable PNG \(CRC mismatch/);
  });

  it('leaves palette, low-bit and interlaced PNGs to pngjs', () => {
    const data = deflateSync(new Uint8Array(8));
    expect(decodeStoredPng(pngOf([['IHDR', ihdr(4, 4, 1, 0)], ['IDAT', data], ['IEND', new Uint8Array(0)]]))).toBeNull();
    expect(decodeStoredPng(pngOf([['IHDR', ihdr(4, 4, 8, 3)], ['IDAT', data], ['IEND', new Uint8Array(0)]]))).toBeNull();
    expect(decodeStoredPng(pngOf([['IHDR', ihdr(4, 4, 8, 0, 1)], ['IDAT', data], ['IEND', new Uint8Array(0)]]))).toBeNull();
    // A 1-bit grey image still reads as RGB, through pngjs (and is refused as a label map, as before).
    const rows = Uint8Array.of(0, 0b10100000, 0, 0b01010000, 0, 0, 0, 0xf0);
    const path = join(dir, 'one-bit.png');
    writeFileSync(path, pngOf([['IHDR', ihdr(4, 4, 1, 0)], ['IDAT', deflateSync(rows)], ['IEND', new Uint8Array(0)]]));
    const bits = [1, 0, 1, 0, 0, 1, 0, 1, 0, 0, 0, 0, 1, 1, 1, 1];
    expect(Array.from(readRgbImage(path).data)).toEqual(bits.flatMap((b) => [255 * b, 255 * b, 255 * b]));
    expect(() => readLabelMap(path)).toThrow(/this one is 1-bit/);
  });
});
