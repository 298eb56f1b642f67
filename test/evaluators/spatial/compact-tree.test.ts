import { describe, expect, it } from 'vitest';
import { RECORD_WORDS, childBoxDistanceSq, compactTree, float32Up } from '../../../evaluators/spatial/compact-tree.js';
import { mortonKeys, mortonOrder, sortByKey } from '../../../evaluators/spatial/morton.js';
import { gaussian, rng } from '../../helpers/random.js';

/** Exact squared distance from p to the box [lo, hi]. */
function boxDistance(lo: number[], hi: number[], p: number[]): number {
  let d = 0;
  for (let k = 0; k < 3; k++) {
    const t = p[k] < lo[k] ? lo[k] - p[k] : p[k] > hi[k] ? p[k] - hi[k] : 0;
    d += t * t;
  }
  return d;
}

describe('compact tree layout', () => {
  it('float32Up returns the smallest float32 not below its argument', () => {
    const random = rng(30);
    for (let i = 0; i < 5000; i++) {
      const v = gaussian(random) * 10 ** (random() * 20 - 10);
      const up = float32Up(v);
      expect(Math.fround(up)).toBe(up);
      expect(up).toBeGreaterThanOrEqual(v);
      // The float32 just below `up` is below v (unless up === v).
      if (up !== v) {
        const f = new Float32Array([up]);
        const bits = new Int32Array(f.buffer);
        bits[0] += up > 0 ? -1 : 1;
        expect(f[0]).toBeLessThan(v);
      }
    }
    expect(float32Up(0)).toBe(0);
    expect(float32Up(1e-50)).toBeGreaterThan(0);
  });

  it('stored float32 boxes contain the exact boxes: distances are lower bounds', () => {
    const random = rng(31);
    // A root with two leaf children.
    for (let t = 0; t < 2000; t++) {
      const scale = 10 ** (random() * 6 - 2);
      const offset = gaussian(random) * scale * 100;
      const bounds = new Float64Array(18);
      for (let node = 1; node < 3; node++) {
        for (let k = 0; k < 3; k++) {
          const a = offset + gaussian(random) * scale, b = offset + gaussian(random) * scale;
          bounds[6 * node + k] = Math.min(a, b);
          bounds[6 * node + 3 + k] = t % 5 === 0 ? Math.min(a, b) : Math.max(a, b);
        }
      }
      const nodeData = new Int32Array([2, 0, 0, 3, 3, 2]);
      const tree = compactTree(bounds, nodeData, 3);
      expect(tree.innerCount).toBe(1);
      expect(Array.from(tree.ref.subarray(12, 16))).toEqual([0, 3, 3, 2]);
      for (let q = 0; q < 5; q++) {
        const p = [offset + gaussian(random) * scale * 2, offset + gaussian(random) * scale * 2, offset + gaussian(random) * scale * 2];
        for (let side = 0; side < 2; side++) {
          const node = 1 + side;
          const exact = boxDistance(
            [bounds[6 * node], bounds[6 * node + 1], bounds[6 * node + 2]],
            [bounds[6 * node + 3], bounds[6 * node + 4], bounds[6 * node + 5]],
            p,
          );
          const stored = childBoxDistanceSq(tree.box, RECORD_WORDS * 0 + 6 * side, p[0], p[1], p[2]);
          // A lower bound up to the rounding of the float64 query arithmetic, and tight to float32 precision.
          expect(stored).toBeLessThanOrEqual(exact * (1 + 1e-12) + 1e-300);
          expect(Math.sqrt(exact) - Math.sqrt(stored)).toBeLessThan(1e-6 * (Math.abs(offset) + 10 * scale));
        }
      }
    }
  });
});

describe('Morton order', () => {
  it('is a permutation that sorts the keys, and nearby points stay nearby', () => {
    const random = rng(32);
    const n = 5000;
    const points = new Float64Array(3 * n);
    for (let i = 0; i < points.length; i++) points[i] = random() * 100;
    const keys = mortonKeys(points);
    const { order, sorted } = sortByKey(keys);
    expect(new Set(order).size).toBe(n);
    for (let i = 1; i < n; i++) {
      expect(sorted[i]).toBeGreaterThanOrEqual(sorted[i - 1]);
      expect(sorted[i]).toBe(keys[order[i]]);
    }
    expect(Array.from(mortonOrder(points))).toEqual(Array.from(order));
    // Consecutive points along the curve are much closer than random pairs.
    let step = 0;
    for (let i = 1; i < n; i++) {
      const a = 3 * order[i - 1], b = 3 * order[i];
      step += Math.hypot(points[a] - points[b], points[a + 1] - points[b + 1], points[a + 2] - points[b + 2]);
    }
    expect(step / (n - 1)).toBeLessThan(15);
    expect(Array.from(mortonOrder(new Float64Array(0)))).toEqual([]);
    expect(Array.from(mortonOrder(new Float64Array([1, NaN, 3, 4, 5, 6])))).toHaveLength(2);
  });
});
