import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { PredictItem } from '../../../baselines/adapter.js';
import { registerBuiltinMethods } from '../../../baselines/builtin.js';
import { denseLandmarkSet, FACE_OVAL, metricalFitAdapter, metricalFitOptions } from '../../../baselines/metrical-fit/index.js';

import { demoModel, evaluateModel, loadFlame, modelLandmarks } from '../../../baselines/models/index.js';
import { runBuild } from '../../../benchmark/construct/index.js';
import { runEval } from '../../../benchmark/eval/run-eval.js';
import { runPredict } from '../../../benchmark/predict/index.js';
import { DEMO_NEUTRAL, generateDemoCapture } from '../../../data/index.js';
import { readManifest } from '../../../evaluators/formats/index.js';
import { encodeNpy } from '../../../evaluators/io/index.js';
import { protocolDefaults } from '../../../evaluators/protocols/index.js';
import { meanColourRegressor } from '../../helpers/onnx-standins.js';
import { tempDir } from '../../benchmark/cli-helpers.js';
import { FIXTURES } from '../../helpers/faces.js';
import { zipArchive } from '../pixel3dmm-import/frame-writer.js';

const root = tempDir('metrical-fit');
const demo = demoModel();

describe('metrical-fit: the dense landmark set', () => {
  it('demo: MediaPipe point i is demo vertex i, the face oval left out, then the 68 embedding\'s jaw line', () => {
    const set = denseLandmarkSet(demo);
    expect(set.sources.length).toBe(468 - FACE_OVAL.length + 17);
    const at = modelLandmarks(demo, demo.template, set.embedding);
    const jaw = modelLandmarks(demo, demo.template, demo.landmarks68!);
    set.sources.forEach((s, l) => {
      const expected = s >= 0 ? demo.template.subarray(3 * s, 3 * s + 3) : jaw.subarray(3 * (-1 - s), 3 * (-1 - s) + 3);
      for (let c = 0; c < 3; c++) expect(at[3 * l + c]).toBeCloseTo(expected[c], 9);
      if (s >= 0) expect(FACE_OVAL).not.toContain(s);
    });
    expect(Array.from(set.sources.slice(-17))).toEqual(Array.from({ length: 17 }, (_, k) => -1 - k));
  });

  it("FLAME: Metrical Tracker's mediapipe_landmark_embedding.npz, iris points left out", () => {
    const flame = loadFlame(join(FIXTURES, 'flame-schema', 'generic_model.pkl'), { landmarkEmbedding: join(FIXTURES, 'flame-schema', 'landmark_embedding.npy') });
    const faces = [3, 10, 50, 7];
    const bary = [0.2, 0.3, 0.5, 1, 0, 0, 0.1, 0.1, 0.8, 0.3, 0.3, 0.4];
    const indices = [1, 33, 470, 263];
    const npz = join(root, 'mediapipe_landmark_embedding.npz');
    writeFileSync(npz, zipArchive([
      ['lmk_face_idx.npy', encodeNpy(faces, [4], '<i8')],
      ['lmk_b_coords.npy', encodeNpy(bary, [4, 3], '<f8')],
      ['landmark_indices.npy', encodeNpy(indices, [4], '<i8')],
    ]));
    const set = denseLandmarkSet(flame, npz);
    expect(Array.from(set.sources.slice(0, 3))).toEqual([1, 33, 263]);
    expect(Array.from(set.embedding.faces.slice(0, 3))).toEqual([3, 10, 7]);
    expect(Array.from(set.embedding.barycentrics.slice(6, 9))).toEqual([0.3, 0.3, 0.4]);
    expect(set.sources.length).toBe(3 + 17);
    expect(() => denseLandmarkSet(flame)).toThrow(/give mediapipeEmbedding/);
    const bad = join(root, 'bad.npz');
    writeFileSync(bad, zipArchive([['lmk_face_idx.npy', encodeNpy([1], [1], '<i8')], ['lmk_b_coords.npy', encodeNpy([1, 0, 0], [1, 3], '<f8')], ['landmark_indices.npy', encodeNpy([478], [1], '<i8')]]));
    expect(() => denseLandmarkSet(flame, bad)).toThrow(/bad\.npz: landmark_indices lists MediaPipe point 478/);
  });
});

