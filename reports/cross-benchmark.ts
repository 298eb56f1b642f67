import { join } from 'node:path';
import { stringify } from 'csv-stringify/sync';
import { InputError } from '../evaluators/errors.js';
import { isNowProtocol, isProtocolName } from '../evaluators/protocols/index.js';
import { writeFileAtomic } from '../evaluators/io/atomic.js';
import { FACESCAPE_SAMPLES, readFacescapeResults, readResultsDirs, type ResultsFile } from '../evaluators/formats/index.js';
import {
  facescapeProtocolDataset, facescapeTable, formatCd, formatMne, formatPercent, summariseFacescapeFolder, summariseFacescapeResults, type FacescapeSummary,
} from './facescape-results.js';
import { assertComparable, formatNumber, protocolName, textTable } from './leaderboard.js';
import type { ResultsDocument } from '../evaluators/formats/index.js';

/** Thresholds (mm) at which the NoW table reports its cumulative curve. */
export const NOW_CURVE_MM = [1, 2, 3, 4, 5, 6, 7, 8];

export interface NowRow {
  method: string;
  task: string;
  median: number | null;
  mean: number | null;
  std: number | null;
  /** Fraction of pooled GT points within d, at NOW_CURVE_MM (null where the curve does not reach). */
  curve: (number | null)[];
  scored: number;
  items: number;
}

export interface FacescapeRow {
  method: string;
  cd: number | null;
  mne: number | null;
  /** Coverage as a fraction (printed in %). */
  cr: number | null;
  /** Where the figures come from: a facebench facescape-lab results.json, or FaceScape's shipped per-sample folder (in-the-lab means either way). */
  source?: string;
}

export interface Table3Row {
  method: string;
  now: { median: number | null; mean: number | null; std: number | null } | null;
  facescape: FacescapeRow | null;
}

export interface CrossTables {
  now: NowRow[];
  table3: Table3Row[];
  /** Footnotes of the Table-3 layout. */
  notes: string[];
  /** Results not used by these tables (e.g. nersemble ones), with the reason. */
  skipped: { method: string; protocol: string; source: string }[];
  /**
   * FaceScape results summarised as FaceScape's scripts do: its shipped per-sample results
   * (`--facescape-results`, source 'shipped'), then facebench facescape-wild/-lab results (source 'facebench').
   */
  facescape: FacescapeSummary[];
}

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/** Curve value at d mm from the stored thresholds (exact match within 1e-9, else null). */
export function curveAt(doc: ResultsDocument, curve: number[], mm: number): number | null {
  const i = doc.curve_thresholds_mm.findIndex((t) => Math.abs(t - mm) < 1e-9);
  return i >= 0 ? num(curve[i]) : null;
}

function isNow(r: ResultsFile): boolean {
  const name = protocolName(r.doc);
  return isProtocolName(name) && isNowProtocol(name);
}

function isFacescape(r: ResultsFile): boolean {
  return facescapeProtocolDataset(protocolName(r.doc)) !== undefined;
}

/**
 * The NoW table (median/mean/std of the pooled distances and the cumulative curve at 1…8 mm,
 * one row per method and task) and the paper's Table-3 layout (rows methods; columns NoW
 * median/mean/std and FaceScape CD, MNE, CR), matching results of different benchmarks by
 * method name. NoW results must all share one benchmark and protocol, and so must the results
 * of each FaceScape protocol (refused otherwise). FaceScape results — facebench `facescape-wild`
 * / `facescape-lab` results and FaceScape's shipped per-sample results (`shipped`) — are
 * summarised alike (reports/facescape-results.ts); the FaceScape columns of Table 3 are the
 * in-the-lab overall means, n/a for a method without in-the-lab results.
 */
