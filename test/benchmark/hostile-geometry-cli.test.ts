/**
 * Geometry that reads but cannot be scored, through the commands a user runs: `score`
 * refuses it with one stderr line naming the file and writes nothing, `eval` records a
 * one-line failure, `validate` lists it; unit mistakes that still score are reported as
 * warnings on stderr and in the JSON.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { writeLandmarksJson, writeNpy, writePly } from '../../evaluators/io/index.js';
import { ictFace, ictFaceRegion, ictSevenLandmarks, sampleSurface } from '../helpers/faces.js';
import { rng } from '../helpers/random.js';
import { facebench, listFiles, tempDir, type CliResult } from './cli-helpers.js';

/** Exit 1, one stderr line `facebench: <file>: …` matching `message`. */
function expectRefused(r: CliResult, file: string, message: RegExp): void {
  expect(r.status, r.stderr).toBe(1);
  const lines = r.stderr.trim().split('\n');
  expect(lines, r.stderr).toHaveLength(1);
  expect(lines[0].startsWith(`facebench: ${file}: `), lines[0]).toBe(true);
  expect(lines[0].slice(`facebench: ${file}: `.length)).toMatch(message);
}

describe('facebench score: geometry that cannot be scored', () => {
  const dir = tempDir('hostile-score');
  const path = (name: string) => join(dir, name);
  const { mesh } = ictFace();

  beforeAll(() => {
    writePly(path('pred.ply'), { positions: mesh.positions, faces: mesh.faces });
    writeLandmarksJson(path('pred_lm.json'), ictSevenLandmarks());
    const s = sampleSurface(mesh, 2000, rng(3), ictFaceRegion);
    writePly(path('gt.ply'), { positions: s.positions, faces: new Uint32Array(0), normals: s.normals }, { precision: 'double' });
    writePly(path('gt3.ply'), { positions: s.positions.slice(0, 9), faces: new Uint32Array(0) }, { precision: 'double' });
    writeLandmarksJson(path('gt_lm.json'), ictSevenLandmarks());
    writePly(path('flat.ply'), { positions: new Float64Array(mesh.positions.length).fill(7), faces: mesh.faces });
    const far = Float64Array.from(mesh.positions);
    far[3 * 12] = 1e30;
    writePly(path('far.ply'), { positions: far, faces: mesh.faces }, { precision: 'double' });
    // The first 3000 vertices with the faces among them, under a header that declares 5023 vertices.
    const kept: number[] = [];
    for (let f = 0; f < mesh.faces.length; f += 3) {
      if (mesh.faces[f] < 3000 && mesh.faces[f + 1] < 3000 && mesh.faces[f + 2] < 3000) kept.push(mesh.faces[f], mesh.faces[f + 1], mesh.faces[f + 2]);
    }
    writePly(path('part.ply'), { positions: mesh.positions.slice(0, 9000), faces: Uint32Array.from(kept) });
    const part = readFileSync(path('part.ply'));
    const headerEnd = part.indexOf('end_header');
    const header = part.subarray(0, headerEnd).toString('latin1');
    expect(header).toContain('element vertex 3000\n');
    writeFileSync(path('promises-more.ply'), Buffer.concat([Buffer.from(header.replace('element vertex 3000\n', 'element vertex 5023\n'), 'latin1'), part.subarray(headerEnd)]));
    writeFileSync(path('trailing.ply'), Buffer.concat([readFileSync(path('pred.ply')), Buffer.alloc(100, 0x20)]));
    writeFileSync(path('gt_lm_bom.json'), `\uFEFF${readFileSync(path('gt_lm.json'), 'utf8')}`);
    // The prediction in metres (a file a user declares in mm by mistake).
    writePly(path('pred_m.ply'), { positions: mesh.positions.map((v) => v / 1000), faces: mesh.faces }, { precision: 'double' });
    writeLandmarksJson(path('pred_lm_m.json'), ictSevenLandmarks().map((v) => v / 1000));
  });

  const args = (over: Record<string, string>, out: string) => {
    const base: Record<string, string> = { '--pred': path('pred.ply'), '--pred-landmarks': path('pred_lm.json'), '--gt': path('gt.ply'), '--gt-landmarks': path('gt_lm.json'), ...over };
    return ['score', ...Object.entries(base).flat(), '--out', out];
  };

  const refusals: [string, Record<string, string>, string, RegExp][] = [
    ['a mesh whose triangles all have zero area', { '--pred': 'flat.ply' }, 'flat.ply', /^none of its 22288 triangles has a non-zero area: a degenerate mesh cannot be scored/],
    ['a vertex at 1e30', { '--pred': 'far.ply' }, 'far.ply', /^vertex 12 has a coordinate of 1e\+30 mm, beyond the accepted ±100000 mm .*check the unit \(--pred-unit\) or the file$/],
    ['a GT cloud of 3 points', { '--gt': 'gt3.ply' }, 'gt3.ply', /^the GT cloud has 3 points, fewer than the 100 a scoring needs/],
    [
      'a PLY header that promises more vertices than the file holds',
      { '--pred': 'promises-more.ply' },
      'promises-more.ply',
      /^the header and the data disagree: the header declares 5023 vertices and \d+ faces, the data holds 3000 vertices and \d+ faces; correct the counts/,
    ],
    ['a binary PLY with 100 bytes after its data', { '--pred': 'trailing.ply' }, 'trailing.ply', /^100 bytes after the declared data \(11248 vertices and 22288 faces\): the header and the data disagree/],
  ];
  for (const [name, over, file, message] of refusals) {
    it(`refuses ${name}: one line, exit 1, nothing written`, () => {
      const out = path(`out-${file}.json`);
      const before = listFiles(dir);
      const r = facebench(args(Object.fromEntries(Object.entries(over).map(([k, v]) => [k, path(v)])), out));
      expectRefused(r, path(file), message);
      expect(existsSync(out)).toBe(false);
      expect(listFiles(dir)).toEqual(before);
    });
  }

  it('reads GT landmarks saved with a byte-order mark', () => {
    const out = path('bom.json');
    const r = facebench(args({ '--gt-landmarks': path('gt_lm_bom.json') }, out));
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(JSON.parse(readFileSync(out, 'utf8')).metrics.l2).toBeLessThan(1e-3);
  });

  it('consistent inputs: no warning on stderr, an empty list in the JSON', () => {
    const out = path('clean.json');
    const r = facebench([...args({}, out), '--protocol', 'nersemble-metrical']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(JSON.parse(readFileSync(out, 'utf8')).warnings).toEqual([]);
  });

  for (const [protocol, align] of [['nersemble-metrical', 'icp'], ['now-metrical', 'icp'], ['nersemble-metrical', 'landmarks']]) {
    it(`a prediction in metres declared in mm under ${protocol} --align ${align}: warnings on stderr and in the JSON`, () => {
      const out = path(`metres-${protocol}-${align}.json`);
      const r = facebench([...args({ '--pred': path('pred_m.ply'), '--pred-landmarks': path('pred_lm_m.json') }, out), '--protocol', protocol, '--align', align]);
      expect(r.status, r.stderr).toBe(0);
      const doc = JSON.parse(readFileSync(out, 'utf8'));
      const lines = r.stderr.trim().split('\n');
      expect(lines).toEqual(doc.warnings.map((w: string) => `facebench: warning: ${path('pred_m.ply')}: ${w}`));
      expect(doc.warnings[0]).toBe(`a free fit of the landmarks would scale the prediction by 1000, but ${protocol} keeps its scale: the prediction looks like it is in m, not mm: pass --pred-unit m`);
      expect(doc.warnings[1]).toMatch(/^the 7 landmarks fit with an RMS error of [\d.]+ mm \(more than 20 mm\)/);
      expect(doc.alignment.landmark_rmse).toBeGreaterThan(20);
    });
  }
});

describe('facebench eval and validate: geometry that cannot be scored', () => {
  const root = tempDir('hostile-eval');
  const bench = join(root, 'bench');
  const pred = join(root, 'pred');
  const out = join(root, 'results');
  const { mesh } = ictFace();
  const pid = '001';
  const items = ['EXP-1_000_222200000', 'EXP-2_010_222200000'];

  /** The prediction of each task: [item][task] → positions (mm unless noted). */
  const far = Float64Array.from(mesh.positions);
  far[3 * 12] = 1e30;
  const predictions: Record<string, Record<string, Float64Array>> = {
    [items[0]]: { posed: mesh.positions.map((v) => v / 1000), neutral: mesh.positions },
    [items[1]]: { posed: new Float64Array(mesh.positions.length).fill(7), neutral: far },
  };

  beforeAll(() => {
    const lm = ictSevenLandmarks();
    const neutral = sampleSurface(mesh, 1500, rng(20), ictFaceRegion);
    writePly(join(bench, 'persons', pid, 'neutral', 'scan.ply'), { positions: neutral.positions, faces: new Uint32Array(0), normals: neutral.normals }, { precision: 'double' });
    writeLandmarksJson(join(bench, 'persons', pid, 'neutral', 'landmarks.json'), lm);
    items.forEach((item, k) => {
      const s = sampleSurface(mesh, 1500, rng(21 + k), ictFaceRegion);
      const itemDir = join(bench, 'items', pid, item);
      writePly(join(itemDir, 'scan.ply'), { positions: s.positions, faces: new Uint32Array(0), normals: s.normals }, { precision: 'double' });
      writeLandmarksJson(join(itemDir, 'landmarks.json'), lm);
      writeFileSync(join(itemDir, 'meta.json'), JSON.stringify({ person: pid, item }));
      const predDir = join(pred, pid, item);
      mkdirSync(predDir, { recursive: true });
      for (const task of ['posed', 'neutral']) {
        const positions = predictions[item][task];
        writePly(join(predDir, `mesh_${task}.ply`), { positions, faces: mesh.faces }, { precision: 'double' });
        writeNpy(join(predDir, `landmarks_${task}.npy`), ictSevenLandmarks(positions), [7, 3]);
      }
    });
    writeFileSync(join(pred, 'method.json'), JSON.stringify({ name: 'hostile', version: '1' }));
  });

  it('eval: warnings on stderr and in the records, one-line failures for what cannot be scored', () => {
    const r = facebench(['eval', '--bench', bench, '--pred', pred, '--out', out, '--protocol', 'nersemble-metrical', '--workers', '1']);
    expect(r.status, r.stderr).toBe(0);
    const doc = JSON.parse(readFileSync(join(out, 'hostile', 'results.json'), 'utf8'));
    const byTask = (item: string, task: string) => doc.items.find((i: { item: string; task: string }) => i.item === item && i.task === task);

    const warned = byTask(items[0], 'posed');
    expect(warned.status).toBe('ok');
    expect(warned.warnings[0]).toBe('a free fit of the landmarks would scale the prediction by 1000, but nersemble-metrical keeps its scale: the prediction looks like it is in m, not mm: pass --pred-unit m');
    expect('warnings' in byTask(items[0], 'neutral')).toBe(false);
    const warningLines = r.stderr.trim().split('\n').filter((l) => l.startsWith('facebench: warning: '));
    expect(warningLines).toEqual([`facebench: warning: ${join(pred, pid, items[0], 'mesh_posed.ply')}: ${warned.warnings.join('; ')}`]);

    const flat = byTask(items[1], 'posed');
    expect(flat.status).toBe('error');
    expect(flat.error).toBe(`${join(pred, pid, items[1], 'mesh_posed.ply')}: none of its 22288 triangles has a non-zero area: a degenerate mesh cannot be scored; export the surface again`);
    const farRecord = byTask(items[1], 'neutral');
    expect(farRecord.status).toBe('error');
    expect(farRecord.error).toMatch(/mesh_neutral\.ply: vertex 12 has a coordinate of 1e\+30 mm, beyond the accepted/);
    expect(doc.summary.posed).toMatchObject({ items: 2, scored: 1, failed: 1 });
    const csv = readFileSync(join(out, 'hostile', 'metrics.csv'), 'utf8');
    expect(csv).not.toMatch(/\n\s+at /);
  });

  it('validate lists the meshes scoring would refuse', () => {
    const manifest = {
      schema: 'facebench-benchmark', version: 1, tool: { name: 'facebench', version: 'test' }, created: '2025-01-01T00:00:00.000Z',
      source: { capture: 'hand-made', unit: 'mm', demo: false }, protocol: { name: 'nersemble', tasks: ['posed', 'neutral'], unit: 'mm' }, build: {},
      persons: [{ id: pid, neutral: { sequence: 'EXP-1', frame: 0, dir: `persons/${pid}/neutral`, points: 1500, rule: 'given' }, items }],
      items: items.map((id, k) => ({ id, person: pid, sequence: `EXP-${k + 1}`, frame: 10 * k, camera: '222200000', rank: k, distance: 1, dir: `items/${pid}/${id}`, points: 1500 })),
      files: {},
    };
    const manifestBench = join(root, 'bench-with-manifest');
    mkdirSync(manifestBench, { recursive: true });
    writeFileSync(join(manifestBench, 'manifest.json'), JSON.stringify(manifest));
    const r = facebench(['validate', '--bench', manifestBench, '--pred', pred]);
    expect(r.status, r.stderr).toBe(1);
    const problems = r.stdout.trim().split('\n');
    expect(problems).toContain(`${pid}/${items[1]}/mesh_posed.ply: none of its 22288 triangles has a non-zero area: a degenerate mesh cannot be scored; export the surface again [invalid mesh, posed]`);
    expect(problems).toContain(
      `${pid}/${items[1]}/mesh_neutral.ply: vertex 12 has a coordinate of 1e+30 mm, beyond the accepted ±100000 mm (a face is about 200 mm across): check the unit or the file [invalid mesh, neutral]`,
    );
    expect(problems).toHaveLength(2);
  });
});
