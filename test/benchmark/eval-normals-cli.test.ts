import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { benchmarkId, readManifest } from '../../evaluators/formats/index.js';
import { encodeNpy } from '../../evaluators/io/index.js';
import { grid, makeDoc, writeDoc } from '../reports/leaderboard-fixtures.js';
import { facebench, tempDir } from './cli-helpers.js';

/** A minimal benchmark folder: a schema-valid manifest and one item with a GT normal map. */
function miniBench(root: string, gt: Float32Array, w: number, h: number): string {
  const bench = join(root, 'bench');
  const dir = 'items/001/EXP_000_cam';
  mkdirSync(join(bench, dir), { recursive: true });
  const npy = encodeNpy(gt, [h, w, 3], '<f4');
  writeFileSync(join(bench, dir, 'normals.npy'), npy);
  const manifest = {
    schema: 'facebench-benchmark', version: 1, tool: { name: 'facebench', version: '0' }, created: '2025-01-01', source: { capture: 'x', unit: 'm', demo: true },
    protocol: { name: 'nersemble', tasks: ['posed', 'neutral'], unit: 'mm' }, build: {},
    persons: [{ id: '001', neutral: { sequence: 'N', frame: 0, dir: 'persons/001/neutral', points: 1, rule: 'given' }, items: ['EXP_000_cam'] }],
    items: [{ id: 'EXP_000_cam', person: '001', sequence: 'EXP', frame: 0, camera: 'cam', rank: 0, distance: 1, dir, points: 1 }],
    files: { [`${dir}/normals.npy`]: createHash('sha256').update(npy).digest('hex') },
  };
  writeFileSync(join(bench, 'manifest.json'), JSON.stringify(manifest));
  return bench;
}

describe('facebench eval-normals', () => {
  it('scores .npy predictions, writes normals.json and normals.csv, and refuses a wrong shape in one line', () => {
    const root = tempDir('facebench-evalnormals-');
    const w = 4, h = 2;
    const gt = new Float32Array(3 * w * h);
    for (let p = 0; p < w * h; p++) gt.set([0, 0, -1], 3 * p);
    const bench = miniBench(root, gt, w, h);
    const pred = join(root, 'pred');
    mkdirSync(join(pred, '001', 'EXP_000_cam'), { recursive: true });
    // tilted by 60° about x: cosine 0.5
    const tilted = new Float32Array(3 * w * h);
    for (let p = 0; p < w * h; p++) tilted.set([0, Math.sin(Math.PI / 3), -Math.cos(Math.PI / 3)], 3 * p);
    writeFileSync(join(pred, '001', 'EXP_000_cam', 'normals.npy'), encodeNpy(tilted, [h, w, 3], '<f4'));
    const out = join(root, 'out');
    const r = facebench(['eval-normals', '--bench', bench, '--pred', pred, '--out', out]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const json = JSON.parse(readFileSync(join(out, 'normals.json'), 'utf8'));
    expect(json.overall.meanCosine).toBeCloseTo(0.5, 6);
    expect(json.overall.meanAngleDeg).toBeCloseTo(60, 4);
    expect(json.items[0]).toMatchObject({ person: '001', item: 'EXP_000_cam', pixels: 8, missing: 0 });
    expect(readFileSync(join(out, 'normals.csv'), 'utf8').split('\n')[0]).toBe('person,item,pixels,missing,meanCosine,meanAngleDeg,medianAngleDeg');
    // Named after the predictions folder (no method.json), with the benchmark's id.
    expect(json).toMatchObject({ method: 'pred', benchmark_id: benchmarkId(readManifest(bench)), tool: { name: 'facebench' } });

    const wrong = join(root, 'wrong');
    mkdirSync(join(wrong, '001', 'EXP_000_cam'), { recursive: true });
    writeFileSync(join(wrong, '001', 'EXP_000_cam', 'normals.npy'), encodeNpy(new Float32Array(6), [1, 2, 3], '<f4'));
    const bad = facebench(['eval-normals', '--bench', bench, '--pred', wrong, '--out', out]);
    expect(bad.status).toBe(1);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    expect(bad.stderr).toMatch(/normals\.npy: has shape \(1, 2, 3\); expected \(2, 4, 3\)/);
  });

  it('--method names the results; report reads a normals.json written beside results.json as Table 4; changed GT maps are refused', () => {
    const root = tempDir('facebench-evalnormals-method-');
    const w = 3, h = 3;
    const gt = new Float32Array(3 * w * h);
    for (let p = 0; p < w * h; p++) gt.set([0, 0, -1], 3 * p);
    const bench = miniBench(root, gt, w, h);
    const pred = join(root, 'pred');
    mkdirSync(join(pred, '001', 'EXP_000_cam'), { recursive: true });
    writeFileSync(join(pred, '001', 'EXP_000_cam', 'normals.npy'), encodeNpy(gt, [h, w, 3], '<f4'));
    // An eval results folder of this benchmark; eval-normals writes beside its results.json.
    const id = benchmarkId(readManifest(bench));
    const results = join(root, 'results');
    const methodDir = writeDoc(results, makeDoc({ method: 'mine', sha: id, items: grid(['001'], ['EXP_000_cam'], ['posed', 'neutral'], () => 1) }));
    const r = facebench(['eval-normals', '--bench', bench, '--pred', pred, '--out', methodDir, '--method', 'mine']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^mine normal maps: 1 items, mean cosine 1\.0000/);
    const doc = JSON.parse(readFileSync(join(methodDir, 'normals.json'), 'utf8'));
    expect(doc).toMatchObject({ method: 'mine', benchmark_id: id, overall: { items: 1, missingItems: 0, meanCosine: 1 } });
    // Without --method, as eval names results: method.json's name, else the folder's name.
    writeFileSync(join(pred, 'method.json'), JSON.stringify({ name: 'from-method-json', version: '1' }));
    expect(facebench(['eval-normals', '--bench', bench, '--pred', pred, '--out', join(root, 'named'), '--quiet']).stdout).toBe('');
    expect(JSON.parse(readFileSync(join(root, 'named', 'normals.json'), 'utf8')).method).toBe('from-method-json');
    expect(facebench(['eval-normals', '--bench', bench, '--pred', pred, '--out', join(root, 'x'), '--method', '../up']).stderr).toMatch(/--method: method name "\.\.\/up" is not a plain name/);

    const report = facebench(['report', '--results', results, '--out', join(root, 'report.html'), '--worst', '0', '--quiet']);
    expect(report.stderr).toBe('');
    expect(report.status).toBe(0);
    const tables = JSON.parse(readFileSync(join(root, 'report.json'), 'utf8'));
    expect(tables.normals.rows).toMatchObject([{ method: 'mine', values: { meanCosine: 1, meanAngleDeg: 0, medianAngleDeg: 0 }, scored: 1, missing: 0, benchmark_id: id }]);
    expect(readFileSync(join(root, 'report.html'), 'utf8')).toContain('Normal estimation (Table 4)');

    // A GT normal map changed since the build is refused: the results would carry the benchmark's id.
    writeFileSync(join(bench, 'items/001/EXP_000_cam/normals.npy'), encodeNpy(new Float32Array(3 * w * h).fill(1), [h, w, 3], '<f4'));
    const changed = facebench(['eval-normals', '--bench', bench, '--pred', pred, '--out', join(root, 'changed')]);
    expect(changed.status).toBe(1);
    expect(changed.stderr.trim().split('\n')).toHaveLength(1);
    expect(changed.stderr).toMatch(/manifest\.json: 1 file of the benchmark changed since it was built \(items\/001\/EXP_000_cam\/normals\.npy\)/);
  });
});
