import { describe, expect, it } from 'vitest';
import {
  FLAME_FACE_COUNT,
  FLAME_LANDMARK_EMBEDDING,
  FLAME_VERTEX_COUNT,
  flameLandmarks,
  isFlameTopology,
  nersembleMetricsOf,
  nowMetricsOf,
  nowFaceCrop,
  pointsInCrop,
  protocolDefaults,
  scorePrediction,
  type ProtocolConfig,
} from '../../../evaluators/protocols/index.js';
import { InputError } from '../../../evaluators/errors.js';
import type { TriangleMesh } from '../../../evaluators/geometry/types.js';
import { ictFace, ictFaceRegion, ictSevenLandmarks, sampleSurface } from '../../helpers/faces.js';
import { axisAngle, rng, similarity } from '../../helpers/random.js';

function config(protocol: ProtocolConfig['protocol'], overrides: Partial<ProtocolConfig> = {}): ProtocolConfig {
  return { ...protocolDefaults(protocol), ...overrides };
}

/** GT: 4000 points sampled on the ICT face region (vertices < 6706), with face normals. */
function gtCloud(seed = 3) {
  return sampleSurface(ictFace().mesh, 4000, rng(seed), ictFaceRegion);
}

/** The ICT face moved by x ↦ s·R·x + t, with its 7 landmarks moved likewise. */
function movedPrediction(s: number, R: Float64Array, t: [number, number, number]): { pred: TriangleMesh; predLandmarks: Float64Array } {
  const { mesh } = ictFace();
  const positions = similarity(mesh.positions, s, R, t);
  return { pred: { positions, faces: mesh.faces }, predLandmarks: ictSevenLandmarks(positions) };
}

describe('FLAME landmark embedding', () => {
  it('has the documented FLAME faces and weights that sum to one', () => {
    expect(FLAME_LANDMARK_EMBEDDING.map((e) => e[0])).toEqual([6768, 8731, 6409, 268, 8803, 7423, 917]);
    for (const [, a, b, c] of FLAME_LANDMARK_EMBEDDING) expect(a + b + c).toBeCloseTo(1, 3);
  });

  it('interpolates the embedded faces of a FLAME-topology mesh', () => {
    const random = rng(5);
    const positions = Float64Array.from({ length: 3 * FLAME_VERTEX_COUNT }, () => random() * 100);
    const faces = Uint32Array.from({ length: 3 * FLAME_FACE_COUNT }, () => Math.floor(random() * FLAME_VERTEX_COUNT));
    const mesh = { positions, faces };
    expect(isFlameTopology(mesh)).toBe(true);
    const lm = flameLandmarks(mesh);
    // Landmark 4 (subnasale): face 8803, weights .0048 .6991 .2961.
    const [f, w0, w1, w2] = FLAME_LANDMARK_EMBEDDING[4];
    for (let j = 0; j < 3; j++) {
      const expected = w0 * positions[3 * faces[3 * f] + j] + w1 * positions[3 * faces[3 * f + 1] + j] + w2 * positions[3 * faces[3 * f + 2] + j];
      expect(lm[12 + j]).toBeCloseTo(expected, 12);
    }
    expect(isFlameTopology({ positions, faces: faces.subarray(3) })).toBe(false);
  });
});

describe('NoW face crop', () => {
  it('computes centre and radius as NoW does', () => {
    // l1 (0,0,0) l2 (30,0,0) l3 (50,0,0) l4 (80,0,0) l5 (40,-40,0)
    const lm = Float64Array.of(0, 0, 0, 30, 0, 0, 50, 0, 0, 80, 0, 0, 40, -40, 0, 20, -60, 0, 60, -60, 0);
    const crop = nowFaceCrop(lm);
    // bridge (40,0,0); centre = (40,-40,0) + 0.3·(0,40,0) = (40,-28,0); radius = 1.4·(80 + 40)/2 = 84
    expect(crop.centre).toEqual([40, -28, 0]);
    expect(crop.radius).toBeCloseTo(84, 12);
    const pts = Float64Array.of(40, -28, 0, 40 + 84, -28, 0, 40 + 84.0001, -28, 0, 40, 56, 0);
    expect(Array.from(pointsInCrop(pts, crop))).toEqual([0, 1, 3]);
  });
});

