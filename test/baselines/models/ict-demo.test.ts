import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildFaceModel, evaluate, landmarkPositions } from '../../../data/index.js';
import { readNpy } from '../../../evaluators/io/npy.js';
import { InputError } from '../../../evaluators/errors.js';
import {
  demoModel, evaluateModel, loadIctModel, modelLandmarks, sevenLandmarks, vertexLandmarkEmbedding,
} from '../../../baselines/models/index.js';
import { FIXTURES } from '../../helpers/faces.js';

const ICT = join(FIXTURES, 'ict-facekit');

/** Σ|delta| of each kept mode, computed from the full 100/53-mode export (fixture README, "Trimmed bases"). */
const FULL_IDENTITY_SUM_ABS = [
  67918.5056, 31666.7271, 24264.5199, 26721.0109, 23212.19, 19624.4821, 18832.9345, 13529.4122, 12858.6503, 7814.8837,
  9933.8266, 11330.5591, 10533.1315, 8126.9053, 9211.5941, 6716.6953, 7033.8556, 7359.1657, 6996.1243, 7218.2719,
];
const FULL_EXPRESSION_SUM_ABS: Record<string, number> = {
  browInnerUp_L: 2953.3033, browInnerUp_R: 2942.0509, cheekSquint_L: 7769.8804, cheekSquint_R: 7772.0124,
  eyeSquint_L: 1771.8826, eyeSquint_R: 1773.3631, jawOpen: 71062.902, mouthSmile_L: 20858.517,
  mouthSmile_R: 20858.0398, noseSneer_L: 13939.7049, noseSneer_R: 13941.2166,
};

function sumAbs(basis: Float64Array, mode: number, n: number): number {
  let s = 0;
  for (let i = 3 * n * mode; i < 3 * n * (mode + 1); i++) s += Math.abs(basis[i]);
  return s;
}