export function buildCrossTables(results: ResultsFile[], shipped: FacescapeSummary[] = []): CrossTables {
  const now = results.filter(isNow);
  const facescape = results.filter(isFacescape);
  assertComparable(now);
  for (const protocol of ['facescape-wild', 'facescape-lab']) assertComparable(facescape.filter((r) => protocolName(r.doc) === protocol));
  const skipped = results.filter((r) => !isNow(r) && !isFacescape(r)).map((r) => ({ method: r.doc.method, protocol: protocolName(r.doc), source: r.path }));
  const nowRows: NowRow[] = [];
  for (const r of now) {
    for (const [task, s] of Object.entries(r.doc.summary)) {
      nowRows.push({
        method: r.doc.method,
        task,
        median: num(s.metrics.median),
        mean: num(s.metrics.mean),
        std: num(s.metrics.std),
        curve: NOW_CURVE_MM.map((mm) => curveAt(r.doc, s.curve, mm)),
        scored: s.scored,
        items: s.items,
      });
    }
  }
  const ours = facescape.map((r) => summariseFacescapeResults(r.doc, r.path));
  for (const s of ours) {
    const other = shipped.find((o) => o.dataset === s.dataset && o.method === s.method);
    if (other) throw new InputError(other.folder, `method "${s.method}" has FaceScape ${s.dataset} results also in ${s.folder}: pass each method once per benchmark`);
  }
  const summaries = [...shipped, ...ours];
  const lab = summaries.filter((s) => s.dataset === 'fslab');
  const methods = [...new Set([...now.map((r) => r.doc.method), ...summaries.map((s) => s.method)])].sort();
  const table3: Table3Row[] = methods.map((method) => {
    const n = now.find((r) => r.doc.method === method);
    const l = lab.find((s) => s.method === method);
    const nowSummary = n ? (n.doc.summary.posed ?? Object.values(n.doc.summary)[0]) : undefined;
    return {
      method,
      now: nowSummary ? { median: num(nowSummary.metrics.median), mean: num(nowSummary.metrics.mean), std: num(nowSummary.metrics.std) } : null,
      facescape: l ? { method, cd: l.all.cd, mne: l.all.mne, cr: l.all.cr, source: l.folder } : null,
    };
  });
  const kinds = [ours.some((s) => s.dataset === 'fslab') ? 'facebench facescape-lab results' : '', shipped.some((s) => s.dataset === 'fslab') ? 'FaceScape\'s shipped per-sample results' : ''].filter(Boolean);
  const notes = [
    'NoW: median/mean/std (mm) of scan-to-mesh distances pooled over all scored items, as NoW evaluates.',
    summaries.length === 0
      ? 'FaceScape: n/a — no FaceScape results were given (evaluate with --protocol facescape-lab, or pass FaceScape\'s shipped per-sample results with --facescape-results).'
      : lab.length === 0
        ? 'FaceScape: n/a — only in-the-wild FaceScape results were given and Table 3 uses in-the-lab means (evaluate with --protocol facescape-lab, or pass FaceScape\'s shipped fslab_<method> results).'
        : `FaceScape: CD (mm), MNE (rad), CR (%) — in-the-lab means over the non-NaN samples (of all 660 for shipped results, of the listed ones for facebench results) of ${kinds.join(' and ')}; n/a where a method has none.`,
  ];
  const wild = summaries.filter((s) => s.dataset === 'fswild');
  if (wild.length > 0) {
    const wildOnly = wild.filter((s) => !lab.some((l) => l.method === s.method)).map((s) => s.method);
    notes.push(`FaceScape in-the-wild results are in the in-the-wild table only: Table 3 uses in-the-lab means${wildOnly.length ? `; in-the-wild results only (n/a in Table 3): ${[...new Set(wildOnly)].join(', ')}` : ''}.`);
  }
  const partial = ours.filter((s) => s.listed < FACESCAPE_SAMPLES[s.dataset]);
  if (partial.length > 0) notes.push(`Incomplete FaceScape results (figures and done rate over the listed samples only): ${partial.map((s) => `${s.method} ${s.dataset} ${s.listed}/${FACESCAPE_SAMPLES[s.dataset]}`).join(', ')}.`);
  const short = shipped.filter((s) => s.listed < FACESCAPE_SAMPLES[s.dataset]);
  if (short.length > 0) notes.push(`Shipped FaceScape results with fewer samples than the set, read by position as FaceScape's scripts do (the last angle bin is short; done rate over the samples present): ${short.map((s) => `${s.dataset}_${s.method} ${s.listed}/${FACESCAPE_SAMPLES[s.dataset]}`).join(', ')}.`);
  const incomplete = nowRows.filter((r) => r.scored < r.items);
  if (incomplete.length > 0) notes.push(`Incomplete NoW results (figures over scored items only): ${incomplete.map((r) => `${r.method} ${r.task} ${r.scored}/${r.items}`).join(', ')}.`);
  return { now: nowRows, table3, notes, skipped, facescape: summaries };
}

