import { describe, expect, it } from 'vitest';
import { estimateNormals, symmetricEigen3 } from '../../../evaluators/spatial/index.js';
import { ictFace, sampleSurface } from '../../helpers/faces.js';
import { gaussian, rng } from '../../helpers/random.js';

function expectUnit(normals: Float64Array): void {
  for (let i = 0; i < normals.length / 3; i++) {
    const len = Math.hypot(normals[3 * i], normals[3 * i + 1], normals[3 * i + 2]);
    expect(Math.abs(len - 1)).toBeLessThan(1e-12);
  }
}

/** Signed cosines between estimated and true normals. */
function cosines(normals: Float64Array, truth: Float64Array): Float64Array {
  const out = new Float64Array(normals.length / 3);
  for (let i = 0; i < out.length; i++) {
    out[i] = normals[3 * i] * truth[3 * i] + normals[3 * i + 1] * truth[3 * i + 1] + normals[3 * i + 2] * truth[3 * i + 2];
  }
  return out;
}

function sphere(n: number, random: () => number, radius = 50, centre = [3, -2, 7]): { points: Float64Array; radial: Float64Array } {
  const points = new Float64Array(3 * n);
  const radial = new Float64Array(3 * n);
  for (let i = 0; i < n; i++) {
    const d = [gaussian(random), gaussian(random), gaussian(random)];
    const len = Math.hypot(d[0], d[1], d[2]);
    for (let k = 0; k < 3; k++) {
      radial[3 * i + k] = d[k] / len;
      points[3 * i + k] = centre[k] + radius * radial[3 * i + k];
    }
  }
  return { points, radial };
}

describe('symmetricEigen3', () => {
  it('diagonalises random symmetric matrices (A·v = λ·v, orthonormal, ascending)', () => {
    const random = rng(20);
    const a = new Float64Array(9);
    const values = new Float64Array(3);
    const vectors = new Float64Array(9);
    for (let t = 0; t < 2000; t++) {
      const m = [gaussian(random), gaussian(random), gaussian(random), gaussian(random), gaussian(random), gaussian(random)];
      if (t % 4 === 0) m[1] = m[2] = 0; // partly diagonal
      if (t % 7 === 0) { m[0] = m[3]; m[5] = m[3]; } // repeated diagonal
      const full = [m[0], m[1], m[2], m[1], m[3], m[4], m[2], m[4], m[5]];
      a.set(full);
      symmetricEigen3(a, values, vectors);
      expect(values[0]).toBeLessThanOrEqual(values[1]);
      expect(values[1]).toBeLessThanOrEqual(values[2]);
      for (let j = 0; j < 3; j++) {
        const v = [vectors[j], vectors[3 + j], vectors[6 + j]];
        for (let r = 0; r < 3; r++) {
          const av = full[3 * r] * v[0] + full[3 * r + 1] * v[1] + full[3 * r + 2] * v[2];
          expect(Math.abs(av - values[j] * v[r])).toBeLessThan(1e-12);
        }
        for (let l = 0; l < 3; l++) {
          const dot = v[0] * vectors[l] + v[1] * vectors[3 + l] + v[2] * vectors[6 + l];
          expect(Math.abs(dot - (l === j ? 1 : 0))).toBeLessThan(1e-12);
        }
      }
    }
  });

  it('handles the zero matrix and rank-one matrices', () => {
    const values = new Float64Array(3);
    const vectors = new Float64Array(9);
    symmetricEigen3(new Float64Array(9), values, vectors);
    expect(Array.from(values)).toEqual([0, 0, 0]);
    expect(Math.hypot(vectors[0], vectors[3], vectors[6])).toBeCloseTo(1, 14);
    // u·uᵀ with u = (1, 2, 2)/3: eigenvalues 0, 0, 1.
    const u = [1 / 3, 2 / 3, 2 / 3];
    symmetricEigen3(Float64Array.from([0, 1, 2].flatMap((r) => [0, 1, 2].map((c) => u[r] * u[c]))), values, vectors);
    expect(values[2]).toBeCloseTo(1, 14);
    expect(Math.abs(values[0]) + Math.abs(values[1])).toBeLessThan(1e-15);
    expect(Math.abs(vectors[2] * u[0] + vectors[5] * u[1] + vectors[8] * u[2])).toBeCloseTo(1, 14);
  });
});

