import * as math from 'mathjs';
import { describe, expect, it } from 'vitest';
import {
  accumulateNormalEquations,
  mat3Determinant,
  mat3Multiply,
  mat3MultiplyVec3,
  mat3Transpose,
  projectToOrthogonal,
  projectToRotation,
  rotationFromAxisAngle,
  rotationFromRotationVector,
  solveLDLT,
  solvePseudoInverse,
  solveSymmetric,
  svd3,
  symmetricEigen,
} from '../../../evaluators/alignment/index.js';
import { rng } from '../../helpers/random.js';
import { maxAbsDiff, orthogonalityError, randomRotation, toNested } from './helpers.js';

function randomMatrix(random: () => number, rows: number, cols = rows): Float64Array {
  const m = new Float64Array(rows * cols);
  for (let i = 0; i < m.length; i++) m[i] = 2 * random() - 1;
  return m;
}

function randomSymmetric(random: () => number, n: number): Float64Array {
  const m = randomMatrix(random, n);
  for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) m[i * n + j] = m[j * n + i];
  return m;
}

/** Flat n×n from a mathjs result (plain nested arrays). */
function flat(m: unknown): Float64Array {
  return Float64Array.from((m as number[][]).flat());
}

/** U·diag(values)·Vᵀ. */
function reassemble(u: Float64Array, values: Float64Array, v: Float64Array): Float64Array {
  const us = Float64Array.from(u);
  for (let i = 0; i < 3; i++) for (let k = 0; k < 3; k++) us[i * 3 + k] *= values[k];
  return mat3Multiply(us, mat3Transpose(v));
}

describe('3x3 products against mathjs', () => {
  const random = rng(1);
  it('multiply, transpose, determinant, matrix–vector', () => {
    for (let trial = 0; trial < 50; trial++) {
      const a = randomMatrix(random, 3);
      const b = randomMatrix(random, 3);
      const v = randomMatrix(random, 3, 1);
      expect(maxAbsDiff(mat3Multiply(a, b), flat(math.multiply(toNested(a, 3), toNested(b, 3))))).toBeLessThan(1e-15);
      expect(maxAbsDiff(mat3Transpose(a), flat(math.transpose(toNested(a, 3))))).toBe(0);
      expect(Math.abs(mat3Determinant(a) - math.det(toNested(a, 3)))).toBeLessThan(1e-15);
      const mv = math.multiply(toNested(a, 3), Array.from(v)) as number[];
      expect(maxAbsDiff(mat3MultiplyVec3(a, v), mv)).toBeLessThan(1e-15);
    }
  });
  it('allows the output to alias an input', () => {
    const a = Float64Array.of(1, 2, 3, 4, 5, 6, 7, 8, 10);
    const b = Float64Array.of(0, 1, 0, 1, 0, 0, 0, 0, 1);
    const expected = mat3Multiply(a, b);
    expect(Array.from(mat3Multiply(a, b, a))).toEqual(Array.from(expected));
    const t = Float64Array.of(1, 2, 3, 4, 5, 6, 7, 8, 9);
    expect(Array.from(mat3Transpose(t, t))).toEqual([1, 4, 7, 2, 5, 8, 3, 6, 9]);
  });
});

describe('symmetricEigen (cyclic Jacobi)', () => {
  const random = rng(2);
  it('matches math.eigs and satisfies A·V = V·Λ with orthonormal V, for n = 1..8', () => {
    for (let n = 1; n <= 8; n++) {
      for (let trial = 0; trial < 10; trial++) {
        const a = randomSymmetric(random, n);
        const { values, vectors } = symmetricEigen(a, n);
        const reference = (math.eigs(toNested(a, n)).values as number[]).slice().sort((x, y) => y - x);
        expect(maxAbsDiff(values, reference)).toBeLessThan(1e-13);
        for (let k = 1; k < n; k++) expect(values[k]).toBeLessThanOrEqual(values[k - 1]);
        const av = flat(math.multiply(toNested(a, n), toNested(vectors, n)));
        const vl = Float64Array.from(vectors);
        for (let i = 0; i < n; i++) for (let k = 0; k < n; k++) vl[i * n + k] *= values[k];
        expect(maxAbsDiff(av, vl)).toBeLessThan(1e-13);
        const vtv = flat(math.multiply(math.transpose(toNested(vectors, n)), toNested(vectors, n)));
        expect(maxAbsDiff(vtv, flat(math.identity(n, 'dense').valueOf()))).toBeLessThan(1e-14);
      }
    }
  });
  it('handles repeated eigenvalues, a diagonal input and the zero matrix', () => {
    const r = randomRotation(random);
    const a = mat3Multiply(mat3Multiply(r, Float64Array.of(2, 0, 0, 0, 2, 0, 0, 0, -1)), mat3Transpose(r));
    const { values, vectors } = symmetricEigen(a, 3);
    expect(maxAbsDiff(values, [2, 2, -1])).toBeLessThan(1e-14);
    expect(orthogonalityError(vectors)).toBeLessThan(1e-14);
    expect(Array.from(symmetricEigen(Float64Array.of(1, 0, 0, 3), 2).values)).toEqual([3, 1]);
    const zero = symmetricEigen(new Float64Array(16), 4);
    expect(Array.from(zero.values)).toEqual([0, 0, 0, 0]);
  });
  it('reads only the upper triangle', () => {
    const a = Float64Array.of(2, 1, 999, 3); // lower entry ignored: [[2, 1], [1, 3]]
    const reference = (math.eigs([[2, 1], [1, 3]]).values as number[]).slice().sort((x, y) => y - x);
    expect(maxAbsDiff(symmetricEigen(a, 2).values, reference)).toBeLessThan(1e-15);
  });
});