export function nowTable(t: CrossTables): string[][] {
  return [
    ['method', 'task', 'median', 'mean', 'std', ...NOW_CURVE_MM.map((mm) => `≤${mm}mm`), 'scored'],
    ...t.now.map((r) => [r.method, r.task, formatNumber(r.median), formatNumber(r.mean), formatNumber(r.std), ...r.curve.map((v) => formatNumber(v, 4)), `${r.scored}/${r.items}`]),
  ];
}

export function table3(t: CrossTables): string[][] {
  const na = (v: number | null | undefined, digits = 3) => (v === null || v === undefined ? 'n/a' : formatNumber(v, digits));
  return [
    ['method', 'NoW median', 'NoW mean', 'NoW std', 'FaceScape CD (mm)', 'FaceScape MNE (rad)', 'FaceScape CR (%)'],
    ...t.table3.map((r) => [r.method, na(r.now?.median), na(r.now?.mean), na(r.now?.std), formatCd(r.facescape?.cd ?? null), formatMne(r.facescape?.mne ?? null), formatPercent(r.facescape?.cr ?? null)]),
  ];
}

export interface TablesOptions {
  /** Result folders of any benchmarks (eval output folders or method folders); optional with `facescapeResults`. */
  results?: string[];
  /** Optional output folder: now.csv, table3.csv, tables.json (and facescape-wild.csv, facescape-lab.csv, facescape-lab-focal.csv). */
  out?: string;
  /** FaceScape's `benchmark/eval_result` folder (or its parent): its shipped per-sample results. */
  facescapeResults?: string;
  quiet?: boolean;
}

type TablesFiles = { now: string; table3: string; json: string; facescapeWild?: string; facescapeLab?: string; facescapeLabFocal?: string };

