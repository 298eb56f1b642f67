import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { defineMethod } from '../../baselines/adapter.js';
import { registerBuiltinMethods } from '../../baselines/builtin.js';
import { registerMethod } from '../../baselines/registry.js';
import { ablateCommand } from '../../benchmark/commands/ablate.js';
import { runBuild } from '../../benchmark/construct/index.js';
import { buildProgram } from '../../benchmark/program.js';
import { DEMO_NEUTRAL, generateDemoCapture } from '../../data/index.js';
import { isInputError } from '../../evaluators/errors.js';
import { readResultsFile } from '../../evaluators/formats/index.js';
import { readLandmarks, readMesh } from '../../evaluators/io/index.js';
import { seededRandom } from '../../evaluators/util/index.js';
import { listFiles, tempDir } from './cli-helpers.js';

/**
 * `facebench ablate` on a small demo benchmark (1 person, 3 expressions) with a test method
 * whose `variant` adds seeded vertex noise of a known size to the generator's truth meshes:
 * full 0 mm, only-uv 0.5 mm, only-normal 1.5 mm. The table's rows, deltas, the paired tests'
 * units, the files, resuming and the refusal of an unknown variant are checked.
 */
const NOISE = { full: 0, 'only-uv': 0.5, 'only-normal': 1.5 } as const;

