import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { InputError } from '../evaluators/errors.js';
import { type NormalsFile, type ResultsDocument, findNormalsFile, readNormalsDir, readNormalsFile, readResultsDirs } from '../evaluators/formats/index.js';
import { assertComparable, assertUniqueMethods, benchmarkTotals, methodCoverage } from './leaderboard.js';
import { manifestViewAngles, viewBin, viewBinOrder } from './view-bins.js';
import { buildFacescapeReport, facescapeDatasetOf, type FacescapeReport } from './facescape-report.js';

/** The Table-2 metrics (paper: Neutral and Posed × L1, L2, NC, R@2.5) and which way is better. */
export const TABLE2_METRICS = [
  { key: 'l1', label: 'L1', better: 'lower' },
  { key: 'l2', label: 'L2', better: 'lower' },
  { key: 'nc', label: 'NC', better: 'higher' },
  { key: 'r2_5', label: 'R@2.5', better: 'higher' },
] as const;
export const TABLE2_TASKS = [
  { key: 'neutral', label: 'Neutral' },
  { key: 'posed', label: 'Posed' },
] as const;

export type Table2Metric = (typeof TABLE2_METRICS)[number]['key'];
export type Table2Task = (typeof TABLE2_TASKS)[number]['key'];

export interface Table2Row {
  method: string;
  /** `values[task][metric]`, null when the method has no such figure. */
  values: Record<Table2Task, Record<Table2Metric, number | null>>;
  scored: Record<Table2Task, string>;
  /** False when the method has a missing or failed item in any task: it is then never marked best. */
  complete: boolean;
  /** "complete", "neutral task only" (a method that scores one task, e.g. MICA) or the reason it is incomplete, as on the leaderboard: "incomplete: posed 58/60 scored, 2 failed". */
  status: string;
}

export interface Table2 {
  rows: Table2Row[];
  /**
   * Complete methods holding the best value of each `task.metric` column (ties all marked);
   * an empty list when no complete method has a value there.
   */
  best: Record<string, string[]>;
}

export interface CurveSeries {
  method: string;
  task: string;
  thresholds: number[];
  fraction: number[];
}

export interface BreakdownRow {
  method: string;
  task: string;
  /** Person id, expression rank or view-angle bin (`0–15°`, …, `60°+`), as text. */
  group: string;
  items: number;
  scored: number;
  l1: number | null;
  l2: number | null;
  nc: number | null;
  r2_5: number | null;
}

export interface ItemRow {
  method: string;
  person: string;
  item: string;
  task: string;
  rank: number | null;
  status: string;
  l1: number | null;
  l2: number | null;
  nc: number | null;
  r2_5: number | null;
  scale: number | null;
  seconds: number;
  key: string;
  error: string;
}

export interface Provenance {
  method: string;
  file: string;
  tool: string;
  created: string;
  benchmark: string;
  benchmark_id: string;
  predictions: string;
  protocol: Record<string, unknown>;
}

/** The Table-4 metrics (paper: normal estimation), their display precision and which way is better. */
export const TABLE4_METRICS = [
  { key: 'meanCosine', label: 'Mean cosine', csv: 'mean_cosine', better: 'higher', digits: 4 },
  { key: 'meanAngleDeg', label: 'Mean angle (°)', csv: 'mean_angle_deg', better: 'lower', digits: 2 },
  { key: 'medianAngleDeg', label: 'Median angle (°)', csv: 'median_angle_deg', better: 'lower', digits: 2 },
] as const;
export type Table4Metric = (typeof TABLE4_METRICS)[number]['key'];

export interface NormalsRow {
  method: string;
  /** The overall figures of the method's normals.json (per-item values averaged over its scored items). */
  values: Record<Table4Metric, number>;
  /** Items with a normal map (scored), items without one, and all items. */
  scored: number;
  missing: number;
  total: number;
  /** GT-valid pixels over the scored items. */
  pixels: number;
  /** False when items have no normal map: its means cover fewer items, so it is never marked best. */
  complete: boolean;
  /** "complete" or "incomplete: 3/4 items with a normal map". */
  status: string;
  /** The normals.json it was read from, and what that file names. */
  file: string;
  benchmark_id: string | null;
  predictions: string;
  tool: string;
  created: string;
}