/** `facebench tables [--results DIR...] [--facescape-results DIR] [--out DIR]` (at least one of the first two). */
export function tablesCommand(options: TablesOptions): { tables: CrossTables; text: string; files?: TablesFiles } {
  const dirs = options.results ?? [];
  if (dirs.length === 0 && !options.facescapeResults) {
    throw new InputError('facebench tables', 'no results given: pass --results <dirs...> (facebench eval results) or --facescape-results <dir> (FaceScape\'s shipped per-sample results)');
  }
  const results = dirs.length > 0 ? readResultsAcrossBenchmarks(dirs) : [];
  const shipped = options.facescapeResults ? readFacescapeResults(options.facescapeResults) : undefined;
  const tables = buildCrossTables(results, shipped ? summariseFacescapeFolder(shipped) : []);
  if (tables.now.length === 0 && tables.table3.length === 0) {
    throw new InputError(dirs.join(' '), `no NoW or FaceScape results among ${results.length} result(s) (protocols: ${[...new Set(tables.skipped.map((s) => s.protocol))].join(', ')}): evaluate with --protocol now, facescape-lab or facescape-wild`);
  }
  const datasets = (['fswild', 'fslab'] as const).filter((d) => tables.facescape.some((s) => s.dataset === d));
  const title = { fswild: 'FaceScape in-the-wild (angle bins, °)', fslab: 'FaceScape in-the-lab (angle bins at f = 1200, °; all = 660 samples)' };
  const ours = tables.facescape.some((s) => s.source === 'facebench');
  const from = (d: 'fswild' | 'fslab') => [tables.facescape.some((s) => s.dataset === d && s.source === 'shipped') && shipped ? shipped.root : '', tables.facescape.some((s) => s.dataset === d && s.source === 'facebench') ? 'facebench results' : ''].filter(Boolean).join(' + ');
  const facescapeText = datasets.length === 0
    ? ''
    : `${datasets.map((d) => `\n${title[d]} — ${from(d)}\n${textTable(facescapeTable(tables.facescape, d))}\n${d === 'fslab' ? `\nFaceScape in-the-lab (focal-length bins, px; all 11 views each)\n${textTable(facescapeTable(tables.facescape, d, 'focal'))}\n` : ''}`).join('')}${ours ? `${FACEBENCH_MARK}\n` : ''}`;
  const ignoredText = shipped?.ignored.length ? `ignored in ${shipped.root}: ${shipped.ignored.map((i) => `${i.name} (${i.reason})`).join(', ')}\n` : '';
  const text = `NoW\n${textTable(nowTable(tables))}\n\nTable 3\n${textTable(table3(tables))}\n${tables.notes.map((n, i) => `[${i + 1}] ${n}`).join('\n')}\n${tables.skipped.length ? `skipped (not NoW/FaceScape): ${tables.skipped.map((s) => `${s.method} (${s.protocol})`).join(', ')}\n` : ''}${facescapeText}${ignoredText}`;
  let files: TablesFiles | undefined;
  if (options.out) {
    files = { now: join(options.out, 'now.csv'), table3: join(options.out, 'table3.csv'), json: join(options.out, 'tables.json') };
    writeFileAtomic(files.now, stringify(nowTable(tables)));
    writeFileAtomic(files.table3, stringify(table3(tables)));
    if (datasets.includes('fswild')) writeFileAtomic((files.facescapeWild = join(options.out, 'facescape-wild.csv')), stringify(facescapeTable(tables.facescape, 'fswild')));
    if (datasets.includes('fslab')) {
      writeFileAtomic((files.facescapeLab = join(options.out, 'facescape-lab.csv')), stringify(facescapeTable(tables.facescape, 'fslab')));
      writeFileAtomic((files.facescapeLabFocal = join(options.out, 'facescape-lab-focal.csv')), stringify(facescapeTable(tables.facescape, 'fslab', 'focal')));
    }
    const json = shipped ? { ...tables, facescape_results: { root: shipped.root, ignored: shipped.ignored } } : tables;
    writeFileAtomic(files.json, `${JSON.stringify(json, null, 1)}\n`);
  }
  if (!options.quiet) process.stdout.write(text + (files ? `wrote ${Object.values(files).join(', ')}\n` : ''));
  return { tables, text, files };
}

/** Legend under the FaceScape tables when facebench results are among their rows. */
const FACEBENCH_MARK = '[facebench n/m]: a facebench eval result (facescape-wild / facescape-lab) listing n of the m samples (bins, means and done rate over those; no n/m: all), summarised as FaceScape\'s scripts summarise its shipped results; unmarked rows: FaceScape\'s shipped results.';

/**
 * Results of several benchmarks: the same method may appear once per protocol family, so the
 * duplicate-method check of readResultsDirs applies per family only.
 */
function readResultsAcrossBenchmarks(dirs: string[]): ResultsFile[] {
  const loaded = readResultsDirs(dirs);
  const seen = new Map<string, string>();
  for (const r of loaded) {
    const key = `${protocolName(r.doc).replace(/-metrical$/, '')}|${r.doc.method}`;
    const before = seen.get(key);
    if (before && before !== r.path) throw new InputError(r.path, `method "${r.doc.method}" has ${protocolName(r.doc)} results also in ${before}: pass each method once per benchmark`);
    seen.set(key, r.path);
  }
  return loaded;
}
