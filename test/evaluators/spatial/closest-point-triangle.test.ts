import { describe, expect, it } from 'vitest';
import {
  closestPointOnMeshFace,
  closestPointOnTriangle,
  createTriangleClosestPoint,
  type TriangleClosestPoint,
} from '../../../evaluators/spatial/index.js';
import { gaussian, rng } from '../../helpers/random.js';
import { refTriangle } from './helpers.js';

type V3 = [number, number, number];

function query(p: V3, a: V3, b: V3, c: V3): TriangleClosestPoint {
  const out = createTriangleClosestPoint();
  const d = closestPointOnTriangle(p[0], p[1], p[2], a[0], a[1], a[2], b[0], b[1], b[2], c[0], c[1], c[2], out);
  expect(d).toBe(out.distanceSq);
  return out;
}

/** The reported point equals u·a + v·b + w·c, the weights are a convex combination, and the distance matches. */
function expectConsistent(out: TriangleClosestPoint, p: V3, a: V3, b: V3, c: V3, scale: number): void {
  for (const x of [out.distanceSq, out.x, out.y, out.z, out.u, out.v, out.w]) expect(Number.isFinite(x)).toBe(true);
  expect(out.u).toBeGreaterThanOrEqual(-1e-12);
  expect(out.v).toBeGreaterThanOrEqual(-1e-12);
  expect(out.w).toBeGreaterThanOrEqual(-1e-12);
  expect(Math.abs(out.u + out.v + out.w - 1)).toBeLessThan(1e-12);
  const q = [0, 1, 2].map((k) => out.u * a[k] + out.v * b[k] + out.w * c[k]);
  expect(Math.abs(q[0] - out.x)).toBeLessThan(1e-12 * scale);
  expect(Math.abs(q[1] - out.y)).toBeLessThan(1e-12 * scale);
  expect(Math.abs(q[2] - out.z)).toBeLessThan(1e-12 * scale);
  const d2 = (p[0] - out.x) ** 2 + (p[1] - out.y) ** 2 + (p[2] - out.z) ** 2;
  expect(Math.abs(Math.sqrt(d2) - Math.sqrt(out.distanceSq))).toBeLessThan(1e-12 * scale);
}

describe('closestPointOnTriangle: analytic Voronoi regions', () => {
  const a: V3 = [0, 0, 0];
  const b: V3 = [1, 0, 0];
  const c: V3 = [0, 1, 0];
  const cases: Array<{ name: string; p: V3; q: V3; d2: number; uvw: V3 }> = [
    { name: 'face interior', p: [0.2, 0.3, 5], q: [0.2, 0.3, 0], d2: 25, uvw: [0.5, 0.2, 0.3] },
    { name: 'face interior below', p: [0.25, 0.25, -2], q: [0.25, 0.25, 0], d2: 4, uvw: [0.5, 0.25, 0.25] },
    { name: 'vertex a', p: [-1, -2, 3], q: [0, 0, 0], d2: 14, uvw: [1, 0, 0] },
    { name: 'vertex b', p: [2, -1, 0], q: [1, 0, 0], d2: 2, uvw: [0, 1, 0] },
    { name: 'vertex c', p: [-0.5, 2, 1], q: [0, 1, 0], d2: 2.25, uvw: [0, 0, 1] },
    { name: 'edge ab', p: [0.3, -2, 1], q: [0.3, 0, 0], d2: 5, uvw: [0.7, 0.3, 0] },
    { name: 'edge ac', p: [-3, 0.6, -4], q: [0, 0.6, 0], d2: 25, uvw: [0.4, 0, 0.6] },
    { name: 'edge bc', p: [1, 1, 2], q: [0.5, 0.5, 0], d2: 4.5, uvw: [0, 0.5, 0.5] },
    { name: 'on edge ab', p: [0.5, 0, 0], q: [0.5, 0, 0], d2: 0, uvw: [0.5, 0.5, 0] },
    { name: 'on edge bc', p: [0.25, 0.75, 0], q: [0.25, 0.75, 0], d2: 0, uvw: [0, 0.25, 0.75] },
    { name: 'on vertex a', p: [0, 0, 0], q: [0, 0, 0], d2: 0, uvw: [1, 0, 0] },
    { name: 'on vertex b', p: [1, 0, 0], q: [1, 0, 0], d2: 0, uvw: [0, 1, 0] },
    { name: 'on vertex c', p: [0, 1, 0], q: [0, 1, 0], d2: 0, uvw: [0, 0, 1] },
    { name: 'inside, in plane', p: [0.1, 0.1, 0], q: [0.1, 0.1, 0], d2: 0, uvw: [0.8, 0.1, 0.1] },
  ];
  for (const { name, p, q, d2, uvw } of cases) {
    it(name, () => {
      const out = query(p, a, b, c);
      expect(out.distanceSq).toBeCloseTo(d2, 14);
      expect(out.x).toBeCloseTo(q[0], 14);
      expect(out.y).toBeCloseTo(q[1], 14);
      expect(out.z).toBeCloseTo(q[2], 14);
      expect(out.u).toBeCloseTo(uvw[0], 14);
      expect(out.v).toBeCloseTo(uvw[1], 14);
      expect(out.w).toBeCloseTo(uvw[2], 14);
      expectConsistent(out, p, a, b, c, 1);
    });
  }

  it('vertices are returned exactly (no a + (b − a) rounding)', () => {
    const a2: V3 = [0.1, 0.2, 0.3];
    const b2: V3 = [123.456789, -7.1, 0.7];
    const c2: V3 = [0.3, 98.7654321, -1.1];
    const out = query([200, -20, 0.7], a2, b2, c2);
    expect([out.x, out.y, out.z]).toEqual(b2);
    expect(out.v).toBe(1);
  });
});

