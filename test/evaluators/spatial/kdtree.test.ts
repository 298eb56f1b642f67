import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { KdTree } from '../../../evaluators/spatial/index.js';
import { gaussian, rng } from '../../helpers/random.js';

interface XYZ { x: number; y: number; z: number }
interface KdTreeJs { nearest(point: XYZ, count: number, maxDistance?: number): Array<[XYZ & { i: number }, number]> }
const require = createRequire(import.meta.url);
const { kdTree: KdTreeJsCtor } = require('kd-tree-javascript') as {
  kdTree: new (points: XYZ[], metric: (a: XYZ, b: XYZ) => number, dims: string[]) => KdTreeJs;
};

function bruteAll(points: Float64Array, x: number, y: number, z: number): Array<{ i: number; d: number }> {
  const out: Array<{ i: number; d: number }> = [];
  for (let i = 0; i < points.length / 3; i++) {
    const dx = points[3 * i] - x, dy = points[3 * i + 1] - y, dz = points[3 * i + 2] - z;
    out.push({ i, d: dx * dx + dy * dy + dz * dz });
  }
  return out.sort((a, b) => a.d - b.d);
}

function distSq(points: Float64Array, i: number, x: number, y: number, z: number): number {
  return (points[3 * i] - x) ** 2 + (points[3 * i + 1] - y) ** 2 + (points[3 * i + 2] - z) ** 2;
}

function uniform(n: number, random: () => number, scale = 100): Float64Array {
  const p = new Float64Array(3 * n);
  for (let i = 0; i < p.length; i++) p[i] = (random() - 0.5) * scale;
  return p;
}

/** Tight clusters plus exact duplicates (each point repeated up to 40 times) plus coplanar points. */
function clustered(random: () => number): Float64Array {
  const pts: number[] = [];
  for (let c = 0; c < 10; c++) {
    const cx = gaussian(random) * 50, cy = gaussian(random) * 50, cz = gaussian(random) * 50;
    for (let i = 0; i < 150; i++) pts.push(cx + gaussian(random) * 0.01, cy + gaussian(random) * 0.01, cz + gaussian(random) * 0.01);
  }
  for (let d = 0; d < 30; d++) {
    const x = Math.round(gaussian(random) * 20), y = Math.round(gaussian(random) * 20), z = Math.round(gaussian(random) * 20);
    const copies = 1 + Math.floor(random() * 40);
    for (let i = 0; i < copies; i++) pts.push(x, y, z);
  }
  for (let i = 0; i < 300; i++) pts.push(gaussian(random) * 30, gaussian(random) * 30, 7);
  return Float64Array.from(pts);
}

