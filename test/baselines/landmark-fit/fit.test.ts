import { describe, expect, it } from 'vitest';
import { buildFaceModel } from '../../../data/index.js';
import { landmarkBasis, evaluateLandmarks } from '../../../baselines/landmark-fit/landmark-basis.js';
import { projectLandmarks } from '../../../baselines/landmark-fit/camera-init.js';
import { fitLandmarks } from '../../../baselines/landmark-fit/fit.js';
import { mat3Multiply, rotationFromRotationVector } from '../../../evaluators/alignment/index.js';
import type { LinearFaceModel } from '../../../baselines/models/linear-model.js';
import { axisAngle, gaussian, rng } from '../../helpers/random.js';

/** The demo face model of data/ seen through the LinearFaceModel interface. */
function demoLinearModel(): LinearFaceModel {
  const m = buildFaceModel();
  return {
    name: 'demo', template: m.template, faces: m.faces,
    identityBasis: m.identityBasis, identityCount: m.identityNames.length,
    expressionBasis: m.expressionBasis, expressionCount: m.expressionNames.length,
    landmarks68: m.landmarks68,
  };
}

/** Camera looking at the face from the front (model +z towards the camera, image y down), with a head rotation. */
function facePose(yaw: number, pitch: number, distance: number): { rotation: Float64Array; translation: Float64Array } {
  const flip = Float64Array.of(1, 0, 0, 0, -1, 0, 0, 0, -1);
  const head = mat3Multiply(axisAngle([0, 1, 0], yaw), axisAngle([1, 0, 0], pitch));
  return { rotation: mat3Multiply(flip, head), translation: Float64Array.of(4, -6, distance) };
}

describe('linalg', () => {
  it('Rodrigues (the rotation update of the fit) against an independent formula', () => {
    const random = rng(3);
    for (let i = 0; i < 20; i++) {
      const w: [number, number, number] = [gaussian(random), gaussian(random), gaussian(random)];
      const R = rotationFromRotationVector(...w);
      const ref = axisAngle(w, Math.hypot(...w));
      for (let k = 0; k < 9; k++) expect(R[k]).toBeCloseTo(ref[k], 12);
    }
  });
});

