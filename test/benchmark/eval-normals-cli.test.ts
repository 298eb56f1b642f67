import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { encodeNpy } from '../../evaluators/io/index.js';
import { facebench, tempDir } from './cli-helpers.js';

/** A minimal benchmark folder: a schema-valid manifest and one item with a GT normal map. */
function miniBench(root: string, gt: Float32Array, w: number, h: number): string {
  const bench = join(root, 'bench');
  const dir = 'items/001/EXP_000_cam';
  mkdirSync(join(bench, dir), { recursive: true });
  writeFileSync(join(bench, dir, 'normals.npy'), encodeNpy(gt, [h, w, 3], '<f4'));
  const manifest = {
    schema: 'facebench-benchmark', version: 1, tool: { name: 'facebench', version: '0' }, created: '2025-01-01', source: { capture: 'x', unit: 'm', demo: true },
    protocol: { name: 'nersemble', tasks: ['posed', 'neutral'], unit: 'mm' }, build: {},
    persons: [{ id: '001', neutral: { sequence: 'N', frame: 0, dir: 'persons/001/neutral', points: 1, rule: 'given' }, items: ['EXP_000_cam'] }],
    items: [{ id: 'EXP_000_cam', person: '001', sequence: 'EXP', frame: 0, camera: 'cam', rank: 0, distance: 1, dir, points: 1 }],
    files: {},
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

    const wrong = join(root, 'wrong');
    mkdirSync(join(wrong, '001', 'EXP_000_cam'), { recursive: true });
    writeFileSync(join(wrong, '001', 'EXP_000_cam', 'normals.npy'), encodeNpy(new Float32Array(6), [1, 2, 3], '<f4'));
    const bad = facebench(['eval-normals', '--bench', bench, '--pred', wrong, '--out', out]);
    expect(bad.status).toBe(1);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    expect(bad.stderr).toMatch(/normals\.npy: has shape \(1, 2, 3\); expected \(2, 4, 3\)/);
  });
});