describe('closestPointOnTriangle vs independent reference', () => {
  it('agrees with the projection/segment reference on 20k random cases (≤ 1e-9 relative)', () => {
    const random = rng(1);
    let worst = 0;
    let worstConsistency = 0;
    let minWeight = Infinity;
    for (let i = 0; i < 20000; i++) {
      const scale = 10 ** (random() * 4 - 1);
      const v = (): V3 => [gaussian(random) * scale, gaussian(random) * scale, gaussian(random) * scale];
      const a = v(), b = v(), c = v();
      const spread = [0.1, 1, 10, 1000][i % 4];
      const p: V3 = [gaussian(random) * scale * spread, gaussian(random) * scale * spread, gaussian(random) * scale * spread];
      const out = createTriangleClosestPoint();
      closestPointOnTriangle(p[0], p[1], p[2], a[0], a[1], a[2], b[0], b[1], b[2], c[0], c[1], c[2], out);
      const ref = refTriangle(p, a, b, c);
      const d = Math.sqrt(out.distanceSq), r = Math.sqrt(ref.distSq);
      worst = Math.max(worst, Math.abs(d - r) / Math.max(r, scale));
      // Point = u·a + v·b + w·c, weights sum to 1, reported distance = distance to the point.
      const size = scale * spread + scale;
      for (let k = 0; k < 3; k++) {
        const q = out.u * a[k] + out.v * b[k] + out.w * c[k];
        worstConsistency = Math.max(worstConsistency, Math.abs(q - [out.x, out.y, out.z][k]) / size);
      }
      worstConsistency = Math.max(worstConsistency, Math.abs(out.u + out.v + out.w - 1));
      worstConsistency = Math.max(worstConsistency, Math.abs(Math.hypot(p[0] - out.x, p[1] - out.y, p[2] - out.z) - d) / size);
      minWeight = Math.min(minWeight, out.u, out.v, out.w);
    }
    expect(worst).toBeLessThan(1e-12);
    expect(worstConsistency).toBeLessThan(1e-13);
    expect(minWeight).toBeGreaterThanOrEqual(-1e-12);
  });

  it('is never beaten by a fine grid over the triangle (brute-force minimisation)', () => {
    const random = rng(2);
    const N = 300;
    for (let i = 0; i < 60; i++) {
      const v = (): V3 => [gaussian(random), gaussian(random), gaussian(random)];
      const a = v(), b = v(), c = v();
      const p: V3 = [2 * gaussian(random), 2 * gaussian(random), 2 * gaussian(random)];
      const out = query(p, a, b, c);
      let grid = Infinity;
      for (let s = 0; s <= N; s++) {
        for (let t = 0; s + t <= N; t++) {
          const u = s / N, w = t / N;
          const x = a[0] + u * (b[0] - a[0]) + w * (c[0] - a[0]);
          const y = a[1] + u * (b[1] - a[1]) + w * (c[1] - a[1]);
          const z = a[2] + u * (b[2] - a[2]) + w * (c[2] - a[2]);
          grid = Math.min(grid, (p[0] - x) ** 2 + (p[1] - y) ** 2 + (p[2] - z) ** 2);
        }
      }
      const longest = Math.max(Math.hypot(b[0] - a[0], b[1] - a[1], b[2] - a[2]), Math.hypot(c[0] - a[0], c[1] - a[1], c[2] - a[2]));
      // The grid can only be farther, and by no more than the grid spacing.
      expect(Math.sqrt(grid)).toBeGreaterThanOrEqual(Math.sqrt(out.distanceSq) - 1e-12);
      expect(Math.sqrt(grid) - Math.sqrt(out.distanceSq)).toBeLessThan((2 * longest) / N);
    }
  });
});

