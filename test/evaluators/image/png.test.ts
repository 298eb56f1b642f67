import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { decodeDepthValue, DEPTH_STEP_M, encodeDepthPng, encodeDepthValue, encodeGray16Png, encodeGray8Png, encodeRgbPng } from '../../../evaluators/image/index.js';
import { rng } from '../../helpers/random.js';
import { decodePngSamples } from './png-reference.js';

describe('PNG encoding of demo capture images', () => {
  it('writes 16-bit grayscale exactly (independent decoder and pngjs read-back)', () => {
    const w = 37, h = 11;
    const values = new Uint16Array(w * h);
    const random = rng(3);
    for (let i = 0; i < values.length; i++) values[i] = Math.floor(random() * 65536);
    values[0] = 0;
    values[1] = 65535;
    values[2] = 256;
    values[3] = 255;
    const png = encodeGray16Png(values, w, h);
    const ref = decodePngSamples(png);
    expect([ref.width, ref.height, ref.bitDepth, ref.colorType]).toEqual([w, h, 16, 0]);
    expect(Array.from(ref.samples)).toEqual(Array.from(values));
    const back = PNG.sync.read(png, { skipRescale: true } as Parameters<typeof PNG.sync.read>[1]);
    const data = back.data as unknown as ArrayLike<number>;
    for (let i = 0; i < values.length; i++) expect(data[4 * i]).toBe(values[i]);
  });

  it('round-trips depth within half a quantisation step (2/65534 m), 0 = no depth', () => {
    const w = 50, h = 20;
    const depth = new Float64Array(w * h);
    const random = rng(11);
    for (let i = 0; i < depth.length; i++) depth[i] = i % 7 === 0 ? 0 : 2 * random();
    depth[5] = 2;
    const samples = decodePngSamples(encodeDepthPng(depth, w, h)).samples;
    for (let i = 0; i < depth.length; i++) {
      if (depth[i] === 0) expect(samples[i]).toBe(0);
      else {
        expect(samples[i]).toBeGreaterThan(0);
        expect(Math.abs(decodeDepthValue(samples[i]) - depth[i])).toBeLessThanOrEqual(DEPTH_STEP_M / 2 + 1e-12);
      }
    }
    expect(encodeDepthValue(2)).toBe(65535);
    expect(decodeDepthValue(1)).toBe(0);
    expect(encodeDepthValue(Number.NaN)).toBe(0);
    expect(() => encodeDepthValue(2.1)).toThrow(/range/);
  });

  it('writes 8-bit label maps and RGB images exactly', () => {
    const w = 9, h = 7;
    const labels = Uint8Array.from({ length: w * h }, (_, i) => i % 10);
    const l = decodePngSamples(encodeGray8Png(labels, w, h));
    expect([l.bitDepth, l.colorType]).toEqual([8, 0]);
    expect(Array.from(l.samples)).toEqual(Array.from(labels));
    const rgb = Uint8Array.from({ length: 3 * w * h }, (_, i) => (i * 37) % 256);
    const c = decodePngSamples(encodeRgbPng(rgb, w, h));
    expect([c.bitDepth, c.colorType]).toEqual([8, 2]);
    expect(Array.from(c.samples)).toEqual(Array.from(rgb));
  });
});
