import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { landmarkFitAdapter, landmarkFitOptions, type LandmarkFitOptions } from '../../../baselines/landmark-fit/index.js';
import type { PredictItem } from '../../../baselines/adapter.js';
import { demoModel, sevenLandmarks } from '../../../baselines/models/index.js';
import { projectPoint, readCapture, readFrameLandmarks, runBuild } from '../../../benchmark/construct/index.js';
import { readManifest, type Manifest } from '../../../evaluators/formats/index.js';
import { generateDemoCapture } from '../../../data/index.js';
import { InputError } from '../../../evaluators/errors.js';
import type { TriangleMesh } from '../../../evaluators/geometry/types.js';
import { readLandmarks, readPointCloud } from '../../../evaluators/io/index.js';
import { gaussian, rng } from '../../helpers/random.js';
import { nersembleMetricsOf, protocolDefaults, scorePrediction } from '../../../evaluators/protocols/index.js';

const root = mkdtempSync(join(tmpdir(), 'facebench-lmkfit-'));
const capture = join(root, 'capture');
const bench = join(root, 'bench');
const landmarkDir = join(root, 'landmarks2d');
let manifest: Manifest;

afterAll(() => rmSync(root, { recursive: true, force: true }));

/**
 * Ideal 2D landmarks of an item: the capture's landmarks3d projected with the item camera
 * (OpenCV, pixel centres at integers) and mapped into the crop. Output pixel i of the crop
 * samples the source at x + (i + ½)·size/out (benchmark/construct/crop.ts), so source u maps to
 * (u − x)·out/size − ½.
 */
function idealCropLandmarks(item: Manifest['items'][number]): number[][] {
  const cap = readCapture(capture, 'm', [item.person]);
  const person = cap.persons[0];
  const frame = person.frames.find((f) => f.sequence === item.sequence && f.frame === item.frame)!;
  const points = readFrameLandmarks(frame, 'm');
  const camera = person.cameras.get(item.camera)!;
  const meta = JSON.parse(readFileSync(join(bench, item.dir, 'meta.json'), 'utf8')) as { crop_box: { x: number; y: number; size: number; output_size: number } };
  const box = meta.crop_box;
  const q = new Float64Array(3);
  const out: number[][] = [];
  for (let l = 0; l < 68; l++) {
    projectPoint(camera, points[3 * l], points[3 * l + 1], points[3 * l + 2], q);
    out.push([((q[0] - box.x) * box.output_size) / box.size - 0.5, ((q[1] - box.y) * box.output_size) / box.size - 0.5]);
  }
  return out;
}

function predictItem(item: Manifest['items'][number]): PredictItem {
  const meta = JSON.parse(readFileSync(join(bench, item.dir, 'meta.json'), 'utf8')) as Record<string, unknown>;
  return { bench, item, person: manifest.persons.find((p) => p.id === item.person)!, imagePath: join(bench, item.dir, 'image.png'), meta, capture };
}

function posedL2(item: Manifest['items'][number], mesh: TriangleMesh, landmarks: Float64Array): number {
  const gt = readPointCloud(join(bench, item.dir, 'scan.ply'));
  const gtLandmarks = readLandmarks(join(bench, item.dir, 'landmarks.json'));
  const result = scorePrediction({ pred: mesh, predLandmarks: landmarks, gt, gtLandmarks }, protocolDefaults('nersemble'));
  return nersembleMetricsOf(result).l2;
}

beforeAll(async () => {
  generateDemoCapture(capture, { persons: 1, framesPerPerson: 21, cameras: 8 });
  await runBuild({ capture, out: bench, unit: 'm', expressions: 3, neutral: 'EXP-1-head/0', imageSize: 512, visibilityToleranceMm: 2, progress: 'silent' });
  manifest = readManifest(bench);
  for (const item of manifest.items) {
    mkdirSync(join(landmarkDir, item.person, item.id), { recursive: true });
    writeFileSync(join(landmarkDir, item.person, item.id, 'landmarks2d.json'), JSON.stringify(idealCropLandmarks(item)));
  }
});