export interface NormalsItemRow {
  method: string;
  person: string;
  item: string;
  /** "scored", or "no prediction" for an item without a normal map (its values are then null). */
  status: string;
  pixels: number | null;
  /** GT-valid pixels without a predicted normal (scored as 90°). */
  missingPixels: number | null;
  meanCosine: number | null;
  meanAngleDeg: number | null;
  medianAngleDeg: number | null;
}

/** Paper Table 4 (normal estimation) from `facebench eval-normals` results. */
export interface NormalsTable {
  rows: NormalsRow[];
  /** Complete methods holding the best value of each metric column (ties all marked); empty when none is complete. */
  best: Record<Table4Metric, string[]>;
  items: NormalsItemRow[];
}

/** Every table of a report, as written to report.json (the HTML and CSV show the same). */
export interface ReportTables {
  table2: Table2;
  /** Table 4 (normal estimation); null when no normal-map results were given or found. */
  normals: NormalsTable | null;
  curves: CurveSeries[];
  byPerson: BreakdownRow[];
  /** Empty when no benchmark manifest (with expression ranks) could be read. */
  byRank: BreakdownRow[];
  /** By view-angle bin (view-bins.ts); empty when the benchmark manifest records no view angles (built before them). */
  byView: BreakdownRow[];
  items: ItemRow[];
  /**
   * Every results document read, FaceScape ones included. Every other table (Table 2, curves,
   * breakdowns, items) leaves FaceScape results out: they are in `facescape`.
   */
  provenance: Provenance[];
  /** FaceScape results (facescape-wild / facescape-lab) as FaceScape's scripts report them; null when none were given. */
  facescape: FacescapeReport | null;
}

export interface LoadedResults {
  file: string;
  doc: ResultsDocument;
}

/** Whether a loaded results document is of a FaceScape protocol (facescape-wild / facescape-lab). */
export function isFacescapeLoaded(l: LoadedResults): boolean {
  return facescapeDatasetOf(l.doc) !== undefined;
}

/**
 * The results.json files named by `paths`: each path is a method's result folder (holding
 * results.json), a results.json itself, or a folder of method result folders. Results of
 * different benchmarks or protocol configurations, and a method name read twice, are refused
 * as on the leaderboard: one report compares methods on one benchmark and protocol. FaceScape
 * results (facescape-wild, facescape-lab) are compared per protocol only: they may share a
 * report with nersemble/NoW results (and with each other), each group in its own section.
 */
export function loadResults(paths: string[]): LoadedResults[] {
  if (paths.length === 0) throw new InputError('(arguments)', 'no results folder given: pass the folders `facebench eval` wrote');
  const found = readResultsDirs(paths);
  const group = (r: (typeof found)[number]) => facescapeDatasetOf(r.doc) ?? '';
  for (const key of new Set(found.map(group))) {
    const members = found.filter((r) => group(r) === key);
    assertComparable(members);
    assertUniqueMethods(members);
  }
  return found.map(({ path, doc }) => ({ file: path, doc }));
}

/**
 * The normal-map results of a report: a normals.json in any results folder given (or holding
 * a results.json that was read), and those of `normals` (eval-normals output folders, see
 * readNormalsDir). A file reached twice is read once. A method named twice, or normal maps of
 * another benchmark than the results (when the file records its benchmark_id), are refused in
 * one line naming the file.
 */
export function loadNormals(resultsPaths: string[], results: LoadedResults[], normalsPaths: string[] = []): NormalsFile[] {
  const folders = new Set<string>();
  for (const p of resultsPaths) {
    const path = resolve(p);
    if (existsSync(path)) folders.add(statSync(path).isFile() ? dirname(path) : path);
  }
  for (const r of results) folders.add(dirname(resolve(r.file)));
  const found: NormalsFile[] = [];
  for (const folder of folders) {
    const file = findNormalsFile(folder);
    if (file) found.push({ path: file, doc: readNormalsFile(file) });
  }
  found.push(...normalsPaths.flatMap(readNormalsDir));
  const all = found.filter((n, i) => found.findIndex((o) => o.path === n.path) === i);
  const seen = new Map<string, string>();
  for (const n of all) {
    const before = seen.get(n.doc.method);
    if (before) throw new InputError(n.path, `method "${n.doc.method}" also read from ${before}: pass each method's normal maps once`);
    seen.set(n.doc.method, n.path);
  }
  const reference = results[0];
  for (const n of all) {
    const id = n.doc.benchmark_id;
    if (reference && id !== undefined && id !== reference.doc.benchmark_id) {
      throw new InputError(
        n.path,
        `benchmark differs from ${reference.file} (benchmark_id ${id.slice(0, 12)} vs ${reference.doc.benchmark_id.slice(0, 12)}): normal maps of another benchmark cannot share a report with these results`,
      );
    }
  }
  return all;
}

