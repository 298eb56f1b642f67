import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildFaceModel, loadCanonicalFaceMesh, subdivideMidpoint } from '../../../data/index.js';
import { demoModel, evaluateModel, loadIctModel } from '../../../baselines/models/index.js';
import { fitPixel3dmm, prepareFitModel } from '../../../baselines/pixel3dmm/fit.js';
import { readObjVertexUvs } from '../../../baselines/pixel3dmm/uv-obj.js';
import { renderPriors } from '../../../baselines/pixel3dmm/render-priors.js';
import { isInputError } from '../../../evaluators/errors.js';
import { similarityRms } from './fit-checks.js';

const ICT = new URL('../../fixtures/ict-facekit/', import.meta.url).pathname;
const tmp = mkdtempSync(join(tmpdir(), 'facebench-p3dmm-uv-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('per-vertex UVs of the models', () => {
  it('demo: the canonical mesh UVs on its vertices, edge midpoints, NaN beyond the face surface', () => {
    const m = buildFaceModel();
    const canonical = loadCanonicalFaceMesh();
    const n0 = canonical.positions.length / 3;
    for (let v = 0; v < n0; v++) {
      expect(m.uvs[2 * v]).toBe(canonical.uvs[2 * v]);
      expect(m.uvs[2 * v + 1]).toBe(canonical.uvs[2 * v + 1]);
    }
    expect(Number.isNaN(m.uvs[2 * m.faceVertexCount])).toBe(true);
    expect(Number.isNaN(m.uvs[m.uvs.length - 1])).toBe(true);
    for (let v = 0; v < m.faceVertexCount; v++) expect(Number.isFinite(m.uvs[2 * v])).toBe(true);
    // Subdivision carries UVs linearly: an edge midpoint gets the mean of its ends' UVs.
    const sub = subdivideMidpoint(Float64Array.of(0, 0, 0, 2, 0, 0, 0, 2, 0), Uint32Array.of(0, 1, 2), { uvs: Float64Array.of(0.1, 0.2, 0.5, 0.2, 0.1, 0.9) });
    const expected = [0.3, 0.2, 0.3, 0.55, 0.1, 0.55];
    expected.forEach((v, i) => expect(sub.uvs![6 + i]).toBeCloseTo(v, 12));
    expect(demoModel().uvs).toBe(m.uvs);
  });

  it('ICT: per-corner npy UVs (first corner) agree with template.obj read by the OBJ reader', () => {
    const ict = loadIctModel(ICT);
    expect(ict.uvs).toBeDefined();
    const fromObj = readObjVertexUvs(join(ICT, 'template.obj'), ict.template.length / 3);
    let compared = 0;
    for (let v = 0; v < ict.template.length / 3; v++) {
      if (Number.isNaN(fromObj[2 * v])) {
        expect(Number.isNaN(ict.uvs![2 * v])).toBe(true);
        continue;
      }
      expect(ict.uvs![2 * v]).toBeCloseTo(fromObj[2 * v], 5);
      expect(ict.uvs![2 * v + 1]).toBeCloseTo(fromObj[2 * v + 1], 5);
      compared++;
    }
    expect(compared).toBeGreaterThan(10000);
  });

  it('the OBJ UV reader names the file on bad input', () => {
    const bad = join(tmp, 'bad.obj');
    writeFileSync(bad, 'v 0 0 0\nv 1 0 0\nv 0 1 0\nvt 0 0\nf 1/1 2/7 3/1\n');
    expect(() => readObjVertexUvs(bad, 3)).toThrow(/bad\.obj/);
    try {
      readObjVertexUvs(bad, 3);
    } catch (e) {
      expect(isInputError(e)).toBe(true);
    }
    const untextured = join(tmp, 'plain.obj');
    writeFileSync(untextured, 'v 0 0 0\nv 1 0 0\nv 0 1 0\nf 1 2 3\n');
    expect(() => readObjVertexUvs(untextured, 3)).toThrow(/no textured face corners/);
  });

  it('ICT: the fit recovers a known shape from exact priors (similarity-aligned RMS < 0.3 mm)', () => {
    const ict = loadIctModel(ICT);
    const fm = prepareFitModel(ict);
    const a = Float64Array.from({ length: ict.identityCount }, (_, k) => (k % 2 ? 0.8 : -0.6) / (1 + k / 5));
    const e = Float64Array.from({ length: ict.expressionCount }, (_, j) => (j % 4 === 0 ? 0.5 : 0));
    const X = evaluateModel(ict, { identity: a, expression: e });
    // ICT: +y up, +z towards the viewer: flip y and z into the OpenCV camera.
    const priors = renderPriors(X, ict.faces, ict.uvs!, { K: [900, 0, 128, 0, 900, 125, 0, 0, 1], R: [1, 0, 0, 0, -1, 0, 0, 0, -1], t: [0, -10, 700], width: 256, height: 256 });
    const fit = fitPixel3dmm(fm, { priors }, { focal: 1000, expressionBox: true, principalPoint: [127.5, 127.5] });
    const Y = evaluateModel(ict, { identity: fit.identity, expression: fit.expression });
    const rms = similarityRms(fm.active, X, Y);
    let sq0 = 0;
    const T = ict.template;
    for (const v of fm.active) for (let r = 0; r < 3; r++) sq0 += (T[3 * v + r] - X[3 * v + r]) ** 2;
    const rms0 = Math.sqrt(sq0 / fm.active.length);
    console.log(`ICT exact priors: ${fit.uvPairs} UV pairs, reprojection ${fit.rmsPixels.toFixed(3)} px, shape RMS ${rms.toFixed(3)} mm (template ${rms0.toFixed(2)} mm)`);
    expect(rms).toBeLessThan(0.3);
  });
});