describe('estimateNormals', () => {
  it('plane: normals match the plane normal, consistently oriented', () => {
    const random = rng(21);
    const n = 2000;
    const points = new Float64Array(3 * n);
    for (let i = 0; i < n; i++) {
      const x = (random() - 0.5) * 100, y = (random() - 0.5) * 100;
      points.set([x, y, 0.1 * x + 0.2 * y + 5], 3 * i);
    }
    const truth = new Float64Array(3 * n);
    const len = Math.hypot(-0.1, -0.2, 1);
    for (let i = 0; i < n; i++) truth.set([-0.1 / len, -0.2 / len, 1 / len], 3 * i);
    const normals = estimateNormals(points);
    expectUnit(normals);
    const c = cosines(normals, truth);
    const sign = Math.sign(c[0]);
    for (const v of c) {
      expect(Math.abs(v)).toBeGreaterThan(1 - 1e-9);
      expect(Math.sign(v)).toBe(sign);
    }
  });

  it('sphere: radial and outward at every point with the MST orientation', () => {
    const { points, radial } = sphere(3000, rng(22));
    const normals = estimateNormals(points, { k: 15 });
    expectUnit(normals);
    for (const v of cosines(normals, radial)) expect(v).toBeGreaterThan(0.99);
  });

  it("sphere: 'outward' and viewpoint orientations", () => {
    const { points, radial } = sphere(1500, rng(23));
    for (const v of cosines(estimateNormals(points, { orientation: 'outward' }), radial)) expect(v).toBeGreaterThan(0.99);
    // Viewpoint at the centre: every normal points inward.
    const inward = estimateNormals(points, { orientation: { viewpoint: [3, -2, 7] } });
    for (const v of cosines(inward, radial)) expect(v).toBeLessThan(-0.99);
  });

  it('cylinder: radial normals, all outward with the MST orientation', () => {
    const random = rng(24);
    const n = 3000;
    const points = new Float64Array(3 * n);
    const truth = new Float64Array(3 * n);
    for (let i = 0; i < n; i++) {
      const phi = random() * 2 * Math.PI;
      const h = (random() - 0.5) * 40;
      points.set([10 * Math.cos(phi), 10 * Math.sin(phi), h], 3 * i);
      truth.set([Math.cos(phi), Math.sin(phi), 0], 3 * i);
    }
    const normals = estimateNormals(points);
    expectUnit(normals);
    for (const v of cosines(normals, truth)) expect(v).toBeGreaterThan(0.95);
  });

  it('ICT face surface samples: |cos| > 0.95 for ≥ 95% of points and a consistent (outward) orientation', () => {
    const sample = sampleSurface(ictFace().mesh, 30000, rng(25));
    const normals = estimateNormals(sample.positions);
    expectUnit(normals);
    const c = cosines(normals, sample.normals);
    let aligned = 0;
    let outward = 0;
    for (const v of c) {
      if (Math.abs(v) > 0.95) aligned++;
      if (v > 0) outward++;
    }
    expect(aligned / c.length).toBeGreaterThanOrEqual(0.95);
    expect(outward / c.length).toBeGreaterThanOrEqual(0.95);
  });

  it('degenerate neighbourhoods still give unit normals (never NaN)', () => {
    const cases = [
      new Float64Array([1, 2, 3]),
      new Float64Array([1, 2, 3, 1, 2, 3, 1, 2, 3]),
      new Float64Array([0, 0, 0, 1, 0, 0]),
      Float64Array.from({ length: 60 }, (_, i) => (i % 3 === 0 ? i : 0)), // collinear
      new Float64Array(3 * 50).fill(7), // all coincident
    ];
    for (const points of cases) {
      for (const orientation of ['mst', 'outward'] as const) {
        const normals = estimateNormals(points, { k: 8, orientation });
        expect(normals.length).toBe(points.length);
        expectUnit(normals);
      }
    }
    // Two separate clusters: each component gets seeded and oriented.
    const { points: a } = sphere(400, rng(26), 10, [0, 0, 0]);
    const { points: b } = sphere(400, rng(27), 10, [100, 0, 0]);
    const both = new Float64Array([...a, ...b]);
    const normals = estimateNormals(both, { k: 10 });
    expectUnit(normals);
    for (let i = 0; i < 800; i++) {
      const cx = i < 400 ? 0 : 100;
      const r = [both[3 * i] - cx, both[3 * i + 1], both[3 * i + 2]];
      const dot = (r[0] * normals[3 * i] + r[1] * normals[3 * i + 1] + r[2] * normals[3 * i + 2]) / 10;
      expect(dot).toBeGreaterThan(0.95);
    }
    expect(estimateNormals(new Float64Array(0)).length).toBe(0);
  });

  it('rejects bad options', () => {
    const pts = new Float64Array(30);
    expect(() => estimateNormals(pts, { k: 0 })).toThrow(/k must be/);
    expect(() => estimateNormals(new Float64Array(4))).toThrow(/multiple of 3/);
    expect(() => estimateNormals(pts, { orientation: 'up' as never })).toThrow(/orientation/);
  });
});
