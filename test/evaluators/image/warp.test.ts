import { describe, expect, it } from 'vitest';
import { applyAffine, invertAffine, similarity2d, warpAffineChw, type Affine2 } from '../../../evaluators/image/index.js';
import { rng } from '../../helpers/random.js';
import { referenceAffineCrop, referenceSimilarity } from '../../helpers/reference.js';

function randomImage(random: () => number, w: number, h: number): { width: number; height: number; data: Uint8Array } {
  const data = new Uint8Array(3 * w * h);
  for (let i = 0; i < data.length; i++) data[i] = Math.floor(256 * random());
  return { width: w, height: h, data };
}

describe('similarity2d', () => {
  it('recovers an exact similarity from noise-free points', () => {
    const random = rng(3);
    const [s, theta, tx, ty] = [1.7, 0.4, -12.5, 30.25];
    const src = Array.from({ length: 10 }, () => 200 * random());
    const dst = src.flatMap((_, i) => (i % 2 ? [] : [s * (Math.cos(theta) * src[i] - Math.sin(theta) * src[i + 1]) + tx, s * (Math.sin(theta) * src[i] + Math.cos(theta) * src[i + 1]) + ty]));
    const m = similarity2d(src, dst);
    const expected = [s * Math.cos(theta), -s * Math.sin(theta), tx, s * Math.sin(theta), s * Math.cos(theta), ty];
    for (let k = 0; k < 6; k++) expect(m[k]).toBeCloseTo(expected[k], 10);
  });

  it('equals the least-squares solution of the normal equations on noisy points', () => {
    const random = rng(8);
    for (let trial = 0; trial < 20; trial++) {
      const src = Array.from({ length: 10 }, () => 100 * random());
      const dst = Array.from({ length: 10 }, () => 100 * random());
      const m = similarity2d(src, dst);
      const ref = referenceSimilarity(src, dst);
      for (let k = 0; k < 6; k++) expect(Math.abs(m[k] - ref[k])).toBeLessThan(1e-9 * (1 + Math.abs(ref[k])));
    }
  });

  it('refuses coincident or too few points', () => {
    expect(() => similarity2d([1, 1, 1, 1], [0, 0, 1, 1])).toThrow('coincide');
    expect(() => similarity2d([1, 1], [0, 0])).toThrow('at least 2 points');
  });
});

describe('invertAffine / applyAffine', () => {
  it('inverts', () => {
    const m: Affine2 = [1.5, 0.3, 4, -0.2, 0.9, -7];
    const inv = invertAffine(m);
    const [x, y] = applyAffine(inv, ...applyAffine(m, 3.25, -8));
    expect(x).toBeCloseTo(3.25, 12);
    expect(y).toBeCloseTo(-8, 12);
    expect(() => invertAffine([1, 2, 0, 2, 4, 0])).toThrow('singular');
  });
});

describe('warpAffineChw', () => {
  const random = rng(21);
  const image = randomImage(random, 37, 29);
  const mean = [0.1, 0.2, 0.3], std = [0.5, 0.25, 2];

  it('the identity affine gives the image itself (integer pixel centres)', () => {
    const out = warpAffineChw(image, [1, 0, 0, 0, 1, 0], 20, 20, { mean: [0, 0, 0], std: [1, 1, 1] });
    for (let y = 0; y < 20; y++) for (let x = 0; x < 20; x++) for (let c = 0; c < 3; c++) expect(out[c * 400 + y * 20 + x]).toBeCloseTo(image.data[3 * (y * 37 + x) + c] / 255, 6);
  });

  it('a shift by half a pixel averages neighbours, and samples beyond the image are 0', () => {
    const out = warpAffineChw(image, [1, 0, -0.5, 0, 1, 0], 37, 1, { mean: [0, 0, 0], std: [1, 1, 1] });
    // crop x reads image x + 0.5
    for (let x = 0; x < 36; x++) expect(out[x] * 255).toBeCloseTo((image.data[3 * x] + image.data[3 * (x + 1)]) / 2, 3);
    expect(out[36] * 255).toBeCloseTo(image.data[3 * 36] / 2, 3);
    const far = warpAffineChw(image, [1, 0, -100, 0, 1, 0], 4, 4, { mean: [0, 0, 0], std: [1, 1, 1] });
    expect(Array.from(far).every((v) => v === 0)).toBe(true);
  });

  it('matches the plain reference on rotated, scaled crops, with and without rounding', () => {
    for (const [m, round] of [[[0.8, -0.3, 5, 0.3, 0.8, -4], false], [[2.2, 0.5, -30, -0.5, 2.2, -10], true], [[0.4, 0, 1.3, 0, 0.4, 2.7], false]] as [Affine2, boolean][]) {
      const S = 24;
      const out = warpAffineChw(image, m, S, S, { mean, std, round });
      const ref = referenceAffineCrop(image, m, S, mean, std, round);
      let worst = 0;
      for (let i = 0; i < ref.length; i++) worst = Math.max(worst, Math.abs(out[i] - ref[i]));
      expect(worst).toBeLessThan(1e-5);
    }
  });
});
