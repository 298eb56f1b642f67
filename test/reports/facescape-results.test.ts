import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readFacescapeResults } from '../../evaluators/formats/index.js';
import { tablesCommand } from '../../reports/cross-benchmark.js';
import { pyFixed, summariseFacescape } from '../../reports/facescape-results.js';
import { facebench } from '../benchmark/cli-helpers.js';
import { SHA_B, makeDoc, tempDir, writeDoc } from './leaderboard-fixtures.js';

/** As np.savetxt writes a column: `%.18e`, `nan` for NaN. */
function savetxt(path: string, values: number[]): void {
  const e = (v: number) => (Number.isNaN(v) ? 'nan' : v.toExponential(18).replace(/e([+-])(\d)$/, 'e$10$2'));
  writeFileSync(path, values.map((v) => `${e(v)}\n`).join(''));
}

type Columns = { CD: number[]; MNE: number[]; CR: number[] };

function writeMethod(root: string, folder: string, c: Columns): void {
  mkdirSync(join(root, folder), { recursive: true });
  for (const m of ['CD', 'MNE', 'CR'] as const) savetxt(join(root, folder, `${m}_full.txt`), c[m]);
}

/** Wild: failed samples (all three NaN) every 13th; CD alone NaN at 7 (CR defines done). */
function wildColumns(): Columns {
  const fail = (i: number) => i % 13 === 0;
  return {
    CD: Array.from({ length: 400 }, (_, i) => (fail(i) || i === 7 ? NaN : 1 + (i % 7) * 0.25)),
    MNE: Array.from({ length: 400 }, (_, i) => (fail(i) ? NaN : 0.1 + (i % 5) * 0.01)),
    CR: Array.from({ length: 400 }, (_, i) => (fail(i) ? NaN : 0.9 + (i % 3) * 0.03)),
  };
}

/** Lab: value from (subject, focal, view); views 9–10 failed at f = 1200 (empty 60° bin). */
function labColumns(): Columns {
  const at = (f: (s: number, fl: number, v: number) => number) =>
    Array.from({ length: 660 }, (_, i) => {
      const s = Math.floor(i / 33);
      const fl = Math.floor((i % 33) / 11);
      const v = i % 11;
      return fl === 0 && v >= 9 ? NaN : f(s, fl, v);
    });
  return { CD: at((s, fl, v) => 1 + v * 0.1 + fl + s * 0.01), MNE: at((_s, fl, v) => 0.2 + v * 0.005 + fl * 0.05), CR: at((_s, fl, v) => 1 - v * 0.01 - fl * 0.02) };
}

/** Independent reference: mean of the non-NaN values whose index passes `keep`. */
function mean(values: number[], keep: (i: number) => boolean): number | null {
  const kept = values.filter((v, i) => keep(i) && !Number.isNaN(v));
  return kept.length ? kept.reduce((a, b) => a + b, 0) / kept.length : null;
}

function fixture() {
  const parent = tempDir('facescape');
  const root = join(parent, 'eval_result');
  writeMethod(root, 'fswild_PRNet', wildColumns());
  writeMethod(root, 'fslab_PRNet', labColumns());
  writeMethod(root, 'fswild_OnlyWild', wildColumns());
  // 1.125 mm everywhere: a tie that Python's %1.2f prints as 1.12 (toFixed: 1.13). CR 0.9025: numpy's
  // pairwise mean is 0.9025000000000001 over 20, 160 or 40 samples (90.3 %) but 0.9025 over 660 (90.2 %).
  writeMethod(root, 'fslab_Tie', { CD: Array(660).fill(1.125), MNE: Array(660).fill(0.0625), CR: Array(660).fill(0.9025) });
  writeFileSync(join(root, 'table_1_fswild_angle.csv'), 'x\n');
  mkdirSync(join(root, 'notes'));
  return { parent, root };
}