describe('svd3 (one-sided Jacobi)', () => {
  const random = rng(3);
  function checkSvd(a: Float64Array, tolerance: number): ReturnType<typeof svd3> {
    const result = svd3(a);
    const { u, values, v } = result;
    expect(orthogonalityError(u)).toBeLessThan(1e-14);
    expect(orthogonalityError(v)).toBeLessThan(1e-14);
    expect(values[0]).toBeGreaterThanOrEqual(values[1]);
    expect(values[1]).toBeGreaterThanOrEqual(values[2]);
    expect(values[2]).toBeGreaterThanOrEqual(0);
    expect(maxAbsDiff(reassemble(u, values, v), a)).toBeLessThan(tolerance);
    return result;
  }

  it('decomposes random matrices; σ² match math.eigs(AᵀA)', () => {
    for (let trial = 0; trial < 100; trial++) {
      const a = randomMatrix(random, 3);
      const { u, values, v } = checkSvd(a, 1e-14);
      const ata = math.multiply(math.transpose(toNested(a, 3)), toNested(a, 3));
      const reference = (math.eigs(ata).values as number[]).map((x) => Math.sqrt(Math.max(x, 0))).sort((x, y) => y - x);
      expect(maxAbsDiff(values, reference)).toBeLessThan(1e-7); // the reference squares, so it is the less accurate one
      expect(Math.sign(mat3Determinant(u) * mat3Determinant(v))).toBe(Math.sign(mat3Determinant(a)));
    }
  });

  it('is accurate for prescribed singular values down to 1e-12 and for exact rank 2, 1 and 0', () => {
    for (const sigma of [
      [3, 2, 1],
      [1, 0.5, 1e-12],
      [1, 1, 0],
      [5, 1e-9, 0],
      [2, 0, 0],
      [1, 1, 1],
      [0, 0, 0],
    ]) {
      const u0 = randomRotation(random);
      const v0 = randomRotation(random);
      const a = reassemble(u0, Float64Array.from(sigma), v0);
      const { values } = checkSvd(a, 1e-14 * Math.max(1, sigma[0]));
      expect(maxAbsDiff(values, sigma)).toBeLessThan(2e-15 * Math.max(sigma[0], 1));
    }
  });

  it('recovers the sign of near-reflections: det(U)·det(V) = −1', () => {
    for (let trial = 0; trial < 20; trial++) {
      const r = randomRotation(random);
      const mirror = mat3Multiply(r, Float64Array.of(1, 0, 0, 0, 1, 0, 0, 0, -1));
      for (let k = 0; k < 9; k++) mirror[k] += 1e-9 * (2 * random() - 1);
      const { u, values, v } = checkSvd(mirror, 1e-14);
      expect(mat3Determinant(u) * mat3Determinant(v)).toBeCloseTo(-1, 12);
      expect(maxAbsDiff(values, [1, 1, 1])).toBeLessThan(1e-8);
    }
    // A nearly singular reflection: σ₃ = 1e-10 and det < 0.
    const u0 = randomRotation(random);
    const v0 = randomRotation(random);
    const a = reassemble(u0, Float64Array.of(2, 1, 1e-10), v0);
    const flipped = mat3Multiply(a, Float64Array.of(1, 0, 0, 0, 1, 0, 0, 0, -1)); // det < 0 now
    const { u, v } = checkSvd(flipped, 1e-14);
    expect(mat3Determinant(u) * mat3Determinant(v)).toBeCloseTo(-1, 12);
  });
});

