import { describe, expect, it } from 'vitest';
import {
  cumulativeCurve,
  curveThresholds,
  mean,
  median,
  medianInPlace,
  selectNth,
  nersembleMetrics,
  nowMetrics,
  standardDeviation,
  surfaceCorrespondences,
} from '../../../evaluators/metrics/index.js';
import type { TriangleMesh } from '../../../evaluators/geometry/types.js';
import { bruteForceDistances } from '../../helpers/reference.js';
import { ictFace, sampleSurface } from '../../helpers/faces.js';
import { gaussian, rng } from '../../helpers/random.js';

/** A square of side 2·half in the plane through the origin with unit normal n (two triangles). */
function tiltedSquare(n: [number, number, number], half: number): TriangleMesh {
  const l = Math.hypot(...n);
  const [nx, ny, nz] = n.map((v) => v / l);
  // Two unit vectors spanning the plane.
  const helper = Math.abs(nx) < 0.9 ? [1, 0, 0] : [0, 1, 0];
  let u = [ny * helper[2] - nz * helper[1], nz * helper[0] - nx * helper[2], nx * helper[1] - ny * helper[0]];
  const ul = Math.hypot(u[0], u[1], u[2]);
  u = u.map((v) => v / ul);
  const v = [ny * u[2] - nz * u[1], nz * u[0] - nx * u[2], nx * u[1] - ny * u[0]];
  const corner = (s: number, t: number) => [0, 1, 2].map((j) => half * (s * u[j] + t * v[j]));
  return {
    positions: Float64Array.from([...corner(-1, -1), ...corner(1, -1), ...corner(1, 1), ...corner(-1, 1)]),
    faces: Uint32Array.of(0, 1, 2, 0, 2, 3),
  };
}

describe('statistics', () => {
  it('median, std and the cumulative curve match hand-computed values', () => {
    expect(median(Float64Array.of(5, 1, 3))).toBe(3);
    expect(median(Float64Array.of(4, 1, 3, 2))).toBe(2.5);
    expect(Number.isNaN(median(new Float64Array(0)))).toBe(true);
    expect(standardDeviation(Float64Array.of(2, 4, 4, 4, 5, 5, 7, 9))).toBe(2);
    const curve = cumulativeCurve(Float64Array.of(0.5, 2, 3, 7, 12), Float64Array.of(0, 1, 2, 2.5, 10, 20));
    expect(Array.from(curve)).toEqual([0, 0.2, 0.4, 0.4, 0.8, 1]);
    const t = curveThresholds(10, 0.1);
    expect(t.length).toBe(101);
    expect(t[25]).toBe(2.5);
    expect(t[100]).toBe(10);
  });

  it('selectNth returns the value of rank k of a sort, with ties, and partitions around it', () => {
    const random = rng(3);
    for (const n of [1, 2, 7, 1000]) {
      const values = Float64Array.from({ length: n }, () => Math.round(gaussian(random) * 4) / 2 + 0); // + 0: no −0, which toBe tells from 0
      const sorted = Float64Array.from(values).sort();
      for (const k of [0, n >> 1, Math.floor(0.95 * (n - 1)), n - 1]) {
        const work = Float64Array.from(values);
        const v = selectNth(work, k);
        expect(v).toBe(sorted[k]);
        for (let i = 0; i < k; i++) expect(work[i]).toBeLessThanOrEqual(v);
        for (let i = k + 1; i < n; i++) expect(work[i]).toBeGreaterThanOrEqual(v);
      }
    }
  });

  it('float32 values (pooled NoW distances) give what their float64 copies give; medianInPlace reorders instead of copying', () => {
    const random = rng(11);
    for (const n of [1, 2, 9, 1000, 1001]) {
      const single = Float32Array.from({ length: n }, () => Math.abs(gaussian(random)) * 3);
      const double = Float64Array.from(single);
      // Reference: a plain sort of the values (as doubles, which represent every float32 exactly).
      const sorted = Array.from(double).sort((a, b) => a - b);
      const expected = n % 2 === 1 ? sorted[n >> 1] : 0.5 * (sorted[n / 2 - 1] + sorted[n / 2]);
      const before = Float32Array.from(single);
      expect(median(single)).toBe(expected);
      expect(single).toEqual(before); // median copies
      expect(mean(single)).toBe(mean(double));
      expect(standardDeviation(single)).toBe(standardDeviation(double));
      const thresholds = curveThresholds(8, 0.1);
      expect(cumulativeCurve(single, thresholds)).toEqual(cumulativeCurve(double, thresholds));
      expect(medianInPlace(single)).toBe(expected);
      expect(Array.from(single).sort((a, b) => a - b)).toEqual(sorted); // the same values, reordered
    }
    expect(Number.isNaN(medianInPlace(new Float32Array(0)))).toBe(true);
  });

  it('cumulative curve equals brute-force counting on even, uneven and unsorted-value inputs, with ties, NaN and infinities', () => {
    const random = rng(7);
    const values = new Float64Array(5000);
    for (let i = 0; i < values.length; i++) values[i] = Math.abs(gaussian(random)) * 3;
    const even = curveThresholds(10, 0.1);
    // Ties with the thresholds, values beyond both ends, NaN, ±Infinity.
    values.set([0, 0.1, 0.3, 2.5, 10, 10.05, -1, Number.NaN, Infinity, -Infinity, even[37], even[99], 9], 0);
    const uneven = Float64Array.of(-0.5, 0, 0.01, 0.02, 0.5, 0.51, 3, 9.99, 10, 40);
    for (const thresholds of [even, uneven, Float64Array.of(0, 9, 9.5, 10), Float64Array.of(2), Float64Array.of(1, 1, 1), curveThresholds(2.5, 0.05)]) {
      const curve = cumulativeCurve(values, thresholds);
      const brute = Array.from(thresholds, (d) => values.filter((v) => v <= d).length / values.length);
      expect(Array.from(curve)).toEqual(brute);
    }
  });
});

