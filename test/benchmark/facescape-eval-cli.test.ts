import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadFacescapeGt, readFacescapeBenchmark } from '../../evaluators/formats/index.js';
import { writePly } from '../../evaluators/io/index.js';
import { mapPositions, writeFacescapeLayout, type FacescapeLayout } from '../helpers/facescape-layout.js';
import { facebench, tempDir } from './cli-helpers.js';

/**
 * A FaceScape benchmark in FaceScape's layout, written by the test (4 in-the-wild and 3
 * in-the-lab samples), scored through the CLI: predictions equal to the GT, moved in
 * depth only, or missing.
 */
describe('facebench eval/score --protocol facescape-*', () => {
  const root = tempDir('facescape-eval');
  let layout: FacescapeLayout;
  const out = join(root, 'results');

  beforeAll(() => {
    layout = writeFacescapeLayout(join(root, 'benchmark'), {
      wild: [0, 150, 250, 350],
      lab: [{ subject: 0, focal: 0, view: 0 }, { subject: 0, focal: 0, view: 3 }, { subject: 1, focal: 1, view: 9 }],
      resolution: [60, 90],
    });
    // in-the-wild: the first sample exact, the others pushed 0.3 cube units away from the camera; 350 missing.
    for (const s of layout.wild.filter((s) => s.name !== '350')) {
      const dz = s.name === '000' ? 0 : -0.3;
      writePly(join(root, 'wild-pred', `${s.name}.ply`), mapPositions(s.gt, (x, y, z) => [x, y, z + dz]), { format: 'binary_little_endian', precision: 'double' });
    }
    // in-the-lab: placed 10 % deeper along the camera rays, in cm (read with --pred-unit cm).
    for (const s of layout.lab) writePly(join(root, 'lab-pred', `${s.name}.ply`), mapPositions(s.gt, (x, y, z) => [0.11 * x, 0.11 * y, 0.11 * z]), { format: 'binary_little_endian', precision: 'double' });
    writeFileSync(join(root, 'lab-pred', 'method.json'), JSON.stringify({ name: 'lab-method' }));
  });

  it('scores every in-the-wild sample, recovers the depth shift, and records a missing prediction as failed', () => {
    const run = facebench(['eval', '--protocol', 'facescape-wild', '--bench', layout.root, '--pred', join(root, 'wild-pred'), '--out', out, '--method', 'wild-method', '--workers', '1', '--quiet']);
    expect(run.status, run.stderr).toBe(0);
    const doc = JSON.parse(readFileSync(join(out, 'wild-method', 'results.json'), 'utf8'));
    expect(doc.protocol.protocol).toBe('facescape-wild');
    expect(doc.protocol.align).toBe('depth');
    expect(doc.items.map((r: { item: string }) => r.item)).toEqual(['000', '150', '250', '350']);
    for (const r of doc.items.slice(0, 3)) {
      expect(r.status).toBe('ok');
      expect(r.person).toBe('wild');
      expect(r.metrics.cd).toBeLessThan(1e-9);
      expect(r.metrics.mne).toBeLessThan(1e-6);
      expect(r.metrics.cr).toBe(1);
    }
    // A shift of −0.3 cube units moves the prediction 0.3·scale mm farther: Δz = GT depth − prediction depth.
    const s150 = layout.wild[1];
    expect(doc.items[1].depth_alignment.delta_z_mm).toBeCloseTo(-0.3 * s150.view.pupilScale, 9);
    expect(doc.items[3].status).toBe('error');
    expect(doc.items[3].error).toMatch(/350\.ply/);
    expect(doc.summary.posed.scored).toBe(3);
    expect(doc.summary.posed.failed).toBe(1);
    const csv = readFileSync(join(out, 'wild-method', 'metrics.csv'), 'utf8');
    expect(csv.split('\n')[0]).toContain('cd,mne,cr');
    // Resumable: a second run reuses every scored sample.
    const again = facebench(['eval', '--protocol', 'facescape-wild', '--bench', layout.root, '--pred', join(root, 'wild-pred'), '--out', out, '--method', 'wild-method', '--workers', '1']);
    expect(again.status, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/0 scored now, 3 reused|1 scored now, 3 reused/);
  });

  it('scores in-the-lab samples placed deeper along the camera rays in another unit, with workers', () => {
    const run = facebench(['eval', '--protocol', 'facescape-lab', '--bench', join(layout.root, 'data'), '--pred', join(root, 'lab-pred'), '--pred-unit', 'cm', '--out', out, '--workers', '2', '--quiet']);
    expect(run.status, run.stderr).toBe(0);
    const doc = JSON.parse(readFileSync(join(out, 'lab-method', 'results.json'), 'utf8'));
    expect(doc.items.map((r: { person: string; item: string }) => `${r.person}/${r.item}`)).toEqual(['00/00_0_00', '00/00_0_03', '01/01_1_09']);
    for (const r of doc.items) {
      expect(r.status, r.error).toBe('ok');
      expect(Math.abs(r.depth_alignment.scale * 1.1 - 1)).toBeLessThan(1e-3);
      expect(r.metrics.cd).toBeLessThan(0.3);
      expect(r.metrics.cr).toBeGreaterThan(0.99);
    }
    // Table 3's FaceScape columns come from these in-the-lab results.
    const tables = facebench(['tables', '--results', out, '--out', join(root, 'tables')]);
    expect(tables.status, tables.stderr).toBe(0);
    const table3 = readFileSync(join(root, 'tables', 'table3.csv'), 'utf8');
    const row = table3.split('\n').find((l) => l.startsWith('lab-method'))!;
    expect(row).toBeDefined();
    expect(row).not.toMatch(/n\/a,n\/a,n\/a$/);
  });

  it('scores one sample with `score --sample` and prints CD, MNE, CR', () => {
    const s = layout.lab[0];
    const pred = join(root, 'lab-exact.ply');
    // The GT exactly as the protocol reads it (the layout's own copy differs in the last bits,
    // enough to move a ray tangent to the synthetic head's pole in or out).
    const [sample] = readFacescapeBenchmark(layout.root, 'fslab', { samples: [s.name] }).samples;
    writePly(pred, loadFacescapeGt(sample), { format: 'binary_little_endian', precision: 'double' });
    const run = facebench(['score', '--protocol', 'facescape-lab', '--pred', pred, '--gt', layout.root, '--sample', s.name, '--json']);
    expect(run.status, run.stderr).toBe(0);
    const doc = JSON.parse(run.stdout);
    expect(doc.sample).toBe('00_0_00');
    expect(doc.metrics.cd).toBeLessThan(1e-9);
    expect(doc.metrics.cr).toBe(1);
    expect(doc.pixels.shared).toBe(doc.pixels.gt);
  });

  it('refuses flags that do not apply and bad samples in one line, writing nothing', () => {
    const s = layout.wild[0];
    const pred = join(root, 'wild-pred', `${s.name}.ply`);
    const cases: [string[], RegExp][] = [
      [['score', '--protocol', 'facescape-wild', '--pred', pred, '--gt', layout.root], /--sample: is required by protocol facescape-wild/],
      [['score', '--protocol', 'facescape-wild', '--pred', pred, '--gt', layout.root, '--sample', '000', '--align', 'landmarks'], /--align: does not apply to protocol facescape-wild/],
      [['score', '--protocol', 'facescape-wild', '--pred', pred, '--gt', layout.root, '--sample', '000', '--pred-unit', 'cm'], /--pred-unit: does not apply/],
      [['score', '--protocol', 'facescape-wild', '--pred', pred, '--gt', layout.root, '--sample', '001'], /001/],
      [['score', '--protocol', 'facescape-lab', '--pred', pred, '--gt', layout.root, '--sample', '00_0_00', '--gt-landmarks', pred], /--gt-landmarks: does not apply/],
      [['score', '--pred', pred, '--gt', pred], /--gt-landmarks: is required by protocol nersemble/],
      [['eval', '--protocol', 'facescape-lab', '--bench', join(root, 'nowhere'), '--pred', join(root, 'lab-pred'), '--out', join(root, 'never')], /nowhere/],
    ];
    for (const [args, message] of cases) {
      const run = facebench(args);
      expect(run.status, args.join(' ')).toBe(1);
      const lines = run.stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(message);
    }
    expect(existsSync(join(root, 'never'))).toBe(false);
  });
});
