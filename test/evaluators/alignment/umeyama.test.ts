import * as math from 'mathjs';
import { describe, expect, it } from 'vitest';
import {
  applyTransform,
  mat3Determinant,
  mat3Multiply,
  rotationFromRotationVector,
  transformDifference,
  umeyama,
  type SimilarityTransform,
} from '../../../evaluators/alignment/index.js';
import { InputError } from '../../../evaluators/errors.js';
import { gaussian, rng } from '../../helpers/random.js';
import { maxAbsDiff, orthogonalityError, quaternionToMatrix, randomPoints, randomSimilarity } from './helpers.js';

/**
 * Independent reference: B. K. P. Horn, "Closed-form solution of absolute orientation using
 * unit quaternions", JOSA A 4(4), 1987. The rotation is the quaternion of the largest
 * eigenvalue of the 4x4 matrix N built from S = Σ w·x′·y′ᵀ (here via math.eigs); the
 * least-squares scale is Σ w·y′·(R·x′) / Σ w·‖x′‖². Always a proper rotation.
 */
function horn(source: Float64Array, target: Float64Array, weights?: Float64Array, withScale = true): SimilarityTransform {
  const n = source.length / 3;
  const w = (i: number): number => (weights ? weights[i] : 1);
  let total = 0;
  const mx = [0, 0, 0];
  const my = [0, 0, 0];
  for (let i = 0; i < n; i++) {
    total += w(i);
    for (let k = 0; k < 3; k++) {
      mx[k] += w(i) * source[3 * i + k];
      my[k] += w(i) * target[3 * i + k];
    }
  }
  for (let k = 0; k < 3; k++) {
    mx[k] /= total;
    my[k] /= total;
  }
  const S = [
    [0, 0, 0],
    [0, 0, 0],
    [0, 0, 0],
  ];
  for (let i = 0; i < n; i++) {
    for (let a = 0; a < 3; a++) {
      for (let b = 0; b < 3; b++) S[a][b] += w(i) * (source[3 * i + a] - mx[a]) * (target[3 * i + b] - my[b]);
    }
  }
  const [[xx, xy, xz], [yx, yy, yz], [zx, zy, zz]] = S;
  const N = [
    [xx + yy + zz, yz - zy, zx - xz, xy - yx],
    [yz - zy, xx - yy - zz, xy + yx, zx + xz],
    [zx - xz, xy + yx, -xx + yy - zz, yz + zy],
    [xy - yx, zx + xz, yz + zy, -xx - yy + zz],
  ];
  const eig = math.eigs(N);
  let best = eig.eigenvectors[0];
  for (const e of eig.eigenvectors) if ((e.value as number) > (best.value as number)) best = e;
  const q = best.vector as number[];
  const rotation = quaternionToMatrix(q[0], q[1], q[2], q[3]);
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    const x = [source[3 * i] - mx[0], source[3 * i + 1] - mx[1], source[3 * i + 2] - mx[2]];
    const rx = [0, 1, 2].map((r) => rotation[3 * r] * x[0] + rotation[3 * r + 1] * x[1] + rotation[3 * r + 2] * x[2]);
    num += w(i) * ((target[3 * i] - my[0]) * rx[0] + (target[3 * i + 1] - my[1]) * rx[1] + (target[3 * i + 2] - my[2]) * rx[2]);
    den += w(i) * (x[0] * x[0] + x[1] * x[1] + x[2] * x[2]);
  }
  const scale = withScale ? num / den : 1;
  const translation = Float64Array.from([0, 1, 2], (r) => my[r] - scale * (rotation[3 * r] * mx[0] + rotation[3 * r + 1] * mx[1] + rotation[3 * r + 2] * mx[2]));
  return { scale, rotation, translation };
}

function addNoise(points: Float64Array, random: () => number, sigma: number): Float64Array {
  return Float64Array.from(points, (x) => x + sigma * gaussian(random));
}

function weightedSq(t: SimilarityTransform, source: Float64Array, target: Float64Array, weights?: Float64Array): number {
  const mapped = applyTransform(t, source);
  let s = 0;
  for (let i = 0; i < source.length / 3; i++) {
    const w = weights ? weights[i] : 1;
    s += w * ((mapped[3 * i] - target[3 * i]) ** 2 + (mapped[3 * i + 1] - target[3 * i + 1]) ** 2 + (mapped[3 * i + 2] - target[3 * i + 2]) ** 2);
  }
  return s;
}

