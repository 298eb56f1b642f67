import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { registerBuiltinMethods } from '../../../baselines/builtin.js';
import { parseMethodOptions } from '../../../baselines/method-options.js';
import { pixel3dmmAdapter } from '../../../baselines/pixel3dmm/adapter.js';
import { runBuild } from '../../../benchmark/construct/index.js';
import { benchmarkNeed, runPredict } from '../../../benchmark/predict/index.js';
import { DEMO_NEUTRAL, generateDemoCapture } from '../../../data/index.js';
import { isInputError } from '../../../evaluators/errors.js';
import { MethodDocumentSchema, readManifest, readMethodDocument, type Manifest } from '../../../evaluators/formats/index.js';
import { cliInProcess } from '../cli-in-process.js';
import { listFiles, tempDir } from '../cli-helpers.js';
import { encodeModel } from '../construct/parser/onnx-builder.js';

/**
 * `facebench predict --images`: methods that need only the image, run over an SVFR download
 * (the official layout `svfr/<pid>/<SEQ>_<t>_<serial>/rgb.png`, made here from the crops of a
 * small demo benchmark), writing the submission layout with padded keys; resuming, per-item
 * failures, refusal of methods that need a benchmark's truth.
 */
describe('facebench predict --images on an SVFR download', () => {
  const root = tempDir('predict-images');
  const capture = join(root, 'capture');
  const bench = join(root, 'bench');
  const download = join(root, 'download');
  const svfr = join(download, 'svfr');
  let manifest: Manifest;

  /** The download: three participants, official-style keys (unpadded timesteps, `+` and `_` in sequences, several serials). */
  const KEYS: [string, string, number][] = [
    ['017', 'EXP-1-head_7_222200040', 0],
    ['017', 'EMO-1-shout+laugh_12_220700191', 1],
    ['018', 'SEN-01-cramp_small_danger_5_222200037', 2],
    ['104', 'EXP-2-eyes_120_220700191', 0],
  ];
  /** A key whose rgb.png is no PNG: that item fails alone. */
  const BROKEN: [string, string] = ['104', 'EXP-3-cheeks+nose_0_222200049'];
  const padded = (key: string) => key.replace(/_(\d+)_(\d+)$/, (_m, t: string, s: string) => `_${t.padStart(3, '0')}_${s}`);
  const ITEM_FILES = ['.done.json', 'landmarks_neutral.npy', 'landmarks_posed.npy', 'mesh_neutral.ply', 'mesh_posed.ply'];

  const cli = cliInProcess;
  const refusal = (run: Promise<unknown>) => run.then(() => undefined, (e: unknown) => e as Error);

  beforeAll(async () => {
    registerBuiltinMethods();
    generateDemoCapture(capture, { persons: 1, framesPerPerson: 21, cameras: 8 });
    await runBuild({ capture, out: bench, unit: 'm', expressions: 3, neutral: `${DEMO_NEUTRAL.sequence}/${DEMO_NEUTRAL.frame}`, imageSize: 128, visibilityToleranceMm: 2, demo: true, progress: 'silent' });
    manifest = readManifest(bench);
    for (const [pid, key, i] of KEYS) {
      mkdirSync(join(svfr, pid, key), { recursive: true });
      copyFileSync(join(bench, manifest.items[i].dir, 'image.png'), join(svfr, pid, key, 'rgb.png'));
    }
    mkdirSync(join(svfr, ...BROKEN), { recursive: true });
    writeFileSync(join(svfr, ...BROKEN, 'rgb.png'), 'not an image');
  });

  it('mean-shape: the submission layout with padded keys, method.json with the source; a broken image fails alone', async () => {
    const out = join(root, 'mean-shape');
    const run = await cli(['predict', '--images', download, '--method', 'mean-shape', '--out', out]);
    expect(run.exitCode).toBe(0);
    expect(run.lines[0]).toMatch(/^mean-shape 1\.0\.0: 4 predicted, 0 already done, 1 failed of 5 items/);
    expect(run.lines[1]).toMatch(new RegExp(`failed 104/EXP-3-cheeks\\+nose_000_222200049: .*rgb\\.png: not a PNG image`));
    const expected = ['method.json', ...KEYS.flatMap(([pid, key]) => ITEM_FILES.map((f) => `${pid}/${padded(key)}/${f}`))].sort();
    expect(listFiles(out)).toEqual(expected);
    expect(expected).toContain('018/SEN-01-cramp_small_danger_005_222200037/mesh_posed.ply');
    expect(expected).toContain('017/EMO-1-shout+laugh_012_220700191/mesh_posed.ply');
    const doc = readMethodDocument(out)!;
    expect(doc).toMatchObject({ name: 'mean-shape', items: 5, predicted: 4, source: { kind: 'svfr', path: svfr } });
    expect(doc.benchmark).toBeUndefined();
    expect(doc.failures).toEqual([{ person: '104', item: 'EXP-3-cheeks+nose_000_222200049', error: expect.stringMatching(/not a PNG image/) }]);
    expect(Object.keys(doc.timings.per_item).sort()).toEqual(KEYS.map(([pid, key]) => `${pid}/${padded(key)}`).sort());
  });

  it('resumes whether given the svfr/ folder or its parent: a second run predicts nothing (the failed item is retried)', async () => {
    const out = join(root, 'mean-shape');
    const again = await runPredict({ images: svfr, method: 'mean-shape', out, progress: 'silent' });
    expect(again).toMatchObject({ predicted: 0, skipped: 4, failed: 1 });
    const workers = await runPredict({ images: download, method: 'mean-shape', out, workers: 2, progress: 'silent' });
    expect(workers).toMatchObject({ predicted: 0, skipped: 4, failed: 1, threads: 2 });
    // Predictions of another source are never reused: the same ids from a benchmark are predicted anew.
    const other = join(root, 'mean-shape-bench');
    await runPredict({ bench, method: 'mean-shape', out: other, progress: 'silent' });
    const fromImages = await runPredict({ images: download, method: 'mean-shape', out: other, progress: 'silent' });
    expect(fromImages.skipped).toBe(0);
  });

  it('landmark-fit: the same prediction from an SVFR image as from the benchmark item it was copied from', async () => {
    const out = join(root, 'landmark-fit');
    const summary = await runPredict({ images: download, method: 'landmark-fit', out, progress: 'silent' });
    expect(summary).toMatchObject({ predicted: 4, failed: 1 });
    const direct = join(root, 'landmark-fit-bench');
    const item = manifest.items[0];
    await runPredict({ bench, method: 'landmark-fit', out: direct, items: [item.id], progress: 'silent' });
    for (const name of ['mesh_posed.ply', 'mesh_neutral.ply', 'landmarks_posed.npy']) {
      const fromBench = readFileSync(join(direct, item.person, item.id, name));
      for (const [pid, key, i] of KEYS) if (i === 0) expect(readFileSync(join(out, pid, padded(key), name)).equals(fromBench), `${pid}/${key}/${name}`).toBe(true);
    }
  });

  it('refuses methods that need a benchmark, before any work, in one line saying why', async () => {
    const out = join(root, 'refused');
    const oracle = await refusal(runPredict({ images: download, method: 'oracle', out, progress: 'silent' }));
    expect(isInputError(oracle)).toBe(true);
    expect(oracle!.message).toMatch(/oracle cannot run on an SVFR download.*demo generator's truth/);
    const truth = await refusal(runPredict({ images: download, method: 'pixel3dmm', out, progress: 'silent' }));
    expect(truth!.message).toMatch(/pixel3dmm cannot run on an SVFR download.*priors "truth"/);
    const landmarks = await refusal(runPredict({ images: download, method: 'pixel3dmm', options: { variant: 'landmarks' }, out, progress: 'silent' }));
    expect(landmarks!.message).toMatch(/landmarkSource "truth"/);
    for (const error of [oracle, truth, landmarks]) expect(error!.message).not.toContain('\n');
    expect(existsSync(out)).toBe(false);
    // With ONNX priors (and MediaPipe landmarks) pixel3dmm needs only the image.
    const onnx = parseMethodOptions(pixel3dmmAdapter, { priors: 'onnx', onnx: { uvModel: 'uv.onnx', normalModel: 'n.onnx' } });
    expect(benchmarkNeed(pixel3dmmAdapter, onnx)).toBeUndefined();
    expect(benchmarkNeed(pixel3dmmAdapter, parseMethodOptions(pixel3dmmAdapter, { variant: 'landmarks', landmarkSource: 'mediapipe' }))).toBeUndefined();
  });

  it('pixel3dmm with ONNX priors runs on the images (tiny stand-in networks: u, v ramps and a normal facing the camera)', async () => {
    const S = 16;
    const net = (file: string, channels: number, ramp: (c: number, y: number, x: number) => number): string => {
      const values: number[] = [];
      for (let c = 0; c < channels; c++) for (let y = 0; y < S; y++) for (let x = 0; x < S; x++) values.push(ramp(c, y, x));
      const path = join(root, file);
      writeFileSync(path, encodeModel({
        nodes: [
          { op: 'Conv', inputs: ['image', 'W', 'b'], outputs: ['conv'] },
          { op: 'Add', inputs: ['conv', 'ramp'], outputs: ['out'] },
        ],
        initializers: [
          { name: 'W', dims: [channels, 3, 1, 1], floats: new Array(3 * channels).fill(0) },
          { name: 'b', dims: [channels], floats: new Array(channels).fill(0) },
          { name: 'ramp', dims: [1, channels, S, S], floats: values },
        ],
        inputs: [{ name: 'image', shape: [1, 3, S, S] }],
        outputs: [{ name: 'out', shape: [1, channels, S, S] }],
      }));
      return path;
    };
    const onnx = {
      uvModel: net('uv.onnx', 2, (c, y, x) => (c === 0 ? (2 * x) / S - 1 : 1 - (2 * y) / S)),
      normalModel: net('normals.onnx', 3, (c) => (c === 1 ? -1 : 0)),
      inputSize: S,
      flip: false,
    };
    const out = join(root, 'pixel3dmm-onnx');
    const summary = await runPredict({ images: download, method: 'pixel3dmm', options: { priors: 'onnx', onnx, maxIterations: 2 }, out, progress: 'silent' });
    expect(summary.predicted + summary.failed).toBe(5);
    expect(summary.predicted).toBeGreaterThan(0);
    expect(readMethodDocument(out)!.source).toEqual({ kind: 'svfr', path: svfr });
  });

  it('refuses a benchmark given as --images, both or neither source, and predictions inside the download', async () => {
    const out = join(root, 'refused-2');
    const asImages = await refusal(runPredict({ images: bench, method: 'mean-shape', out, progress: 'silent' }));
    expect(asImages!.message).toMatch(/is a built benchmark, not an SVFR download: give it as --bench/);
    expect((await refusal(runPredict({ method: 'mean-shape', out, progress: 'silent' })))!.message).toMatch(/give --bench DIR .* or --images DIR/);
    expect((await refusal(runPredict({ bench, images: download, method: 'mean-shape', out, progress: 'silent' })))!.message).toMatch(/exclude each other/);
    expect((await refusal(runPredict({ images: download, map: join(root, 'export-map.json'), method: 'mean-shape', out, progress: 'silent' })))!.message).toMatch(/--map: .*with --bench/);
    expect((await refusal(runPredict({ images: download, method: 'mean-shape', out: join(svfr, 'pred'), progress: 'silent' })))!.message).toMatch(/inside the SVFR download/);
    expect(existsSync(out)).toBe(false);
    const neither = await cli(['predict', '--method', 'mean-shape', '--out', out]).catch((e: Error) => e);
    expect(String((neither as Error).message)).toMatch(/give --bench <dir> .* or --images <dir>/);
  });

  it('method.json: documents written before the source was recorded are still read', () => {
    const doc = JSON.parse(readFileSync(join(root, 'mean-shape-bench', 'method.json'), 'utf8'));
    expect(doc.source).toMatchObject({ kind: 'svfr' });
    const old = { ...doc, benchmark: bench };
    delete old.source;
    expect(MethodDocumentSchema.parse(old).benchmark).toBe(bench);
  });
});
