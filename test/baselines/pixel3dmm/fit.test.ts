import { describe, expect, it } from 'vitest';
import { demoModel, evaluateModel } from '../../../baselines/models/index.js';
import {
  associate, cloneState, emptyTerms, evaluateShape, fitPixel3dmm, prepareFitModel, type FitState, type Problem,
} from '../../../baselines/pixel3dmm/fit.js';
import { checkJacobianRows, similarityRms } from './fit-checks.js';
import { renderPriors } from '../../../baselines/pixel3dmm/render-priors.js';
import { rotationFromRotationVector } from '../../../evaluators/alignment/index.js';
import { seededRandom, normal } from '../../../evaluators/util/index.js';

const model = demoModel();
const fm = prepareFitModel(model);
const SIZE = 160;

/** Known parameters: a turned head 600 mm in front of a 160-px camera. */
function truthState(): FitState {
  const random = seededRandom(11);
  const R = rotationFromRotationVector(0.12, -0.25, 0.05, new Float64Array(9));
  // Model frame +y up, +z out of the face; camera y down, z forward: flip y and z.
  const flip = Float64Array.of(1, 0, 0, 0, -1, 0, 0, 0, -1);
  const Rc = new Float64Array(9);
  for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) for (let k = 0; k < 3; k++) Rc[3 * i + j] += R[3 * i + k] * flip[3 * k + j];
  return {
    R: Rc, t: Float64Array.of(4, -6, 620), logFocal: Math.log(700), cx: 82, cy: 77,
    a: Float64Array.from({ length: model.identityCount }, () => normal(random)),
    e: Float64Array.from({ length: model.expressionCount }, (_, j) => (j % 3 === 0 ? 0.4 : 0.05)),
  };
}

function problem(): Problem {
  return {
    fm, K: model.identityCount, E: model.expressionCount, lambdaId: 0.15, lambdaEx: 0.01, lambdaFocal: 10, lambdaPP: 0.1,
    a0: new Float64Array(model.identityCount), logFocal0: Math.log(640), cx0: 80, cy0: 80, box: false,
  };
}

function render(s: FitState) {
  const X = evaluateModel(model, { identity: s.a, expression: s.e });
  const f = Math.exp(s.logFocal);
  return renderPriors(X, model.faces, model.uvs!, { K: [f, 0, s.cx, 0, f, s.cy, 0, 0, 1], R: s.R, t: s.t, width: SIZE, height: SIZE });
}

describe('pixel3dmm fit', () => {
  it('analytic Jacobian rows match central finite differences of the residuals', () => {
    const truth = truthState();
    const priors = render(truth);
    const p = problem();
    const s = cloneState(truth);
    s.a[0] += 0.3;
    s.e[1] += 0.1;
    s.t[0] += 1.5;
    const X = new Float64Array(model.template.length);
    const terms = emptyTerms(fm.active.length);
    const corr = new Float64Array(2 * fm.active.length);
    // Pair every vertex with a point 1 px off its projection so the UV residuals are non-zero.
    evaluateShape(p, s, X);
    const f = Math.exp(s.logFocal);
    for (let i = 0; i < fm.active.length; i++) {
      const v = 3 * fm.active[i];
      const Y = [0, 1, 2].map((r) => s.R[3 * r] * X[v] + s.R[3 * r + 1] * X[v + 1] + s.R[3 * r + 2] * X[v + 2] + s.t[r]);
      corr[2 * i] = (f * Y[0]) / Y[2] + s.cx + 1;
      corr[2 * i + 1] = (f * Y[1]) / Y[2] + s.cy - 0.5;
    }
    associate(p, priors, corr, s, { pixelGate: 30, normalCutoff: 2, useUv: true, useNormals: true, lambdaUv: 2000, lambdaNormal: 200, uvFloor: 0.1 }, X, terms);
    expect(terms.uvCount).toBeGreaterThan(500);
    expect(terms.nCount).toBeGreaterThan(500);
    const worst = checkJacobianRows(p, terms, s, [0, 7, 123, terms.uvCount - 1, terms.uvCount, terms.uvCount + 50, terms.uvCount + terms.nCount - 1]);
    console.log(`largest relative Jacobian error ${worst.toExponential(2)}`);
  });

  it('recovers known parameters from exact synthetic priors, starting from the mean shape', () => {
    const truth = truthState();
    const priors = render(truth);
    const started = performance.now();
    const fit = fitPixel3dmm(fm, { priors }, { focal: 640, principalPoint: [80, 80] });
    const seconds = (performance.now() - started) / 1000;
    const X = evaluateModel(model, { identity: truth.a, expression: truth.e });
    const Y = evaluateModel(model, { identity: fit.identity, expression: fit.expression });
    // Compare the camera-frame face vertices (rigid pose included).
    let sq = 0;
    for (const v of fm.active) {
      for (let r = 0; r < 3; r++) {
        const a = truth.R[3 * r] * X[3 * v] + truth.R[3 * r + 1] * X[3 * v + 1] + truth.R[3 * r + 2] * X[3 * v + 2] + truth.t[r];
        const b = fit.rotation[3 * r] * Y[3 * v] + fit.rotation[3 * r + 1] * Y[3 * v + 1] + fit.rotation[3 * r + 2] * Y[3 * v + 2] + fit.translation[r];
        sq += (a - b) ** 2;
      }
    }
    const rms = Math.sqrt(sq / fm.active.length);
    const shapeRms = similarityRms(fm.active, X, Y);
    console.log(`exact priors: ${fit.uvPairs} UV pairs, ${fit.normalTerms} normal terms, reprojection ${fit.rmsPixels.toFixed(3)} px, camera-frame RMS ${rms.toFixed(3)} mm, shape RMS ${shapeRms.toFixed(3)} mm, focal ${fit.focal.toFixed(1)} (true 700), ${seconds.toFixed(2)} s`);
    // The RMS includes the few wrong pairs on the open lips' UV fold.
    expect(fit.rmsPixels).toBeLessThan(0.6);
    expect(shapeRms).toBeLessThan(0.1);
    for (let j = 0; j < model.expressionCount; j++) expect(Math.abs(fit.expression[j] - truth.e[j])).toBeLessThan(0.08);
  });
});

describe('pixel3dmm fit variants', () => {
  it('normals alone move the shape towards the truth from the mean', () => {
    const truth = truthState();
    const priors = render(truth);
    const X = evaluateModel(model, { identity: truth.a, expression: truth.e });
    const err = (a: ArrayLike<number>, e: ArrayLike<number>): number => {
      const Y = evaluateModel(model, { identity: a, expression: e });
      let sq = 0;
      for (const v of fm.active) for (let r = 0; r < 3; r++) sq += (X[3 * v + r] - Y[3 * v + r]) ** 2;
      return Math.sqrt(sq / fm.active.length);
    };
    const fit = fitPixel3dmm(fm, { priors }, { focal: 640, principalPoint: [80, 80] }, { uv: false, normals: true });
    const before = err([], []), after = err(fit.identity, fit.expression);
    console.log(`normals only: vertex RMS ${before.toFixed(2)} mm (mean shape) → ${after.toFixed(2)} mm`);
    expect(after).toBeLessThan(0.7 * before);
  });
});
