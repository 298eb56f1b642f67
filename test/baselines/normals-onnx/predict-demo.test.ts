import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { registerBuiltinMethods } from '../../../baselines/builtin.js';
import { runBuild } from '../../../benchmark/construct/index.js';
import { evalNormalsCommand } from '../../../benchmark/commands/eval-normals.js';
import { methodsListing } from '../../../benchmark/commands/methods.js';
import { predictCommand } from '../../../benchmark/commands/predict.js';
import { runCommand } from '../../../benchmark/commands/run.js';
import { runEval } from '../../../benchmark/eval/run-eval.js';
import { runPredict } from '../../../benchmark/predict/index.js';
import { DEMO_NEUTRAL, generateDemoCapture } from '../../../data/index.js';
import { isInputError } from '../../../evaluators/errors.js';
import { readManifest, readMethodDocument, validatePredictions, type Manifest } from '../../../evaluators/formats/index.js';
import { readLabelMap } from '../../../evaluators/image/index.js';
import { readNpy } from '../../../evaluators/io/index.js';
import { protocolDefaults } from '../../../evaluators/protocols/index.js';
import { encodeModel } from '../../benchmark/construct/parser/onnx-builder.js';
import { tempDir } from '../../benchmark/cli-helpers.js';

/**
 * normals-onnx end to end on a small demo benchmark: `predict` writes only normals.npy per item
 * (method.json tasks []), `eval-normals` scores them, `eval` refuses the folder in one line and
 * `validate` says where it is scored.
 */
