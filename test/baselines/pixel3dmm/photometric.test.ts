import { describe, expect, it } from 'vitest';
import { demoModel, evaluateModel, modelLandmarks } from '../../../baselines/models/index.js';
import {
  associate, cloneState, emptyTerms, fitPixel3dmm, landmarkPoints, prepareFitModel, residualOffset, type FitState, type Problem,
} from '../../../baselines/pixel3dmm/fit.js';
import { checkJacobianRows, similarityRms } from './fit-checks.js';
import { sampleShading, shade, shadeGradient, shadingImage, solveLighting, type ShadingImage } from '../../../baselines/pixel3dmm/photometric.js';
import { rasterize, vertexNormals } from '../../../data/index.js';
import { rotationFromRotationVector } from '../../../evaluators/alignment/index.js';
import { normal, seededRandom } from '../../../evaluators/util/index.js';

const model = demoModel();
const fm = prepareFitModel(model);
const embedding = model.landmarks68!;

/** A turned head 620 mm in front of a camera of focal 700 px, principal point (cx, cx). */
function truthState(cx: number): FitState {
  const random = seededRandom(5);
  const R = rotationFromRotationVector(0.1, -0.3, 0.04, new Float64Array(9));
  // Model frame +y up, +z out of the face; camera y down, z forward: flip y and z.
  const flip = Float64Array.of(1, 0, 0, 0, -1, 0, 0, 0, -1);
  const Rc = new Float64Array(9);
  for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) for (let k = 0; k < 3; k++) Rc[3 * i + j] += R[3 * i + k] * flip[3 * k + j];
  return {
    R: Rc, t: Float64Array.of(3, -5, 620), logFocal: Math.log(700), cx, cy: cx,
    a: Float64Array.from({ length: model.identityCount }, () => 1.2 * normal(random)),
    e: Float64Array.from({ length: model.expressionCount }, (_, j) => (j % 4 === 0 ? 0.35 : 0.05)),
  };
}

/** Camera-frame lighting (27 SH coefficients): a skin colour lit from the upper left front. */
const LIGHT = Float64Array.from([0.55, 0.4, 0.33].flatMap((albedo) => [0.6, -0.15, -0.2, -0.35, 0.02, 0.03, 0.05, 0.04, 0.03].map((l) => albedo * l)));

/** The model at state s rendered with uniform albedo under LIGHT (exactly the photometric model). */
function renderShaded(s: FitState, size: number): ShadingImage {
  const X = evaluateModel(model, { identity: s.a, expression: s.e });
  const f = Math.exp(s.logFocal);
  const world2cam = [s.R[0], s.R[1], s.R[2], s.t[0], s.R[3], s.R[4], s.R[5], s.t[1], s.R[6], s.R[7], s.R[8], s.t[2], 0, 0, 0, 1];
  const raster = rasterize(X, model.faces, { K: [f, 0, s.cx, 0, f, s.cy, 0, 0, 1], world2cam, width: size, height: size });
  const N = vertexNormals(X, model.faces);
  const data = new Uint8Array(3 * size * size).fill(128);
  for (let p = 0; p < size * size; p++) {
    const tri = raster.triangle[p];
    if (tri < 0) continue;
    const w1 = raster.bary[2 * p], w2 = raster.bary[2 * p + 1], w0 = 1 - w1 - w2;
    const n = [0, 1, 2].map((c) => w0 * N[3 * model.faces[3 * tri] + c] + w1 * N[3 * model.faces[3 * tri + 1] + c] + w2 * N[3 * model.faces[3 * tri + 2] + c]);
    const cam = [0, 1, 2].map((r) => s.R[3 * r] * n[0] + s.R[3 * r + 1] * n[1] + s.R[3 * r + 2] * n[2]);
    const len = Math.hypot(cam[0], cam[1], cam[2]);
    for (let ch = 0; ch < 3; ch++) data[3 * p + ch] = Math.max(0, Math.min(255, Math.round(255 * shade(LIGHT, ch, cam[0] / len, cam[1] / len, cam[2] / len))));
  }
  return shadingImage({ width: size, height: size, data }, 1);
}