describe('KdTree vs brute force', () => {
  for (const [name, make] of [
    ['uniform random points', (r: () => number) => uniform(4000, r)],
    ['clustered and duplicate points', clustered],
  ] as const) {
    it(`${name}: nearest, knn, radius`, () => {
      const random = rng(name.length);
      const points = make(random);
      const n = points.length / 3;
      for (const leafSize of [1, 8, 33]) {
        const tree = KdTree.build(points, { leafSize });
        expect(tree.size).toBe(n);
        const idx = new Int32Array(25);
        const dist = new Float64Array(25);
        for (let q = 0; q < 150; q++) {
          // Mix of free queries and queries exactly on data points.
          let x: number, y: number, z: number;
          if (q % 3 === 0) {
            const i = Math.floor(random() * n);
            x = points[3 * i]; y = points[3 * i + 1]; z = points[3 * i + 2];
          } else {
            x = gaussian(random) * 60; y = gaussian(random) * 60; z = gaussian(random) * 60;
          }
          const ref = bruteAll(points, x, y, z);
          const nn = tree.nearest(x, y, z);
          expect(tree.lastDistanceSq).toBe(ref[0].d);
          expect(distSq(points, nn, x, y, z)).toBe(ref[0].d);

          for (const k of [1, 5, 25]) {
            const found = tree.knn(x, y, z, k, idx, dist);
            expect(found).toBe(Math.min(k, n));
            for (let j = 0; j < found; j++) {
              expect(dist[j]).toBe(ref[j].d);
              expect(distSq(points, idx[j], x, y, z)).toBe(dist[j]);
            }
            expect(new Set(Array.from(idx.subarray(0, found))).size).toBe(found);
          }

          const r = Math.sqrt(ref[Math.min(30, n - 1)].d);
          const inside: number[] = [];
          const count = tree.radius(x, y, z, r, inside);
          const expected = ref.filter((e) => e.d <= r * r).map((e) => e.i).sort((a, b) => a - b);
          expect(count).toBe(expected.length);
          expect(inside.sort((a, b) => a - b)).toEqual(expected);
          let viaCallback = 0;
          tree.radius(x, y, z, r, (i, d) => {
            expect(d).toBe(distSq(points, i, x, y, z));
            viaCallback++;
          });
          expect(viaCallback).toBe(expected.length);
        }
      }
    });
  }

  it('maxDistance limits for nearest and knn (inclusive)', () => {
    const random = rng(5);
    const points = uniform(2000, random);
    const tree = KdTree.build(points);
    const idx = new Int32Array(10);
    const dist = new Float64Array(10);
    for (let q = 0; q < 200; q++) {
      const x = gaussian(random) * 80, y = gaussian(random) * 80, z = gaussian(random) * 80;
      const ref = bruteAll(points, x, y, z);
      const limit = ref[4].d * random() * 1.5;
      const nn = tree.nearest(x, y, z, limit);
      if (ref[0].d <= limit) expect(distSq(points, nn, x, y, z)).toBe(ref[0].d);
      else {
        expect(nn).toBe(-1);
        expect(tree.lastDistanceSq).toBe(Infinity);
      }
      const found = tree.knn(x, y, z, 10, idx, dist, limit);
      expect(found).toBe(ref.filter((e) => e.d <= limit).slice(0, 10).length);
      // Exactly at the limit counts as within.
      expect(tree.nearest(x, y, z, ref[0].d)).toBeGreaterThanOrEqual(0);
      expect(tree.knn(x, y, z, 10, idx, dist, ref[3].d)).toBeGreaterThanOrEqual(4);
    }
  });

  it('nearestBatch returns indices and Euclidean distances', () => {
    const random = rng(6);
    const points = uniform(3000, random);
    const tree = KdTree.build(points);
    const queries = uniform(500, random, 150);
    const batch = tree.nearestBatch(queries);
    const limited = tree.nearestBatch(queries, { maxDistance: 3 });
    for (let i = 0; i < 500; i++) {
      const ref = bruteAll(points, queries[3 * i], queries[3 * i + 1], queries[3 * i + 2]);
      expect(batch.distances[i]).toBe(Math.sqrt(ref[0].d));
      expect(distSq(points, batch.indices[i], queries[3 * i], queries[3 * i + 1], queries[3 * i + 2])).toBe(ref[0].d);
      if (ref[0].d <= 9) expect(limited.distances[i]).toBe(Math.sqrt(ref[0].d));
      else {
        expect(limited.indices[i]).toBe(-1);
        expect(limited.distances[i]).toBe(Infinity);
      }
    }
  });

  it('empty, single-point and all-identical inputs', () => {
    const empty = KdTree.build(new Float64Array(0));
    expect(empty.nearest(0, 0, 0)).toBe(-1);
    expect(empty.knn(0, 0, 0, 3, new Int32Array(3), new Float64Array(3))).toBe(0);
    expect(empty.radius(0, 0, 0, 10, [])).toBe(0);
    const one = KdTree.build(new Float64Array([1, 2, 3]));
    expect(one.nearest(0, 0, 0)).toBe(0);
    expect(one.lastDistanceSq).toBe(14);
    const same = KdTree.build(new Float64Array(3 * 1000).fill(4));
    expect(same.nearest(4, 4, 5)).toBeGreaterThanOrEqual(0);
    expect(same.lastDistanceSq).toBe(1);
    const idx = new Int32Array(50);
    const dist = new Float64Array(50);
    expect(same.knn(0, 0, 0, 50, idx, dist)).toBe(50);
    expect(new Set(idx).size).toBe(50);
    expect(same.radius(4, 4, 4, 0, [])).toBe(1000);
    expect(one.nearest(NaN, 0, 0)).toBe(-1);
    expect(one.lastDistanceSq).toBe(Infinity);
  });

  it('rejects malformed input', () => {
    expect(() => KdTree.build(new Float64Array(5))).toThrow(/multiple of 3/);
    expect(() => KdTree.build(new Float64Array([0, NaN, 0]))).toThrow(/must be finite/);
    expect(() => KdTree.build(new Float64Array([0, -2e30, 0]))).toThrow(/within ±1e30/);
    const tree = KdTree.build(new Float64Array(30));
    expect(() => tree.knn(0, 0, 0, 5, new Int32Array(2), new Float64Array(5))).toThrow(/5 needed/);
  });
});

