import { describe, expect, it } from 'vitest';
import {
  applyRotation,
  applyTransform,
  cloneTransform,
  composeTransforms,
  identityTransform,
  invertTransform,
  transformDifference,
  transformFromMatrix4,
  transformToMatrix4,
} from '../../../evaluators/alignment/index.js';
import { rng } from '../../helpers/random.js';
import { maxAbsDiff, randomPoints, randomSimilarity } from './helpers.js';

describe('similarity transforms', () => {
  const random = rng(11);

  it('applies x ↦ s·R·x + t, written out by hand for a quarter turn about z', () => {
    const t = { scale: 2, rotation: Float64Array.of(0, -1, 0, 1, 0, 0, 0, 0, 1), translation: Float64Array.of(1, 2, 3) };
    // R·(1, 0, 0) = (0, 1, 0); ·2 + t = (1, 4, 3).  R·(0, 0, 1) = (0, 0, 1); ·2 + t = (1, 2, 5).
    expect(Array.from(applyTransform(t, Float64Array.of(1, 0, 0, 0, 0, 1)))).toEqual([1, 4, 3, 1, 2, 5]);
    expect(Array.from(applyRotation(t, Float64Array.of(1, 0, 0)))).toEqual([0, 1, 0]);
    expect(Array.from(applyTransform(identityTransform(), Float64Array.of(7, 8, 9)))).toEqual([7, 8, 9]);
  });

  it('works in place and checks lengths', () => {
    const t = randomSimilarity(random);
    const p = randomPoints(random, 10);
    const expected = applyTransform(t, p);
    expect(applyTransform(t, p, p)).toBe(p);
    expect(Array.from(p)).toEqual(Array.from(expected));
    expect(() => applyTransform(t, new Float64Array(4))).toThrow(/xyz triples/);
    expect(() => applyTransform(t, new Float64Array(6), new Float64Array(3))).toThrow(/output length/);
  });

  it('rotating normals keeps them unit length', () => {
    const t = randomSimilarity(random);
    const v = Float64Array.of(0.6, 0, 0.8, 0, 1, 0);
    const out = applyRotation(t, v);
    expect(Math.hypot(out[0], out[1], out[2])).toBeCloseTo(1, 15);
    expect(Math.hypot(out[3], out[4], out[5])).toBeCloseTo(1, 15);
  });

  it('composition applies B first, then A', () => {
    for (let trial = 0; trial < 20; trial++) {
      const a = randomSimilarity(random);
      const b = randomSimilarity(random);
      const p = randomPoints(random, 20);
      const viaCompose = applyTransform(composeTransforms(a, b), p);
      const stepwise = applyTransform(a, applyTransform(b, p));
      expect(maxAbsDiff(viaCompose, stepwise)).toBeLessThan(1e-12);
    }
  });

  it('inverse undoes the transform and composes to the identity', () => {
    for (let trial = 0; trial < 20; trial++) {
      const t = randomSimilarity(random);
      const p = randomPoints(random, 20);
      const inv = invertTransform(t);
      expect(maxAbsDiff(applyTransform(inv, applyTransform(t, p)), p)).toBeLessThan(1e-12);
      expect(transformDifference(composeTransforms(t, inv), identityTransform(), p)).toBeLessThan(1e-12);
    }
  });

  it('4x4 matrices round-trip and bad matrices are refused with a reason', () => {
    const t = randomSimilarity(random);
    const m = transformToMatrix4(t);
    expect(m[3]).toEqual([0, 0, 0, 1]);
    const p = randomPoints(random, 5);
    // Homogeneous product by hand.
    for (let i = 0; i < 5; i++) {
      const x = [p[3 * i], p[3 * i + 1], p[3 * i + 2], 1];
      const y = applyTransform(t, p.subarray(3 * i, 3 * i + 3));
      for (let r = 0; r < 3; r++) expect(m[r].reduce((s, v, k) => s + v * x[k], 0)).toBeCloseTo(y[r], 11);
    }
    const back = transformFromMatrix4(JSON.parse(JSON.stringify(m)) as number[][]);
    expect(back.scale).toBeCloseTo(t.scale, 14);
    expect(transformDifference(back, t, p)).toBeLessThan(1e-12);
    expect(() => transformFromMatrix4([[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0]])).toThrow(/4x4/);
    expect(() => transformFromMatrix4([[1, 0, 0, 0], [0, 2, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]])).toThrow(/not a scaled rotation/);
    expect(() => transformFromMatrix4([[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 1, 1]])).toThrow(/last row/);
    expect(() => transformFromMatrix4([[0, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 1]])).toThrow(/singular/);
  });

  it('transformDifference is the largest displacement between the two images', () => {
    const a = identityTransform();
    const b = cloneTransform(a);
    b.translation[1] = 3;
    expect(transformDifference(a, b, randomPoints(random, 10))).toBeCloseTo(3, 14);
    // Scale 1.01 about the origin: the farthest point (norm 200) moves by 2.
    const c = cloneTransform(a);
    c.scale = 1.01;
    expect(transformDifference(a, c, Float64Array.of(0, 0, 0, 200, 0, 0, 0, 50, 0))).toBeCloseTo(2, 12);
    expect(transformDifference(a, c, new Float64Array(0))).toBe(0);
    // Against brute force on random transforms.
    const s = randomSimilarity(random);
    const t = randomSimilarity(random);
    const p = randomPoints(random, 50);
    const ps = applyTransform(s, p);
    const pt = applyTransform(t, p);
    let brute = 0;
    for (let i = 0; i < 50; i++) brute = Math.max(brute, Math.hypot(ps[3 * i] - pt[3 * i], ps[3 * i + 1] - pt[3 * i + 1], ps[3 * i + 2] - pt[3 * i + 2]));
    expect(transformDifference(s, t, p)).toBeCloseTo(brute, 10);
  });
});