describe('small symmetric solves', () => {
  const random = rng(4);
  it('solveLDLT matches math.lusolve on random SPD systems (n = 1..7)', () => {
    for (let n = 1; n <= 7; n++) {
      for (let trial = 0; trial < 10; trial++) {
        const g = randomMatrix(random, n);
        const a = flat(math.add(math.multiply(math.transpose(toNested(g, n)), toNested(g, n)), math.multiply(0.1, math.identity(n, 'dense').valueOf() as number[][])));
        const b = randomMatrix(random, n, 1);
        const x = new Float64Array(n);
        expect(solveLDLT(a, b, n, x)).toBe(true);
        const reference = (math.lusolve(toNested(a, n), Array.from(b)) as number[][]).map((r) => r[0]);
        expect(maxAbsDiff(x, reference)).toBeLessThan(1e-10);
        const solved = solveSymmetric(a, b, n);
        expect(solved.pseudoInverse).toBe(false);
        expect(maxAbsDiff(solved.x, reference)).toBeLessThan(1e-10);
      }
    }
  });
  it('refuses singular and indefinite systems in solveLDLT', () => {
    expect(solveLDLT(Float64Array.of(1, 1, 1, 1), Float64Array.of(1, 1), 2)).toBe(false);
    expect(solveLDLT(Float64Array.of(1, 2, 2, 1), Float64Array.of(1, 1), 2)).toBe(false);
    expect(solveLDLT(new Float64Array(4), Float64Array.of(1, 1), 2)).toBe(false);
  });
  it('falls back to the minimum-norm pseudo-inverse solution (A⁺ = Gᵀ(GGᵀ)⁻²G) on rank-deficient systems', () => {
    for (const [n, rank] of [[7, 6], [7, 4], [6, 3], [3, 1]]) {
      const g = randomMatrix(random, rank, n); // rank×n, so gᵀg is n×n of rank `rank`
      const a = flat(math.multiply(math.transpose(toNested(g, rank, n)), toNested(g, rank, n)));
      const b = randomMatrix(random, n, 1);
      const solved = solveSymmetric(a, b, n);
      expect(solved.pseudoInverse).toBe(true);
      // A = GᵀG with G of full row rank, so A⁺ = Gᵀ·(G·Gᵀ)⁻²·G.
      const gg = toNested(g, rank, n);
      const inner = math.inv(math.multiply(gg, math.transpose(gg)));
      const pinv = math.multiply(math.multiply(math.transpose(gg), math.multiply(inner, inner)), gg);
      const reference = math.multiply(pinv, Array.from(b)) as number[];
      expect(maxAbsDiff(solved.x, reference)).toBeLessThan(1e-8);
      const x = new Float64Array(n);
      expect(solvePseudoInverse(a, b, n, x)).toBe(rank);
    }
  });
});

