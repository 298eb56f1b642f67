/** facebench facescape-wild / facescape-lab results in the FaceScape tables and Table 3 (`facebench tables`). */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readResultsFile } from '../../evaluators/formats/index.js';
import { tablesCommand } from '../../reports/cross-benchmark.js';
import { summariseFacescapeResults } from '../../reports/facescape-results.js';
import { facebench } from '../benchmark/cli-helpers.js';
import { SHA_A, SHA_B, makeDoc, tempDir, writeDoc, type FixtureItem } from './leaderboard-fixtures.js';

/** One fabricated sample: its name, and cd/mne/cr (NaN: undefined, written as null) or undefined for an error record. */
type Sample = { name: string; m?: { cd: number; mne: number; cr: number } };

/** In-the-lab samples across the bins: `SS_F_VV` (subject, focal index, view). */
const LAB: Sample[] = [
  { name: '00_0_00', m: { cd: 1.5, mne: 0.2, cr: 0.9 } }, // 0°, f 1200
  { name: '01_0_00', m: { cd: 2.5, mne: 0.3, cr: 0.8 } }, // 0°, f 1200
  { name: '00_0_03', m: { cd: 2.0, mne: NaN, cr: 0.7 } }, // 30°, f 1200, MNE undefined
  { name: '05_0_09' }, // 60°, f 1200: error record (no prediction)
  { name: '07_1_04', m: { cd: 3.0, mne: 0.4, cr: 0.92 } }, // f 600
  { name: '19_2_10', m: { cd: NaN, mne: 0.5, cr: NaN } }, // f 300, CR undefined: not done
];

/** In-the-wild samples: the quarters of 000 … 399 are the angle bins. */
const WILD: Sample[] = [
  { name: '000', m: { cd: 1.0, mne: 0.1, cr: 0.95 } },
  { name: '099', m: { cd: 2.0, mne: 0.2, cr: 0.85 } },
  { name: '150', m: { cd: 4.0, mne: 0.3, cr: NaN } },
  { name: '399' },
];

const person = (protocol: string, name: string) => (protocol === 'facescape-wild' ? 'wild' : name.slice(0, 2));

function fsDoc(method: string, protocol: 'facescape-wild' | 'facescape-lab', samples: Sample[], sha = SHA_A) {
  const items: FixtureItem[] = samples.map((s) => ({ person: person(protocol, s.name), item: s.name, task: 'posed', metrics: s.m }));
  const ok = samples.filter((s) => s.m);
  const meanDefined = (k: 'cd' | 'mne' | 'cr') => {
    const d = ok.map((s) => s.m![k]).filter((v) => !Number.isNaN(v));
    return d.reduce((a, b) => a + b, 0) / d.length;
  };
  return makeDoc({ method, sha, protocol, items, summary: { posed: { metrics: { cd: meanDefined('cd'), mne: meanDefined('mne'), cr: meanDefined('cr') } } } });
}

/** Independent reference: plain mean of the defined values of the samples passing `keep` (null if none). */
function mean(samples: Sample[], k: 'cd' | 'mne' | 'cr', keep: (name: string) => boolean): number | null {
  const v = samples.filter((s) => keep(s.name) && s.m && !Number.isNaN(s.m[k])).map((s) => s.m![k]);
  return v.length ? v.reduce((a, b) => a + b, 0) / v.length : null;
}
const focalOf = (n: string) => Number(n.slice(3, 4));
const viewOf = (n: string) => Number(n.slice(5));

function expectClose(actual: number | null, expected: number | null) {
  if (expected === null) expect(actual).toBeNull();
  else expect(actual).toBeCloseTo(expected, 12);
}

function fixture() {
  const labDir = tempDir('fs-lab');
  const labPath = join(writeDoc(labDir, fsDoc('deca', 'facescape-lab', LAB)), 'results.json');
  const wildDir = tempDir('fs-wild');
  const wildPath = join(writeDoc(wildDir, fsDoc('deca', 'facescape-wild', WILD, SHA_B)), 'results.json');
  writeDoc(wildDir, fsDoc('wildonly', 'facescape-wild', WILD.slice(0, 2), SHA_B));
  const nowDir = tempDir('fs-now');
  const items = ['A', 'B'].map((item) => ({ person: 'p1', item, task: 'posed' as const, metrics: { median: 1, mean: 1.2, std: 0.5, points: 10 } }));
  writeDoc(nowDir, makeDoc({ method: 'deca', sha: SHA_B, protocol: 'now', items, thresholds: [0, 1], summary: { posed: { metrics: { median: 1, mean: 1.2, std: 0.5, points: 20 }, curve: [0, 1] } } }));
  return { labDir, labPath, wildDir, wildPath, nowDir };
}

