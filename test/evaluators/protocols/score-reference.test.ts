/**
 * scorePrediction's metrics against a straightforward computation: the prediction moved
 * by the reported alignment, and every scored GT point's closest point found by a brute-force
 * search over all its triangles.
 */
import { describe, expect, it } from 'vitest';
import { protocolDefaults, scorePrediction, type ProtocolConfig, type ScoreResult } from '../../../evaluators/protocols/index.js';
import type { TriangleMesh } from '../../../evaluators/geometry/types.js';
import { faceNormal, ictFace, ictFaceRegion, ictSevenLandmarks, sampleSurface } from '../../helpers/faces.js';
import { axisAngle, gaussian, rng, similarity } from '../../helpers/random.js';
import { refClosest } from '../spatial/helpers.js';

const RELATIVE = 1e-9;

function close(actual: number, expected: number): void {
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(RELATIVE * Math.max(Math.abs(expected), 1e-3));
}

/**
 * 320 GT points on the ICT face region: 290 within ±2 mm of the surface, 30 pushed 12–30 mm
 * off (beyond ICP's 10 mm correspondence distance); unit normals tilted by up to ~20°, so
 * that NC is not trivially 1.
 */
function gtCloud(seed: number): { positions: Float64Array; normals: Float64Array } {
  const random = rng(seed);
  const s = sampleSurface(ictFace().mesh, 320, random, ictFaceRegion);
  const positions = new Float64Array(s.positions.length);
  const normals = new Float64Array(s.normals.length);
  for (let i = 0; i < 320; i++) {
    const offset = i % 11 === 5 ? 12 + 18 * random() : 4 * random() - 2;
    const n = [0, 1, 2].map((k) => s.normals[3 * i + k] + 0.2 * gaussian(random));
    const l = Math.hypot(n[0], n[1], n[2]);
    for (let k = 0; k < 3; k++) {
      positions[3 * i + k] = s.positions[3 * i + k] + offset * s.normals[3 * i + k] + 0.1 * gaussian(random);
      normals[3 * i + k] = n[k] / l;
    }
  }
  return { positions, normals };
}

/** The ICT face bent a little (so that no alignment fits exactly) and moved by x ↦ s·R·x + t. */
function prediction(s: number, R: Float64Array, t: [number, number, number]): { pred: TriangleMesh; predLandmarks: Float64Array } {
  const { mesh } = ictFace();
  const bent = Float64Array.from(mesh.positions, (v, i) => (i % 3 === 2 ? v + 0.002 * mesh.positions[i - 2] ** 2 : v));
  const positions = similarity(bent, s, R, t);
  return { pred: { positions, faces: mesh.faces }, predLandmarks: ictSevenLandmarks(positions) };
}