const MIRROR_Z = Float64Array.of(1, 0, 0, 0, 1, 0, 0, 0, -1);

describe('umeyama: exact recovery from noiseless correspondences', () => {
  const random = rng(21);
  it('recovers a random similarity to ≤ 1e-9 from 7 points and from 1000 points', () => {
    for (const n of [7, 7, 7, 1000]) {
      for (let trial = 0; trial < 5; trial++) {
        const truth = randomSimilarity(random);
        const source = randomPoints(random, n);
        const target = applyTransform(truth, source);
        const { transform, rmse, reflection } = umeyama(source, target);
        expect(reflection).toBe(false);
        expect(Math.abs(transform.scale - truth.scale)).toBeLessThan(1e-12);
        expect(maxAbsDiff(transform.rotation, truth.rotation)).toBeLessThan(1e-12);
        expect(maxAbsDiff(transform.translation, truth.translation)).toBeLessThan(1e-9);
        expect(transformDifference(transform, truth, source)).toBeLessThan(1e-9);
        expect(rmse).toBeLessThan(1e-9);
        expect(orthogonalityError(transform.rotation)).toBeLessThan(1e-14);
      }
    }
  });

  it('recovers exactly from 3 points (coplanar: σ₃ = 0)', () => {
    const truth = randomSimilarity(random);
    const source = Float64Array.of(0, 0, 0, 60, 0, 0, 20, 40, 0);
    const { transform } = umeyama(source, applyTransform(truth, source));
    expect(transformDifference(transform, truth, source)).toBeLessThan(1e-9);
    expect(mat3Determinant(transform.rotation)).toBeCloseTo(1, 14);
  });

  it('without scale: recovers a rigid transform exactly and keeps s = 1 otherwise', () => {
    const truth = randomSimilarity(random);
    truth.scale = 1;
    const source = randomPoints(random, 7);
    const fit = umeyama(source, applyTransform(truth, source), { withScale: false });
    expect(fit.transform.scale).toBe(1);
    expect(transformDifference(fit.transform, truth, source)).toBeLessThan(1e-9);
    // A scaled target with scale fixed: the rotation still matches Horn's, translation follows the centroids.
    const scaled = randomSimilarity(random);
    const target = addNoise(applyTransform(scaled, source), random, 0.5);
    const rigid = umeyama(source, target, { withScale: false });
    const reference = horn(source, target, undefined, false);
    expect(rigid.transform.scale).toBe(1);
    expect(maxAbsDiff(rigid.transform.rotation, reference.rotation)).toBeLessThan(1e-10);
    expect(maxAbsDiff(rigid.transform.translation, reference.translation)).toBeLessThan(1e-8);
  });
});

describe('umeyama: optimality on noisy data', () => {
  const random = rng(22);
  it("agrees with Horn's quaternion method (math.eigs), unweighted and weighted", () => {
    for (let trial = 0; trial < 10; trial++) {
      const n = trial < 5 ? 7 : 200;
      const truth = randomSimilarity(random);
      const source = randomPoints(random, n);
      const target = addNoise(applyTransform(truth, source), random, 2);
      const weights = trial % 2 === 0 ? undefined : Float64Array.from({ length: n }, () => 0.1 + random());
      const fit = umeyama(source, target, { weights });
      const reference = horn(source, target, weights);
      expect(Math.abs(fit.transform.scale - reference.scale)).toBeLessThan(1e-10);
      expect(maxAbsDiff(fit.transform.rotation, reference.rotation)).toBeLessThan(1e-10);
      expect(transformDifference(fit.transform, reference, source)).toBeLessThan(1e-8);
      const total = weights ? weights.reduce((a, b) => a + b, 0) : n;
      expect(fit.rmse).toBeCloseTo(Math.sqrt(weightedSq(reference, source, target, weights) / total), 9);
    }
  });

  it('is a local minimum: no small perturbation of s, R, t lowers the weighted error', () => {
    const truth = randomSimilarity(random);
    const source = randomPoints(random, 30);
    const target = addNoise(applyTransform(truth, source), random, 1);
    const weights = Float64Array.from({ length: 30 }, () => random());
    const fit = umeyama(source, target, { weights });
    const best = weightedSq(fit.transform, source, target, weights);
    for (let k = 0; k < 200; k++) {
      const h = 1e-4;
      const dr = rotationFromRotationVector(h * (2 * random() - 1), h * (2 * random() - 1), h * (2 * random() - 1));
      const perturbed: SimilarityTransform = {
        scale: fit.transform.scale * (1 + h * (2 * random() - 1)),
        rotation: mat3Multiply(dr, fit.transform.rotation),
        translation: Float64Array.from(fit.transform.translation, (x) => x + 100 * h * (2 * random() - 1)),
      };
      expect(weightedSq(perturbed, source, target, weights)).toBeGreaterThanOrEqual(best * (1 - 1e-12));
    }
  });
});