describe('FaceScape shipped per-sample results', () => {
  it('prints as Python %f does: exact ties round to even', () => {
    expect([pyFixed(1.125, 2), pyFixed(1.135, 2), pyFixed(0.9025 * 100, 1), pyFixed(0.0625, 3), pyFixed(97.25, 1), pyFixed(2.675, 2), pyFixed(1.0005, 3), pyFixed(0.375, 2)])
      .toEqual(['1.12', '1.14', '90.2', '0.062', '97.2', '2.67', '1.000', '0.38']);
  });

  it('wild: quarter bins, overall mean and done rate of non-NaN samples', () => {
    const { parent, root } = fixture();
    const folder = readFacescapeResults(parent); // the parent of eval_result works too
    expect(folder.root).toBe(root);
    expect(folder.ignored.map((i) => i.name)).toEqual(['notes', 'table_1_fswild_angle.csv']);
    const wild = summariseFacescape(folder.results.find((r) => r.dataset === 'fswild' && r.method === 'PRNet')!);
    const c = wildColumns();
    expect(wild.angle.map((b) => b.label)).toEqual(['0-5', '5-30', '30-60', '60-90']);
    wild.angle.forEach((b, k) => {
      expect(b.samples).toBe(100);
      expect(b.cd).toBeCloseTo(mean(c.CD, (i) => Math.floor(i / 100) === k)!, 12);
      expect(b.mne).toBeCloseTo(mean(c.MNE, (i) => Math.floor(i / 100) === k)!, 12);
      expect(b.cr).toBeCloseTo(mean(c.CR, (i) => Math.floor(i / 100) === k)!, 12);
    });
    expect(wild.all.cd).toBeCloseTo(mean(c.CD, () => true)!, 12);
    const failed = Array.from({ length: 400 }, (_, i) => i).filter((i) => i % 13 === 0).length;
    expect(wild.done_rate).toBeCloseTo((400 - failed) / 400, 15);
    expect(wild.done.cd).toBeCloseTo((400 - failed - 1) / 400, 15);
  });

  it('wild with fewer lines (FaceScape ships fswild_DF2Net with 374): read by position, the last bin short, done rate over the lines', () => {
    const { root } = fixture();
    const c = wildColumns();
    const short = { CD: c.CD.slice(0, 374), MNE: c.MNE.slice(0, 374), CR: c.CR.slice(0, 374) };
    writeMethod(root, 'fswild_Short', short);
    const wild = summariseFacescape(readFacescapeResults(root).results.find((r) => r.method === 'Short')!);
    expect(wild.angle.map((b) => b.samples)).toEqual([100, 100, 100, 74]);
    expect(wild.angle[3].cd).toBeCloseTo(mean(short.CD, (i) => i >= 300)!, 12);
    expect(wild.all.mne).toBeCloseTo(mean(short.MNE, () => true)!, 12);
    const failed = short.CR.filter((v) => Number.isNaN(v)).length;
    expect(wild.done_rate).toBeCloseTo((374 - failed) / 374, 15);
    const { text } = tablesCommand({ facescapeResults: root, quiet: true });
    expect(text).toMatch(/read by position as FaceScape's scripts do .*fswild_Short 374\/400/);
  });

  it('lab: angle bins at the first focal length, focal bins, all 660; an empty bin is null', () => {
    const { root } = fixture();
    const lab = summariseFacescape(readFacescapeResults(root).results.find((r) => r.dataset === 'fslab' && r.method === 'PRNet')!);
    const c = labColumns();
    const f = (i: number) => Math.floor((i % 33) / 11);
    const v = (i: number) => i % 11;
    expect(lab.angle.map((b) => [b.label, b.samples])).toEqual([['0', 20], ['30', 160], ['60', 40]]);
    expect(lab.angle[0].cd).toBeCloseTo(mean(c.CD, (i) => f(i) === 0 && v(i) === 0)!, 12);
    expect(lab.angle[1].mne).toBeCloseTo(mean(c.MNE, (i) => f(i) === 0 && v(i) >= 1 && v(i) <= 8)!, 12);
    expect(lab.angle[2]).toMatchObject({ cd: null, mne: null, cr: null });
    expect(lab.focal!.map((b) => b.label)).toEqual(['1200', '600', '300']);
    lab.focal!.forEach((b, k) => expect(b.cr).toBeCloseTo(mean(c.CR, (i) => f(i) === k)!, 12));
    expect(lab.all.cd).toBeCloseTo(mean(c.CD, () => true)!, 12);
    expect(lab.done_rate).toBeCloseTo((660 - 40) / 660, 15);
  });

  it('tables --facescape-results: Table 3 gets the in-the-lab means, text, CSV and JSON', () => {
    const { parent } = fixture();
    const nowDir = tempDir('facescape-now');
    const items = ['A', 'B'].map((item) => ({ person: 'p1', item, task: 'posed' as const, metrics: { median: 1, mean: 1.2, std: 0.5, points: 10 } }));
    writeDoc(nowDir, makeDoc({ method: 'deca', sha: SHA_B, protocol: 'now', items, thresholds: [0, 1], summary: { posed: { metrics: { median: 1, mean: 1.2, std: 0.5, points: 20 }, curve: [0, 1] } } }));
    const out = tempDir('facescape-out');
    const { tables, text, files } = tablesCommand({ results: [nowDir], facescapeResults: parent, out, quiet: true });
    expect(tables.table3.map((r) => r.method)).toEqual(['OnlyWild', 'PRNet', 'Tie', 'deca']);
    const lab = labColumns();
    const prnet = tables.table3.find((r) => r.method === 'PRNet')!;
    expect(prnet.now).toBeNull();
    expect(prnet.facescape!.cd).toBeCloseTo(mean(lab.CD, () => true)!, 12);
    expect(tables.table3.find((r) => r.method === 'deca')!.facescape).toBeNull();
    expect(tables.table3.find((r) => r.method === 'OnlyWild')!.facescape).toBeNull();
    expect(tables.notes.some((n) => /in-the-wild results only .*OnlyWild/.test(n))).toBe(true);
    expect(text).toMatch(/^Tie\s+n\/a\s+n\/a\s+n\/a\s+1\.12\s+0\.062\s+90\.2$/m);
    expect(text).toMatch(/^deca\s+1\.000\s+1\.200\s+0\.500\s+n\/a\s+n\/a\s+n\/a$/m);
    expect(text).toMatch(/ignored in .*eval_result: notes \(not a fswild_<method> or fslab_<method> folder\), table_1_fswild_angle\.csv \(not a folder\)/);
    const t3 = readFileSync(files!.table3, 'utf8').trim().split('\n');
    expect(t3[0]).toBe('method,NoW median,NoW mean,NoW std,FaceScape CD (mm),FaceScape MNE (rad),FaceScape CR (%)');
    expect(t3).toContain('Tie,n/a,n/a,n/a,1.12,0.062,90.2');
    const labCsv = readFileSync(files!.facescapeLab!, 'utf8').trim().split('\n');
    expect(labCsv[0]).toBe('method,0 CD (mm),0 MNE (rad),0 CR (%),30 CD (mm),30 MNE (rad),30 CR (%),60 CD (mm),60 MNE (rad),60 CR (%),all CD (mm),all MNE (rad),all CR (%),done (%)');
    // Expected rows: these files read by numpy 2.4 and printed with export_table.py's formats
    // (its -1 for an empty in-the-lab 60° bin is n/a here).
    expect(labCsv).toContain('Tie,1.12,0.062,90.3,1.12,0.062,90.3,1.12,0.062,90.3,1.12,0.062,90.2,100.0');
    expect(labCsv).toContain('PRNet,1.10,0.200,100.0,1.54,0.223,95.5,n/a,n/a,n/a,2.63,0.277,93.2,93.9');
    const wildCsv = readFileSync(files!.facescapeWild!, 'utf8').trim().split('\n');
    expect(wildCsv.map((l) => l.split(',')[0])).toEqual(['method', 'OnlyWild', 'PRNet']);
    expect(wildCsv).toContain('PRNet,1.75,0.120,93.0,1.74,0.120,93.0,1.75,0.120,93.0,1.75,0.120,93.0,1.75,0.120,93.0,92.2');
    const json = JSON.parse(readFileSync(files!.json, 'utf8'));
    expect(json.facescape).toHaveLength(4);
    expect(json.table3.find((r: { method: string }) => r.method === 'Tie').facescape).toMatchObject({ cd: 1.125, mne: 0.0625, cr: 0.9025 });
  });

  it.each([
    ['in-the-lab files of unequal length', (dir: string) => savetxt(join(dir, 'fslab_PRNet', 'CD_full.txt'), Array(659).fill(1)), /fslab_PRNet\/CD_full\.txt: has 659 values, expected 660 \(fslab: one per sample\)$/],
    ['in-the-wild files longer than the set', (dir: string) => savetxt(join(dir, 'fswild_PRNet', 'CD_full.txt'), Array(401).fill(1)), /fswild_PRNet\/CD_full\.txt: has 401 values, expected 1 to 400/],
    ['in-the-wild files of unequal length', (dir: string) => savetxt(join(dir, 'fswild_PRNet', 'MNE_full.txt'), Array(399).fill(1)), /fswild_PRNet\/MNE_full\.txt: has 399 values but CD_full\.txt has 400/],
    ['non-numeric', (dir: string) => writeFileSync(join(dir, 'fslab_Tie', 'MNE_full.txt'), '1.0\nabc\n'), /fslab_Tie\/MNE_full\.txt: line 2: "abc" is not a number or nan/],
    ['infinite', (dir: string) => writeFileSync(join(dir, 'fslab_Tie', 'CR_full.txt'), 'inf\n'), /fslab_Tie\/CR_full\.txt: line 1: "inf" is not a number or nan/],
    ['an empty metric file', (dir: string) => writeFileSync(join(dir, 'fslab_Tie', 'CR_full.txt'), ''), /fslab_Tie\/CR_full\.txt: has 0 values, expected 660/],
    ['a missing metric file', (dir: string) => rmSync(join(dir, 'fslab_Tie', 'CR_full.txt')), /fslab_Tie\/CR_full\.txt: file not found/],
  ])('refuses %s in one line naming the file', (_name, spoil, message) => {
    const { root } = fixture();
    spoil(root);
    expect(() => readFacescapeResults(root)).toThrow(message);
  });

  it('ignores a folder whose name is not plain, refuses a folder without result folders', () => {
    const { root } = fixture();
    mkdirSync(join(root, 'fslab_a b'));
    expect(readFacescapeResults(root).ignored.find((i) => i.name === 'fslab_a b')!.reason).toMatch(/not a plain name/);
    const empty = tempDir('facescape-empty');
    expect(() => readFacescapeResults(empty)).toThrow(/no fswild_<method> or fslab_<method> folders/);
    expect(() => readFacescapeResults(join(empty, 'nope'))).toThrow(/nope: no such file or folder/);
  });

  it('the CLI flag: rows added; bad input exits 1 with one line', () => {
    const { parent, root } = fixture();
    const nowDir = tempDir('facescape-cli-now');
    const items = [{ person: 'p1', item: 'A', task: 'posed' as const, metrics: { median: 1, mean: 1.2, std: 0.5, points: 10 } }];
    writeDoc(nowDir, makeDoc({ method: 'deca', sha: SHA_B, protocol: 'now', items, thresholds: [0, 1], summary: { posed: { metrics: { median: 1, mean: 1.2, std: 0.5, points: 10 }, curve: [0, 1] } } }));
    const ok = facebench(['tables', '--results', nowDir, '--facescape-results', parent]);
    expect(ok.status).toBe(0);
    expect(ok.stdout).toMatch(/^Tie\s+n\/a\s+n\/a\s+n\/a\s+1\.12\s+0\.062\s+90\.2$/m);
    expect(ok.stdout).toMatch(/FaceScape in-the-lab/);
    writeFileSync(join(root, 'fswild_PRNet', 'MNE_full.txt'), 'x\n');
    const bad = facebench(['tables', '--results', nowDir, '--facescape-results', parent, '--quiet']);
    expect(bad.status).toBe(1);
    expect(bad.stdout).toBe('');
    expect(bad.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^facebench: .*fswild_PRNet\/MNE_full\.txt: line 1: "x" is not a number or nan/)]);
  });
});