/** The 68 landmarks of state s projected, plus N(0, σ²) px. */
function observedLandmarks(s: FitState, sigma: number): Float64Array {
  const X = evaluateModel(model, { identity: s.a, expression: s.e });
  const L = modelLandmarks(model, X);
  const f = Math.exp(s.logFocal), random = seededRandom(9);
  const out = new Float64Array(136);
  for (let l = 0; l < 68; l++) {
    const Y = [0, 1, 2].map((r) => s.R[3 * r] * L[3 * l] + s.R[3 * r + 1] * L[3 * l + 1] + s.R[3 * r + 2] * L[3 * l + 2] + s.t[r]);
    out[2 * l] = (f * Y[0]) / Y[2] + s.cx + sigma * normal(random);
    out[2 * l + 1] = (f * Y[1]) / Y[2] + s.cy + sigma * normal(random);
  }
  return out;
}

/** Shape error of fitted coefficients against the truth state, up to a similarity, mm. */
function shapeRms(truth: FitState, identity: Float64Array, expression: Float64Array): number {
  return similarityRms(fm.active, evaluateModel(model, { identity: truth.a, expression: truth.e }), evaluateModel(model, { identity, expression }));
}

describe('photometric model', () => {
  it('the SH lighting solve recovers known coefficients from exact samples; the shading gradient matches finite differences', () => {
    const random = seededRandom(3);
    const count = 200;
    const normals = new Float64Array(3 * count), colours = new Float64Array(3 * count), weights = new Float64Array(count).fill(1);
    for (let i = 0; i < count; i++) {
      const v = [normal(random), normal(random), normal(random)];
      const len = Math.hypot(v[0], v[1], v[2]);
      for (let c = 0; c < 3; c++) normals[3 * i + c] = v[c] / len;
      for (let ch = 0; ch < 3; ch++) colours[3 * i + ch] = shade(LIGHT, ch, normals[3 * i], normals[3 * i + 1], normals[3 * i + 2]);
    }
    const L = new Float64Array(27);
    expect(solveLighting(normals, colours, weights, count, L, 0)).toBe(true);
    for (let k = 0; k < 27; k++) expect(L[k]).toBeCloseTo(LIGHT[k], 9);
    // Fewer samples than unknowns: singular without a ridge.
    expect(solveLighting(normals, colours, weights, 5, L, 0)).toBe(false);
    const g = new Float64Array(3), n = [0.3, -0.4, -0.866];
    for (let ch = 0; ch < 3; ch++) {
      shadeGradient(LIGHT, ch, n[0], n[1], n[2], g);
      for (let c = 0; c < 3; c++) {
        const plus = [...n], minus = [...n];
        plus[c] += 1e-6;
        minus[c] -= 1e-6;
        const fd = (shade(LIGHT, ch, plus[0], plus[1], plus[2]) - shade(LIGHT, ch, minus[0], minus[1], minus[2])) / 2e-6;
        expect(g[c]).toBeCloseTo(fd, 6);
      }
    }
  });

  it('bilinear sampling is exact on a linear image, gradient included, and clamps at the border', () => {
    const w = 20, h = 10;
    const rgb = new Float32Array(3 * w * h);
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) for (let ch = 0; ch < 3; ch++) rgb[3 * (y * w + x) + ch] = 0.1 * ch + 0.01 * x - 0.02 * y;
    const img: ShadingImage = { width: w, height: h, rgb, gx: new Float32Array(rgb.length).fill(0.01), gy: new Float32Array(rgb.length).fill(-0.02) };
    const out = new Float64Array(9);
    sampleShading(img, 7.25, 3.5, out);
    for (let ch = 0; ch < 3; ch++) {
      expect(out[ch]).toBeCloseTo(0.1 * ch + 0.0725 - 0.07, 6);
      expect(out[3 + ch]).toBeCloseTo(0.01, 6);
      expect(out[6 + ch]).toBeCloseTo(-0.02, 6);
    }
    sampleShading(img, -5, 40, out);
    expect(out[0]).toBeCloseTo(0 - 0.02 * 9, 6);
  });
});

