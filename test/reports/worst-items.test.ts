/**
 * The report's worst-item pictures place each prediction by the alignment stored in its task
 * record (no ICP), measure the GT points the protocol scores with one closest-point pass, and
 * so reproduce the stored figures; a record without an alignment falls back to ICP.
 */
import { copyFileSync, cpSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { icp as realIcp } from '../../evaluators/alignment/icp.js';
import { discoverTasks, ResultsStore, type ResultsDocument, type TaskRecord } from '../../evaluators/formats/index.js';
import { readLandmarks, readMesh, readPointCloud, writeNpy, writePly } from '../../evaluators/io/index.js';
import { configFromJson, protocolDefaults, type ProtocolConfig } from '../../evaluators/protocols/index.js';
import { runEval } from '../../benchmark/eval/run-eval.js';
import { distancesAtStoredAlignment, meanDistanceMetric, simplifyMesh, storedTransform, worstItemPictures, writeReport } from '../../reports/index.js';
import { TriangleBVH } from '../../evaluators/spatial/index.js';
import { ictFace } from '../helpers/faces.js';
import { tempDir } from '../benchmark/cli-helpers.js';
import { makeReportFixture, type ReportFixture } from './report-fixture.js';

// Count every ICP run (eval's scoring reaches icp through evaluators/alignment/index.js).
const icpCalls = vi.hoisted(() => ({ count: 0 }));
vi.mock('../../evaluators/alignment/icp.js', async (importOriginal) => {
  const original = await importOriginal<{ icp: typeof realIcp }>();
  return {
    ...original,
    icp: (...args: Parameters<typeof realIcp>) => {
      icpCalls.count++;
      return original.icp(...args);
    },
  };
});

const readDoc = (dir: string): ResultsDocument => JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8'));
const close = (a: number, b: number) => Math.abs(a - b) <= Math.max(1e-6 * Math.abs(b), 1e-9);
const meanOf = (v: Float64Array) => v.reduce((a, d) => a + d, 0) / v.length;

/** The picture's distances of every scored task of a results document, with its config and task files. */
function measureAll(doc: ResultsDocument): { record: TaskRecord; config: ProtocolConfig; measured: ReturnType<typeof distancesAtStoredAlignment>; gtPoints: number }[] {
  const config = configFromJson(doc.protocol);
  const tasks = discoverTasks(doc.benchmark, doc.predictions);
  return doc.items
    .filter((r) => r.status === 'ok')
    .map((record) => {
      const task = tasks.find((t) => t.person === record.person && t.item === record.item && t.task === record.task)!;
      const measured = distancesAtStoredAlignment(task, config, storedTransform(record.alignment)!, { maxPoints: Number.POSITIVE_INFINITY });
      return { record, config, measured, gtPoints: readPointCloud(task.gt).positions.length / 3 };
    });
}

describe('worst-item pictures from the stored alignment', () => {
  const root = tempDir('worst-items');
  let fx: ReportFixture;
  let nowDir: string;

  beforeAll(async () => {
    fx = await makeReportFixture(root);
    // NoW results on the same benchmark, with a tighter face crop than NoW's (so the crop drops
    // GT points) and one prediction mirrored (so the landmark fit picks a reflection).
    const pred = join(root, 'pred-now');
    for (const task of discoverTasks(fx.bench, join(root, 'pred-1'))) {
      if (!task.predLandmarks) continue; // the fixture's missing prediction
      const dir = join(pred, task.person, task.item);
      mkdirSync(dir, { recursive: true });
      const mesh = readMesh(task.pred);
      const landmarks = readLandmarks(task.predLandmarks, { count: 7 });
      if (task.person === '001' && task.task === 'posed') {
        for (const v of [mesh.positions, landmarks]) for (let i = 0; i < v.length; i += 3) v[i] = -v[i];
      }
      writePly(join(dir, `mesh_${task.task}.ply`), mesh, { format: 'binary_little_endian', precision: 'double' });
      writeNpy(join(dir, `landmarks_${task.task}.npy`), landmarks, [7, 3]);
    }
    writeFileSync(join(pred, 'method.json'), JSON.stringify({ name: 'noisy-now', version: '1' }));
    const config = { ...protocolDefaults('now'), crop: { centreFactor: 0.3, radiusFactor: 0.6 } };
    nowDir = (await runEval({ bench: fx.bench, pred, out: join(root, 'results-now'), config, workers: 1, progress: 'silent' })).resultsDir;
  });

  it('draws the pictures without running ICP, and their points carry the distances eval scored', () => {
    expect(icpCalls.count).toBeGreaterThan(0); // the spy sees eval's ICP runs
    icpCalls.count = 0;
    const files = writeReport({ results: [fx.results], out: join(root, 'out', 'report.html'), maxPoints: 100_000 });
    const data = JSON.parse(readFileSync(files.html, 'utf8').match(/id="report-data">(.*?)<\/script>/s)![1]);
    expect(files.notes).toEqual([]);
    expect(data.pictures).toHaveLength(6);
    for (const name of Object.keys(fx.methods)) {
      const all = measureAll(readDoc(fx.methods[name]));
      for (const { record, config, measured } of all) {
        expect(meanDistanceMetric(config)).toBe('l2');
        // nersemble scores every GT point: the mean of the picture's distances is the stored L2.
        expect(measured.scored).toBe(record.metrics!.points);
        expect(measured.points.length).toBe(measured.scored);
        expect(close(meanOf(measured.distances), record.metrics!.l2)).toBe(true);
      }
      for (const p of data.pictures.filter((q: { method: string }) => q.method === name)) {
        const { measured } = all.find((m) => m.record.person === p.person && m.record.item === p.item && m.record.task === p.task)!;
        expect(p.points).toBe(measured.scored);
        // The page carries the distances as uint16 µm (base64), the picture's 3-decimal mm values exactly.
        const bytes = Buffer.from(p.d, 'base64');
        const distances = Array.from(new Uint16Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength)), (v) => v / 1000);
        expect(distances).toEqual(Array.from(measured.distances, (d) => Math.round(d * 1000) / 1000));
      }
    }
    expect(icpCalls.count).toBe(0);
  });

  it('measures only the GT points in the NoW crop, also under a reflection, matching the stored mean and distances file', () => {
    icpCalls.count = 0;
    const all = measureAll(readDoc(nowDir));
    expect(all).toHaveLength(7);
    expect(all.some((m) => m.record.alignment!.reflection)).toBe(true);
    for (const { record, config, measured, gtPoints } of all) {
      expect(meanDistanceMetric(config)).toBe('mean');
      expect(measured.scored).toBe(record.metrics!.points);
      expect(measured.scored).toBeLessThan(gtPoints); // the crop dropped points
      expect(close(meanOf(measured.distances), record.metrics!.mean)).toBe(true);
      // Point by point against eval's distances file (float32, cropped points in GT order).
      const bytes = readFileSync(join(nowDir, 'items', record.person, record.item, `${record.task}.distances.f32`));
      const stored = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
      expect(stored.length).toBe(measured.distances.length);
      measured.distances.forEach((d, i) => expect(Math.abs(d - stored[i])).toBeLessThanOrEqual(1e-6 * Math.max(1, d)));
      // Its error map holds the same cropped points' distances (every one: fewer than ERROR_MAP_POINTS).
      const map = new ResultsStore(nowDir).readErrorMap(record)!;
      expect(map.scored).toBe(measured.scored);
      expect(Array.from(map.distances)).toEqual(Array.from(stored));
    }
    // A picture subsamples the same points: every k-th scored point.
    const { record, config } = all[0];
    const task = discoverTasks(fx.bench, readDoc(nowDir).predictions).find((t) => t.person === record.person && t.item === record.item && t.task === record.task)!;
    const few = distancesAtStoredAlignment(task, config, storedTransform(record.alignment)!, { maxPoints: 50 });
    const full = all[0].measured;
    const stride = Math.ceil(full.scored / 50);
    expect(Array.from(few.points)).toEqual(Array.from(full.points).filter((_p, k) => k % stride === 0));
    expect(Array.from(few.distances)).toEqual(Array.from(full.distances).filter((_d, k) => k % stride === 0));
    expect(icpCalls.count).toBe(0);
  });

  it('takes the distances from the error maps eval stored: the same pictures and panels, without a BVH', () => {
    const html = (dir: string, out: string) => {
      const files = writeReport({ results: [dir], out: join(root, out, 'report.html') });
      const page = readFileSync(files.html, 'utf8');
      return {
        files,
        pictures: JSON.parse(page.match(/id="report-data">(.*?)<\/script>/s)![1]).pictures,
        panels: [...page.matchAll(/<figure class="panel-row"[^>]*><img src="([^"]+)"/g)].map((m) => m[1]),
      };
    };
    const build = vi.spyOn(TriangleBVH, 'build');
    try {
      const stored = html(fx.results, 'maps');
      expect(build).not.toHaveBeenCalled();
      expect(stored.pictures).toHaveLength(6);
      expect(stored.panels.length).toBeGreaterThan(0);
      // The same results without their maps, or with maps of another scoring (another key), are measured.
      const copy = join(root, 'no-maps');
      cpSync(fx.results, copy, { recursive: true });
      const maps = readdirSync(copy, { recursive: true }).map(String).filter((f) => f.endsWith('.errors.bin'));
      const scored = Object.values(fx.methods).reduce((sum, dir) => sum + readDoc(dir).items.filter((r) => r.status === 'ok').length, 0);
      expect(maps.length).toBe(scored); // one per scored task
      maps.forEach((f, k) => {
        if (k % 2 === 0) rmSync(join(copy, f));
        else {
          const bytes = readFileSync(join(copy, f));
          bytes.fill(0x30, 20, 84); // key '000…0'
          writeFileSync(join(copy, f), bytes);
        }
      });
      const measured = html(copy, 'no-maps-report');
      expect(build.mock.calls.length).toBeGreaterThanOrEqual(6);
      expect(measured.files.notes).toEqual(stored.files.notes);
      expect(measured.pictures).toEqual(stored.pictures);
      expect(measured.panels).toEqual(stored.panels);
    } finally {
      build.mockRestore();
    }
  });

  it('falls back to ICP, with a note, for results whose records store no alignment', () => {
    const dir = join(root, 'old', 'exact');
    mkdirSync(dir, { recursive: true });
    const doc = readDoc(fx.methods.exact);
    const old = { ...doc, items: doc.items.map(({ alignment: _dropped, ...rest }) => rest) };
    writeFileSync(join(dir, 'results.json'), JSON.stringify(old));
    copyFileSync(join(fx.methods.exact, 'metrics.csv'), join(dir, 'metrics.csv'));
    icpCalls.count = 0;
    const files = writeReport({ results: [dir], out: join(root, 'old', 'report.html'), worst: 2 });
    expect(icpCalls.count).toBe(2);
    expect(files.notes).toHaveLength(2);
    for (const note of files.notes) expect(note).toMatch(/^exact \S+ (posed|neutral): its record stores no alignment .*ICP was run again/);
    const { pictures } = worstItemPictures([old as ResultsDocument], 2, 100_000);
    expect(pictures).toHaveLength(2);
    for (const p of pictures) expect(Math.max(...p.distances)).toBeLessThan(1e-3);
  });

  it('notes a picture whose GT no longer has the points eval scored', () => {
    const doc = readDoc(fx.methods['noisy <i>&']);
    const worst = [...doc.items].filter((r) => r.status === 'ok').sort((a, b) => b.metrics!.l2 - a.metrics!.l2)[0];
    const changed = { ...doc, items: doc.items.map((r) => (r === worst ? { ...r, metrics: { ...r.metrics!, points: r.metrics!.points + 1 } } : r)) };
    const { pictures, notes } = worstItemPictures([changed], 1);
    expect(pictures).toHaveLength(1);
    expect(notes).toEqual([expect.stringMatching(/GT now has 1500 scored points where eval scored 1501; the benchmark changed since eval/)]);
  });
});