describe('rotations', () => {
  const random = rng(5);
  function skew(w: number[]): number[][] {
    return [
      [0, -w[2], w[1]],
      [w[2], 0, -w[0]],
      [-w[1], w[0], 0],
    ];
  }
  it('Rodrigues matches math.expm of the skew matrix', () => {
    for (let trial = 0; trial < 30; trial++) {
      const scale = [1e-12, 1e-6, 1e-3, 0.5, 3][trial % 5];
      const w = [scale * (2 * random() - 1), scale * (2 * random() - 1), scale * (2 * random() - 1)];
      const r = rotationFromRotationVector(w[0], w[1], w[2]);
      const reference = flat((math.expm(math.matrix(skew(w))) as math.Matrix).valueOf());
      expect(maxAbsDiff(r, reference)).toBeLessThan(1e-14);
      expect(orthogonalityError(r)).toBeLessThan(1e-15);
      expect(mat3Determinant(r)).toBeCloseTo(1, 14);
    }
    expect(Array.from(rotationFromRotationVector(0, 0, 0))).toEqual([1, 0, 0, 0, 1, 0, 0, 0, 1]);
  });
  it('rotationFromAxisAngle: a quarter turn about z takes x to y', () => {
    const r = rotationFromAxisAngle([0, 0, 5], Math.PI / 2);
    expect(maxAbsDiff(mat3MultiplyVec3(r, [1, 0, 0]), [0, 1, 0])).toBeLessThan(3e-16);
    expect(() => rotationFromAxisAngle([0, 0, 0], 1)).toThrow(/non-zero/);
  });
  it('projectToRotation returns the nearest rotation; projectToOrthogonal keeps reflections', () => {
    for (let trial = 0; trial < 20; trial++) {
      const r = randomRotation(random);
      const noisy = Float64Array.from(r);
      for (let k = 0; k < 9; k++) noisy[k] += 1e-6 * (2 * random() - 1);
      const p = projectToRotation(noisy);
      expect(orthogonalityError(p)).toBeLessThan(3e-15);
      expect(mat3Determinant(p)).toBeCloseTo(1, 14);
      expect(maxAbsDiff(p, r)).toBeLessThan(3e-6);
      // Optimality: no nearby rotation is closer in the Frobenius norm.
      const dist = (q: Float64Array): number => Math.hypot(...Array.from(q, (x, k) => x - noisy[k]));
      for (let j = 0; j < 10; j++) {
        const q = mat3Multiply(rotationFromRotationVector(1e-4 * (2 * random() - 1), 1e-4 * (2 * random() - 1), 1e-4 * (2 * random() - 1)), p);
        expect(dist(q)).toBeGreaterThanOrEqual(dist(p));
      }
      expect(maxAbsDiff(projectToOrthogonal(noisy), p)).toBeLessThan(3e-15);
    }
    // diag(3, 2, −1): nearest orthogonal matrix is diag(1, 1, −1), nearest rotation is I.
    const d = Float64Array.of(3, 0, 0, 0, 2, 0, 0, 0, -1);
    expect(maxAbsDiff(projectToOrthogonal(d), [1, 0, 0, 0, 1, 0, 0, 0, -1])).toBeLessThan(1e-15);
    expect(maxAbsDiff(projectToRotation(d), [1, 0, 0, 0, 1, 0, 0, 0, 1])).toBeLessThan(1e-15);
  });
});

describe('accumulateNormalEquations', () => {
  /** H += JᵀJ (upper triangle) and g += Jᵀr by mathjs, for rows `from .. from + rows` of J. */
  function oracle(J: Float64Array, r: Float64Array, from: number, rows: number, n: number, H: Float64Array, g: Float64Array): void {
    const block = toNested(J.subarray(from * n, (from + rows) * n), rows, n);
    const jtj = math.multiply(math.transpose(block), block) as number[][];
    const jtr = math.multiply(math.transpose(block), Array.from(r.subarray(from, from + rows))) as number[];
    for (let i = 0; i < n; i++) {
      g[i] += jtr[i];
      for (let j = i; j < n; j++) H[i * n + j] += jtj[i][j];
    }
  }

  it('adds JᵀJ (upper triangle) and Jᵀr like mathjs, over whole and partial row blocks, odd widths and zero columns', () => {
    const random = rng(41);
    for (const [n, rows] of [[1, 5], [2, 1], [7, 33], [29, 64], [30, 70], [159, 97]] as const) {
      const J = randomMatrix(random, rows, n);
      // Columns that are zero in some rows, and one that is zero throughout.
      for (let row = 0; row < rows; row++) {
        if (n > 3 && row % 3 !== 0) J[row * n + 3] = 0;
        if (n > 5) J[row * n + 5] = 0;
      }
      const r = randomMatrix(random, rows + 4, 1);
      const start = randomMatrix(random, n);
      const H = Float64Array.from(start), expected = Float64Array.from(start);
      const g = randomMatrix(random, n, 1), expectedG = Float64Array.from(g);
      // Residuals from offset 4; the rows in two calls (the second continues the first).
      const split = rows >> 1;
      accumulateNormalEquations(J, r, 4, split, n, H, g);
      accumulateNormalEquations(J.subarray(split * n), r, 4 + split, rows - split, n, H, g);
      oracle(J, r.subarray(4), 0, rows, n, expected, expectedG);
      for (let i = 0; i < n; i++) {
        expect(Math.abs(g[i] - expectedG[i]), `n ${n}, rows ${rows}: g[${i}]`).toBeLessThan(1e-12 * rows);
        for (let j = 0; j < n; j++) {
          // Below the diagonal: untouched.
          const want = j >= i ? expected[i * n + j] : start[i * n + j];
          expect(Math.abs(H[i * n + j] - want), `n ${n}, rows ${rows}: H[${i}, ${j}]`).toBeLessThan(1e-12 * rows);
        }
      }
    }
  });
});