describe('umeyama: weights', () => {
  const random = rng(23);
  it('zero weights on outliers recover the transform exactly despite the outliers', () => {
    const truth = randomSimilarity(random);
    const source = randomPoints(random, 25);
    const target = applyTransform(truth, source);
    const weights = new Float64Array(25).fill(1);
    for (const i of [2, 7, 11, 19, 24]) {
      target[3 * i] += 80;
      target[3 * i + 2] -= 150;
      weights[i] = 0;
    }
    expect(transformDifference(umeyama(source, target).transform, truth, source)).toBeGreaterThan(1);
    const fit = umeyama(source, target, { weights });
    expect(transformDifference(fit.transform, truth, source)).toBeLessThan(1e-9);
    expect(fit.rmse).toBeLessThan(1e-9);
  });

  it('an integer weight equals repeating the pair', () => {
    const source = randomPoints(random, 6);
    const target = addNoise(applyTransform(randomSimilarity(random), source), random, 3);
    const weighted = umeyama(source, target, { weights: Float64Array.of(1, 3, 1, 1, 2, 1) });
    const idx = [0, 1, 1, 1, 2, 3, 4, 4, 5];
    const pick = (a: Float64Array): Float64Array => Float64Array.from(idx.flatMap((i) => [a[3 * i], a[3 * i + 1], a[3 * i + 2]]));
    const repeated = umeyama(pick(source), pick(target));
    expect(transformDifference(weighted.transform, repeated.transform, source)).toBeLessThan(1e-10);
    expect(weighted.rmse).toBeCloseTo(repeated.rmse, 10);
  });
});

describe('umeyama: reflections', () => {
  const random = rng(24);
  it('refuses a reflection by default (det = +1, Horn’s best rotation) and fits it exactly when allowed (det = −1)', () => {
    for (let trial = 0; trial < 5; trial++) {
      const truth = randomSimilarity(random);
      truth.rotation = mat3Multiply(truth.rotation, MIRROR_Z); // an improper "similarity"
      const source = randomPoints(random, 7);
      const target = applyTransform(truth, source);

      const proper = umeyama(source, target);
      expect(proper.reflection).toBe(false);
      expect(mat3Determinant(proper.transform.rotation)).toBeCloseTo(1, 13);
      expect(proper.rmse).toBeGreaterThan(1);
      const reference = horn(source, target);
      expect(maxAbsDiff(proper.transform.rotation, reference.rotation)).toBeLessThan(1e-9);
      expect(Math.abs(proper.transform.scale - reference.scale)).toBeLessThan(1e-10);

      const mirrored = umeyama(source, target, { allowReflection: true });
      expect(mirrored.reflection).toBe(true);
      expect(mat3Determinant(mirrored.transform.rotation)).toBeCloseTo(-1, 13);
      expect(transformDifference(mirrored.transform, truth, source)).toBeLessThan(1e-9);
      expect(mirrored.rmse).toBeLessThan(1e-9);
    }
  });

  it('keeps a proper rotation for a proper target even when reflections are allowed, and for planar sets', () => {
    const truth = randomSimilarity(random);
    const source = randomPoints(random, 7);
    const fit = umeyama(source, applyTransform(truth, source), { allowReflection: true });
    expect(fit.reflection).toBe(false);
    expect(transformDifference(fit.transform, truth, source)).toBeLessThan(1e-9);
    // A planar set equals its own mirror image through its plane: no reason to reflect.
    const planar = Float64Array.of(0, 0, 0, 50, 0, 0, 0, 40, 0, 30, 30, 0, -20, 10, 0);
    const mirroredTruth = { ...truth, rotation: mat3Multiply(truth.rotation, MIRROR_Z) };
    const planarFit = umeyama(planar, applyTransform(mirroredTruth, planar), { allowReflection: true });
    expect(planarFit.reflection).toBe(false);
    expect(planarFit.rmse).toBeLessThan(1e-9);
  });
});

