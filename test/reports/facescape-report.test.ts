/**
 * `facebench report` given FaceScape results: their own section with FaceScape's tables (checked
 * against figures computed here from results.json), heat pictures of the worst samples by CD
 * (decoded and checked pixel by pixel against a re-scoring done here), a note for a sample whose
 * prediction is gone, the CSV/JSON exports and `--figures`; and beside nersemble results, which
 * keep their Table 2 and leave the FaceScape ones out of it.
 */
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { stringify } from 'csv-stringify/sync';
import { beforeAll, describe, expect, it } from 'vitest';
import { runEval } from '../../benchmark/eval/run-eval.js';
import { discoverFacescapeTasks, type ResultsDocument } from '../../evaluators/formats/index.js';
import type { TriangleMesh } from '../../evaluators/geometry/types.js';
import { writePly } from '../../evaluators/io/index.js';
import { configFromJson, protocolDefaults } from '../../evaluators/protocols/index.js';
import { scoreFacescapeTask } from '../../evaluators/scoring/index.js';
import { COLOUR_HIGH } from '../../reports/colour-map.js';
import { HEAT_BACKGROUND, worstByCd } from '../../reports/facescape-report.js';
import { writeReport, type ReportFiles } from '../../reports/index.js';
import { tempDir } from '../benchmark/cli-helpers.js';
import { writeFacescapeLayout, type FacescapeLayout, type FacescapeLayoutSample } from '../helpers/facescape-layout.js';
import { makeReportFixture } from './report-fixture.js';

const BUMP_MM = 8;
const SIGMA_MM = 12;
const HOLE_MM = 15;

/** The vertex mean and the GT vertex farthest along the face direction R·(0, 0, 1). */
function front(s: FacescapeLayoutSample): { centre: number[]; tip: number[] } {
  const p = s.gt.positions;
  const R = s.view.rotation!;
  const f = [R[2], R[5], R[8]];
  const centre = [...s.view.headCentre!];
  let best = -Infinity, tip: number[] = [0, 0, 0];
  for (let i = 0; i < p.length; i += 3) {
    const d = (p[i] - centre[0]) * f[0] + (p[i + 1] - centre[1]) * f[1] + (p[i + 2] - centre[2]) * f[2];
    if (d > best) [best, tip] = [d, [p[i], p[i + 1], p[i + 2]]];
  }
  return { centre, tip };
}

/** The GT with a Gaussian bump (BUMP_MM high, outwards from the head centre) on the face. */
function bumped(s: FacescapeLayoutSample): TriangleMesh {
  const { centre, tip } = front(s);
  const unit = s.view.pupilScale; // mm per cube unit
  const a = BUMP_MM / unit, sigma = SIGMA_MM / unit;
  const p = Float64Array.from(s.gt.positions);
  for (let i = 0; i < p.length; i += 3) {
    const d2 = (p[i] - tip[0]) ** 2 + (p[i + 1] - tip[1]) ** 2 + (p[i + 2] - tip[2]) ** 2;
    const out = [p[i] - centre[0], p[i + 1] - centre[1], p[i + 2] - centre[2]];
    const n = Math.hypot(...out);
    const h = a * Math.exp(-d2 / (2 * sigma * sigma));
    for (let k = 0; k < 3; k++) p[i + k] += (h * out[k]) / n;
  }
  return { positions: p, faces: s.gt.faces };
}

/** The GT without the triangles whose corners are all within HOLE_MM of the face's tip. */
function holed(s: FacescapeLayoutSample): TriangleMesh {
  const { tip } = front(s);
  const r = HOLE_MM / s.view.pupilScale;
  const p = s.gt.positions;
  const near = (v: number) => Math.hypot(p[3 * v] - tip[0], p[3 * v + 1] - tip[1], p[3 * v + 2] - tip[2]) < r;
  const faces: number[] = [];
  for (let f = 0; f < s.gt.faces.length; f += 3) {
    const [a, b, c] = [s.gt.faces[f], s.gt.faces[f + 1], s.gt.faces[f + 2]];
    if (!(near(a) && near(b) && near(c))) faces.push(a, b, c);
  }
  return { positions: s.gt.positions, faces: Uint32Array.from(faces) };
}

const ply = (path: string, mesh: TriangleMesh) => writePly(path, mesh, { format: 'binary_little_endian', precision: 'double' });