function expectStraightforward(result: ScoreResult, pred: TriangleMesh, gt: { positions: Float64Array; normals: Float64Array }): void {
  const a = result.alignment;
  const aligned: TriangleMesh = {
    positions: similarity(pred.positions, a.scale, Float64Array.from(a.rotation.flat()), a.translation as [number, number, number]),
    faces: pred.faces,
  };
  const scored = result.scoredPoints ?? Uint32Array.from({ length: gt.positions.length / 3 }, (_, i) => i);
  const n = scored.length;
  expect(result.distances.length).toBe(n);
  const distances: number[] = [];
  let l1 = 0;
  let ncLow = 0;
  let ncHigh = 0;
  for (let j = 0; j < n; j++) {
    const i = scored[j];
    const p = gt.positions.subarray(3 * i, 3 * i + 3);
    const ref = refClosest(aligned.positions, aligned.faces, p);
    const d = Math.sqrt(ref.distSq);
    close(result.distances[j], d);
    distances.push(d);
    l1 += Math.abs(p[0] - ref.x) + Math.abs(p[1] - ref.y) + Math.abs(p[2] - ref.z);
    // |n_p · n_f| over the faces tied at the minimum: the metric may take any of them.
    const cosines = ref.tied.map((f) => {
      const nf = faceNormal(aligned, f);
      return Math.abs(nf[0] * gt.normals[3 * i] + nf[1] * gt.normals[3 * i + 1] + nf[2] * gt.normals[3 * i + 2]);
    });
    ncLow += Math.min(...cosines);
    ncHigh += Math.max(...cosines);
  }
  const sorted = [...distances].sort((x, y) => x - y);
  const median = n % 2 ? sorted[(n - 1) / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  const mean = distances.reduce((x, y) => x + y, 0) / n;
  const m: Record<string, number> = result.metrics;
  expect(m.points).toBe(n);
  close(m.median, median);
  if (result.protocol.startsWith('now')) {
    close(m.mean, mean);
    close(m.std, Math.sqrt(distances.reduce((x, y) => x + (y - mean) ** 2, 0) / n));
  } else {
    close(m.l2, mean);
    close(m.l1, l1 / n);
    expect(m.nc).toBeGreaterThanOrEqual(ncLow / n - RELATIVE);
    expect(m.nc).toBeLessThanOrEqual(ncHigh / n + RELATIVE);
    for (const [key, mm] of [['r1', 1], ['r2_5', 2.5], ['r5', 5], ['r10', 10]] as const) {
      expect(m[key]).toBe(distances.filter((d) => d <= mm).length / n);
    }
  }
  for (let k = 0; k < result.curveThresholds.length; k++) {
    expect(result.curve[k]).toBe(distances.filter((d) => d <= result.curveThresholds[k]).length / n);
  }
}

describe('score metrics from the ICP pass equal a brute-force computation on the aligned prediction', () => {
  const gt = gtCloud(31);
  const gtLandmarks = ictSevenLandmarks();
  const cases: Array<[ProtocolConfig['protocol'], number, Float64Array, [number, number, number]]> = [
    ['nersemble', 0.8, axisAngle([0.3, 1, -0.2], 0.6), [40, -25, 300]],
    ['nersemble-metrical', 1, axisAngle([1, -0.5, 0.2], -0.3), [-10, 5, 20]],
    ['now', 1.3, axisAngle([0.2, 0.1, 1], 0.9), [5, 5, -50]],
    // A mirror image: NoW allows the reflection, scored through the mirrored mesh.
    ['now', 0.9, Float64Array.of(-1, 0, 0, 0, 1, 0, 0, 0, 1), [3, 0, 0]],
    ['now-metrical', 1, axisAngle([0, 1, 0], 0.2), [0, 2, 0]],
  ];
  for (const [protocol, s, R, t] of cases) {
    const mirrored = R[0] === -1;
    it(`${protocol}, scale ${s}${mirrored ? ', reflected' : ''}`, () => {
      const { pred, predLandmarks } = prediction(s, R, t);
      const config = protocolDefaults(protocol);
      const result = scorePrediction({ pred, predLandmarks, gt, gtLandmarks }, config);
      expect(result.alignment.reflection).toBe(mirrored);
      expect(result.alignment.iterations).toBeGreaterThan(0);
      expectStraightforward(result, pred, gt);
    });
  }

  // Coarse-to-fine ICP (docs/protocols.md#coarse-to-fine-icp) fitted on a subset of the 320
  // points: the metrics still come from its last full pass at the reported alignment. (How
  // far its alignment lands from full-cloud ICP is measured at benchmark size, where the
  // documented tolerance applies; a 200-point subset of 320 points says nothing about that.)
  for (const [protocol, s, R, t] of cases) {
    const mirrored = R[0] === -1;
    it(`${protocol}, scale ${s}${mirrored ? ', reflected' : ''}, ICP fitted on a 200-point subset`, () => {
      const { pred, predLandmarks } = prediction(s, R, t);
      const defaults = protocolDefaults(protocol);
      const result = scorePrediction({ pred, predLandmarks, gt, gtLandmarks }, { ...defaults, icp: { ...defaults.icp, subsample: 200 } });
      expect(result.alignment.reflection).toBe(mirrored);
      expect(result.alignment.iterations).toBeGreaterThan(0);
      expectStraightforward(result, pred, gt);
    });
  }

  it('landmark-only alignment (no ICP pass to reuse) gives the same straightforward metrics', () => {
    const { pred, predLandmarks } = prediction(0.8, axisAngle([0.3, 1, -0.2], 0.6), [40, -25, 300]);
    const result = scorePrediction({ pred, predLandmarks, gt, gtLandmarks }, { ...protocolDefaults('nersemble'), align: 'landmarks' });
    expect(result.alignment.iterations).toBe(0);
    expectStraightforward(result, pred, gt);
  });
});
