import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PredictItem } from '../../baselines/adapter.js';
import { registerBuiltinMethods } from '../../baselines/builtin.js';
import { cropCamera } from '../../baselines/pixel3dmm/index.js';
import { runBuild } from '../../benchmark/construct/index.js';
import { runEval } from '../../benchmark/eval/run-eval.js';
import { runPredict } from '../../benchmark/predict/index.js';
import { DEMO_NEUTRAL, generateDemoCapture } from '../../data/index.js';
import { applyTransform } from '../../evaluators/alignment/index.js';
import { isInputError } from '../../evaluators/errors.js';
import { discoverTasks, readCameraParams, readItemCropCamera, readManifest, type Manifest, type ResultsDocument } from '../../evaluators/formats/index.js';
import { readLandmarks } from '../../evaluators/io/index.js';
import { protocolDefaults } from '../../evaluators/protocols/index.js';
import { COLOUR_HIGH, COLOUR_LOW } from '../../reports/colour-map.js';
import { projectCrop } from '../../reports/panel-cameras.js';
import { panelLayout } from '../../reports/panel-layout.js';
import { qualitativePanels } from '../../reports/panels.js';
import { storedTransform } from '../../reports/worst-items.js';
import { tempDir } from '../benchmark/cli-helpers.js';

/**
 * Qualitative panels on a small demo benchmark (1 person, 3 expressions, 128-px crops) with
 * two methods: `oracle` (the generator's meshes) and `noisy` (the oracle with 1 mm vertex noise).
 */
