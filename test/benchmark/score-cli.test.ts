import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { writeLandmarksJson, writePly } from '../../evaluators/io/index.js';
import { ictFace, ictSevenLandmarks, sampleSurface } from '../helpers/faces.js';
import { axisAngle, rng, similarity } from '../helpers/random.js';
import { facebench, listFiles, tempDir } from './cli-helpers.js';

describe('facebench score', () => {
  const dir = tempDir('score');
  const files = {
    pred: join(dir, 'pred.ply'),
    predM: join(dir, 'pred_m.ply'),
    predLm: join(dir, 'pred_lm.json'),
    predLmM: join(dir, 'pred_lm_m.json'),
    gt: join(dir, 'gt.ply'),
    gtNoNormals: join(dir, 'gt_points.ply'),
    gtLm: join(dir, 'gt_lm.json'),
  };

  beforeAll(() => {
    const { mesh } = ictFace();
    const R = axisAngle([0, 1, 0.2], 0.3);
    const moved = similarity(mesh.positions, 0.9, R, [10, -20, 30]);
    writePly(files.pred, { positions: moved, faces: mesh.faces }, { format: 'binary_little_endian' });
    writeLandmarksJson(files.predLm, ictSevenLandmarks(moved));
    const metres = moved.map((v) => v / 1000);
    writePly(files.predM, { positions: metres, faces: mesh.faces }, { format: 'binary_little_endian', precision: 'double' });
    writeLandmarksJson(files.predLmM, ictSevenLandmarks(metres));
    const s = sampleSurface(mesh, 3000, rng(1), (f) => mesh.faces[3 * f] < 6706);
    writePly(files.gt, { positions: s.positions, faces: new Uint32Array(0), normals: s.normals }, { format: 'binary_little_endian', precision: 'double' });
    writePly(files.gtNoNormals, { positions: s.positions, faces: new Uint32Array(0) }, { format: 'ascii', precision: 'double' });
    writeLandmarksJson(files.gtLm, ictSevenLandmarks());
  });

  it('writes the documented JSON with near-zero error for an exact prediction', () => {
    const out = join(dir, 'score.json');
    const r = facebench(['score', '--pred', files.pred, '--gt', files.gt, '--gt-landmarks', files.gtLm, '--pred-landmarks', files.predLm, '--out', out]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const doc = JSON.parse(readFileSync(out, 'utf8'));
    expect(doc.protocol).toBe('nersemble');
    expect(Object.keys(doc.metrics).sort()).toEqual(['l1', 'l2', 'median', 'nc', 'points', 'r10', 'r1', 'r2_5', 'r5'].sort());
    expect(doc.metrics.l2).toBeLessThan(1e-5);
    expect(doc.metrics.r2_5).toBe(1);
    expect(doc.metrics.points).toBe(3000);
    expect(doc.alignment.scale).toBeCloseTo(1 / 0.9, 6);
    expect(doc.alignment.rotation).toHaveLength(3);
    expect(doc.alignment.translation).toHaveLength(3);
    expect(doc.alignment.iterations).toBeGreaterThanOrEqual(1);
    expect(doc.alignment.landmark_rmse).toBeLessThan(1e-6);
    expect(doc.gt_normals).toBe('file');
    expect(r.stdout).toMatch(/l2\s+0\.0000/);
  });

  it('converts units at the boundary: a prediction in metres scores the same', () => {
    const a = join(dir, 'mm.json');
    const b = join(dir, 'm.json');
    expect(facebench(['score', '--pred', files.pred, '--gt', files.gt, '--gt-landmarks', files.gtLm, '--pred-landmarks', files.predLm, '--protocol', 'nersemble-metrical', '--out', a]).status).toBe(0);
    expect(
      facebench(['score', '--pred', files.predM, '--pred-unit', 'm', '--gt', files.gt, '--gt-landmarks', files.gtLm, '--pred-landmarks', files.predLmM, '--protocol', 'nersemble-metrical', '--out', b]).status,
    ).toBe(0);
    const ma = JSON.parse(readFileSync(a, 'utf8')).metrics;
    const mb = JSON.parse(readFileSync(b, 'utf8')).metrics;
    // Metrical: the 0.9 scale is kept, so the error is real (and the same in both units).
    expect(ma.l2).toBeGreaterThan(1);
    expect(mb.l2).toBeCloseTo(ma.l2, 6);
  });

  it('--align landmarks stops after the landmark similarity; NoW writes median/mean/std', () => {
    const out = join(dir, 'now.json');
    const r = facebench(['score', '--pred', files.pred, '--gt', files.gtNoNormals, '--gt-landmarks', files.gtLm, '--pred-landmarks', files.predLm, '--protocol', 'now', '--align', 'landmarks', '--out', out]);
    expect(r.status).toBe(0);
    const doc = JSON.parse(readFileSync(out, 'utf8'));
    expect(Object.keys(doc.metrics).sort()).toEqual(['mean', 'median', 'points', 'std']);
    expect(doc.alignment.iterations).toBe(0);
    expect(doc.metrics.mean).toBeLessThan(1e-5);
  });

  it('says when NC uses estimated normals', () => {
    const out = join(dir, 'est.json');
    const r = facebench(['score', '--pred', files.pred, '--gt', files.gtNoNormals, '--gt-landmarks', files.gtLm, '--pred-landmarks', files.predLm, '--out', out]);
    expect(r.status).toBe(0);
    expect(JSON.parse(readFileSync(out, 'utf8')).gt_normals).toBe('estimated');
    expect(r.stdout).toMatch(/normals estimated/);
  });

  describe('bad input: one line naming the file, non-zero exit, no output', () => {
    const cases: [string, () => string[], RegExp][] = [
      ['missing GT file', () => ['--gt', join(dir, 'nope.ply')], /nope\.ply: file not found/],
      ['non-FLAME mesh without landmarks', () => ['--pred-landmarks', ''], /pred\.ply: .*--pred-landmarks/],
      [
        'landmarks of the wrong shape',
        () => {
          const bad = join(dir, 'bad_lm.json');
          writeFileSync(bad, JSON.stringify([[1, 2, 3], [4, 5, 6]]));
          return ['--gt-landmarks', bad];
        },
        /bad_lm\.json: .*7/,
      ],
      [
        'NaN in the GT cloud',
        () => {
          const bad = join(dir, 'nan.ply');
          writeFileSync(bad, 'ply\nformat ascii 1.0\nelement vertex 2\nproperty float x\nproperty float y\nproperty float z\nend_header\n0 0 0\nnan 1 2\n');
          return ['--gt', bad];
        },
        /nan\.ply: .*(non-finite|NaN)/i,
      ],
      [
        'empty prediction mesh',
        () => {
          const bad = join(dir, 'empty.ply');
          writeFileSync(bad, 'ply\nformat ascii 1.0\nelement vertex 0\nproperty float x\nproperty float y\nproperty float z\nelement face 0\nproperty list uchar int vertex_indices\nend_header\n');
          return ['--pred', bad];
        },
        /empty\.ply: .*empty/,
      ],
      ['unknown protocol', () => ['--protocol', 'foo'], /protocol/],
    ];
    for (const [name, args, message] of cases) {
      it(name, () => {
        const out = join(dir, `bad-${name.replace(/\W+/g, '-')}.json`);
        const base: Record<string, string> = { '--pred': files.pred, '--gt': files.gt, '--gt-landmarks': files.gtLm, '--pred-landmarks': files.predLm };
        const extra = args();
        for (let i = 0; i < extra.length; i += 2) base[extra[i]] = extra[i + 1];
        const argv = ['score', ...Object.entries(base).flatMap(([k, v]) => (v === '' ? [] : [k, v])), '--out', out];
        const before = listFiles(dir);
        const r = facebench(argv);
        expect(r.status).not.toBe(0);
        const lines = r.stderr.trim().split('\n');
        expect(lines[0]).toMatch(message);
        expect(lines).toHaveLength(1);
        expect(existsSync(out)).toBe(false);
        expect(listFiles(dir)).toEqual(before);
      });
    }
  });
});