describe('KdTree vs kd-tree-javascript (oracle)', () => {
  it('same nearest distances on random and clustered points', () => {
    const random = rng(7);
    for (const points of [uniform(3000, random), clustered(random)]) {
      const n = points.length / 3;
      const objs = Array.from({ length: n }, (_, i) => ({ x: points[3 * i], y: points[3 * i + 1], z: points[3 * i + 2], i }));
      const metric = (a: XYZ, b: XYZ) => (a.x - b.x) ** 2 + (a.y - b.y) ** 2 + (a.z - b.z) ** 2;
      const oracle = new KdTreeJsCtor(objs, metric, ['x', 'y', 'z']);
      const tree = KdTree.build(points);
      const idx = new Int32Array(6);
      const dist = new Float64Array(6);
      for (let q = 0; q < 300; q++) {
        const p = { x: gaussian(random) * 60, y: gaussian(random) * 60, z: gaussian(random) * 60 };
        tree.nearest(p.x, p.y, p.z);
        const [[, d]] = oracle.nearest(p, 1);
        expect(tree.lastDistanceSq).toBe(d);
        const theirs = oracle.nearest(p, 6).map((e) => e[1]).sort((a, b) => a - b);
        const found = tree.knn(p.x, p.y, p.z, 6, idx, dist);
        expect(Array.from(dist.subarray(0, found))).toEqual(theirs);
      }
    }
  });
});

