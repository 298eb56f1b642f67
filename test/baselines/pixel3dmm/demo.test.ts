import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerBuiltinMethods } from '../../../baselines/builtin.js';
import { runBuild } from '../../../benchmark/construct/index.js';
import { runEval } from '../../../benchmark/eval/run-eval.js';
import { runPredict } from '../../../benchmark/predict/index.js';
import { DEMO_NEUTRAL, generateDemoCapture } from '../../../data/index.js';
import { readManifest, readMethodDocument, validatePredictions } from '../../../evaluators/formats/index.js';
import { readNpy } from '../../../evaluators/io/index.js';
import { protocolDefaults } from '../../../evaluators/protocols/index.js';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { facebench, tempDir } from '../../benchmark/cli-helpers.js';
import type { PredictItem } from '../../../baselines/adapter.js';
import { itemFaceMask } from '../../../baselines/item-files.js';

/**
 * `pixel3dmm` end to end on a small demo benchmark (1 person, 4 expressions, 128-px crops),
 * scored with the nersemble protocol against mean-shape and landmark-fit.
 */
describe('pixel3dmm on a demo benchmark', () => {
  const root = tempDir('pixel3dmm');
  const capture = join(root, 'capture');
  const bench = join(root, 'bench');
  const scores = new Map<string, { posed: number; neutral: number; seconds: number }>();

  const run = async (name: string, method: string, options: unknown): Promise<{ posed: number; neutral: number; seconds: number }> => {
    const out = join(root, name);
    const summary = await runPredict({ bench, method, out, options, workers: 1, progress: 'silent' });
    expect(summary.failed).toBe(0);
    const doc = readMethodDocument(out)!;
    const times = Object.values(doc.timings.per_item) as number[];
    const seconds = times.reduce((a, b) => a + b, 0) / times.length;
    const result = await runEval({ bench, pred: out, out: join(root, `results-${name}`), method: name, config: protocolDefaults('nersemble'), workers: 1, tasks: ['posed', 'neutral'], progress: 'silent' });
    const s = result.document.summary;
    const score = { posed: s.posed?.metrics.l2 ?? NaN, neutral: s.neutral?.metrics.l2 ?? NaN, seconds };
    scores.set(name, score);
    console.log(`${name.padEnd(22)} posed L2 ${score.posed.toFixed(3)} mm, neutral L2 ${score.neutral.toFixed(3)} mm, ${seconds.toFixed(2)} s/item`);
    return score;
  };

  beforeAll(async () => {
    registerBuiltinMethods();
    generateDemoCapture(capture, { persons: 1, framesPerPerson: 21, cameras: 8 });
    await runBuild({ capture, out: bench, unit: 'm', expressions: 4, neutral: `${DEMO_NEUTRAL.sequence}/${DEMO_NEUTRAL.frame}`, imageSize: 128, visibilityToleranceMm: 2, demo: true, progress: 'silent' });
  }, 240_000);
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('exact truth priors: posed L2 < 0.3 mm and neutral L2 below landmark-fit and mean-shape', async () => {
    const exact = await run('pixel3dmm-exact', 'pixel3dmm', { priors: 'truth', priorNoise: 0 });
    const fit = await run('landmark-fit', 'landmark-fit', {});
    const mean = await run('mean-shape', 'mean-shape', {});
    expect(exact.posed).toBeLessThan(0.3);
    expect(exact.neutral).toBeLessThan(fit.neutral);
    expect(exact.neutral).toBeLessThan(mean.neutral);
  }, 300_000);

  it('saveMaps writes its normal and UV maps beside the meshes; validate accepts them and eval-normals scores the normal maps', async () => {
    const out = join(root, 'pixel3dmm-maps');
    const summary = await runPredict({ bench, method: 'pixel3dmm', out, options: { priors: 'truth', priorNoise: 0, saveMaps: true }, workers: 1, progress: 'silent' });
    expect(summary.failed).toBe(0);
    const item = readManifest(bench).items[0];
    const normals = readNpy(join(out, item.person, item.id, 'normals.npy'));
    expect(normals.shape).toEqual([128, 128, 3]);
    expect(readNpy(join(out, item.person, item.id, 'uv.npy')).shape).toEqual([128, 128, 2]);
    expect(validatePredictions(bench, out).problems).toEqual([]);
    const scored = facebench(['eval-normals', '--bench', bench, '--pred', out, '--out', join(root, 'normals-maps'), '--quiet']);
    expect(scored.status, scored.stderr).toBe(0);
    const overall = JSON.parse(readFileSync(join(root, 'normals-maps', 'normals.json'), 'utf8')).overall as { meanCosine: number };
    // Exact priors are the truth surface's normals; the GT maps are the masked scans' normals.
    expect(overall.meanCosine).toBeGreaterThan(0.95);
    // Without saveMaps, a second run into the same folder removes the stale maps.
    await runPredict({ bench, method: 'pixel3dmm', out, options: { priors: 'truth', priorNoise: 0 }, workers: 1, progress: 'silent' });
    expect(existsSync(join(out, item.person, item.id, 'normals.npy'))).toBe(false);
  }, 300_000);

  it("the builder's face mask of each crop covers the GT normal map, and is what ONNX priors are masked with", () => {
    for (const item of readManifest(bench).items) {
      const mask = itemFaceMask({ bench, item } as PredictItem)!;
      expect(mask.length).toBe(128 * 128);
      const gt = readNpy(join(bench, item.dir, 'normals.npy')).data as Float32Array;
      let valid = 0, inside = 0, face = 0;
      for (let p = 0; p < mask.length; p++) {
        face += mask[p];
        if (!Number.isFinite(gt[3 * p])) continue;
        valid++;
        inside += mask[p];
      }
      // An independent source: the GT normal map is the masked scan splatted into the crop.
      expect(valid).toBeGreaterThan(500);
      expect(inside / valid).toBeGreaterThan(0.95);
      expect(face).toBeLessThan(mask.length); // not everything is face
    }
    expect(itemFaceMask({ bench: root, item: { dir: 'nowhere' } } as unknown as PredictItem)).toBeUndefined();
  });

  it('default prior noise: full beats the landmarks-only variant on posed L2; only-uv, only-normal, a zero identity prior run', async () => {
    const full = await run('pixel3dmm-noisy', 'pixel3dmm', {});
    const landmarks = await run('pixel3dmm-landmarks', 'pixel3dmm', { variant: 'landmarks' });
    expect(full.posed).toBeLessThan(landmarks.posed);
    const onlyUv = await run('pixel3dmm-only-uv', 'pixel3dmm', { variant: 'only-uv' });
    const onlyNormal = await run('pixel3dmm-only-normal', 'pixel3dmm', { variant: 'only-normal' });
    const zeroPrior = await run('pixel3dmm-zero-identity', 'pixel3dmm', { identityPrior: 'zero' });
    for (const s of [onlyUv, onlyNormal, zeroPrior]) expect(Number.isFinite(s.posed)).toBe(true);
    // UV pairs carry most of the information: dropping them must cost accuracy.
    expect(full.posed).toBeLessThan(onlyNormal.posed);
  }, 400_000);

  it('the landmarks-photometric variant fits landmarks and the albedo/SH photometric term on the crop', async () => {
    const photometric = await run('pixel3dmm-landmarks-photometric', 'pixel3dmm', { variant: 'landmarks-photometric' });
    const mean = scores.get('mean-shape') ?? (await run('mean-shape', 'mean-shape', {}));
    expect(photometric.posed).toBeLessThan(mean.posed);
    expect(photometric.neutral).toBeLessThan(mean.neutral);
  }, 300_000);
});