describe('fitLandmarks on landmarks made by the model itself', () => {
  const model = demoLinearModel();
  const basis = landmarkBasis(model, model.identityCount, model.expressionCount);
  const random = rng(17);
  const identity = Float64Array.from({ length: basis.identityCount }, () => 0.8 * gaussian(random));
  const expression = Float64Array.from({ length: basis.expressionCount }, () => 0.6 * random());
  const truth3d = evaluateLandmarks(basis, identity, expression);
  const pose = facePose(0.25, -0.1, 450);
  const camera = { focal: 1400, cx: 255.5, cy: 255.5 };
  const observed = projectLandmarks(truth3d, pose, camera);

  it('restricts the model to its landmarks exactly (landmark basis vs the full mesh)', () => {
    // Full-mesh evaluation, then barycentric interpolation.
    const n3 = model.template.length;
    const full = Float64Array.from(model.template);
    for (let k = 0; k < identity.length; k++) for (let i = 0; i < n3; i++) full[i] += identity[k] * model.identityBasis[k * n3 + i];
    for (let j = 0; j < expression.length; j++) for (let i = 0; i < n3; i++) full[i] += expression[j] * model.expressionBasis[j * n3 + i];
    const emb = model.landmarks68!;
    for (let l = 0; l < 68; l++) {
      for (let a = 0; a < 3; a++) {
        let v = 0;
        for (let c = 0; c < 3; c++) v += emb.barycentrics[3 * l + c] * full[3 * model.faces[3 * emb.faces[l] + c] + a];
        expect(truth3d[3 * l + a]).toBeCloseTo(v, 9);
      }
    }
  });

  /** Camera-frame landmarks R·X + t. */
  const cameraFrame = (X: Float64Array, R: Float64Array, t: Float64Array): Float64Array => {
    const out = new Float64Array(X.length);
    for (let i = 0; i < X.length; i += 3) {
      for (let a = 0; a < 3; a++) out[i + a] = R[3 * a] * X[i] + R[3 * a + 1] * X[i + 1] + R[3 * a + 2] * X[i + 2] + t[a];
    }
    return out;
  };

  /**
   * One image fixes the face only up to the depth–size ambiguity: the demo model's identity
   * modes face_width/height/depth combine into a uniform scaling, so s·(the true face) seen
   * from s times the distance gives the same landmarks. The fit must find the true rotation
   * and focal, camera-frame landmarks s·Y_true for one scalar s, and expressions s·e_true.
   */
  function expectExactUpToScale(fit: ReturnType<typeof fitLandmarks>, tolerance: number): void {
    expect(fit.rmsPixels).toBeLessThan(1e-6);
    for (let k = 0; k < 9; k++) expect(Math.abs(fit.rotation[k] - pose.rotation[k])).toBeLessThan(tolerance);
    const Yfit = cameraFrame(fit.landmarks, fit.rotation, fit.translation);
    const Ytrue = cameraFrame(truth3d, pose.rotation, pose.translation);
    let num = 0, den = 0;
    for (let i = 0; i < Yfit.length; i++) {
      num += Yfit[i] * Ytrue[i];
      den += Ytrue[i] * Ytrue[i];
    }
    const s = num / den;
    expect(Math.abs(s - 1)).toBeLessThan(0.2);
    for (let i = 0; i < Yfit.length; i++) expect(Math.abs(Yfit[i] - s * Ytrue[i])).toBeLessThan(tolerance * 100);
    for (let j = 0; j < expression.length; j++) expect(Math.abs(fit.expression[j] - s * expression[j])).toBeLessThan(tolerance);
  }

  it('recovers pose, focal, shape (up to the depth–size ambiguity) and expressions with λ → 0', () => {
    const fit = fitLandmarks(basis, observed, { principalPoint: [255.5, 255.5], focal: 1000, lambdaIdentity: 1e-9, lambdaExpression: 1e-9, maxIterations: 200 });
    expect(fit.converged).toBe(true);
    expect(Math.abs(fit.camera.focal - camera.focal) / camera.focal).toBeLessThan(1e-6);
    expectExactUpToScale(fit, 1e-5);
  });

  it('with a fixed, known focal and the expression box the fit is exact as well', () => {
    const fit = fitLandmarks(basis, observed, { principalPoint: [255.5, 255.5], focal: camera.focal, fitFocal: false, expressionBox: true, lambdaIdentity: 1e-9, lambdaExpression: 1e-9, maxIterations: 200 });
    expect(fit.camera.focal).toBe(camera.focal);
    expectExactUpToScale(fit, 1e-5);
    for (const e of fit.expression) expect(e >= 0 && e <= 1).toBe(true);
  });

  it('drops NaN landmarks and still fits the rest', () => {
    const partial = Float64Array.from(observed);
    for (const l of [0, 1, 2, 14, 15, 16]) partial[2 * l] = partial[2 * l + 1] = Number.NaN;
    const fit = fitLandmarks(basis, partial, { principalPoint: [255.5, 255.5], focal: camera.focal, fitFocal: false, lambdaIdentity: 1e-9, lambdaExpression: 1e-9, maxIterations: 200 });
    expect(fit.rmsPixels).toBeLessThan(1e-5);
    // The dropped landmarks are still predicted where the truth projects them.
    const reproj = projectLandmarks(fit.landmarks, fit, fit.camera);
    for (const l of [0, 16]) expect(Math.hypot(reproj[2 * l] - observed[2 * l], reproj[2 * l + 1] - observed[2 * l + 1])).toBeLessThan(0.05);
  });

  it('the identity prior shrinks the coefficients towards zero as λ grows', () => {
    const norms = [1e-6, 10, 1e4].map((lambda) => {
      const fit = fitLandmarks(basis, observed, { principalPoint: [255.5, 255.5], focal: camera.focal, fitFocal: false, lambdaIdentity: lambda, lambdaExpression: 1e-6 });
      return Math.hypot(...fit.identity);
    });
    expect(norms[1]).toBeLessThan(norms[0]);
    expect(norms[2]).toBeLessThan(norms[1]);
    expect(norms[2]).toBeLessThan(0.2 * norms[0]);
  });
});