describe('normals-onnx: predict → eval-normals on a demo benchmark', () => {
  const root = tempDir('normals-onnx');
  const capture = join(root, 'capture');
  const bench = join(root, 'bench');
  const model = join(root, 'facing.onnx');
  let manifest: Manifest;
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  beforeAll(async () => {
    registerBuiltinMethods();
    generateDemoCapture(capture, { persons: 1, framesPerPerson: 21, cameras: 8 });
    await runBuild({ capture, out: bench, unit: 'm', expressions: 2, neutral: `${DEMO_NEUTRAL.sequence}/${DEMO_NEUTRAL.frame}`, imageSize: 128, visibilityToleranceMm: 2, demo: true, progress: 'silent' });
    manifest = readManifest(bench);
    // A stand-in whose every pixel faces the camera: Conv 1×1 with zero weights, bias (0, 0, 1) in a z-towards-the-viewer frame.
    writeFileSync(model, encodeModel({
      nodes: [{ op: 'Conv', inputs: ['image', 'w', 'b'], outputs: ['normals'] }],
      initializers: [{ name: 'w', dims: [3, 3, 1, 1], floats: new Array(9).fill(0) }, { name: 'b', dims: [3], floats: [0, 0, 1] }],
      inputs: [{ name: 'image', shape: [1, 3, 32, 32] }],
      outputs: [{ name: 'normals', shape: [1, 3, 32, 32] }],
    }));
  });

  it('writes only normals.npy (NaN outside the face mask), tasks [] in method.json; eval-normals scores it; eval refuses it', async () => {
    const out = join(root, 'pred');
    // A stale mesh from an earlier run is removed.
    const first = manifest.items[0];
    const stale = join(out, first.person, first.id, 'mesh_posed.ply');
    mkdirSync(join(out, first.person, first.id), { recursive: true });
    writeFileSync(stale, 'ply\n');
    const options = { model, input: { size: [32, 32] }, normalAxes: ['+0', '-1', '-2'] };
    const summary = await runPredict({ bench, method: 'normals-onnx', options, out, progress: 'silent' });
    expect(summary.failed).toBe(0);
    expect(summary.predicted).toBe(manifest.items.length);
    expect(existsSync(stale)).toBe(false);
    for (const item of manifest.items) {
      const dir = join(out, item.person, item.id);
      expect(readdirSync(dir).sort()).toEqual(['.done.json', 'normals.npy']);
      const map = readNpy(join(dir, 'normals.npy'));
      expect(map.shape).toEqual([128, 128, 3]);
      const mask = readLabelMap(join(bench, item.dir, 'face_mask.png')).data;
      const values = map.data as Float32Array;
      let inside = 0, worst = 0, outsideValid = 0;
      for (let p = 0; p < 128 * 128; p++) {
        if (mask[p] > 127) {
          inside++;
          worst = Math.max(worst, Math.abs(values[3 * p]), Math.abs(values[3 * p + 1]), Math.abs(values[3 * p + 2] + 1));
        } else if (!Number.isNaN(values[3 * p])) {
          outsideValid++;
        }
      }
      expect(inside).toBeGreaterThan(100);
      expect(worst).toBeLessThan(1e-6);
      expect(outsideValid).toBe(0);
    }
    const doc = readMethodDocument(out)!;
    expect(doc).toMatchObject({ name: 'normals-onnx', tasks: [], failures: [] });
    expect(JSON.parse(readFileSync(join(out, 'method.json'), 'utf8')).tasks).toEqual([]);

    // Resuming: nothing to redo.
    const again = await runPredict({ bench, method: 'normals-onnx', options, out, progress: 'silent' });
    expect(again.skipped).toBe(manifest.items.length);
    // In worker threads (the compiled method), forced: the same maps.
    const before = readFileSync(join(out, first.person, first.id, 'normals.npy'));
    const threaded = await runPredict({ bench, method: 'normals-onnx', options, out, progress: 'silent', workers: 2, force: true });
    expect(threaded).toMatchObject({ predicted: manifest.items.length, failed: 0, threads: 2 });
    expect(readFileSync(join(out, first.person, first.id, 'normals.npy')).equals(before)).toBe(true);

    // eval-normals scores every item; the facing normals agree with a face's GT normals mostly.
    const scored = evalNormalsCommand({ bench, pred: out, out: join(root, 'normals'), quiet: true });
    expect(scored.method).toBe('normals-onnx');
    expect(scored.overall.items).toBe(manifest.items.length);
    expect(scored.overall.missingItems).toBe(0);
    expect(scored.overall.meanCosine).toBeGreaterThan(0.5);
    expect(existsSync(join(root, 'normals', 'normals.json'))).toBe(true);

    // eval refuses in one line; validate says the same beside its "no task submitted" problem.
    const error = await runEval({ bench, pred: out, out: join(root, 'results'), config: protocolDefaults('nersemble'), workers: 1, progress: 'silent' }).then(() => undefined, (e: unknown) => e);
    expect(isInputError(error)).toBe(true);
    expect((error as Error).message).toBe(`${out}: normal maps only (method.json tasks []): score them with facebench eval-normals`);
    const report = validatePredictions(bench, out);
    expect(report.problems).toHaveLength(1);
    expect(report.problems[0]).toBe(`.: holds no mesh_posed.ply or mesh_neutral.ply of any of the ${manifest.items.length} items: nothing would be scored; normal maps only (method.json tasks []): score them with facebench eval-normals [no task submitted]`);
  });

  it('methods says where its maps are scored; run refuses it before any work; predict points at eval-normals', async () => {
    const listing = methodsListing();
    const block = listing.slice(listing.indexOf('normals-onnx '));
    expect(block.split('\n\n')[0]).toContain('  predicts normal maps only (no meshes): score them with facebench eval-normals');
    const out = join(root, 'run');
    const error = await runCommand({ out, bench, methods: ['mean-shape,normals-onnx'], quiet: true }).then(() => undefined, (e: unknown) => e);
    expect(isInputError(error)).toBe(true);
    expect((error as Error).message).toBe('--methods: normals-onnx predicts normal maps only, which run does not score: use facebench predict --method normals-onnx, then facebench eval-normals');
    expect(existsSync(out)).toBe(false);
    const lines: string[] = [];
    const log = vi.spyOn(console, 'log').mockImplementation((line: unknown) => { lines.push(String(line)); });
    try {
      await predictCommand({ bench, method: 'normals-onnx', opts: JSON.stringify({ model, input: { size: [32, 32] } }), out: join(root, 'pred-cli'), workers: 1 });
    } finally {
      log.mockRestore();
    }
    expect(lines.join('')).toContain(`score with: facebench eval-normals --bench ${bench} --pred ${join(root, 'pred-cli')} --out RESULTS_DIR`);
  });
});
