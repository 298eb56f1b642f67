import { cpSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { defineMethod } from '../../../baselines/adapter.js';
import { registerBuiltinMethods } from '../../../baselines/builtin.js';
import { runBuild } from '../../../benchmark/construct/index.js';
import { readManifest, type Manifest } from '../../../evaluators/formats/index.js';
import { evalPool, runEval, type EvalPool } from '../../../benchmark/eval/run-eval.js';
import { predictPool, runPredict } from '../../../benchmark/predict/index.js';
import { readMethodDocument, validatePredictions } from '../../../evaluators/formats/index.js';
import { DEMO_NEUTRAL, generateDemoCapture } from '../../../data/index.js';
import { isInputError } from '../../../evaluators/errors.js';
import { readLandmarks, readMesh, writeNpy, writePly } from '../../../evaluators/io/index.js';
import { protocolDefaults } from '../../../evaluators/protocols/index.js';
import { cliInProcess } from '../cli-in-process.js';
import { listFiles, tempDir } from '../cli-helpers.js';
import { z } from 'zod';

/**
 * `facebench predict` end to end on a small demo benchmark (1 person, 3 expressions):
 * oracle and mean-shape predictions scored by `runEval` (nersemble protocol), resuming,
 * per-item failures, validating and importing submissions.
 */
describe('facebench predict on a demo benchmark', () => {
  const root = tempDir('predict');
  const capture = join(root, 'capture');
  const bench = join(root, 'bench');
  let manifest: Manifest;

  const l2 = async (pred: string, name: string, tasks: ('posed' | 'neutral')[] = ['posed', 'neutral']): Promise<{ posed: number; neutral: number; failed: number }> => {
    const summary = await runEval({ bench, pred, out: join(root, 'results'), method: name, config: protocolDefaults('nersemble'), workers: 1, tasks, progress: 'silent' });
    const s = summary.document.summary;
    return { posed: s.posed?.metrics.l2 ?? NaN, neutral: s.neutral?.metrics.l2 ?? NaN, failed: summary.failed };
  };
  const cli = cliInProcess;

  beforeAll(async () => {
    registerBuiltinMethods();
    generateDemoCapture(capture, { persons: 1, framesPerPerson: 21, cameras: 8 });
    await runBuild({ capture, out: bench, unit: 'm', expressions: 3, neutral: `${DEMO_NEUTRAL.sequence}/${DEMO_NEUTRAL.frame}`, imageSize: 128, visibilityToleranceMm: 2, demo: true, progress: 'silent' });
    manifest = readManifest(bench);
  });

  it('oracle: writes the submission layout and scores near zero error (L2 < 0.1 mm)', async () => {
    const out = join(root, 'oracle');
    const summary = await runPredict({ bench, method: 'oracle', out, progress: 'silent' });
    expect(summary.predicted).toBe(3);
    expect(summary.failed).toBe(0);
    for (const item of manifest.items) {
      const dir = join(out, item.person, item.id);
      for (const name of ['mesh_posed.ply', 'mesh_neutral.ply', 'landmarks_posed.npy', 'landmarks_neutral.npy', '.done.json']) expect(existsSync(join(dir, name))).toBe(true);
      // The oracle's landmarks are the benchmark's GT landmarks (same generator, same embedding).
      const gt = readLandmarks(join(bench, item.dir, 'landmarks.json'));
      const pred = readLandmarks(join(dir, 'landmarks_posed.npy'));
      for (let i = 0; i < 21; i++) expect(pred[i]).toBeCloseTo(gt[i], 2);
    }
    const doc = readMethodDocument(out)!;
    expect(doc).toMatchObject({ name: 'oracle', options: { noise: 0, seed: 0 }, items: 3, predicted: 3, failures: [] });
    expect(Object.keys(doc.timings.per_item)).toHaveLength(3);
    expect(validatePredictions(bench, out).problems).toEqual([]);
    const score = await l2(out, 'oracle');
    console.log(`oracle L2 (nersemble, demo 1 person × 3 items): posed ${score.posed.toFixed(4)} mm, neutral ${score.neutral.toFixed(4)} mm`);
    expect(score.failed).toBe(0);
    expect(score.posed).toBeLessThan(0.1);
    expect(score.neutral).toBeLessThan(0.1);
  });

  it('oracle with noise: seeded, and the error grows with the noise', async () => {
    const a = join(root, 'noise-a'), b = join(root, 'noise-b');
    await runPredict({ bench, method: 'oracle', options: { noise: 1, seed: 4 }, out: a, progress: 'silent' });
    await runPredict({ bench, method: 'oracle', options: '{"noise": 1, "seed": 4}', out: b, progress: 'silent' });
    const item = manifest.items[0];
    const ma = readMesh(join(a, item.person, item.id, 'mesh_posed.ply'));
    const mb = readMesh(join(b, item.person, item.id, 'mesh_posed.ply'));
    expect(Array.from(ma.positions)).toEqual(Array.from(mb.positions));
    const score = await l2(a, 'oracle-noise-1', ['posed']);
    console.log(`oracle noise σ=1 mm L2: posed ${score.posed.toFixed(4)} mm`);
    expect(score.posed).toBeGreaterThan(0.3);
  });

  it('mean-shape (via the predict command): clearly worse than the oracle', async () => {
    const out = join(root, 'mean-shape');
    const run = await cli(['predict', '--bench', bench, '--method', 'mean-shape', '--out', out]);
    expect(run.exitCode).toBe(0);
    expect(run.lines[0]).toMatch(/^mean-shape 1\.0\.0: 3 predicted, 0 already done, 0 failed of 3 items/);
    expect(JSON.parse(readFileSync(join(out, 'method.json'), 'utf8'))).toMatchObject({ name: 'mean-shape', options: { model: 'demo' } });
    const valid = await cli(['validate', '--bench', bench, '--pred', out]);
    expect(valid.exitCode).toBe(0);
    const oracleScore = await l2(join(root, 'oracle'), 'oracle');
    const score = await l2(out, 'mean-shape');
    console.log(`mean-shape (demo model) L2 (nersemble): posed ${score.posed.toFixed(4)} mm, neutral ${score.neutral.toFixed(4)} mm`);
    expect(score.failed).toBe(0);
    expect(score.posed).toBeGreaterThan(1);
    expect(score.posed).toBeGreaterThan(20 * oracleScore.posed);
    expect(score.neutral).toBeGreaterThan(20 * oracleScore.neutral);
  });

  it('resumes: a second run skips finished items; other options redo them', async () => {
    const out = join(root, 'oracle');
    const again = await runPredict({ bench, method: 'oracle', out, progress: 'silent' });
    expect(again).toMatchObject({ predicted: 0, skipped: 3, failed: 0 });
    // Timings of skipped items are kept from the run that made them.
    expect(Object.keys(again.document.timings.per_item)).toHaveLength(3);
    rmSync(join(out, manifest.items[1].person, manifest.items[1].id, 'mesh_neutral.ply'));
    const third = await runPredict({ bench, method: 'oracle', out, progress: 'silent' });
    expect(third).toMatchObject({ predicted: 1, skipped: 2 });
    const changed = await runPredict({ bench, method: 'oracle', options: { noise: 0.01 }, out, progress: 'silent' });
    expect(changed).toMatchObject({ predicted: 3, skipped: 0 });
    // Atomic writes leave no temporary files behind.
    expect(listFiles(out).filter((f) => f.includes('.tmp-'))).toEqual([]);
  });

  it('gives the same files in worker threads (--workers 2)', async () => {
    const one = join(root, 'workers-1'), two = join(root, 'workers-2');
    await runPredict({ bench, method: 'oracle', options: { noise: 0.2 }, out: one, progress: 'silent' });
    const summary = await runPredict({ bench, method: 'oracle', options: { noise: 0.2 }, out: two, workers: 2, progress: 'silent' });
    expect(summary.threads).toBe(2);
    expect(summary.outcomes.map((o) => o.item)).toEqual(manifest.items.map((i) => i.id));
    expect(summary.failed).toBe(0);
    const meshes = listFiles(one).filter((f) => f.endsWith('.ply') || f.endsWith('.npy'));
    expect(meshes).toHaveLength(12);
    expect(listFiles(two).filter((f) => f.endsWith('.ply') || f.endsWith('.npy'))).toEqual(meshes);
    for (const f of meshes) expect(readFileSync(join(two, f)).equals(readFileSync(join(one, f)))).toBe(true);
  });

  it('gives the same files with one shared pool of threads for several methods (facebench run)', async () => {
    const pool = predictPool(2)!;
    expect(pool.threads).toBe(2);
    try {
      for (const [method, options] of [['oracle', { noise: 0.2 }], ['mean-shape', {}]] as const) {
        const alone = join(root, `alone-${method}`), shared = join(root, `shared-${method}`);
        await runPredict({ bench, method, options, out: alone, progress: 'silent' });
        const summary = await runPredict({ bench, method, options, out: shared, workers: 2, pool, progress: 'silent' });
        expect(summary).toMatchObject({ threads: 2, failed: 0, predicted: 3 });
        const files = listFiles(alone).filter((f) => f.endsWith('.ply') || f.endsWith('.npy'));
        expect(files.length).toBeGreaterThan(0);
        expect(listFiles(shared).filter((f) => f.endsWith('.ply') || f.endsWith('.npy'))).toEqual(files);
        for (const f of files) expect(readFileSync(join(shared, f)).equals(readFileSync(join(alone, f))), f).toBe(true);
        // Resuming through the same pool skips every item.
        expect(await runPredict({ bench, method, options, out: shared, pool, progress: 'silent' })).toMatchObject({ predicted: 0, skipped: 3 });
      }
    } finally {
      await pool.destroy();
    }
  });

  it('scores the same with one shared pool of eval threads for several methods (facebench run)', async () => {
    const pool = evalPool(2)!;
    let calls = 0, hashed = 0, destroyed = 0;
    const counted: EvalPool = {
      threads: pool.threads,
      score: (request) => (calls++, pool.score(request)),
      hash: (paths) => ((hashed += paths.length), pool.hash(paths)),
      destroy: () => (destroyed++, pool.destroy()),
    };
    try {
      for (const method of ['oracle', 'mean-shape']) {
        const pred = join(root, `eval-pool-${method}`);
        await runPredict({ bench, method, out: pred, progress: 'silent' });
        const config = protocolDefaults('nersemble');
        const alone = await runEval({ bench, pred, out: join(root, 'eval-alone'), method, config, workers: 1, progress: 'silent' });
        const before = calls, hashedBefore = hashed;
        // The pool stays up between methods: runEval neither starts nor ends threads of its own.
        const shared = await runEval({ bench, pred, out: join(root, 'eval-shared'), method, config, workers: 2, pool: counted, progress: 'silent' });
        expect(calls - before).toBe(6);
        // The threads hashed the input files: per item, the prediction's mesh and landmarks of
        // both tasks and the posed scan and landmarks, plus the person's neutral scan and landmarks.
        expect(hashed - hashedBefore).toBe(3 * 6 + 2);
        expect(destroyed).toBe(0);
        expect(shared).toMatchObject({ scored: 6, reused: 0, failed: 0 });
        const strip = (doc: typeof alone.document) => doc.items.map(({ seconds: _s, ...rest }) => rest);
        expect(strip(shared.document)).toEqual(strip(alone.document));
      }
    } finally {
      await pool.destroy();
    }
  });

  it('records per-item errors in method.json without stopping the run', async () => {
    const flaky = defineMethod({
      name: 'flaky',
      version: '0.0.1',
      description: 'fails on the second item',
      options: z.object({}).strict(),
      async predict(item) {
        if (item.item.id === manifest.items[1].id) throw new Error('no face found');
        const mesh = readMesh(join(capture, '_truth', item.item.person, item.item.sequence, `frame_${String(item.item.frame).padStart(5, '0')}`, 'mesh.ply'));
        const lm = readLandmarks(join(bench, item.item.dir, 'landmarks.json'));
        return { posed: mesh, neutral: mesh, landmarksPosed: lm, landmarksNeutral: lm };
      },
    });
    const out = join(root, 'flaky');
    // Not a built-in method: runs in this thread, two items in flight.
    const summary = await runPredict({ bench, method: flaky, out, workers: 2, progress: 'silent' });
    expect(summary).toMatchObject({ predicted: 2, failed: 1, threads: 0 });
    const doc = readMethodDocument(out)!;
    expect(doc.failures).toEqual([{ person: manifest.items[1].person, item: manifest.items[1].id, error: 'no face found' }]);
    expect(existsSync(join(out, manifest.items[1].person, manifest.items[1].id, '.done.json'))).toBe(false);
    expect(existsSync(join(out, manifest.items[2].person, manifest.items[2].id, 'mesh_posed.ply'))).toBe(true);
  });

  it('refuses bad options and unknown methods before writing anything', async () => {
    const out = join(root, 'refused');
    for (const run of [
      () => runPredict({ bench, method: 'oracle', options: { noise: -1 }, out, progress: 'silent' }),
      () => runPredict({ bench, method: 'oracle', options: { nois: 1 }, out, progress: 'silent' }),
      () => runPredict({ bench, method: 'no-such-method', out, progress: 'silent' }),
      () => runPredict({ bench, method: 'oracle', out: join(bench, 'predictions'), progress: 'silent' }),
    ]) {
      const error = await run().then(() => undefined, (e: unknown) => e);
      expect(isInputError(error)).toBe(true);
      expect((error as Error).message).not.toContain('\n');
    }
    expect(existsSync(out)).toBe(false);
    expect(existsSync(join(bench, 'predictions'))).toBe(false);
  });

  it('oracle refuses a benchmark that is not built from the demo capture', async () => {
    const fake = join(root, 'fake-bench');
    cpSync(bench, fake, { recursive: true });
    const doc = JSON.parse(readFileSync(join(fake, 'manifest.json'), 'utf8'));
    doc.source = { ...doc.source, capture: join(root, 'real-capture'), demo: false };
    writeFileSync(join(fake, 'manifest.json'), JSON.stringify(doc));
    const error = await runPredict({ bench: fake, method: 'oracle', out: join(root, 'fake-out'), progress: 'silent' }).then(() => undefined, (e: unknown) => e);
    expect(isInputError(error)).toBe(true);
    expect((error as Error).message).toMatch(/demo benchmarks only/);
  });

  it('validate lists every problem of a broken folder at once; submission imports a valid one', async () => {
    const good = join(root, 'oracle');
    const broken = join(root, 'broken');
    cpSync(good, broken, { recursive: true });
    const [a, b, c] = manifest.items;
    const itemDir = (i: typeof a) => join(broken, i.person, i.id);
    rmSync(join(itemDir(a), 'mesh_posed.ply'));
    writeFileSync(join(itemDir(b), 'mesh_neutral.ply'), 'ply\nformat ascii 1.0\nelement vertex 3\nproperty float x\nproperty float y\nproperty float z\nelement face 1\nproperty list uchar int vertex_indices\nend_header\n0 0 0\nnan 1 0\n0 0 1\n3 0 1 2\n');
    writeFileSync(join(itemDir(c), 'mesh_posed.ply'), 'ply\nformat ascii 1.0\nelement vertex 3\nproperty float x\nproperty float y\nproperty float z\nelement face 1\nproperty list uchar int vertex_indices\nend_header\n0 0 0\n1 0 0\n0 1 0\n3 0 1 2\n');
    rmSync(join(itemDir(c), 'landmarks_posed.npy'));
    writeFileSync(join(broken, a.person, 'notes.txt'), 'stray');
    const report = validatePredictions(bench, broken);
    expect(report.problems).toHaveLength(4);
    const command = await cli(['validate', '--bench', bench, '--pred', broken]);
    expect(command.exitCode).toBe(1);
    expect(command.lines.slice(0, 4)).toEqual(report.problems);
    expect(command.lines[4]).toMatch(/4 problems over 3 items; not a valid submission/);
    expect(report.problems.some((p) => p.startsWith(`${a.person}/${a.id}/mesh_posed.ply: missing`))).toBe(true);
    expect(report.problems.some((p) => p.startsWith(`${b.person}/${b.id}/mesh_neutral.ply:`) && /non-finite/.test(p))).toBe(true);
    expect(report.problems.some((p) => p.startsWith(`${c.person}/${c.id}/mesh_posed.ply: has 3 vertices, not FLAME's 5023`))).toBe(true);
    expect(report.problems.some((p) => p.startsWith(`${a.person}/notes.txt: stray file`))).toBe(true);

    const error = await runPredict({ bench, method: 'submission', options: { from: broken }, out: join(root, 'imported-bad'), progress: 'silent' }).then(() => undefined, (e: unknown) => e);
    expect(isInputError(error)).toBe(true);
    expect((error as Error).message).toMatch(/4 problems/);

    const imported = join(root, 'imported');
    const run = await cli(['predict', '--bench', bench, '--method', 'submission', '--from', good, '--out', imported]);
    expect(run.exitCode).toBe(0);
    expect(run.lines[0]).toMatch(/^submission 1\.0\.0: 3 predicted/);
    for (const item of manifest.items) {
      const x = readMesh(join(imported, item.person, item.id, 'mesh_posed.ply'));
      const y = readMesh(join(good, item.person, item.id, 'mesh_posed.ply'));
      expect(Array.from(x.positions)).toEqual(Array.from(y.positions));
      expect(Array.from(x.faces)).toEqual(Array.from(y.faces));
    }
    expect(validatePredictions(bench, imported).problems).toEqual([]);
  });

  it('accepts a FLAME-topology mesh without a landmark file; flags bad landmark files', async () => {
    const out = join(root, 'lm-check');
    cpSync(join(root, 'oracle'), out, { recursive: true });
    const item = manifest.items[0];
    const dir = join(out, item.person, item.id);
    writeNpy(join(dir, 'landmarks_neutral.npy'), new Float64Array(15), [5, 3], '<f8');
    // A FLAME-topology mesh (5023 vertices, 9976 faces) needs no landmark file.
    const positions = Float64Array.from({ length: 3 * 5023 }, (_v, i) => Math.sin(i));
    const faces = Uint32Array.from({ length: 3 * 9976 }, (_v, i) => (i * 7) % 5023);
    writePly(join(dir, 'mesh_posed.ply'), { positions, faces });
    rmSync(join(dir, 'landmarks_posed.npy'));
    const report = validatePredictions(bench, out);
    expect(report.problems).toHaveLength(1);
    expect(report.problems[0]).toMatch(new RegExp(`^${item.person}/${item.id}/landmarks_neutral.npy: `));
  });
});