describe('umeyama: input validation', () => {
  const random = rng(25);
  const seven = randomPoints(random, 7);
  function expectInputError(run: () => unknown, file: string, pattern: RegExp): void {
    let caught: unknown;
    try {
      run();
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(InputError);
    expect((caught as InputError).file).toBe(file);
    expect((caught as InputError).message).toMatch(pattern);
    expect((caught as InputError).message).not.toMatch(/\n/);
  }
  const names = { sourceName: 'pred/landmarks.npy', targetName: 'gt/landmarks.json' };

  it('rejects mismatched, short and malformed arrays', () => {
    expectInputError(() => umeyama(seven, seven.subarray(0, 18), names), 'pred/landmarks.npy', /has 7 points but gt\/landmarks\.json has 6.*same order/);
    expectInputError(() => umeyama(seven.subarray(0, 6), seven.subarray(0, 6), names), 'pred/landmarks.npy', /at least 3 corresponding points, got 2/);
    expectInputError(() => umeyama(seven.subarray(0, 20), seven.subarray(0, 20), names), 'pred/landmarks.npy', /not a multiple of 3/);
    const bad = Float64Array.from(seven);
    bad[10] = Number.NaN;
    expectInputError(() => umeyama(seven, bad, names), 'gt/landmarks.json', /point 3 has a non-finite coordinate \(NaN\)/);
    expectInputError(() => umeyama(seven.subarray(0, 6), seven.subarray(0, 6)), 'source points', /at least 3/);
  });

  it('rejects coincident and collinear points (rotation undetermined)', () => {
    const same = new Float64Array(21);
    for (let i = 0; i < 7; i++) same.set([10.1, -3.3, 77.7], 3 * i);
    expectInputError(() => umeyama(same, seven, names), 'pred/landmarks.npy', /all source points .*coincide/);
    expectInputError(() => umeyama(seven, same, names), 'gt/landmarks.json', /all target points .*coincide/);
    const line = new Float64Array(21);
    for (let i = 0; i < 7; i++) line.set([1 + 2 * i, -5 + 3 * i, 4 - 1.5 * i], 3 * i);
    expectInputError(() => umeyama(line, seven, names), 'pred/landmarks.npy', /source points are collinear.*undetermined/);
    expectInputError(() => umeyama(seven, line, names), 'gt/landmarks.json', /target points are collinear/);
  });

  it('rejects bad weights with a hint', () => {
    const w = new Float64Array(7).fill(1);
    w[4] = -1;
    expectInputError(() => umeyama(seven, seven, { ...names, weights: w }), 'pred/landmarks.npy', /weight 4 is -1; .*≥ 0 \(use 0 to ignore/);
    w[4] = Number.POSITIVE_INFINITY;
    expectInputError(() => umeyama(seven, seven, { ...names, weights: w }), 'pred/landmarks.npy', /weight 4 is Infinity/);
    expectInputError(() => umeyama(seven, seven, { ...names, weights: new Float64Array(6).fill(1) }), 'pred/landmarks.npy', /6 weights for 7 point pairs/);
    expectInputError(() => umeyama(seven, seven, { ...names, weights: Float64Array.of(1, 1, 0, 0, 0, 0, 0) }), 'pred/landmarks.npy', /only 2 point pairs have a positive weight/);
    // Only the positively weighted points count for degeneracy: the three weighted ones here are collinear.
    const mixed = Float64Array.from(seven);
    mixed.set([0, 0, 0, 1, 1, 1, 2, 2, 2], 0);
    expectInputError(() => umeyama(mixed, seven, { ...names, weights: Float64Array.of(1, 1, 1, 0, 0, 0, 0) }), 'pred/landmarks.npy', /collinear/);
  });
});