describe('simplifyMesh (the 3D view\'s prediction mesh)', () => {
  it('clusters a mesh to at most the vertices asked for, keeping its extent and valid triangles', () => {
    const { mesh } = ictFace();
    const n = mesh.positions.length / 3;
    const small = simplifyMesh(mesh.positions, mesh.faces, 800);
    const m = small.positions.length / 3;
    expect(m).toBeLessThanOrEqual(800);
    expect(m).toBeGreaterThan(200);
    expect(small.faces.length % 3).toBe(0);
    expect(small.faces.length / 3).toBeGreaterThan(m); // still a surface, not a point set
    expect(Math.max(...small.faces)).toBeLessThan(m);
    for (let f = 0; f < small.faces.length; f += 3) {
      const [a, b, c] = [small.faces[f], small.faces[f + 1], small.faces[f + 2]];
      expect(a !== b && b !== c && a !== c).toBe(true);
    }
    const extent = (v: ArrayLike<number>, axis: number) => {
      const values = Array.from(v).filter((_, i) => i % 3 === axis);
      return Math.max(...values) - Math.min(...values);
    };
    for (const axis of [0, 1, 2]) expect(extent(small.positions, axis)).toBeGreaterThan(0.9 * extent(mesh.positions, axis));
    const same = simplifyMesh(mesh.positions, mesh.faces, n);
    expect(Array.from(same.positions)).toEqual(Array.from(mesh.positions));
    expect(Array.from(same.faces)).toEqual(Array.from(mesh.faces));
  });
});
