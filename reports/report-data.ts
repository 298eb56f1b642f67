import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../evaluators/errors.js';
import { type ResultsDocument, readResultsDirs } from '../evaluators/formats/index.js';
import { assertComparable, assertUniqueMethods, benchmarkTotals, methodCoverage } from './leaderboard.js';

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
  /** "complete" or the reason, as on the leaderboard: "incomplete: posed 58/60 scored, 2 failed". */
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
  /** Person id or expression rank, as text. */
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

/** Every table of a report, as written to report.json (the HTML and CSV show the same). */
export interface ReportTables {
  table2: Table2;
  curves: CurveSeries[];
  byPerson: BreakdownRow[];
  /** Empty when no benchmark manifest (with expression ranks) could be read. */
  byRank: BreakdownRow[];
  items: ItemRow[];
  provenance: Provenance[];
}

export interface LoadedResults {
  file: string;
  doc: ResultsDocument;
}

/**
 * The results.json files named by `paths`: each path is a method's result folder (holding
 * results.json), a results.json itself, or a folder of method result folders. Results of
 * different benchmarks or protocol configurations, and a method name read twice, are refused
 * as on the leaderboard: one report compares methods on one benchmark and protocol.
 */
export function loadResults(paths: string[]): LoadedResults[] {
  if (paths.length === 0) throw new InputError('(arguments)', 'no results folder given: pass the folders `facebench eval` wrote');
  const found = readResultsDirs(paths);
  assertComparable(found);
  assertUniqueMethods(found);
  return found.map(({ path, doc }) => ({ file: path, doc }));
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
    const { problems } = methodCoverage(doc, totals);
    const complete = problems.length === 0;
    return { method: doc.method, values, scored, complete, status: complete ? 'complete' : `incomplete: ${problems.join('; ')}` };
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
        (r.complete ? '' : `   ${r.status}`),
    ),
  ];
  return lines.join('\n');
}

function breakdown(loaded: LoadedResults[], groupOf: (doc: ResultsDocument, person: string, item: string) => string | undefined): BreakdownRow[] {
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
      (Number.isNaN(numeric(a.group)) || Number.isNaN(numeric(b.group)) ? a.group.localeCompare(b.group) : numeric(a.group) - numeric(b.group)),
  );
}

/** Build every table of the report from loaded results documents. */
export function buildTables(loaded: LoadedResults[]): ReportTables {
  const ranks = new Map<string, Map<string, number>>();
  const ranksOf = (doc: ResultsDocument) => {
    if (!ranks.has(doc.benchmark)) ranks.set(doc.benchmark, manifestRanks(doc.benchmark));
    return ranks.get(doc.benchmark)!;
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
    table2: buildTable2(loaded.map((l) => l.doc)),
    curves,
    byPerson: breakdown(loaded, (_doc, person) => person),
    byRank: breakdown(loaded, (doc, person, item) => {
      const rank = ranksOf(doc).get(`${person}/${item}`);
      return rank === undefined ? undefined : String(rank);
    }),
    items,
    provenance: loaded.map(({ file, doc }) => ({
      method: doc.method,
      file,
      tool: `${doc.tool?.name ?? '?'} ${doc.tool?.version ?? '?'}`,
      created: doc.created,
      benchmark: doc.benchmark,
      benchmark_id: doc.benchmark_id,
      predictions: doc.predictions,
      protocol: doc.protocol,
    })),
  };
}