describe('landmark-fit on the demo benchmark', () => {
  it('fits ideal landmarks; the posed mesh beats the mean shape in L2 (nersemble protocol)', async () => {
    const options: LandmarkFitOptions = landmarkFitOptions.parse({ landmarks: landmarkDir });
    await landmarkFitAdapter.prepare!({ bench, manifest, options });
    const model = demoModel();
    const mean: TriangleMesh = { positions: model.template, faces: model.faces };
    const meanLandmarks = sevenLandmarks(model, model.template);
    expect(manifest.items.length).toBe(3);
    const figures: string[] = [];
    for (const item of manifest.items) {
      const started = performance.now();
      const prediction = await landmarkFitAdapter.predict(predictItem(item), options);
      const seconds = (performance.now() - started) / 1000;
      expect(prediction.posed!.positions.length).toBe(model.template.length);
      expect(prediction.landmarksPosed!.length).toBe(21);
      expect(prediction.landmarksNeutral!.length).toBe(21);
      const fitL2 = posedL2(item, prediction.posed!, prediction.landmarksPosed!);
      const meanL2 = posedL2(item, mean, meanLandmarks);
      figures.push(`${item.id}: fit ${fitL2.toFixed(3)} mm vs mean ${meanL2.toFixed(3)} mm, ${seconds.toFixed(3)} s`);
      expect(fitL2).toBeLessThan(meanL2);
    }
    console.log(figures.join('\n'));
  });

  /** Every item's fitted posed mesh scores a lower L2 than the demo model's mean shape. */
  async function expectFitBeatsMeanShape(options: ReturnType<typeof landmarkFitOptions.parse>, label: string): Promise<void> {
    const model = demoModel();
    const figures: string[] = [];
    for (const item of manifest.items) {
      const prediction = await landmarkFitAdapter.predict(predictItem(item), options);
      const fitL2 = posedL2(item, prediction.posed!, prediction.landmarksPosed!);
      const meanL2 = posedL2(item, { positions: model.template, faces: model.faces }, sevenLandmarks(model, model.template));
      figures.push(`${item.id} (${label}): fit ${fitL2.toFixed(3)} mm vs mean ${meanL2.toFixed(3)} mm`);
      expect(fitL2).toBeLessThan(meanL2);
    }
    console.log(figures.join('\n'));
  }

  it('with 1.5 px landmark noise the fit still beats the mean shape', async () => {
    const random = rng(5);
    const noisyDir = join(root, 'noisy');
    for (const item of manifest.items) {
      const noisy = idealCropLandmarks(item).map(([x, y]) => [x + 1.5 * gaussian(random), y + 1.5 * gaussian(random)]);
      mkdirSync(join(noisyDir, item.person, item.id), { recursive: true });
      writeFileSync(join(noisyDir, item.person, item.id, 'landmarks2d.json'), JSON.stringify(noisy));
    }
    const options = landmarkFitOptions.parse({ landmarks: noisyDir, lambdaIdentity: 2.25, lambdaExpression: 2.25 });
    await expectFitBeatsMeanShape(options, 'noisy');
  });

  it('fits MediaPipe landmarks detected on the crop by default, and beats the mean shape', async () => {
    const options = landmarkFitOptions.parse({});
    expect(options.landmarks).toBe('mediapipe');
    await landmarkFitAdapter.prepare!({ bench, manifest, options });
    await expectFitBeatsMeanShape(options, 'MediaPipe');
    const missing = landmarkFitOptions.parse({ landmarks: join(root, 'nope') });
    await expect(landmarkFitAdapter.prepare!({ bench, manifest, options: missing })).rejects.toThrow(InputError);
  });

  it('names the missing landmarks2d file of an item', async () => {
    const empty = join(root, 'empty');
    mkdirSync(empty, { recursive: true });
    const options = landmarkFitOptions.parse({ landmarks: empty });
    await expect(landmarkFitAdapter.predict(predictItem(manifest.items[0]), options)).rejects.toThrow(/landmarks2d\.json: missing/);
  });
});