describe('nersemble protocol', () => {
  const R = axisAngle([0.3, 1, -0.2], 0.6);
  const gt = gtCloud();
  const gtLandmarks = ictSevenLandmarks();

  it('recovers an arbitrary similarity: near-zero error, NC = 1, full recall', () => {
    const { pred, predLandmarks } = movedPrediction(0.8, R, [40, -25, 300]);
    const result = scorePrediction({ pred, predLandmarks, gt: { positions: gt.positions, normals: gt.normals }, gtLandmarks }, config('nersemble'));
    const m: Record<string, number> = result.metrics;
    expect(m.l2).toBeLessThan(1e-6);
    expect(m.l1).toBeLessThan(2e-6);
    expect(m.nc).toBeGreaterThan(1 - 1e-9);
    expect(m.r1).toBe(1);
    expect(m.points).toBe(4000);
    expect(result.alignment.scale).toBeCloseTo(1 / 0.8, 8);
    expect(result.alignment.landmark_rmse).toBeLessThan(1e-9);
    expect(result.gtNormals).toBe('file');
    expect(result.curve[1]).toBe(1); // every point within 0.1 mm
  });

  it('ICP repairs noisy landmarks that the landmark-only alignment cannot', () => {
    const { pred, predLandmarks } = movedPrediction(1.1, R, [5, 5, 5]);
    const random = rng(9);
    const noisy = predLandmarks.map((v) => v + (random() - 0.5) * 6); // ±3 mm per coordinate
    const inputs = { pred, predLandmarks: noisy, gt: { positions: gt.positions, normals: gt.normals }, gtLandmarks };
    const landmarksOnly = scorePrediction(inputs, config('nersemble', { align: 'landmarks' }));
    const refined = scorePrediction(inputs, config('nersemble'));
    expect(nersembleMetricsOf(landmarksOnly).l2).toBeGreaterThan(0.3);
    expect(landmarksOnly.alignment.iterations).toBe(0);
    expect(nersembleMetricsOf(refined).l2).toBeLessThan(1e-4);
    expect(refined.alignment.iterations).toBeGreaterThan(0);
    expect(refined.alignment.converged).toBe(true);
  });

  it('metrical: the scale stays fixed, so a 10% too large face keeps its error', () => {
    const { pred, predLandmarks } = movedPrediction(1.1, R, [0, 0, 0]);
    const inputs = { pred, predLandmarks, gt: { positions: gt.positions, normals: gt.normals }, gtLandmarks };
    const free = scorePrediction(inputs, config('nersemble'));
    const metrical = scorePrediction(inputs, config('nersemble-metrical'));
    expect(free.alignment.scale).toBeCloseTo(1 / 1.1, 8);
    expect(metrical.alignment.scale).toBe(1);
    expect(nersembleMetricsOf(metrical).l2).toBeGreaterThan(1);
    expect(nersembleMetricsOf(free).l2).toBeLessThan(1e-6);
  });

  it('estimates GT normals when the cloud has none and says so', () => {
    const { pred, predLandmarks } = movedPrediction(1, R, [1, 2, 3]);
    const result = scorePrediction({ pred, predLandmarks, gt: { positions: gt.positions }, gtLandmarks }, config('nersemble'));
    expect(result.gtNormals).toBe('estimated');
    expect(nersembleMetricsOf(result).nc).toBeGreaterThan(0.97);
  });

  it('refuses a reflection: a mirrored prediction scores badly', () => {
    const mirror = Float64Array.of(-1, 0, 0, 0, 1, 0, 0, 0, 1);
    const { pred, predLandmarks } = movedPrediction(1, mirror, [0, 0, 0]);
    const result = scorePrediction({ pred, predLandmarks, gt: { positions: gt.positions, normals: gt.normals }, gtLandmarks }, config('nersemble', { align: 'landmarks' }));
    expect(result.alignment.reflection).toBe(false);
    expect(nersembleMetricsOf(result).l2).toBeGreaterThan(1);
  });

  it('rejects wrong landmark counts with the file name', () => {
    const { pred } = movedPrediction(1, R, [0, 0, 0]);
    expect(() =>
      scorePrediction(
        { pred, predLandmarks: new Float64Array(18), gt: { positions: gt.positions }, gtLandmarks, names: { predLandmarks: 'lm.npy' } },
        config('nersemble'),
      ),
    ).toThrow(InputError);
    expect(() =>
      scorePrediction({ pred, predLandmarks: new Float64Array(18), gt: { positions: gt.positions }, gtLandmarks, names: { predLandmarks: 'lm.npy' } }, config('nersemble')),
    ).toThrow(/lm\.npy: expected 7 landmarks/);
  });
});

describe('NoW protocol', () => {
  const { mesh } = ictFace();
  const gtLandmarks = ictSevenLandmarks();
  const R = axisAngle([1, 0.2, 0.1], -0.4);

  it('crops the scan to the face ball and aligns a scaled prediction to ~0 error', () => {
    const { pred, predLandmarks } = movedPrediction(0.001, R, [0.1, 0.2, 0.3]); // a prediction in metres
    const result = scorePrediction({ pred, predLandmarks, gt: { positions: mesh.positions }, gtLandmarks }, config('now'));
    const crop = nowFaceCrop(gtLandmarks);
    expect(result.scoredPoints!.length).toBe(pointsInCrop(mesh.positions, crop).length);
    expect(result.scoredPoints!.length).toBeLessThan(mesh.positions.length / 3);
    const m: Record<string, number> = result.metrics;
    expect(m.mean).toBeLessThan(1e-6);
    expect(m.median).toBeLessThan(1e-6);
    expect(result.gtNormals).toBe('unused');
    expect(result.curve.length).toBe(81); // 0–8 mm by 0.1
  });

  it('allows a reflection as NoW does, and reports it', () => {
    const mirror = Float64Array.of(-1, 0, 0, 0, 1, 0, 0, 0, 1);
    const { pred, predLandmarks } = movedPrediction(1, mirror, [3, 0, 0]);
    const result = scorePrediction({ pred, predLandmarks, gt: { positions: mesh.positions }, gtLandmarks }, config('now'));
    expect(result.alignment.reflection).toBe(true);
    const rot = result.alignment.rotation;
    const det =
      rot[0][0] * (rot[1][1] * rot[2][2] - rot[1][2] * rot[2][1]) -
      rot[0][1] * (rot[1][0] * rot[2][2] - rot[1][2] * rot[2][0]) +
      rot[0][2] * (rot[1][0] * rot[2][1] - rot[1][1] * rot[2][0]);
    expect(det).toBeCloseTo(-1, 9);
    expect(nowMetricsOf(result).mean).toBeLessThan(1e-6);
    expect(result.family).toBe('now');
    expect(() => nersembleMetricsOf(result)).toThrow(/has no nersemble metrics/);
  });

  it('now-metrical keeps scale 1', () => {
    const { pred, predLandmarks } = movedPrediction(1.05, R, [0, 0, 0]);
    const result = scorePrediction({ pred, predLandmarks, gt: { positions: mesh.positions }, gtLandmarks }, config('now-metrical'));
    expect(result.alignment.scale).toBe(1);
    expect(nowMetricsOf(result).mean).toBeGreaterThan(0.5);
  });
});