describe('facebench ablate', () => {
  const root = tempDir('ablate');
  const capture = join(root, 'capture');
  const bench = join(root, 'bench');
  const out = join(root, 'ablation');
  let calls = 0;

  const noisy = defineMethod({
    name: 'ablation-probe',
    version: '1.0.0',
    description: 'truth meshes with per-variant seeded noise (tests)',
    options: z.object({ variant: z.enum(['full', 'only-uv', 'only-normal']).default('full'), seed: z.number().int().default(3) }).strict(),
    async predict(item, options) {
      calls++;
      const frame = join(capture, '_truth', item.item.person, item.item.sequence, `frame_${String(item.item.frame).padStart(5, '0')}`, 'mesh.ply');
      const mesh = readMesh(frame);
      const random = seededRandom(options.seed + item.item.frame);
      const sigma = NOISE[options.variant];
      const positions = Float64Array.from(mesh.positions, (x) => x + sigma * (2 * random() - 1));
      const lm = readLandmarks(join(bench, item.item.dir, 'landmarks.json'));
      return { posed: { positions, faces: mesh.faces }, neutral: { positions, faces: mesh.faces }, landmarksPosed: lm, landmarksNeutral: lm };
    },
  });

  beforeAll(async () => {
    registerBuiltinMethods();
    registerMethod(noisy, { replace: true });
    generateDemoCapture(capture, { persons: 1, framesPerPerson: 21, cameras: 8 });
    await runBuild({ capture, out: bench, unit: 'm', expressions: 3, neutral: `${DEMO_NEUTRAL.sequence}/${DEMO_NEUTRAL.frame}`, imageSize: 128, visibilityToleranceMm: 2, demo: true, progress: 'silent' });
  }, 300_000);

  const base = { bench, method: 'ablation-probe', out, protocol: 'nersemble' as const, align: 'icp' as const, predUnit: 'mm' as const, gtUnit: 'mm' as const, workers: 1, quiet: true, resamples: 500 };

  it('refuses an unknown variant before any work, writing nothing', async () => {
    const before = calls;
    for (const variants of [['full', 'only-uv', 'no-such-variant'], ['full', '../x'], ['full'], ['full', 'full']]) {
      const error = await ablateCommand({ ...base, variants }).then(() => undefined, (e: unknown) => e);
      expect(isInputError(error), String(error)).toBe(true);
      expect((error as Error).message).not.toContain('\n');
    }
    const unknown = await ablateCommand({ ...base, variants: ['full', 'no-such-variant'] }).then(() => undefined, (e: unknown) => e);
    expect((unknown as Error).message).toMatch(/^--variants no-such-variant: invalid options for method ablation-probe: variant:/);
    const badBase = await ablateCommand({ ...base, variants: ['full', 'only-uv'], base: 'only-normal' }).then(() => undefined, (e: unknown) => e);
    expect((badBase as Error).message).toMatch(/^--base: variant "only-normal" is not among --variants/);
    expect(existsSync(out)).toBe(false);
    expect(calls).toBe(before);
  });

  it('predicts and scores each variant, and writes the table with deltas and paired tests against full', async () => {
    // Through the command line: --variants takes space-separated values; "full" is the default base.
    const program = buildProgram();
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    try {
      await program.parseAsync(['ablate', '--bench', bench, '--method', 'ablation-probe', '--variants', 'only-uv', 'full', 'only-normal', '--out', out, '--workers', '1', '--resamples', '500', '--quiet'], { from: 'user' });
    } finally {
      log.mockRestore();
    }
    expect(calls).toBe(9);
    for (const v of ['full', 'only-uv', 'only-normal']) {
      expect(existsSync(join(out, 'predictions', `ablation-probe-${v}`, 'method.json'))).toBe(true);
      expect(readResultsFile(join(out, 'results', `ablation-probe-${v}`, 'results.json')).summary.posed.scored).toBe(3);
    }
    for (const f of ['ablation.csv', 'ablation.json', 'ablation.html']) expect(existsSync(join(out, f))).toBe(true);
    const a = JSON.parse(readFileSync(join(out, 'ablation.json'), 'utf8'));
    expect(a.method).toBe('ablation-probe');
    expect(a.base).toBe('full');
    expect(a.rows.map((r: { variant: string; role: string }) => [r.variant, r.role])).toEqual([['only-uv', 'variant'], ['full', 'base'], ['only-normal', 'variant']]);
    const [uv, full, normal] = a.rows;
    const results = (v: string) => readResultsFile(join(out, 'results', `ablation-probe-${v}`, 'results.json'));
    for (const task of ['neutral', 'posed'] as const) {
      for (const m of ['l1', 'l2', 'nc', 'r2_5']) {
        expect(full.values[task][m]).toBe(results('full').summary[task].metrics[m]);
        expect(uv.deltas[task][m]).toBeCloseTo(results('only-uv').summary[task].metrics[m] - results('full').summary[task].metrics[m], 12);
      }
      // More noise, larger error: the deltas against full grow with the variant's noise.
      // The neutral prediction is the posed truth, so only the posed task is near zero for full.
      if (task === 'posed') expect(full.values[task].l2).toBeLessThan(0.1);
      expect(uv.deltas[task].l2).toBeGreaterThan(0);
      expect(normal.deltas[task].l2).toBeGreaterThan(uv.deltas[task].l2);
      if (task === 'posed') expect(normal.deltas[task].r2_5).toBeLessThanOrEqual(0);
    }
    expect(full.deltas).toBeNull();
    expect(full.tests).toBeNull();
    // Paired tests: posed by item (3 items), neutral by person (1 person); the mean difference is the delta.
    expect(a.resampling).toEqual({ posed: 'item', neutral: 'person' });
    expect(normal.tests.posed.l2).toMatchObject({ unit: 'item', units: 3, n: 3 });
    expect(normal.tests.neutral.l2).toMatchObject({ unit: 'person', units: 1, n: 3 });
    expect(normal.tests.posed.l2.meanDifference).toBeCloseTo(normal.deltas.posed.l2, 9);
    expect(normal.tests.posed.l2.lower).toBeGreaterThan(0);
    expect(normal.tests.posed.l2.pValue).toBeCloseTo(0.25, 9); // exact Wilcoxon, 3 items all worse: 2/2^3
    // CSV: one row per variant in the given order, the units named.
    const csv = readFileSync(join(out, 'ablation.csv'), 'utf8').trim().split('\n');
    expect(csv).toHaveLength(4);
    const header = csv[0].split(',');
    expect(header.slice(0, 4)).toEqual(['method', 'variant', 'results', 'role']);
    const row = (line: string) => Object.fromEntries(line.split(',').map((v, i) => [header[i], v]));
    expect(row(csv[3])).toMatchObject({ variant: 'only-normal', role: 'variant', posed_unit: 'item', posed_n_units: '3', neutral_unit: 'person', neutral_n_units: '1' });
    expect(Number(row(csv[3]).posed_l2_delta)).toBeCloseTo(normal.deltas.posed.l2, 9);
    expect(row(csv[2])).toMatchObject({ variant: 'full', role: 'base', posed_l2_delta: '' });
    // HTML: self-contained, names every variant, escapes text.
    const html = readFileSync(join(out, 'ablation.html'), 'utf8');
    expect(html).toMatch(/^<!DOCTYPE html>/);
    expect(html).not.toMatch(/<script[^>]+src=|<link /);
    for (const v of ['full (base)', 'only-uv', 'only-normal', 'person, n = 1', 'item, n = 3']) expect(html).toContain(v);
    expect(listFiles(out).filter((f) => f.includes('.tmp-'))).toEqual([]);
  }, 300_000);

  it('resumes: a second run predicts and scores nothing new and gives the same table; --base picks another base', async () => {
    const before = calls;
    const again = await ablateCommand({ ...base, variants: ['only-uv', 'full', 'only-normal'] });
    expect(calls).toBe(before);
    expect(again.predicted).toEqual({ 'only-uv': 0, full: 0, 'only-normal': 0 });
    const first = JSON.parse(readFileSync(join(out, 'ablation.json'), 'utf8'));
    expect(first.rows[2].values).toEqual(again.ablation.rows[2].values);
    const other = await ablateCommand({ ...base, variants: ['only-uv', 'full', 'only-normal'], base: 'only-normal' });
    expect(calls).toBe(before);
    expect(other.ablation.base).toBe('only-normal');
    expect(other.ablation.rows[1].deltas!.posed.l2).toBeLessThan(0);
  }, 300_000);
});