describe('pixel3dmm fit: landmark and photometric terms', () => {
  it('analytic Jacobian rows of landmark and photometric terms match central finite differences', () => {
    const size = 600;
    const truth = truthState(300);
    // A linear image (exact under bilinear sampling and central differences), lighting fixed by hand.
    const rgb = new Float32Array(3 * size * size);
    for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) for (let ch = 0; ch < 3; ch++) rgb[3 * (y * size + x) + ch] = 0.3 + 0.1 * ch + 0.0011 * x - 0.0007 * y;
    const image: ShadingImage = { width: size, height: size, rgb, gx: new Float32Array(rgb.length).fill(0.0011), gy: new Float32Array(rgb.length).fill(-0.0007) };
    const p: Problem = {
      fm, K: model.identityCount, E: model.expressionCount, lambdaId: 0.15, lambdaEx: 0.01, lambdaFocal: 10, lambdaPP: 0.1,
      a0: new Float64Array(model.identityCount), logFocal0: Math.log(640), cx0: 300, cy0: 300, box: false,
      landmarks: landmarkPoints(model, embedding, observedLandmarks(truth, 3)), shading: image, light: new Float64Array(27),
    };
    const s = cloneState(truth);
    s.a[0] += 0.3;
    s.e[1] += 0.1;
    s.t[0] += 1.5;
    const X = new Float64Array(model.template.length);
    const terms = emptyTerms(fm.active.length, 68);
    associate(p, undefined, undefined, s, {
      pixelGate: 30, normalCutoff: 2, useUv: false, useNormals: false, lambdaUv: 0, lambdaNormal: 0, uvFloor: 0.1,
      useLandmarks: true, lambdaLandmark: 20, usePhotometric: true, lambdaPhotometric: 100, photometricCutoff: 10,
    }, X, terms);
    expect(terms.lmCount).toBe(68);
    expect(terms.phCount).toBeGreaterThan(500);
    p.light!.set(LIGHT);
    const picks = [0, 40, 67, 68, 300, 68 + terms.phCount - 1];
    for (const q of picks) expect(residualOffset(terms, q + 1) - residualOffset(terms, q)).toBe(q < 68 ? 2 : 3);
    const worst = checkJacobianRows(p, terms, s, picks);
    console.log(`landmark/photometric terms: largest relative Jacobian error ${worst.toExponential(2)}`);
  });

  it('on an image that follows the photometric model, the photometric term carries the shape: error < 0.5× the landmark-only fit', () => {
    const size = 256;
    const truth = truthState(128);
    truth.logFocal = Math.log(1100);
    truth.t[2] = 900;
    const image = renderShaded(truth, size);
    const observed = observedLandmarks(truth, 1.5 * (size / 512));
    // The weight trusts the image (exact model here); the method's default (100) is set for
    // the demo renders, whose albedo is textured.
    const options = { focal: 1100, principalPoint: [128, 128] as [number, number], lambdaPhotometric: 1e4, maxIterations: 40 };
    const data = { landmarks: { embedding, observed }, image };
    const landmarksOnly = fitPixel3dmm(fm, data, options, { landmarks: true });
    const photometric = fitPixel3dmm(fm, data, options, { landmarks: true, photometric: true });
    const rmsLandmarks = shapeRms(truth, landmarksOnly.identity, landmarksOnly.expression);
    const rmsPhotometric = shapeRms(truth, photometric.identity, photometric.expression);
    console.log(`shape RMS: landmarks ${rmsLandmarks.toFixed(3)} mm, landmarks + photometric ${rmsPhotometric.toFixed(3)} mm (${photometric.photometricTerms} photometric terms)`);
    expect(photometric.photometricTerms).toBeGreaterThan(1000);
    expect(landmarksOnly.photometricTerms).toBe(0);
    expect(rmsPhotometric).toBeLessThan(0.5 * rmsLandmarks);
    // The SH coefficients are not identifiable from the normals of one side of a face (1, z and
    // 3z² − 1 nearly collinear), but the shading they give is the shading rendered.
    for (const n of [[0, 0, -1], [0.3, 0, -0.954], [0, 0.3, -0.954], [-0.3, -0.2, -0.933]]) {
      for (let ch = 0; ch < 3; ch++) expect(Math.abs(shade(photometric.lighting, ch, n[0], n[1], n[2]) - shade(LIGHT, ch, n[0], n[1], n[2]))).toBeLessThan(0.03);
    }
  });

  it('refuses a fit without the data its terms need', () => {
    expect(() => fitPixel3dmm(fm, {}, {}, { landmarks: true })).toThrow(/landmark terms need observed landmarks/);
    expect(() => fitPixel3dmm(fm, { landmarks: { embedding, observed: new Float64Array(136) } }, {}, { landmarks: true, photometric: true })).toThrow(/photometric term needs the image/);
    expect(() => fitPixel3dmm(fm, { landmarks: { embedding, observed: new Float64Array(136).fill(Number.NaN) }, image: renderShaded(truthState(64), 128) }, {}, { landmarks: true })).toThrow(/only 0 landmarks observed/);
  });
});