/**
 * Table 4 (normal estimation) of the given normals.json files: per method the mean cosine
 * similarity and the angular error's mean and median, with the items scored and missing. A
 * method with items lacking a normal map (or fewer items than another's) is incomplete and
 * never best, as in Table 2. Null when there is none.
 */
export function buildNormalsTable(files: NormalsFile[]): NormalsTable | null {
  if (files.length === 0) return null;
  const expected = Math.max(...files.map((f) => f.doc.overall.items + f.doc.overall.missingItems));
  const rows: NormalsRow[] = files.map(({ path, doc }) => {
    const o = doc.overall;
    const total = o.items + o.missingItems;
    const complete = o.missingItems === 0 && total >= expected;
    const reason = o.missingItems > 0 ? `${o.items}/${total} items with a normal map` : `${total} items, others have ${expected}`;
    return {
      method: doc.method,
      values: { meanCosine: o.meanCosine, meanAngleDeg: o.meanAngleDeg, medianAngleDeg: o.medianAngleDeg },
      scored: o.items,
      missing: o.missingItems,
      total,
      pixels: o.pixels,
      complete,
      status: complete ? 'complete' : `incomplete: ${reason}`,
      file: path,
      benchmark_id: doc.benchmark_id ?? null,
      predictions: doc.pred,
      tool: doc.tool ? `${doc.tool.name} ${doc.tool.version}` : '?',
      created: doc.created ?? '',
    };
  });
  const best = {} as NormalsTable['best'];
  for (const { key, better } of TABLE4_METRICS) {
    const present = rows.filter((r) => r.complete);
    if (present.length === 0) {
      best[key] = [];
      continue;
    }
    const target = (better === 'lower' ? Math.min : Math.max)(...present.map((r) => r.values[key]));
    best[key] = present.filter((r) => r.values[key] === target).map((r) => r.method);
  }
  const items = files.flatMap(({ doc }) => {
    const scored: NormalsItemRow[] = doc.items.map((r) => ({
      method: doc.method,
      person: r.person,
      item: r.item,
      status: 'scored',
      pixels: r.pixels,
      missingPixels: r.missing,
      meanCosine: r.meanCosine,
      meanAngleDeg: r.meanAngleDeg,
      medianAngleDeg: r.medianAngleDeg,
    }));
    const absent: NormalsItemRow[] = doc.missing.map((id) => {
      const slash = id.indexOf('/');
      const none = { pixels: null, missingPixels: null, meanCosine: null, meanAngleDeg: null, medianAngleDeg: null };
      return { method: doc.method, person: slash < 0 ? '' : id.slice(0, slash), item: id.slice(slash + 1), status: 'no prediction', ...none };
    });
    return [...scored, ...absent].sort((x, y) => x.person.localeCompare(y.person) || x.item.localeCompare(y.item));
  });
  return { rows, best, items };
}

/** Expression rank of each `person/item`, from the benchmark's manifest.json; empty when unreadable. */
export function manifestRanks(benchmark: string): Map<string, number> {
  const out = new Map<string, number>();
  try {
    const manifest = JSON.parse(readFileSync(join(benchmark, 'manifest.json'), 'utf8')) as { items?: { id?: unknown; person?: unknown; rank?: unknown }[] };
    for (const i of manifest.items ?? []) {
      if (typeof i.id === 'string' && typeof i.person === 'string' && typeof i.rank === 'number') out.set(`${i.person}/${i.id}`, i.rank);
    }
  } catch {
    // no manifest: no rank breakdown
  }
  return out;
}