describe('closestPointOnTriangle: degenerate triangles', () => {
  /** Closest point on segment s–e, analytically. */
  function segment(p: V3, s: V3, e: V3): { d2: number; q: V3 } {
    const d: V3 = [e[0] - s[0], e[1] - s[1], e[2] - s[2]];
    const l2 = d[0] ** 2 + d[1] ** 2 + d[2] ** 2;
    const t = l2 === 0 ? 0 : Math.min(1, Math.max(0, ((p[0] - s[0]) * d[0] + (p[1] - s[1]) * d[1] + (p[2] - s[2]) * d[2]) / l2));
    const q: V3 = [s[0] + t * d[0], s[1] + t * d[1], s[2] + t * d[2]];
    return { d2: (p[0] - q[0]) ** 2 + (p[1] - q[1]) ** 2 + (p[2] - q[2]) ** 2, q };
  }

  const random = rng(3);
  const points: V3[] = [];
  for (let i = 0; i < 300; i++) points.push([gaussian(random) * 3, gaussian(random) * 3, gaussian(random) * 3]);
  points.push([0, 0, 0], [1, 2, 3], [0.5, 1, 1.5], [2, 4, 6], [-1, -2, -3]);

  const s0: V3 = [0, 0, 0];
  const s1: V3 = [2, 4, 6];
  const mid: V3 = [0.5, 1, 1.5];
  const triangles: Array<{ name: string; tri: [V3, V3, V3]; hull: [V3, V3] }> = [
    { name: 'collinear, c between a and b', tri: [s0, s1, mid], hull: [s0, s1] },
    { name: 'collinear, a in the middle', tri: [mid, s0, s1], hull: [s0, s1] },
    { name: 'collinear, b in the middle', tri: [s1, mid, s0], hull: [s0, s1] },
    { name: 'a = b', tri: [s0, s0, s1], hull: [s0, s1] },
    { name: 'b = c', tri: [s0, s1, s1], hull: [s0, s1] },
    { name: 'c = a', tri: [s1, s0, s1], hull: [s0, s1] },
    { name: 'all three equal', tri: [mid, mid, mid], hull: [mid, mid] },
  ];
  for (const { name, tri, hull } of triangles) {
    it(name, () => {
      const [a, b, c] = tri;
      for (const p of points) {
        const out = query(p, a, b, c);
        const ref = segment(p, hull[0], hull[1]);
        expect(Math.abs(Math.sqrt(out.distanceSq) - Math.sqrt(ref.d2))).toBeLessThan(1e-12);
        expect(Math.hypot(out.x - ref.q[0], out.y - ref.q[1], out.z - ref.q[2])).toBeLessThan(1e-9);
        expectConsistent(out, p, a, b, c, 10);
      }
    });
  }

  it('slivers (height down to 1e-12 of the length) stay within the sliver height of the reference', () => {
    const r = rng(4);
    for (const h of [1e-3, 1e-5, 1e-7, 1e-9, 1e-12, 0]) {
      for (let i = 0; i < 300; i++) {
        const a: V3 = [0, 0, 0];
        const b: V3 = [10, 0, 0];
        const c: V3 = [10 * r(), h * 10, 0];
        const p: V3 = [gaussian(r) * 10, gaussian(r) * 2, gaussian(r) * 2];
        const out = query(p, a, b, c);
        const ref = refTriangle(p, a, b, c);
        const d = Math.sqrt(out.distanceSq);
        // Never closer than the true distance, and the sliver is within h·10 of its long edge.
        expect(d).toBeLessThanOrEqual(Math.sqrt(ref.distSq) + 1e-12);
        expect(d).toBeGreaterThanOrEqual(Math.sqrt(segment(p, a, b).d2) - h * 10 - 1e-12);
        expectConsistent(out, p, a, b, c, 20);
      }
    }
  });

  it('closestPointOnMeshFace reads the indexed triangle', () => {
    const positions = new Float64Array([9, 9, 9, 0, 0, 0, 1, 0, 0, 0, 1, 0]);
    const faces = new Uint32Array([1, 2, 3, 0, 1, 2]);
    const out = createTriangleClosestPoint();
    const d = closestPointOnMeshFace(positions, faces, 0, 0.2, 0.3, 5, out);
    expect(d).toBeCloseTo(25, 14);
    expect([out.u, out.v, out.w].map((x) => +x.toFixed(12))).toEqual([0.5, 0.2, 0.3]);
  });
});