/** A shipped `eval_result/fslab_<method>` folder with constant values (CR NaN for the first `failed` samples). */
function shippedLab(method: string, cd: number, mne: number, cr: number, failed = 0): string {
  const parent = tempDir('fs-shipped');
  const dir = join(parent, 'eval_result', `fslab_${method}`);
  mkdirSync(dir, { recursive: true });
  const col = (v: number, nanBelow: number) => Array.from({ length: 660 }, (_, i) => (i < nanBelow ? 'nan' : v.toExponential(18))).join('\n');
  writeFileSync(join(dir, 'CD_full.txt'), col(cd, 0));
  writeFileSync(join(dir, 'MNE_full.txt'), col(mne, 0));
  writeFileSync(join(dir, 'CR_full.txt'), col(cr, failed));
  return parent;
}

describe('FaceScape results of facebench eval', () => {
  it('lab: bins, focal bins, overall means and done rate over the listed samples', () => {
    const { labPath } = fixture();
    const s = summariseFacescapeResults(readResultsFile(labPath), labPath);
    expect(s).toMatchObject({ method: 'deca', dataset: 'fslab', folder: labPath, source: 'facebench', listed: 6 });
    const angleKeep = [(n: string) => focalOf(n) === 0 && viewOf(n) === 0, (n: string) => focalOf(n) === 0 && viewOf(n) >= 1 && viewOf(n) <= 8, (n: string) => focalOf(n) === 0 && viewOf(n) >= 9];
    expect(s.angle.map((b) => [b.label, b.samples])).toEqual([['0', 2], ['30', 1], ['60', 1]]);
    s.angle.forEach((b, k) => (['cd', 'mne', 'cr'] as const).forEach((m) => expectClose(b[m], mean(LAB, m, angleKeep[k]))));
    expect(s.angle[1].mne).toBeNull(); // its only sample has MNE undefined
    expect(s.angle[2]).toMatchObject({ cd: null, mne: null, cr: null }); // error record only
    expect(s.focal!.map((b) => [b.label, b.samples])).toEqual([['1200', 4], ['600', 1], ['300', 1]]);
    s.focal!.forEach((b, k) => (['cd', 'mne', 'cr'] as const).forEach((m) => expectClose(b[m], mean(LAB, m, (n) => focalOf(n) === k))));
    (['cd', 'mne', 'cr'] as const).forEach((m) => expectClose(s.all[m], mean(LAB, m, () => true)));
    expect(s.all.cd).toBeCloseTo(2.25, 12);
    // Done: samples with a defined CR among the 6 listed (not among all 660).
    expect(s.done_rate).toBeCloseTo(4 / 6, 15);
    expect(s.done.cd).toBeCloseTo(4 / 6, 15);
    expect(s.done.mne).toBeCloseTo(4 / 6, 15);
  });

  it('wild: quarter bins count the listed samples only', () => {
    const { wildPath } = fixture();
    const s = summariseFacescapeResults(readResultsFile(wildPath), wildPath);
    expect(s.angle.map((b) => [b.label, b.samples])).toEqual([['0-5', 2], ['5-30', 1], ['30-60', 0], ['60-90', 1]]);
    s.angle.forEach((b, k) => (['cd', 'mne', 'cr'] as const).forEach((m) => expectClose(b[m], mean(WILD, m, (n) => Math.floor(Number(n) / 100) === k))));
    expect(s.angle[0].cd).toBeCloseTo(1.5, 12);
    expect(s.angle[2]).toMatchObject({ samples: 0, cd: null, mne: null, cr: null });
    (['cd', 'mne', 'cr'] as const).forEach((m) => expectClose(s.all[m], mean(WILD, m, () => true)));
    expect(s.focal).toBeUndefined();
    expect(s.done_rate).toBeCloseTo(2 / 4, 15);
    expect(s.done.cd).toBeCloseTo(3 / 4, 15);
  });

  it.each([
    ['a lab subject out of range', 'facescape-lab', '20_0_00', /results\.json: item "20_0_00" \(person "20"\) is not a facescape-lab sample \(in-the-lab samples are SS_F_VV/],
    ['a lab name in the wild form', 'facescape-lab', '007', /results\.json: item "007" .*is not a facescape-lab sample/],
    ['a wild index out of range', 'facescape-wild', '400', /results\.json: item "400" \(person "wild"\) is not a facescape-wild sample \(in-the-wild samples are 000 … 399\)/],
    ['a wild name without padding', 'facescape-wild', '7', /results\.json: item "7" .*is not a facescape-wild sample/],
  ])('refuses %s in one line naming results.json', (_name, protocol, item, message) => {
    const dir = tempDir('fs-bad');
    const samples = [...(protocol === 'facescape-lab' ? LAB : WILD), { name: item, m: { cd: 1, mne: 0.1, cr: 0.5 } }];
    const path = join(writeDoc(dir, fsDoc('bad', protocol as 'facescape-lab', samples)), 'results.json');
    expect(() => summariseFacescapeResults(readResultsFile(path), path)).toThrow(message);
    expect(() => tablesCommand({ results: [dir], quiet: true })).toThrow(message);
    const cli = facebench(['tables', '--results', dir]);
    expect(cli.status).toBe(1);
    expect(cli.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^facebench: .*bad\/results\.json: item /)]);
  });

  it('refuses a sample listed twice', () => {
    const dir = tempDir('fs-dup');
    const path = join(writeDoc(dir, fsDoc('dup', 'facescape-lab', [...LAB, LAB[0]])), 'results.json');
    expect(() => summariseFacescapeResults(readResultsFile(path), path)).toThrow(/results\.json: sample 00_0_00 is listed twice/);
  });
});