describe('qualitative panels on a demo benchmark', () => {
  const root = tempDir('panels');
  const capture = join(root, 'capture');
  const bench = join(root, 'bench');
  let manifest: Manifest;
  let oracle: ResultsDocument;
  let noisy: ResultsDocument;

  beforeAll(async () => {
    registerBuiltinMethods();
    generateDemoCapture(capture, { persons: 1, framesPerPerson: 21, cameras: 4 });
    await runBuild({ capture, out: bench, unit: 'm', expressions: 3, neutral: `${DEMO_NEUTRAL.sequence}/${DEMO_NEUTRAL.frame}`, imageSize: 128, visibilityToleranceMm: 2, demo: true, progress: 'silent' });
    manifest = readManifest(bench);
    const evaluate = async (name: string, options: unknown) => {
      const out = join(root, `pred-${name}`);
      await runPredict({ bench, method: 'oracle', out, options, workers: 1, progress: 'silent' });
      const result = await runEval({ bench, pred: out, out: join(root, `results-${name}`), method: name, config: protocolDefaults('nersemble'), workers: 1, tasks: ['posed', 'neutral'], progress: 'silent' });
      return result.document;
    };
    oracle = await evaluate('oracle', {});
    noisy = await evaluate('noisy', { noise: 1, seed: 3 });
  }, 240_000);
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('the crop camera is the one pixel3dmm uses, and a brute-force projection through the capture camera and the crop box', () => {
    const unit = manifest.source.unit;
    for (const item of manifest.items) {
      const meta = JSON.parse(readFileSync(join(bench, item.dir, 'meta.json'), 'utf8')) as { crop_box: { x: number; y: number; size: number; output_size: number } };
      const mine = readItemCropCamera(bench, manifest, item);
      const theirs = cropCamera({ bench, item, imagePath: join(bench, item.dir, 'image.png'), meta, capture } as PredictItem);
      expect(Array.from(mine.K)).toEqual(Array.from(theirs.K));
      expect(Array.from(mine.R)).toEqual(Array.from(theirs.R));
      expect(Array.from(mine.t)).toEqual(Array.from(theirs.t));
      expect(mine.size).toBe(theirs.size);
      // Brute force: crop pixel i samples the source at x + (i + ½)·s, so source u is crop (u − x)/s − ½.
      const cam = readCameraParams(join(capture, item.person, 'camera_params.json'), unit).get(item.camera)!;
      const gt = readLandmarks(join(bench, item.dir, 'landmarks.json'), { count: 7 });
      const projected = projectCrop(mine, gt);
      const { x, y, size, output_size } = meta.crop_box;
      const s = size / output_size;
      for (let l = 0; l < 7; l++) {
        const P = [0, 1, 2].map((r) => cam.R[3 * r] * gt[3 * l] + cam.R[3 * r + 1] * gt[3 * l + 1] + cam.R[3 * r + 2] * gt[3 * l + 2] + cam.t[r]);
        const u = (cam.K[0] * P[0] + cam.K[1] * P[1]) / P[2] + cam.K[2];
        const v = (cam.K[4] * P[1]) / P[2] + cam.K[5];
        expect(projected[2 * l]).toBeCloseTo((u - x) / s - 0.5, 6);
        expect(projected[2 * l + 1]).toBeCloseTo((v - y) / s - 0.5, 6);
      }
    }
  });

  it("the overlay lands on the face: the oracle's placed landmarks project within 2 px of the GT landmarks, and the mesh covers them in the row", () => {
    const tasks = discoverTasks(bench, join(root, 'pred-oracle'));
    const { rows } = qualitativePanels([oracle, noisy], { items: manifest.items.map((i) => `${i.person}/${i.id}`), tasks: ['posed'], tile: 128 });
    expect(rows).toHaveLength(manifest.items.length);
    for (const item of manifest.items) {
      const task = tasks.find((t) => t.person === item.person && t.item === item.id && t.task === 'posed')!;
      const record = oracle.items.find((r) => r.person === item.person && r.item === item.id && r.task === 'posed')!;
      const placed = applyTransform(storedTransform(record.alignment)!, readLandmarks(task.predLandmarks!, { count: 7 }));
      const crop = readItemCropCamera(bench, manifest, item);
      const a = projectCrop(crop, placed);
      const b = projectCrop(crop, readLandmarks(task.gtLandmarks, { count: 7 }));
      for (let l = 0; l < 7; l++) {
        expect(Math.hypot(a[2 * l] - b[2 * l], a[2 * l + 1] - b[2 * l + 1])).toBeLessThan(2);
        expect(b[2 * l]).toBeGreaterThan(0);
        expect(b[2 * l]).toBeLessThan(127);
      }
      // In the row (tile = crop size: crop pixel (u, v) is tile pixel (round u, round v)), the
      // oracle's overlay differs from the crop at every GT landmark and equals it in the corner.
      const row = rows.find((r) => r.item === item.id)!;
      const png = PNG.sync.read(row.png);
      const layout = panelLayout(128, 2, 2);
      const at = (x: number, y: number) => Array.from(png.data.subarray(4 * ((layout.header + y) * png.width + x), 4 * ((layout.header + y) * png.width + x) + 3));
      for (let l = 0; l < 7; l++) {
        const u = Math.round(b[2 * l]), v = Math.round(b[2 * l + 1]);
        expect(at(layout.overlayX(0) + u, v)).not.toEqual(at(u, v));
      }
      expect(at(layout.overlayX(0) + 1, 1)).toEqual(at(1, 1));
    }
  });

  it('rows: worst/median/best by posed L2, PNGs of the stated size, colour bar ends = colour map ends, captions and L2 per method', () => {
    const started = performance.now();
    const { rows, notes } = qualitativePanels([oracle, noisy], { method: 'noisy' });
    const perRow = (performance.now() - started) / rows.length;
    console.log(`panels: ${rows.length} rows of 256-px tiles, ${perRow.toFixed(0)} ms per row`);
    expect(notes).toEqual([]);
    // FACEBENCH_PANELS_DUMP=<dir>: keep the rows to look at.
    const dump = process.env.FACEBENCH_PANELS_DUMP;
    if (dump) rows.forEach((r, k) => writeFileSync(join(dump, `row${k}-${r.pick}-${r.task}.png`), r.png));
    const posed = noisy.items.filter((r) => r.task === 'posed' && r.status === 'ok').sort((p, q) => p.metrics!.l2 - q.metrics!.l2);
    expect(posed).toHaveLength(3);
    const expected = [['worst', posed[2]], ['median', posed[1]], ['best', posed[0]]] as const;
    expect(rows.map((r) => `${r.pick} ${r.item} ${r.task}`)).toEqual(expected.flatMap(([pick, r]) => [`${pick} ${r.item} posed`, `${pick} ${r.item} neutral`]));
    const layout = panelLayout(256, 2, 2);
    for (const row of rows) {
      const png = PNG.sync.read(row.png);
      expect([png.width, png.height]).toEqual([row.width, row.height]);
      expect([row.width, row.height]).toEqual([layout.width, layout.height]);
      const pixel = (x: number, y: number) => Array.from(png.data.subarray(4 * (y * png.width + x), 4 * (y * png.width + x) + 3));
      const mid = layout.bar.x + (layout.bar.width >> 1);
      expect(pixel(mid, layout.bar.top)).toEqual([...COLOUR_HIGH]);
      expect(pixel(mid, layout.bar.bottom)).toEqual([...COLOUR_LOW]);
      expect(Object.keys(row.l2).sort()).toEqual(['noisy', 'oracle']);
      expect(row.l2.oracle).toBeLessThan(0.1);
      expect(row.l2.noisy).toBeGreaterThan(row.l2.oracle);
      expect(row.maxError).toBeGreaterThan(0);
      expect(row.caption).toContain(`${row.person}/${row.item}, ${row.task}`);
      expect(row.caption).toContain(row.pick);
      expect(row.caption).toMatch(/oracle .*noisy/);
      // The error maps show the face: more than a tenth of each error tile is coloured (not the white background).
      for (let k = 0; k < 2; k++) {
        let coloured = 0;
        for (let y = 0; y < 256; y++) for (let x = 0; x < 256; x++) if (pixel(layout.errorX(k) + x, layout.header + y).some((c) => c !== 255)) coloured++;
        expect(coloured).toBeGreaterThan(0.1 * 256 * 256);
      }
    }
  });

  it('without the capture: one note, rows without overlay columns; refusals of an unknown method or item', () => {
    const away = `${capture}-away`;
    renameSync(capture, away);
    try {
      const { rows, notes } = qualitativePanels([oracle, noisy], { tile: 64, tasks: ['posed'] });
      expect(rows).toHaveLength(3);
      expect(notes).toHaveLength(3);
      for (const note of notes) expect(note).toMatch(/without overlays \(.*no longer exists\)$/);
      const layout = panelLayout(64, 0, 2);
      for (const row of rows) {
        expect([row.width, row.height]).toEqual([layout.width, layout.height]);
        expect(row.caption).toContain('no overlays');
      }
    } finally {
      renameSync(away, capture);
    }
    const refusal = (f: () => unknown) => {
      try {
        f();
      } catch (error) {
        expect(isInputError(error)).toBe(true);
        return (error as Error).message;
      }
      throw new Error('no refusal');
    };
    expect(refusal(() => qualitativePanels([oracle], { method: 'nobody' }))).toContain('--panel-method');
    expect(refusal(() => qualitativePanels([oracle], { items: ['no-slash'] }))).toContain('--panel-items');
    expect(refusal(() => qualitativePanels([oracle], { items: ['999/nothing'] }))).toContain('999/nothing');
  });
});