describe('loadIctModel', () => {
  const ict = loadIctModel(ICT);

  it('reads a model folder (the trimmed fixture) with the documented sizes', () => {
    expect(ict.template.length / 3).toBe(11248);
    expect(ict.faces.length / 3).toBe(22288);
    expect(ict.identityCount).toBe(20);
    expect(ict.expressionCount).toBe(11);
    expect(ict.expressionNames).toEqual(Object.keys(FULL_EXPRESSION_SUM_ABS));
    expect(ict.skeleton).toBeUndefined();
    const lo = [Infinity, Infinity, Infinity], hi = [-Infinity, -Infinity, -Infinity];
    for (let i = 0; i < ict.template.length; i++) {
      lo[i % 3] = Math.min(lo[i % 3], ict.template[i]);
      hi[i % 3] = Math.max(hi[i % 3], ict.template[i]);
    }
    // README: bounding box min (−124.16, −193.08, −92.32), max (124.16, 145.05, 130.88) mm.
    [-124.16, -193.08, -92.32].forEach((v, c) => expect(lo[c]).toBeCloseTo(v, 2));
    [124.16, 145.05, 130.88].forEach((v, c) => expect(hi[c]).toBeCloseTo(v, 2));
  });

  it('embeds the 68 landmark vertices exactly: landmark 30 is vertex 4857 at (0.00, 4.06, 130.69)', () => {
    const lm = modelLandmarks(ict, ict.template);
    expect(ict.landmarkVertices[30]).toBe(4857);
    expect(lm[90]).toBeCloseTo(0, 2);
    expect(lm[91]).toBeCloseTo(4.06, 2);
    expect(lm[92]).toBeCloseTo(130.69, 2);
    for (let k = 0; k < 68; k++) {
      const v = ict.landmarkVertices[k];
      for (let c = 0; c < 3; c++) expect(lm[3 * k + c]).toBe(ict.template[3 * v + c]);
    }
    // iBUG 45 (outer corner of the subject's left eye) has x = +44.6.
    const seven = sevenLandmarks(ict, ict.template);
    expect(seven[9]).toBeCloseTo(44.6, 1);
  });

  it('evaluates template + identity[7] + 0.5·expression[jawOpen] from the raw npy files', () => {
    const identity = readNpy(join(ICT, 'identity.npy')).data as Float32Array;
    const expression = readNpy(join(ICT, 'expression.npy')).data as Float32Array;
    const template = readNpy(join(ICT, 'template.npy')).data as Float32Array;
    const jaw = ict.expressionNames.indexOf('jawOpen');
    const idc = new Float64Array(8); idc[7] = 1;
    const exc = new Float64Array(jaw + 1); exc[jaw] = 0.5;
    const pos = evaluateModel(ict, { identity: idc, expression: exc });
    const len = template.length;
    for (let i = 0; i < len; i += 97) {
      expect(pos[i]).toBeCloseTo(template[i] + identity[7 * len + i] + 0.5 * expression[jaw * len + i], 4);
    }
  });

  it('keeps modes of the full export unchanged: first 20 identity modes, 11 named expressions', () => {
    const n = ict.template.length / 3;
    FULL_IDENTITY_SUM_ABS.forEach((v, k) => expect(sumAbs(ict.identityBasis, k, n), `identity[${k}]`).toBeCloseTo(v, 3));
    ict.expressionNames.forEach((name, j) => expect(sumAbs(ict.expressionBasis, j, n), name).toBeCloseTo(FULL_EXPRESSION_SUM_ABS[name], 3));
    // Nose tip (vertex 4857) deltas from the README: identity[0] (0, 1.39, −1.975), jawOpen (0, −0.4977, −0.068).
    const jaw = ict.expressionNames.indexOf('jawOpen');
    [0, 1.39, -1.975].forEach((v, c) => expect(ict.identityBasis[3 * 4857 + c]).toBeCloseTo(v, 4));
    [0, -0.4977, -0.068].forEach((v, c) => expect(ict.expressionBasis[3 * n * jaw + 3 * 4857 + c]).toBeCloseTo(v, 4));
  });

  it('reports a missing model folder as an InputError naming the file', () => {
    expect(() => loadIctModel(join(ICT, 'nowhere'))).toThrow(InputError);
  });

  it('has no default folder: no path is a one-line InputError saying what to pass', () => {
    for (const dir of ['', undefined as unknown as string]) {
      let error: unknown;
      try {
        loadIctModel(dir);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(InputError);
      expect((error as Error).message).toMatch(/no model folder given: pass the folder of an ICT-FaceKit export \(template\.npy, faces\.npy, identity\.npy/);
      expect((error as Error).message).not.toContain('\n');
    }
  });

  it('vertexLandmarkEmbedding puts weight 1 on the landmark vertex corner', () => {
    const faces = Uint32Array.from([0, 1, 2, 2, 1, 3]);
    const e = vertexLandmarkEmbedding(faces, [3, 0, 2]);
    expect(Array.from(e.faces)).toEqual([1, 0, 0]);
    expect(Array.from(e.barycentrics)).toEqual([0, 0, 1, 1, 0, 0, 0, 0, 1]);
    expect(() => vertexLandmarkEmbedding(faces, [4], 'lm.json')).toThrow(/lm\.json: landmark 0 is vertex 4/);
  });
});

describe('demoModel', () => {
  it('evaluates exactly like data/face-model.ts evaluate() and landmarkPositions()', () => {
    const m = demoModel();
    const fm = buildFaceModel();
    expect(m.identityCount).toBe(fm.identityNames.length);
    expect(m.expressionCount).toBe(fm.expressionNames.length);
    const id = Array.from({ length: m.identityCount }, (_, k) => Math.sin(k + 1));
    const ex = Array.from({ length: m.expressionCount }, (_, k) => (k % 3) / 3);
    const ours = evaluateModel(m, { identity: id, expression: ex });
    const ref = evaluate(fm, id, ex);
    expect(Array.from(ours)).toEqual(Array.from(ref));
    expect(Array.from(modelLandmarks(m, ours))).toEqual(Array.from(landmarkPositions(fm, ref)));
    expect(() => evaluateModel(m, { jointRotations: [0, 0, 0] })).toThrow(/no skeleton/);
  });
});