describe('tables with facebench FaceScape results', () => {
  it('Table 3 takes the in-the-lab means; wild results go to the wild table; rows marked; CSV and JSON', () => {
    const { labDir, labPath, wildDir, nowDir } = fixture();
    const out = tempDir('fs-out');
    const { tables, text, files } = tablesCommand({ results: [nowDir, labDir, wildDir], out, quiet: true });
    expect(tables.skipped).toEqual([]);
    expect(tables.table3.map((r) => r.method)).toEqual(['deca', 'wildonly']);
    const deca = tables.table3[0];
    expect(deca.now).toEqual({ median: 1, mean: 1.2, std: 0.5 });
    expect(deca.facescape!.source).toBe(labPath);
    (['cd', 'mne', 'cr'] as const).forEach((m) => expectClose(deca.facescape![m], mean(LAB, m, () => true)));
    expect(tables.table3[1].facescape).toBeNull();
    expect(text).toMatch(/^deca\s+1\.000\s+1\.200\s+0\.500\s+2\.25\s+0\.350\s+83\.0$/m);
    expect(text).toMatch(/^wildonly\s+n\/a\s+n\/a\s+n\/a\s+n\/a\s+n\/a\s+n\/a$/m);
    // Footnotes.
    expect(tables.notes[1]).toMatch(/^FaceScape: CD \(mm\), MNE \(rad\), CR \(%\) — in-the-lab means .* of facebench facescape-lab results; n\/a where a method has none\.$/);
    expect(tables.notes.some((n) => /Table 3 uses in-the-lab means; in-the-wild results only \(n\/a in Table 3\): wildonly\.$/.test(n))).toBe(true);
    expect(tables.notes.some((n) => /Incomplete FaceScape results .*deca fslab 6\/660, deca fswild 4\/400, wildonly fswild 2\/400/.test(n))).toBe(true);
    expect(tables.notes.join('\n')).not.toMatch(/not implemented/);
    // FaceScape tables: facebench rows marked with the listed share.
    const lab = readFileSync(files!.facescapeLab!, 'utf8').trim().split('\n');
    expect(lab).toEqual([
      'method,0 CD (mm),0 MNE (rad),0 CR (%),30 CD (mm),30 MNE (rad),30 CR (%),60 CD (mm),60 MNE (rad),60 CR (%),all CD (mm),all MNE (rad),all CR (%),done (%)',
      'deca [facebench 6/660],2.00,0.250,85.0,2.00,n/a,70.0,n/a,n/a,n/a,2.25,0.350,83.0,66.7',
    ]);
    const focal = readFileSync(files!.facescapeLabFocal!, 'utf8').trim().split('\n');
    expect(focal).toEqual([
      'method,1200 CD (mm),1200 MNE (rad),1200 CR (%),600 CD (mm),600 MNE (rad),600 CR (%),300 CD (mm),300 MNE (rad),300 CR (%),all CD (mm),all MNE (rad),all CR (%),done (%)',
      'deca [facebench 6/660],2.00,0.250,80.0,3.00,0.400,92.0,n/a,0.500,n/a,2.25,0.350,83.0,66.7',
    ]);
    const wild = readFileSync(files!.facescapeWild!, 'utf8').trim().split('\n');
    expect(wild.slice(1)).toEqual([
      'deca [facebench 4/400],1.50,0.150,90.0,4.00,0.300,n/a,n/a,n/a,n/a,n/a,n/a,n/a,2.33,0.200,90.0,50.0',
      'wildonly [facebench 2/400],1.50,0.150,90.0,n/a,n/a,n/a,n/a,n/a,n/a,n/a,n/a,n/a,1.50,0.150,90.0,100.0',
    ]);
    expect(text).toMatch(/FaceScape in-the-lab \(angle bins at f = 1200, °; all = 660 samples\) — facebench results\n/);
    expect(text).toMatch(/FaceScape in-the-lab \(focal-length bins/);
    expect(text).toMatch(/^\[facebench n\/m\]: a facebench eval result/m);
    const json = JSON.parse(readFileSync(files!.json, 'utf8'));
    expect(json.facescape.map((s: { method: string; dataset: string; source: string; listed: number }) => `${s.method}:${s.dataset}:${s.source}:${s.listed}`)).toEqual([
      'deca:fslab:facebench:6', 'deca:fswild:facebench:4', 'wildonly:fswild:facebench:2',
    ]);
  });

  it('shipped and facebench results share the FaceScape tables; the same method in both is refused', () => {
    const { labDir } = fixture();
    const parent = shippedLab('PRNet', 1.5, 0.25, 0.75, 66);
    const { tables, text } = tablesCommand({ results: [labDir], facescapeResults: parent, quiet: true });
    expect(tables.table3.map((r) => [r.method, r.facescape?.cd])).toEqual([['PRNet', 1.5], ['deca', 2.25]]);
    expect(tables.notes[1]).toMatch(/of facebench facescape-lab results and FaceScape's shipped per-sample results;/);
    expect(text).toMatch(/^PRNet\s+1\.50\s+0\.250\s+75\.0\s+.*\s90\.0$/m); // shipped: unmarked, done 594/660
    expect(text).toMatch(/^deca \[facebench 6\/660\]\s+2\.00\s+0\.250\s+85\.0\s/m);
    expect(text).toMatch(/ — .*eval_result \+ facebench results\n/);
    const same = shippedLab('deca', 1, 0.1, 0.9);
    expect(() => tablesCommand({ results: [labDir], facescapeResults: same, quiet: true })).toThrow(/fslab_deca: method "deca" has FaceScape fslab results also in .*deca\/results\.json: pass each method once per benchmark/);
  });

  it('refuses FaceScape results of two different benchmarks of one protocol, accepts wild and lab of different ones', () => {
    const { labDir, wildDir } = fixture();
    expect(() => tablesCommand({ results: [labDir, wildDir], quiet: true })).not.toThrow(); // SHA_A vs SHA_B, different protocols
    const other = tempDir('fs-other');
    writeDoc(other, fsDoc('emoca', 'facescape-lab', LAB, 'c'.repeat(64)));
    expect(() => tablesCommand({ results: [labDir, other], quiet: true })).toThrow(/emoca\/results\.json: benchmark differs/);
  });

  it('footnotes: none, wild only', () => {
    const { wildDir, nowDir } = fixture();
    const none = tablesCommand({ results: [nowDir], quiet: true }).tables.notes[1];
    expect(none).toBe("FaceScape: n/a — no FaceScape results were given (evaluate with --protocol facescape-lab, or pass FaceScape's shipped per-sample results with --facescape-results).");
    const wild = tablesCommand({ results: [nowDir, wildDir], quiet: true }).tables;
    expect(wild.notes[1]).toMatch(/^FaceScape: n\/a — only in-the-wild FaceScape results were given and Table 3 uses in-the-lab means/);
    expect(wild.table3.every((r) => r.facescape === null)).toBe(true);
  });

  it('without --results: shipped results alone; neither flag is a usage error', () => {
    const parent = shippedLab('PRNet', 1.5, 0.25, 0.75);
    const { tables } = tablesCommand({ facescapeResults: parent, quiet: true });
    expect(tables.now).toEqual([]);
    expect(tables.table3.map((r) => [r.method, r.now, r.facescape?.cr])).toEqual([['PRNet', null, 0.75]]);
    expect(() => tablesCommand({ quiet: true })).toThrow(/pass --results <dirs\.\.\.> .* or --facescape-results <dir>/);
    const ok = facebench(['tables', '--facescape-results', parent]);
    expect(ok.status).toBe(0);
    expect(ok.stdout).toMatch(/^PRNet\s+n\/a\s+n\/a\s+n\/a\s+1\.50\s+0\.250\s+75\.0$/m);
    const usage = facebench(['tables', '--out', tempDir('fs-usage')]);
    expect(usage.status).toBe(2);
    expect(usage.stdout).toBe('');
    expect(usage.stderr.trim().split('\n')).toEqual(["error: give --results <dirs...> (facebench eval results) or --facescape-results <dir> (FaceScape's shipped per-sample results)"]);
  });
});