/** numpy-style mean of the scored values (plain sum order is enough at two decimals). */
function meanOf(values: number[]): number | null {
  return values.length ? values.reduce((a, b) => a + b, 0) / values.length : null;
}

function pixel(png: PNG, x: number, y: number): number[] {
  const o = 4 * (y * png.width + x);
  return [png.data[o], png.data[o + 1], png.data[o + 2]];
}

describe('facebench report with FaceScape results', () => {
  const root = tempDir('facescape-report');
  const out = join(root, 'results');
  let layout: FacescapeLayout;
  let files: ReportFiles;
  const docs: Record<string, ResultsDocument> = {};
  let goneSample = '';

  beforeAll(async () => {
    layout = writeFacescapeLayout(join(root, 'benchmark'), {
      wild: [0, 1, 150, 250],
      lab: [{ subject: 0, focal: 0, view: 0 }, { subject: 0, focal: 1, view: 3 }],
      resolution: [60, 90],
    });
    for (const s of layout.wild) {
      ply(join(root, 'bumpy', `${s.name}.ply`), s.name === '000' ? bumped(s) : s.name === '150' ? holed(s) : s.gt);
      ply(join(root, 'clean', `${s.name}.ply`), s.gt);
    }
    for (const s of layout.lab) ply(join(root, 'lab', `${s.name}.ply`), s.gt);
    const wild = protocolDefaults('facescape-wild');
    for (const method of ['bumpy', 'clean']) {
      await runEval({ bench: layout.root, pred: join(root, method), out, config: wild, workers: 1, progress: 'silent' });
    }
    await runEval({ bench: layout.root, pred: join(root, 'lab'), out, method: 'labby', config: protocolDefaults('facescape-lab'), workers: 1, progress: 'silent' });
    for (const m of ['bumpy', 'clean', 'labby']) docs[m] = JSON.parse(readFileSync(join(out, m, 'results.json'), 'utf8'));
    // The clean method's worst sample loses its prediction after eval.
    goneSample = worstByCd(docs.clean, 1)[0].item;
    rmSync(join(root, 'clean', `${goneSample}.ply`));
    files = writeReport({ results: [out], out: join(root, 'report', 'report.html'), figures: join(root, 'figures') });
  }, 300_000);

  it('scores the bumped sample worst and the holed one incomplete', () => {
    const byItem = Object.fromEntries(docs.bumpy.items.map((r) => [r.item, r]));
    for (const r of docs.bumpy.items) expect(r.status, r.error).toBe('ok');
    expect(byItem['000'].metrics!.cd).toBeGreaterThan(0.1);
    expect(byItem['150'].metrics!.cr).toBeLessThan(1);
    expect(worstByCd(docs.bumpy, 1)[0].item).toBe('000');
  });

  it('has its own section with FaceScape tables matching the results, and no nersemble sections', () => {
    const html = readFileSync(files.html, 'utf8');
    expect(html).toContain('FaceScape (CD, MNE, CR)');
    expect(html).not.toContain('<h2>Table 2</h2>');
    expect(html).not.toContain('id="view3d"');
    expect(html).not.toContain('id="items-table"');
    expect(files.tables.table2.rows).toEqual([]);
    expect(files.tables.items).toEqual([]);
    const fs = files.tables.facescape!;
    expect(fs.tables.map((t) => t.name)).toEqual(['facescape-wild', 'facescape-lab', 'facescape-lab-focal']);

    // In-the-wild: bins are the index quarters; figures are means over the ok samples.
    const wild = fs.tables[0].rows;
    expect(wild[0].slice(0, 4)).toEqual(['method', '0-5 CD (mm)', '0-5 MNE (rad)', '0-5 CR (%)']);
    const bins: [string, (i: number) => boolean][] = [['0-5', (i) => i < 100], ['5-30', (i) => i >= 100 && i < 200], ['30-60', (i) => i >= 200 && i < 300], ['60-90', (i) => i >= 300]];
    for (const method of ['bumpy', 'clean']) {
      const row = wild.find((r) => r[0].startsWith(`${method} [facebench 4/400]`))!;
      expect(row).toBeDefined();
      const ok = docs[method].items.filter((r) => r.status === 'ok');
      const groups = [...bins.map(([, inBin]) => ok.filter((r) => inBin(Number(r.item)))), ok];
      groups.forEach((g, k) => {
        const cd = meanOf(g.map((r) => r.metrics!.cd)), mne = meanOf(g.map((r) => r.metrics!.mne)), cr = meanOf(g.map((r) => r.metrics!.cr));
        expect(row.slice(1 + 3 * k, 4 + 3 * k)).toEqual(cd === null ? ['n/a', 'n/a', 'n/a'] : [cd.toFixed(2), mne!.toFixed(3), (100 * cr!).toFixed(1)]);
      });
      expect(row[row.length - 1]).toBe('100.0');
    }
    // In-the-lab: angle bins from focal 1200 only; the focal table has 1200 / 600 / 300.
    const lab = fs.tables[1].rows;
    expect(lab[1][0]).toBe('labby [facebench 2/660]');
    const focalHeader = fs.tables[2].rows[0];
    expect(focalHeader.slice(1, 4)).toEqual(['1200 CD (mm)', '1200 MNE (rad)', '1200 CR (%)']);
    const r1200 = docs.labby.items.find((r) => r.item === '00_0_00')!;
    expect(lab[1].slice(1, 4)).toEqual([r1200.metrics!.cd.toFixed(2), r1200.metrics!.mne.toFixed(3), (100 * r1200.metrics!.cr).toFixed(1)]);
    // The 30° bin holds 00_1_03 only at focal 600, not 1200: empty.
    expect(lab[1].slice(4, 7)).toEqual(['n/a', 'n/a', 'n/a']);
    for (const t of fs.tables) expect(html).toContain(`id="${t.name}"`);
  });

  it('exports the FaceScape tables as CSV and JSON', () => {
    // FaceScape results alone: no (empty) nersemble tables.
    expect(Object.keys(files.csv).sort()).toEqual(['facescape-items', 'facescape-lab', 'facescape-lab-focal', 'facescape-wild']);
    for (const name of Object.keys(files.csv)) expect(existsSync(files.csv[name]), name).toBe(true);
    expect(readFileSync(files.csv['facescape-wild'], 'utf8')).toBe(stringify(files.tables.facescape!.tables[0].rows));
    const lines = readFileSync(files.csv['facescape-items'], 'utf8').trim().split('\n');
    expect(lines[0]).toBe('method,dataset,person,item,status,cd_mm,mne_rad,cr,delta_z_mm,scale,error');
    expect(lines).toHaveLength(11);
    const r = lines.find((l) => l.startsWith('bumpy,fswild,wild,000,ok,'))!.split(',');
    expect(Number(r[5])).toBe(docs.bumpy.items.find((x) => x.item === '000')!.metrics!.cd);
    const json = JSON.parse(readFileSync(files.json, 'utf8'));
    expect(json.facescape.tables.map((t: { name: string }) => t.name)).toEqual(['facescape-wild', 'facescape-lab', 'facescape-lab-focal']);
    expect(json.facescapePictures.length).toBe(files.facescapePictures.length);
  });

  it('pictures the worst samples by CD per method, the bump hot and the samples without a prediction background', () => {
    const pics = files.facescapePictures;
    for (const method of ['bumpy', 'labby']) {
      expect(pics.filter((p) => p.method === method).map((p) => p.item)).toEqual(worstByCd(docs[method], 3).map((r) => r.item));
    }
    const clean = pics.filter((p) => p.method === 'clean').map((p) => p.item);
    expect(clean).toEqual(worstByCd(docs.clean, 3).map((r) => r.item).filter((i) => i !== goneSample));
    const bump = pics[0];
    expect(bump.method).toBe('bumpy');
    expect(bump.item).toBe('000');
    expect(bump.caption).toMatch(/^bumpy — sample 000 \(in-the-wild, angle bin 0-5°\): CD \d+\.\d\d mm, MNE \d\.\d{3} rad, CR \d+\.\d %/);

    const png = PNG.sync.read(bump.png);
    expect([png.width, png.height]).toEqual([bump.width, bump.height]);
    // Re-score the sample here and compare every pixel of the heat tile with its map.
    const config = configFromJson(docs.bumpy.protocol);
    const [task] = discoverFacescapeTasks(layout.root, join(root, 'bumpy'), 'fswild', { samples: ['000'] }).tasks;
    const { maps } = scoreFacescapeTask(task, config, 'k').result!;
    const { window: w, zoom, heat } = bump;
    let hot = 0, background = 0, near = 0;
    for (let i = w.row0; i < w.row1; i++) {
      for (let j = w.col0; j < w.col1; j++) {
        const v = maps.predError[i * maps.cols + j];
        const c = pixel(png, heat.x + (j - w.col0) * zoom + 1, heat.y + (i - w.row0) * zoom + 1);
        if (Number.isNaN(v)) {
          expect(c).toEqual([...HEAT_BACKGROUND]);
          background++;
        } else if (v >= 5) {
          expect(c).toEqual([...COLOUR_HIGH]);
          hot++;
          if (Math.abs(i - 128) < 20 && Math.abs(j - 128) < 20) near++;
        }
      }
    }
    expect(hot).toBeGreaterThan(3);
    expect(near).toBe(hot); // the bump sits on the face, around column 128, row 128
    expect(background).toBeGreaterThan(0);

    // The holed sample: background inside the GT's data where the prediction has a hole.
    const hole = pics.find((p) => p.method === 'bumpy' && p.item === '150');
    if (hole) {
      const png150 = PNG.sync.read(hole.png);
      const [t150] = discoverFacescapeTasks(layout.root, join(root, 'bumpy'), 'fswild', { samples: ['150'] }).tasks;
      const m150 = scoreFacescapeTask(t150, config, 'k').result!.maps;
      let inside = 0;
      for (let i = hole.window.row0; i < hole.window.row1; i++) {
        for (let j = hole.window.col0; j < hole.window.col1; j++) {
          const k = i * m150.cols + j;
          if (m150.gtRadius[k] > 0 && Number.isNaN(m150.predError[k])) {
            inside++;
            expect(pixel(png150, hole.heat.x + (j - hole.window.col0) * hole.zoom, hole.heat.y + (i - hole.window.row0) * hole.zoom)).toEqual([...HEAT_BACKGROUND]);
          }
        }
      }
      expect(inside).toBeGreaterThan(0);
    }
    const html = readFileSync(files.html, 'utf8');
    expect((html.match(/<figure class="facescape-heat"/g) ?? []).length).toBe(pics.length);
    expect(html).toContain(`data:image/png;base64,${bump.png.toString('base64').slice(0, 60)}`);
  });

  it('notes the sample whose prediction is gone, in one line', () => {
    const note = files.notes.filter((n) => n.startsWith(`clean ${goneSample}:`));
    expect(note).toHaveLength(1);
    expect(note[0]).toMatch(new RegExp(`no heat picture, its prediction .*${goneSample}\\.ply is gone$`));
    expect(readFileSync(files.html, 'utf8')).toContain('is gone');
  });

  it('writes the heat PNGs with --figures, listed in figures.json, and no empty table2.tex', () => {
    const dir = join(root, 'figures');
    const written = readdirSync(dir).sort();
    expect(written).not.toContain('table2.tex');
    const index = JSON.parse(readFileSync(join(dir, 'figures.json'), 'utf8'));
    expect(index.facescape).toHaveLength(files.facescapePictures.length);
    expect(index.facescape[0].file).toBe('facescape-1-bumpy-000.png');
    for (const f of index.facescape) {
      const png = PNG.sync.read(readFileSync(join(dir, f.file)));
      expect([png.width, png.height]).toEqual([f.width, f.height]);
    }
  });

  it('beside nersemble results: Table 2 keeps them, the FaceScape results get their own section', async () => {
    const fx = await makeReportFixture(join(root, 'nersemble'));
    const mixed = writeReport({ results: [fx.results, join(out, 'bumpy')], out: join(root, 'mixed', 'report.html'), worst: 1 });
    expect(mixed.tables.table2.rows.map((r) => r.method).sort()).toEqual(['exact', 'noisy <i>&']);
    expect(mixed.tables.items.every((r) => r.method !== 'bumpy')).toBe(true);
    expect(mixed.tables.provenance.map((p) => p.method)).toContain('bumpy');
    expect(mixed.facescapePictures.map((p) => `${p.method}/${p.item}`)).toEqual(['bumpy/000']);
    const html = readFileSync(mixed.html, 'utf8');
    expect(html).toContain('<h2>Table 2</h2>');
    expect(html).toContain('id="facescape-left-out"');
    expect(html).toContain('FaceScape (CD, MNE, CR)');
    expect(existsSync(mixed.csv['facescape-wild'])).toBe(true);
    expect(existsSync(mixed.csv.table2)).toBe(true);
  }, 300_000);
});
