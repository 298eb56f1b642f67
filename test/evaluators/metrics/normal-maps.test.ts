import { describe, expect, it } from 'vitest';
import { scoreNormalMaps } from '../../../evaluators/metrics/index.js';

/** A W×H map of unit normals facing the camera, tilted by pixel. */
function sphereMap(w: number, h: number): Float64Array {
  const out = new Float64Array(3 * w * h);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
    const a = 0.1 * x - 0.2, b = 0.07 * y - 0.1;
    const l = Math.hypot(a, b, -1);
    out.set([a / l, b / l, -1 / l], 3 * (y * w + x));
  }
  return out;
}

describe('normal-map scoring', () => {
  it('identical maps score cosine 1 and 0°', () => {
    const m = sphereMap(5, 4);
    const s = scoreNormalMaps(m, m, 5, 4, 'pred.npy');
    expect(s.pixels).toBe(20);
    expect(s.meanCosine).toBeCloseTo(1, 12);
    expect(s.meanAngleDeg).toBeLessThan(1e-4);
  });

  it('a map rotated by a known angle about the y axis scores cos(angle); NaN GT pixels are left out; scale does not matter', () => {
    const gt = sphereMap(6, 3);
    const angle = 0.4;
    const c = Math.cos(angle), s = Math.sin(angle);
    const pred = new Float64Array(gt.length);
    for (let p = 0; p < 18; p++) {
      const [x, y, z] = [gt[3 * p], gt[3 * p + 1], gt[3 * p + 2]];
      pred.set([2 * (c * x + s * z), 2 * y, 2 * (-s * x + c * z)], 3 * p);
    }
    // the rotation changes a vector's angle by exactly `angle` only when it is perpendicular to the axis: use y = 0 rows
    for (let p = 0; p < 18; p++) gt[3 * p + 1] = pred[3 * p + 1] = 0;
    gt[0] = gt[1] = gt[2] = Number.NaN;
    const score = scoreNormalMaps(gt, pred, 6, 3, 'pred.npy');
    expect(score.pixels).toBe(17);
    expect(score.meanCosine).toBeCloseTo(c, 10);
    expect(score.meanAngleDeg).toBeCloseTo((angle * 180) / Math.PI, 6);
    expect(score.medianAngleDeg).toBeCloseTo((angle * 180) / Math.PI, 6);
  });

  it('a missing predicted pixel scores cosine 0 (90°)', () => {
    const m = sphereMap(2, 1);
    const pred = Float64Array.from(m);
    pred[3] = Number.NaN;
    const s = scoreNormalMaps(m, pred, 2, 1, 'pred.npy');
    expect(s.missing).toBe(1);
    expect(s.meanCosine).toBeCloseTo(0.5, 12);
    expect(s.meanAngleDeg).toBeCloseTo(45, 5);
  });

  it('refuses a wrong shape, an all-NaN prediction and a GT without valid pixels, with one line naming the file', () => {
    const m = sphereMap(3, 3);
    expect(() => scoreNormalMaps(m, m.subarray(0, 24), 3, 3, 'p.npy')).toThrow(/^p\.npy: has 24 values; expected 3x3x3 like the GT normal map$/);
    expect(() => scoreNormalMaps(m, new Float64Array(27).fill(Number.NaN), 3, 3, 'p.npy')).toThrow(/^p\.npy: predicts no normal \(all NaN or zero\) on the 9 valid face pixels$/);
    expect(() => scoreNormalMaps(new Float64Array(27).fill(Number.NaN), m, 3, 3, 'p.npy')).toThrow(/^p\.npy: the GT normal map has no valid pixel$/);
  });
});