describe('metrical-fit on a demo benchmark', () => {
  const bench = join(root, 'bench');
  const score = async (method: string, options: Record<string, unknown>, name: string): Promise<{ posed: number; neutral: number }> => {
    const pred = join(root, name);
    const run = await runPredict({ bench, method, options, out: pred, progress: 'silent', workers: 1 });
    expect(run.failed).toBe(0);
    const { document } = await runEval({ bench, pred, out: join(root, 'results'), method: name, config: protocolDefaults('nersemble'), workers: 1, progress: 'silent' });
    return { posed: document.summary.posed.metrics.l2 as number, neutral: document.summary.neutral.metrics.l2 as number };
  };

  beforeAll(async () => {
    registerBuiltinMethods();
    const capture = join(root, 'capture');
    generateDemoCapture(capture, { persons: 1, framesPerPerson: 21, cameras: 8 });
    await runBuild({ capture, out: bench, unit: 'm', expressions: 2, neutral: `${DEMO_NEUTRAL.sequence}/${DEMO_NEUTRAL.frame}`, imageSize: 320, visibilityToleranceMm: 2, demo: true, progress: 'silent' });
  });

  it('with an identity prior near the truth (the stand-in for MICA) it beats the mean shape clearly', async () => {
    const base = await score('mean-shape', {}, 'mean-shape');
    const fit = await score('metrical-fit', { identityPrior: 'truth-noisy' }, 'metrical');
    console.log(`metrical-fit vs mean-shape, L2 mm: neutral ${fit.neutral.toFixed(3)} vs ${base.neutral.toFixed(3)}, posed ${fit.posed.toFixed(3)} vs ${base.posed.toFixed(3)}`);
    expect(fit.neutral).toBeLessThan(base.neutral - 0.2);
    expect(fit.posed).toBeLessThan(base.posed - 0.2);
  });

  it("takes MICA's identity as its prior: with a stiff prior the neutral mesh is the model at MICA's output", async () => {
    const prior = Array.from({ length: demo.identityCount }, (_, k) => Math.fround(0.6 * Math.sin(1 + 2.3 * k)));
    const mica = join(root, 'mica.onnx');
    writeFileSync(mica, meanColourRegressor([{ name: 'shape', W: [0, 1, 2].map(() => new Array(prior.length).fill(0)), b: prior }]));
    const item = readManifest(bench).items[0];
    const input: PredictItem = { bench, item, imagePath: join(bench, item.dir, 'image.png'), meta: {} };
    const options = metricalFitOptions.parse({ identityPrior: 'onnx', identityPriorModel: mica, lambdaIdentity: 1e7 });
    await metricalFitAdapter.prepare!({ bench, options });
    const prediction = await metricalFitAdapter.predict(input, options);
    const expected = evaluateModel(demo, { identity: prior });
    const worst = prediction.neutral!.positions.reduce((w, v, i) => Math.max(w, Math.abs(v - expected[i])), 0);
    expect(worst).toBeLessThan(0.01);
    // and the posed mesh moved by the fitted expression only
    expect(prediction.posed!.positions.some((v, i) => Math.abs(v - expected[i]) > 0.05)).toBe(true);
  });

  it('refuses a model without MediaPipe correspondences, and an onnx prior without its model', async () => {
    await expect(metricalFitAdapter.prepare!({ bench, options: metricalFitOptions.parse({ model: { ict: join(FIXTURES, 'ict-facekit') } }) })).rejects.toThrow(/needs MediaPipe correspondences of model/);
    await expect(metricalFitAdapter.prepare!({ bench, options: metricalFitOptions.parse({ identityPrior: 'onnx' }) })).rejects.toThrow(/needs identityPriorModel/);
  });
});