function metric(values: Record<string, number> | undefined, key: string): number | null {
  const v = values?.[key];
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

function mean(values: (number | null)[]): number | null {
  const ok = values.filter((v): v is number => v !== null);
  return ok.length ? ok.reduce((a, b) => a + b, 0) / ok.length : null;
}

/**
 * The paper's Table 2 of the given results (one benchmark): per method, Neutral and Posed ×
 * L1, L2, NC, R@2.5. A method with missing or failed items (against the benchmark manifest's
 * item count when readable, as on the leaderboard) is marked incomplete and never best: its
 * means are over fewer items than the others'.
 */
export function buildTable2(docs: ResultsDocument[]): Table2 {
  const totals = benchmarkTotals(docs);
  const rows: Table2Row[] = docs.map((doc) => {
    const values = {} as Table2Row['values'];
    const scored = {} as Table2Row['scored'];
    for (const { key: task } of TABLE2_TASKS) {
      const s = doc.summary[task];
      values[task] = {} as Record<Table2Metric, number | null>;
      for (const { key } of TABLE2_METRICS) values[task][key] = metric(s?.metrics, key);
      scored[task] = s ? `${s.scored}/${s.items}` : '';
    }
    const { problems, absent } = methodCoverage(doc, totals);
    const complete = problems.length === 0;
    const only = totals.tasks.filter((t) => !absent.includes(t));
    const status = !complete ? `incomplete: ${problems.join('; ')}` : absent.length > 0 ? `${only.join(' and ') || 'no'} task only` : 'complete';
    return { method: doc.method, values, scored, complete, status };
  });
  const best: Record<string, string[]> = {};
  for (const { key: task } of TABLE2_TASKS) {
    for (const { key, better } of TABLE2_METRICS) {
      const present = rows.filter((r) => r.complete && r.values[task][key] !== null);
      if (present.length === 0) {
        if (rows.some((r) => r.values[task][key] !== null)) best[`${task}.${key}`] = [];
        continue;
      }
      const pick = better === 'lower' ? Math.min : Math.max;
      const target = pick(...present.map((r) => r.values[task][key] as number));
      best[`${task}.${key}`] = present.filter((r) => r.values[task][key] === target).map((r) => r.method);
    }
  }
  return { rows, best };
}

/** Table 2 as fixed-width text (lengths in mm, 3 decimals; `n/a` where a method has no figure; incomplete methods say so). */
export function table2Text(t: Table2): string {
  const cell = (v: number | null) => (v === null ? 'n/a' : v.toFixed(3)).padStart(7);
  const group = TABLE2_METRICS.length * 8 - 1;
  const lines = [
    `${''.padEnd(14)} ${TABLE2_TASKS.map((task) => task.label.padEnd(group)).join('   ')}`,
    `${'method'.padEnd(14)} ${TABLE2_TASKS.map(() => TABLE2_METRICS.map((m) => m.label.padStart(7)).join(' ')).join('   ')}   scored`,
    ...t.rows.map(
      (r) =>
        `${r.method.padEnd(14)} ${TABLE2_TASKS.map((task) => TABLE2_METRICS.map((m) => cell(r.values[task.key][m.key])).join(' ')).join('   ')}   ` +
        TABLE2_TASKS.map((task) => r.scored[task.key]).join(' ') +
        (r.status === 'complete' ? '' : `   ${r.status}`),
    ),
  ];
  return lines.join('\n');
}

/**
 * Rows per method, task and group of items (means over the scored ones), sorted by method,
 * task and group: by `order` when given, else numerically when both groups are numbers.
 */
function breakdown(
  loaded: LoadedResults[],
  groupOf: (doc: ResultsDocument, person: string, item: string) => string | undefined,
  order?: (group: string) => number,
): BreakdownRow[] {
  const out: BreakdownRow[] = [];
  for (const { doc } of loaded) {
    const groups = new Map<string, ResultsDocument['items']>();
    for (const r of doc.items) {
      const g = groupOf(doc, r.person, r.item);
      if (g === undefined) continue;
      const key = `${r.task}\u0000${g}`;
      if (!groups.has(key)) groups.set(key, []);
      groups.get(key)!.push(r);
    }
    for (const [key, records] of groups) {
      const [task, group] = key.split('\u0000');
      const ok = records.filter((r) => r.status === 'ok');
      out.push({
        method: doc.method,
        task,
        group,
        items: records.length,
        scored: ok.length,
        l1: mean(ok.map((r) => metric(r.metrics, 'l1'))),
        l2: mean(ok.map((r) => metric(r.metrics, 'l2'))),
        nc: mean(ok.map((r) => metric(r.metrics, 'nc'))),
        r2_5: mean(ok.map((r) => metric(r.metrics, 'r2_5'))),
      });
    }
  }
  const numeric = (s: string) => (/^\d+$/.test(s) ? Number(s) : Number.NaN);
  return out.sort(
    (a, b) =>
      a.method.localeCompare(b.method) ||
      a.task.localeCompare(b.task) ||
      (order
        ? order(a.group) - order(b.group)
        : Number.isNaN(numeric(a.group)) || Number.isNaN(numeric(b.group))
          ? a.group.localeCompare(b.group)
          : numeric(a.group) - numeric(b.group)),
  );
}

/**
 * Build every table of the report from loaded results documents (and normal-map results, see
 * loadNormals): FaceScape results go to `facescape` only (and provenance), the others to the rest.
 */
export function buildTables(all: LoadedResults[], normals: NormalsFile[] = []): ReportTables {
  const loaded = all.filter((l) => !isFacescapeLoaded(l));
  const ranks = new Map<string, Map<string, number>>();
  const ranksOf = (doc: ResultsDocument) => {
    if (!ranks.has(doc.benchmark)) ranks.set(doc.benchmark, manifestRanks(doc.benchmark));
    return ranks.get(doc.benchmark)!;
  };
  const angles = new Map<string, Map<string, number>>();
  const anglesOf = (doc: ResultsDocument) => {
    if (!angles.has(doc.benchmark)) angles.set(doc.benchmark, manifestViewAngles(doc.benchmark));
    return angles.get(doc.benchmark)!;
  };
  const curves: CurveSeries[] = [];
  for (const { doc } of loaded) {
    for (const [task, s] of Object.entries(doc.summary)) {
      if (s.curve.length) curves.push({ method: doc.method, task, thresholds: doc.curve_thresholds_mm.slice(0, s.curve.length), fraction: s.curve });
    }
  }
  const items: ItemRow[] = loaded.flatMap(({ doc }) =>
    doc.items.map((r) => ({
      method: doc.method,
      person: r.person,
      item: r.item,
      task: r.task,
      rank: ranksOf(doc).get(`${r.person}/${r.item}`) ?? null,
      status: r.status,
      l1: metric(r.metrics, 'l1'),
      l2: metric(r.metrics, 'l2'),
      nc: metric(r.metrics, 'nc'),
      r2_5: metric(r.metrics, 'r2_5'),
      scale: r.alignment?.scale ?? null,
      seconds: r.seconds,
      key: r.key,
      error: r.error ?? '',
    })),
  );
  return {
    table2: loaded.length ? buildTable2(loaded.map((l) => l.doc)) : { rows: [], best: {} },
    normals: buildNormalsTable(normals),
    curves,
    byPerson: breakdown(loaded, (_doc, person) => person),
    byRank: breakdown(loaded, (doc, person, item) => {
      const rank = ranksOf(doc).get(`${person}/${item}`);
      return rank === undefined ? undefined : String(rank);
    }),
    byView: breakdown(
      loaded,
      (doc, person, item) => {
        const angle = anglesOf(doc).get(`${person}/${item}`);
        return angle === undefined ? undefined : viewBin(angle);
      },
      viewBinOrder,
    ),
    items,
    provenance: all.map(({ file, doc }) => ({
      method: doc.method,
      file,
      tool: `${doc.tool?.name ?? '?'} ${doc.tool?.version ?? '?'}`,
      created: doc.created,
      benchmark: doc.benchmark,
      benchmark_id: doc.benchmark_id,
      predictions: doc.predictions,
      protocol: doc.protocol,
    })),
    facescape: buildFacescapeReport(all),
  };
}