describe('nersemble metrics', () => {
  it('on a tilted plane: L2 = |h|, L1 = |h|·(|n_x|+|n_y|+|n_z|), NC = cos of the normal tilt', () => {
    const n: [number, number, number] = [1, 2, 2]; // |n| = 3
    const mesh = tiltedSquare(n, 100);
    const unit = n.map((v) => v / 3);
    const heights = [0.5, -2, 3, 7, -12];
    const points = new Float64Array(3 * heights.length);
    heights.forEach((h, i) => unit.forEach((c, j) => (points[3 * i + j] = h * c)));
    // GT normals tilted by 30° from the plane normal (rotate towards a tangent direction).
    const tangent = [2 / 3, 1 / 3, -2 / 3]; // ⟂ n, unit
    const tilt = Math.PI / 6;
    const normals = new Float64Array(points.length);
    for (let i = 0; i < heights.length; i++) {
      for (let j = 0; j < 3; j++) normals[3 * i + j] = Math.cos(tilt) * unit[j] + Math.sin(tilt) * tangent[j];
    }
    const c = surfaceCorrespondences(points, normals, mesh);
    const m = nersembleMetrics(c);
    const absH = heights.map(Math.abs);
    const meanAbs = absH.reduce((a, b) => a + b) / absH.length;
    expect(m.l2).toBeCloseTo(meanAbs, 12);
    expect(m.l1).toBeCloseTo((meanAbs * 5) / 3, 12);
    expect(m.nc).toBeCloseTo(Math.cos(tilt), 12);
    expect(m.r1).toBeCloseTo(0.2, 12);
    expect(m.r2_5).toBeCloseTo(0.4, 12);
    expect(m.r5).toBeCloseTo(0.6, 12);
    expect(m.r10).toBeCloseTo(0.8, 12);
    expect(m.median).toBeCloseTo(3, 12);
    expect(m.points).toBe(5);
  });

  it('agrees with a brute-force float64 point-to-triangle reference on a real face to 1e-9 mm', () => {
    const { mesh } = ictFace();
    const random = rng(7);
    const s = sampleSurface(mesh, 600, rng(11));
    // Push samples off the surface by up to ±15 mm and add tangential noise.
    const pts = s.positions.map((v, i) => v + s.normals[i] * (random() * 30 - 15) + gaussian(random) * 0.5);
    const c = surfaceCorrespondences(pts, s.normals, mesh);
    const reference = bruteForceDistances(pts, mesh.positions, mesh.faces);
    let worst = 0;
    for (let i = 0; i < reference.length; i++) worst = Math.max(worst, Math.abs(reference[i] - c.distances[i]));
    expect(worst).toBeLessThan(1e-9);
    const meanRef = reference.reduce((a, b) => a + b) / reference.length;
    expect(nersembleMetrics(c).l2).toBeCloseTo(meanRef, 10);
    // Manhattan ≥ Euclidean ≥ Manhattan/√3 for every point.
    for (let i = 0; i < reference.length; i++) {
      expect(c.manhattan[i]).toBeGreaterThanOrEqual(c.distances[i] - 1e-12);
      expect(c.manhattan[i]).toBeLessThanOrEqual(Math.sqrt(3) * c.distances[i] + 1e-12);
    }
  });

  it('NC ignores points without a defined normal instead of counting them as zero', () => {
    const mesh = tiltedSquare([0, 0, 1], 10);
    const points = Float64Array.of(0, 0, 1, 1, 1, 2);
    const normals = Float64Array.of(0, 0, 1, 0, 0, 0);
    const m = nersembleMetrics(surfaceCorrespondences(points, normals, mesh));
    expect(m.nc).toBe(1);
    expect(Number.isNaN(nersembleMetrics(surfaceCorrespondences(points, undefined, mesh)).nc)).toBe(true);
  });
});

describe('NoW metrics', () => {
  it('median, mean and population std of the distances', () => {
    const m = nowMetrics(Float64Array.of(1, 2, 3, 4, 10));
    expect(m.median).toBe(3);
    expect(m.mean).toBe(4);
    expect(m.std).toBeCloseTo(Math.sqrt((9 + 4 + 1 + 0 + 36) / 5), 14);
    expect(m.points).toBe(5);
  });
});
