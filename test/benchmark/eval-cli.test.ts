import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { writeLandmarksJson, writeNpy, writePly } from '../../evaluators/io/index.js';
import { ictFace, ictFaceRegion, ictSevenLandmarks, sampleSurface } from '../helpers/faces.js';
import { axisAngle, rng, similarity } from '../helpers/random.js';
import { facebench, tempDir } from './cli-helpers.js';

const REPO = fileURLToPath(new URL('../../', import.meta.url));

/**
 * A small benchmark written by the test: 2 persons × 2 items. GT clouds are samples of
 * the ICT face; predictions are the ICT face moved by known similarities, one of them
 * additionally pushed 1 mm along z (known error), one missing, one with a NaN vertex.
 */
describe('facebench eval', () => {
  const root = tempDir('eval');
  const bench = join(root, 'bench');
  const pred = join(root, 'pred');
  const out = join(root, 'results');
  const persons = ['001', '002'];
  const items = ['EXP-1_000_222200000', 'EXP-2_010_222200001'];

  beforeAll(() => {
    const { mesh } = ictFace();
    const lm = ictSevenLandmarks();
    const random = rng(2);
    persons.forEach((pid, p) => {
      const neutral = sampleSurface(mesh, 2500, rng(100 + p), ictFaceRegion);
      const dir = join(bench, 'persons', pid, 'neutral');
      writePly(join(dir, 'scan.ply'), { positions: neutral.positions, faces: new Uint32Array(0), normals: neutral.normals }, { format: 'binary_little_endian', precision: 'double' });
      writeLandmarksJson(join(dir, 'landmarks.json'), lm);
      items.forEach((item, k) => {
        const s = sampleSurface(mesh, 2500, rng(10 * p + k), ictFaceRegion);
        const itemDir = join(bench, 'items', pid, item);
        writePly(join(itemDir, 'scan.ply'), { positions: s.positions, faces: new Uint32Array(0), normals: s.normals }, { format: 'binary_little_endian', precision: 'double' });
        writeLandmarksJson(join(itemDir, 'landmarks.json'), lm);
        writeFileSync(join(itemDir, 'meta.json'), JSON.stringify({ person: pid, item }));
        const predDir = join(pred, pid, item);
        mkdirSync(predDir, { recursive: true });
        for (const task of ['posed', 'neutral']) {
          if (pid === '002' && k === 1 && task === 'neutral') continue; // missing prediction
          const R = axisAngle([random(), random(), random()], 0.5 * random());
          let positions = similarity(mesh.positions, 0.9 + 0.2 * random(), R, [random() * 50, random() * 50, random() * 50]);
          const landmarks = ictSevenLandmarks(positions);
          if (pid === '001' && k === 1 && task === 'posed') {
            positions = Float64Array.from(positions);
            positions[7] = Number.NaN; // broken prediction
          }
          writePly(join(predDir, `mesh_${task}.ply`), { positions, faces: mesh.faces }, { format: 'binary_little_endian' });
          writeNpy(join(predDir, `landmarks_${task}.npy`), Float32Array.from(landmarks), [7, 3]);
        }
      });
    });
    writeFileSync(join(pred, 'method.json'), JSON.stringify({ name: 'moved-ict', version: '1' }));
  });

  it('scores every item with 2 workers, records failures without stopping, writes results.json and metrics.csv', () => {
    const r = facebench(['eval', '--bench', bench, '--pred', pred, '--out', out, '--workers', '2']);
    expect(r.status).toBe(0);
    const doc = JSON.parse(readFileSync(join(out, 'moved-ict', 'results.json'), 'utf8'));
    expect(doc.method).toBe('moved-ict');
    expect(doc.items).toHaveLength(8);
    const failed = doc.items.filter((i: { status: string }) => i.status === 'error');
    expect(failed.map((i: { person: string; item: string; task: string }) => `${i.person}/${i.item}/${i.task}`).sort()).toEqual(
      ['001/EXP-2_010_222200001/posed', '002/EXP-2_010_222200001/neutral'].sort(),
    );
    expect(failed.find((i: { task: string }) => i.task === 'posed').error).toMatch(/mesh_posed\.ply: vertex 2 has a non-finite coordinate/);
    expect(failed.find((i: { task: string }) => i.task === 'neutral').error).toMatch(/mesh_neutral\.ply: file not found/);
    for (const item of doc.items.filter((i: { status: string }) => i.status === 'ok')) {
      expect(item.metrics.l2).toBeLessThan(1e-5);
      expect(item.metrics.points).toBe(2500);
      expect(item.curve).toHaveLength(101);
    }
    expect(doc.summary.posed).toMatchObject({ items: 4, scored: 3, failed: 1 });
    expect(doc.summary.neutral).toMatchObject({ items: 4, scored: 3, failed: 1 });
    expect(doc.summary.posed.metrics.r2_5).toBe(1);
    expect(doc.protocol.protocol).toBe('nersemble');
    expect(doc.tool.name).toBe('facebench');
    const csv = readFileSync(join(out, 'moved-ict', 'metrics.csv'), 'utf8').trim().split('\n');
    expect(csv[0]).toBe('method,person,item,task,status,l1,l2,nc,r1,r2_5,r5,r10,median,points,scale,icp_iterations,landmark_rmse,seconds,error');
    expect(csv).toHaveLength(1 + 8 + 2);
    expect(r.stdout).toMatch(/posed: 3\/4 items scored, 1 FAILED/);
  });

  it('resumes: a second run reuses every finished item and re-scores only what changed', () => {
    const again = facebench(['eval', '--bench', bench, '--pred', pred, '--out', out, '--workers', '1']);
    expect(again.status).toBe(0);
    expect(again.stdout).toMatch(/\(2 scored now, 6 reused\)/); // the two failures are retried
    // Change one prediction: only that task is scored again.
    const { mesh } = ictFace();
    const predDir = join(pred, '002', items[0]);
    writePly(join(predDir, 'mesh_posed.ply'), { positions: mesh.positions.map((v, i) => (i % 3 === 2 ? v + 1 : v)), faces: mesh.faces }, { format: 'binary_little_endian', precision: 'double' });
    writeNpy(join(predDir, 'landmarks_posed.npy'), Float64Array.from(ictSevenLandmarks()), [7, 3]);
    const third = facebench(['eval', '--bench', bench, '--pred', pred, '--out', out, '--workers', '1']);
    expect(third.stdout).toMatch(/\(3 scored now, 5 reused\)/);
    const doc = JSON.parse(readFileSync(join(out, 'moved-ict', 'results.json'), 'utf8'));
    const changed = doc.items.find((i: { person: string; item: string; task: string }) => i.person === '002' && i.item === items[0] && i.task === 'posed');
    // A pure 1 mm shift along z is undone by ICP.
    expect(changed.metrics.l2).toBeLessThan(1e-5);
  });

  it('a result stored by other scoring code is scored again, not reused', () => {
    // A copy of the compiled tool whose L2 is twice the true one: another scoring implementation.
    const copy = join(root, 'other-facebench');
    cpSync(join(REPO, 'dist'), join(copy, 'dist'), { recursive: true });
    cpSync(join(REPO, 'bin'), join(copy, 'bin'), { recursive: true });
    cpSync(join(REPO, 'package.json'), join(copy, 'package.json'));
    symlinkSync(join(REPO, 'node_modules'), join(copy, 'node_modules'), 'dir');
    const metrics = join(copy, 'dist', 'evaluators', 'metrics', 'nersemble-metrics.js');
    const source = readFileSync(metrics, 'utf8');
    expect(source).toContain('l2: mean(c.distances),');
    writeFileSync(metrics, source.replace('l2: mean(c.distances),', 'l2: 2 * mean(c.distances),'));
    const l2Of = () => (JSON.parse(readFileSync(join(out, 'moved-ict', 'results.json'), 'utf8')) as { summary: { posed: { metrics: { l2: number } } } }).summary.posed.metrics.l2;
    const before = l2Of();

    const other = spawnSync(process.execPath, [join(copy, 'bin', 'facebench.js'), 'eval', '--bench', bench, '--pred', pred, '--out', out, '--workers', '1'], { encoding: 'utf8' });
    expect(other.status).toBe(0);
    expect(other.stdout).toMatch(/\(8 scored now, 0 reused\)/);
    expect(l2Of()).toBeCloseTo(2 * before, 12);

    // Back with the real code: its own results are not those of the other code either.
    const back = facebench(['eval', '--bench', bench, '--pred', pred, '--out', out, '--workers', '1']);
    expect(back.stdout).toMatch(/\(8 scored now, 0 reused\)/);
    expect(l2Of()).toBeCloseTo(before, 12);
  });

  it('--force scores every task again', () => {
    const again = facebench(['eval', '--bench', bench, '--pred', pred, '--out', out, '--workers', '1']);
    expect(again.stdout).toMatch(/\(2 scored now, 6 reused\)/);
    const forced = facebench(['eval', '--bench', bench, '--pred', pred, '--out', out, '--workers', '1', '--force']);
    expect(forced.status).toBe(0);
    expect(forced.stdout).toMatch(/\(8 scored now, 0 reused\)/);
  });

  it('NoW protocol pools distances over items', () => {
    const r = facebench(['eval', '--bench', bench, '--pred', pred, '--out', join(root, 'now'), '--protocol', 'now', '--workers', '2', '--quiet']);
    expect(r.status).toBe(0);
    const doc = JSON.parse(readFileSync(join(root, 'now', 'moved-ict', 'results.json'), 'utf8'));
    const ok = doc.items.filter((i: { status: string; task: string }) => i.status === 'ok' && i.task === 'posed');
    const pooled = ok.reduce((n: number, i: { metrics: { points: number } }) => n + i.metrics.points, 0);
    expect(doc.summary.posed.metrics.points).toBe(pooled);
    expect(Object.keys(doc.summary.posed.metrics).sort()).toEqual(['mean', 'median', 'points', 'std']);
    expect(doc.summary.posed.curve).toHaveLength(81);

    // The pooled figures against the stored float32 distances, concatenated and sorted here.
    const resultsDir = join(root, 'now', 'moved-ict');
    const distancesOf = (i: { person: string; item: string }): number[] => {
      const bytes = readFileSync(join(resultsDir, 'items', i.person, i.item, 'posed.distances.f32'));
      return Array.from(new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength)));
    };
    const all: number[] = ok.flatMap(distancesOf);
    expect(all.length).toBe(pooled);
    const sorted = [...all].sort((a, b) => a - b);
    const n = sorted.length;
    expect(doc.summary.posed.metrics.median).toBe(n % 2 ? sorted[n >> 1] : 0.5 * (sorted[n / 2 - 1] + sorted[n / 2]));
    const m = all.reduce((a, b) => a + b, 0) / n;
    expect(doc.summary.posed.metrics.mean).toBeCloseTo(m, 12);
    expect(doc.summary.posed.metrics.std).toBeCloseTo(Math.sqrt(all.reduce((a, d) => a + (d - m) ** 2, 0) / n), 12);
    expect(doc.summary.posed.curve[25]).toBe(all.filter((d) => d <= 2.5).length / n);

    // A cut or missing distances file is not reused: its task is scored again (with the two
    // failed tasks, which always are), and the pooled figures come out as before.
    const first = join(resultsDir, 'items', ok[0].person, ok[0].item, 'posed.distances.f32');
    writeFileSync(first, readFileSync(first).subarray(0, 400));
    const second = join(resultsDir, 'items', ok[1].person, ok[1].item, 'posed.distances.f32');
    rmSync(second);
    const again = facebench(['eval', '--bench', bench, '--pred', pred, '--out', join(root, 'now'), '--protocol', 'now', '--workers', '1']);
    expect(again.status).toBe(0);
    expect(again.stdout).toMatch(/\(4 scored now, 4 reused\)/);
    expect(JSON.parse(readFileSync(join(resultsDir, 'results.json'), 'utf8')).summary).toEqual(doc.summary);
  });

  it('refuses a folder that is not a benchmark with one line and no output', () => {
    const outDir = join(root, 'never');
    const r = facebench(['eval', '--bench', pred, '--pred', pred, '--out', outDir]);
    expect(r.status).not.toBe(0);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/no items\/ folder/);
    expect(existsSync(outDir)).toBe(false);
  });
});