describe('KdTree queries made from inside a radius callback', () => {
  // A callback that queries the same tree must leave the enclosing traversal intact. A
  // disturbed traversal can revisit points without end, and a synchronous loop is beyond
  // the reach of the test timeout, so the callbacks fail once called more often than there
  // are points in range.
  it('nearest, knn and nested radius agree with brute force, three levels deep', { timeout: 60_000 }, () => {
    const random = rng(11);
    const cases: Array<[Float64Array, number]> = [[uniform(1500, random), 8], [clustered(random), 1], [uniform(600, random), 33]];
    const idx = new Int32Array(7);
    const dist = new Float64Array(7);
    for (const [points, leafSize] of cases) {
      const n = points.length / 3;
      const tree = KdTree.build(points, { leafSize });
      for (let q = 0; q < 12; q++) {
        const x = gaussian(random) * 30, y = gaussian(random) * 30, z = gaussian(random) * 30;
        const ref = bruteAll(points, x, y, z);
        const r = Math.sqrt(ref[Math.min(40, n - 1)].d);
        const expected = ref.filter((e) => e.d <= r * r).map((e) => e.i).sort((a, b) => a - b);
        const seen: number[] = [];
        const count = tree.radius(x, y, z, r, (i, d) => {
          if (seen.length >= expected.length) throw new Error(`outer radius callback called more than ${expected.length} times`);
          seen.push(i);
          expect(d).toBe(distSq(points, i, x, y, z));
          const px = points[3 * i] + gaussian(random) * 2, py = points[3 * i + 1] + gaussian(random) * 2, pz = points[3 * i + 2] + gaussian(random) * 2;
          const around = bruteAll(points, px, py, pz);

          const nn = tree.nearest(px, py, pz);
          expect(tree.lastDistanceSq).toBe(around[0].d);
          expect(distSq(points, nn, px, py, pz)).toBe(around[0].d);

          const found = tree.knn(px, py, pz, 7, idx, dist);
          expect(found).toBe(Math.min(7, n));
          for (let j = 0; j < found; j++) {
            expect(dist[j]).toBe(around[j].d);
            expect(distSq(points, idx[j], px, py, pz)).toBe(dist[j]);
          }

          const r2 = Math.sqrt(around[Math.min(10, n - 1)].d);
          const innerExpected = around.filter((e) => e.d <= r2 * r2).map((e) => e.i).sort((a, b) => a - b);
          const inner: number[] = [];
          const innerCount = tree.radius(px, py, pz, r2, (j, dj) => {
            if (inner.length >= innerExpected.length) throw new Error(`inner radius callback called more than ${innerExpected.length} times`);
            inner.push(j);
            expect(dj).toBe(distSq(points, j, px, py, pz));
            // Third level: every data point is its own nearest neighbour at distance 0.
            const self = tree.nearest(points[3 * j], points[3 * j + 1], points[3 * j + 2]);
            expect(tree.lastDistanceSq).toBe(0);
            expect(distSq(points, self, points[3 * j], points[3 * j + 1], points[3 * j + 2])).toBe(0);
            const list: number[] = [];
            expect(tree.radius(points[3 * j], points[3 * j + 1], points[3 * j + 2], 0, list)).toBe(list.length);
            expect(list).toContain(j);
          });
          expect(innerCount).toBe(innerExpected.length);
          expect(inner.sort((a, b) => a - b)).toEqual(innerExpected);
        });
        expect(count).toBe(expected.length);
        expect(seen.sort((a, b) => a - b)).toEqual(expected);

        // The same tree answers plain queries correctly afterwards.
        expect(tree.nearest(x, y, z)).toBeGreaterThanOrEqual(0);
        expect(tree.lastDistanceSq).toBe(ref[0].d);
      }
    }
  });

  it('stays correct after a callback throws part-way through a traversal', { timeout: 30_000 }, () => {
    const random = rng(12);
    const points = uniform(2000, random);
    const tree = KdTree.build(points, { leafSize: 4 });
    for (let q = 0; q < 20; q++) {
      const x = gaussian(random) * 30, y = gaussian(random) * 30, z = gaussian(random) * 30;
      const ref = bruteAll(points, x, y, z);
      const r = Math.sqrt(ref[60].d);
      let calls = 0;
      expect(() =>
        tree.radius(x, y, z, r, () => {
          tree.nearest(x + 1, y, z);
          if (++calls === 5) throw new Error('stop');
        }),
      ).toThrow('stop');
      const expected = ref.filter((e) => e.d <= r * r).map((e) => e.i).sort((a, b) => a - b);
      const seen: number[] = [];
      tree.radius(x, y, z, r, (i) => {
        if (seen.length >= expected.length) throw new Error('radius callback called too often');
        seen.push(i);
        tree.knn(x - 1, y, z, 3, new Int32Array(3), new Float64Array(3));
      });
      expect(seen.sort((a, b) => a - b)).toEqual(expected);
      const nn = tree.nearest(x, y, z);
      expect(distSq(points, nn, x, y, z)).toBe(ref[0].d);
    }
  });
});
