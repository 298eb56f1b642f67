import { describe, expect, it } from 'vitest';
import { FLAME_SEVEN_LANDMARKS, embedLandmarks, evaluateModel, type LinearFaceModel } from '../../../baselines/models/index.js';
import { rotationFromRotationVector as rodrigues } from '../../../evaluators/alignment/index.js';

describe('Rodrigues rotation of model joints (rotationFromRotationVector)', () => {
  it('matches the analytic rotation about z by 90° and about x by 180°', () => {
    const Rz = rodrigues(0, 0, Math.PI / 2);
    [0, -1, 0, 1, 0, 0, 0, 0, 1].forEach((v, i) => expect(Rz[i]).toBeCloseTo(v, 15));
    const Rx = rodrigues(Math.PI, 0, 0);
    [1, 0, 0, 0, -1, 0, 0, 0, -1].forEach((v, i) => expect(Rx[i]).toBeCloseTo(v, 15));
  });

  it('is orthonormal with det 1, rotates about its axis, and is first order for tiny angles', () => {
    const r = [0.3, -1.1, 0.7];
    const R = rodrigues(r[0], r[1], r[2]);
    for (let a = 0; a < 3; a++) {
      for (let b = 0; b < 3; b++) {
        let d = 0;
        for (let k = 0; k < 3; k++) d += R[3 * a + k] * R[3 * b + k];
        expect(d).toBeCloseTo(a === b ? 1 : 0, 14);
      }
    }
    const det = R[0] * (R[4] * R[8] - R[5] * R[7]) - R[1] * (R[3] * R[8] - R[5] * R[6]) + R[2] * (R[3] * R[7] - R[4] * R[6]);
    expect(det).toBeCloseTo(1, 14);
    for (let a = 0; a < 3; a++) expect(R[3 * a] * r[0] + R[3 * a + 1] * r[1] + R[3 * a + 2] * r[2]).toBeCloseTo(r[a], 14);
    const S = rodrigues(1e-13, 0, 0);
    expect(S[7]).toBe(1e-13);
    expect(S[5]).toBe(-1e-13);
  });
});

describe('evaluateModel on a hand-built two-joint model', () => {
  // Two vertices, joint 0 at the origin, joint 1 at (1, 0, 0) (regressed from vertex 1); vertex 1 fully on joint 1.
  const model: LinearFaceModel = {
    name: 'toy',
    template: Float64Array.from([0, 1, 0, 1, 0, 0, 2, 0, 0]),
    faces: Uint32Array.from([0, 1, 2]),
    identityBasis: Float64Array.from([0, 0, 0, 0, 0, 0, 1, 0, 0]),
    identityCount: 1,
    expressionBasis: new Float64Array(0),
    expressionCount: 0,
    skeleton: {
      names: ['root', 'tip'],
      parents: Int32Array.from([-1, 0]),
      jointRegressor: Float64Array.from([1, 0, 0, 0, 1, 0]),
      weights: Float64Array.from([1, 0, 0.5, 0.5, 0, 1]),
    },
  };

  it('rotates the child about its regressed joint and blends half-weighted vertices', () => {
    const out = evaluateModel(model, { identity: [1], jointRotations: [0, 0, 0, 0, 0, Math.PI / 2] });
    // Vertex 2 = (3,0,0) after identity; joint 1 = vertex 1 = (1,0,0); rotated by 90° about z: (1,2,0).
    [0, 1, 0, 1, 0, 0, 1, 2, 0].forEach((v, i) => expect(out[i]).toBeCloseTo(v, 14));
  });

  it('refuses parents that do not precede their children', () => {
    const bad: LinearFaceModel = { ...model, skeleton: { ...model.skeleton!, parents: Int32Array.from([1, -1]) } };
    expect(() => evaluateModel(bad, { jointRotations: new Float64Array(6) })).toThrow(/parents must precede/);
  });
});

describe('FLAME_SEVEN_LANDMARKS', () => {
  it('holds the documented FLAME faces with barycentrics summing to 1', () => {
    expect(Array.from(FLAME_SEVEN_LANDMARKS.faces)).toEqual([6768, 8731, 6409, 268, 8803, 7423, 917]);
    for (let k = 0; k < 7; k++) {
      const b = FLAME_SEVEN_LANDMARKS.barycentrics;
      expect(b[3 * k] + b[3 * k + 1] + b[3 * k + 2]).toBeCloseTo(1, 3);
    }
    expect(() => embedLandmarks(Uint32Array.from([0, 1, 2]), new Float64Array(9), FLAME_SEVEN_LANDMARKS)).toThrow(/face 6768/);
  });
});
