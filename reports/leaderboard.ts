import { existsSync } from 'node:fs';
import { basename, join } from 'node:path';
import { stringify } from 'csv-stringify/sync';
import { InputError } from '../evaluators/errors.js';
import { writeFileAtomic } from '../evaluators/io/atomic.js';
import { readManifest, type ResultsDocument, readResultsDirs, type ResultsFile } from '../evaluators/formats/index.js';
import { escapeHtml } from './report-html.js';


/** Refuse the same method name from two results files (it would appear twice in one table). */
export function assertUniqueMethods(results: ResultsFile[]): void {
  const seen = new Map<string, string>();
  for (const r of results) {
    const before = seen.get(r.doc.method);
    if (before) throw new InputError(r.path, `method "${r.doc.method}" also read from ${before}: pass each method once`);
    seen.set(r.doc.method, r.path);
  }
}

/** Protocol config minus what may differ between methods (the prediction unit), as canonical JSON. */
export function protocolKey(doc: ResultsDocument): string {
  const canon = (v: unknown): unknown =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.keys(v as object).sort().map((k) => [k, canon((v as Record<string, unknown>)[k])]))
      : v;
  const { predUnit: _unit, ...rest } = doc.protocol as Record<string, unknown>;
  return JSON.stringify(canon(rest));
}

export function protocolName(doc: ResultsDocument): string {
  return String((doc.protocol as { protocol?: unknown }).protocol ?? 'unknown');
}

/**
 * Refuse results that cannot share one table: a different benchmark (`benchmark_id`) or a
 * different protocol config. The message names the offending file and the first result.
 */
export function assertComparable(results: ResultsFile[]): void {
  if (results.length === 0) return;
  const first = results[0];
  for (const r of results.slice(1)) {
    if (r.doc.benchmark_id !== first.doc.benchmark_id) {
      throw new InputError(
        r.path,
        `benchmark differs from ${first.path} (benchmark_id ${r.doc.benchmark_id.slice(0, 12)} vs ${first.doc.benchmark_id.slice(0, 12)}): only results of the same benchmark can share a table`,
      );
    }
    if (protocolKey(r.doc) !== protocolKey(first.doc)) {
      throw new InputError(
        r.path,
        `protocol config differs from ${first.path} (${protocolName(r.doc)} vs ${protocolName(first.doc)}${protocolName(r.doc) === protocolName(first.doc) ? ', settings differ' : ''}): evaluate every method with the same protocol`,
      );
    }
  }
}

/** Items per task in the benchmark: from its manifest when readable and matching, else undefined. */
export function manifestItemCounts(doc: ResultsDocument): Record<string, number> | undefined {
  if (!doc.benchmark || !existsSync(join(doc.benchmark, 'manifest.json'))) return undefined;
  try {
    const manifest = readManifest(doc.benchmark);
    return Object.fromEntries(manifest.protocol.tasks.map((t) => [t, manifest.items.length]));
  } catch {
    return undefined;
  }
}

export interface TaskCoverage {
  scored: number;
  /** Items of the benchmark for this task. */
  total: number;
}

/** Tasks and items per task of the benchmark behind comparable results: from its manifest when readable, else the largest count in the results. */
export interface BenchmarkTotals {
  tasks: string[];
  totals: Record<string, number>;
  from: 'manifest' | 'results';
}

export function benchmarkTotals(docs: ResultsDocument[]): BenchmarkTotals {
  const fromManifest = docs.map((d) => manifestItemCounts(d)).find((c) => c !== undefined);
  const tasks = [...new Set([...(fromManifest ? Object.keys(fromManifest) : []), ...docs.flatMap((d) => Object.keys(d.summary))])];
  tasks.sort((a, b) => (a === 'posed' ? -1 : b === 'posed' ? 1 : a.localeCompare(b)));
  const totals: Record<string, number> = {};
  for (const task of tasks) totals[task] = fromManifest?.[task] ?? Math.max(0, ...docs.map((d) => d.summary[task]?.items ?? 0));
  return { tasks, totals, from: fromManifest ? 'manifest' : 'results' };
}

export interface MethodCoverage {
  coverage: Record<string, TaskCoverage>;
  /** One entry per task with missing or failed items, e.g. "posed 58/60 scored, 2 failed". */
  problems: string[];
  /**
   * Tasks the results do not score at all (no summary: a neutral-only method such as MICA, or
   * `eval --task`): not a problem, but no figures and never best or ranked on them.
   */
  absent: string[];
  scored: number;
  total: number;
}

/**
 * How much of the benchmark a method scored. Its figures are means over its scored items, so
 * a method with any missing or failed item is measured on a different item set than a complete
 * one and must not be ranked or marked best among complete methods.
 */
export function methodCoverage(doc: ResultsDocument, totals: BenchmarkTotals): MethodCoverage {
  const coverage: Record<string, TaskCoverage> = {};
  const problems: string[] = [];
  const absent: string[] = [];
  let scored = 0;
  let total = 0;
  for (const task of totals.tasks) {
    const s = doc.summary[task];
    if (!s) {
      absent.push(task);
      coverage[task] = { scored: 0, total: totals.totals[task] };
      continue;
    }
    const c = { scored: s?.scored ?? 0, total: totals.totals[task] };
    coverage[task] = c;
    scored += c.scored;
    total += c.total;
    if (c.scored < c.total || (s?.failed ?? 0) > 0) problems.push(`${task} ${c.scored}/${c.total} scored${s?.failed ? `, ${s.failed} failed` : ''}`);
  }
  return { coverage, problems, absent, scored, total };
}

export interface LeaderboardRow {
  /** 1-based rank among complete methods; null for incomplete ones (listed after). */
  rank: number | null;
  method: string;
  complete: boolean;
  /** "complete" or a one-line reason: "incomplete: posed 58/60 scored, 2 failed". */
  status: string;
  /** Ranking value (posed L2, or the first task's median for NoW-style results). */
  score: number | null;
  /** Metric means per task, e.g. metrics.posed.l2. */
  metrics: Record<string, Record<string, number>>;
  coverage: Record<string, TaskCoverage>;
  /** Scored / total over all tasks. */
  coverageFraction: number;
  source: string;
}

export interface Leaderboard {
  benchmark: string;
  benchmark_id: string;
  protocol: string;
  /** Where the item totals came from. */
  totals_from: 'manifest' | 'results';
  ranked_by: string;
  tasks: string[];
  metric_columns: string[];
  rows: LeaderboardRow[];
}

const NERSEMBLE_COLUMNS = ['l1', 'l2', 'nc', 'r2_5'];
const NOW_COLUMNS = ['median', 'mean', 'std'];

/**
 * Rank methods of one benchmark and protocol. Ranked by posed L2 (lower is better; for NoW
 * results, which have no L2, by the median of the first task). A method with any failed or
 * missing item is marked incomplete and listed after every complete method, never among them:
 * its mean is over a different item set and would not be comparable.
 */
export function buildLeaderboard(results: ResultsFile[]): Leaderboard {
  if (results.length === 0) throw new InputError('--results', 'no results given');
  assertComparable(results);
  assertUniqueMethods(results);
  const first = results[0].doc;
  const bench = benchmarkTotals(results.map((r) => r.doc));
  const tasks = bench.tasks;
  const hasL2 = results.some((r) => Object.values(r.doc.summary).some((s) => 'l2' in s.metrics));
  const metricColumns = hasL2 ? NERSEMBLE_COLUMNS : NOW_COLUMNS;
  const rankTask = tasks.includes('posed') ? 'posed' : tasks[0];
  const rankMetric = hasL2 ? 'l2' : 'median';
  const rows: LeaderboardRow[] = results.map(({ path, doc }) => {
    const { coverage, problems, absent, scored, total } = methodCoverage(doc, bench);
    const metrics: Record<string, Record<string, number>> = Object.fromEntries(tasks.map((t) => [t, doc.summary[t] ? { ...doc.summary[t].metrics } : {}]));
    const value = metrics[rankTask]?.[rankMetric];
    const score = typeof value === 'number' && Number.isFinite(value) ? value : null;
    const complete = problems.length === 0 && score !== null;
    const status = complete ? 'complete'
      : problems.length > 0 ? `incomplete: ${problems.join('; ')}`
        : absent.includes(rankTask) ? `unranked: ${tasks.filter((t) => !absent.includes(t)).join(' and ') || 'no'} task only` : `incomplete: no ${rankTask} ${rankMetric}`;
    return { rank: null, method: doc.method, complete, status, score, metrics, coverage, coverageFraction: total > 0 ? scored / total : 0, source: path };
  });
  const byScore = (a: LeaderboardRow, b: LeaderboardRow) => (a.score ?? Infinity) - (b.score ?? Infinity) || a.method.localeCompare(b.method);
  const complete = rows.filter((r) => r.complete).sort(byScore);
  complete.forEach((r, i) => (r.rank = i + 1));
  const incomplete = rows.filter((r) => !r.complete).sort(byScore);
  return {
    benchmark: first.benchmark,
    benchmark_id: first.benchmark_id,
    protocol: protocolName(first),
    totals_from: bench.from,
    ranked_by: `${rankTask} ${rankMetric} (lower is better; incomplete methods listed after complete ones, unranked)`,
    tasks,
    metric_columns: metricColumns,
    rows: [...complete, ...incomplete],
  };
}

const LABELS: Record<string, string> = { l1: 'L1', l2: 'L2', nc: 'NC', r2_5: 'R@2.5', median: 'median', mean: 'mean', std: 'std' };

export function metricLabel(key: string): string {
  return LABELS[key] ?? key;
}

/** Fixed-precision number, '' when absent. */
export function formatNumber(v: number | null | undefined, digits = 3): string {
  return typeof v === 'number' && Number.isFinite(v) ? v.toFixed(digits) : '';
}

function coverageText(row: LeaderboardRow, tasks: string[]): string {
  return tasks.map((t) => `${row.coverage[t].scored}/${row.coverage[t].total}`).join(' · ');
}

/** Header + rows of the leaderboard table (shared by CSV, text and HTML). */
export function leaderboardTable(board: Leaderboard): string[][] {
  const header = ['rank', 'method', ...board.tasks.flatMap((t) => board.metric_columns.map((m) => `${t} ${metricLabel(m)}`)), 'coverage', 'status'];
  const rows = board.rows.map((r) => [
    r.rank === null ? '-' : String(r.rank),
    r.method,
    ...board.tasks.flatMap((t) => board.metric_columns.map((m) => formatNumber(r.metrics[t]?.[m], m === 'r2_5' || m === 'nc' ? 4 : 3))),
    `${coverageText(r, board.tasks)} (${(100 * r.coverageFraction).toFixed(1)}%)`,
    r.status,
  ]);
  return [header, ...rows];
}

export function leaderboardCsv(board: Leaderboard): string {
  const header = ['rank', 'method', 'status', ...board.tasks.flatMap((t) => board.metric_columns.map((m) => `${t}_${m}`)), ...board.tasks.flatMap((t) => [`${t}_scored`, `${t}_total`]), 'coverage'];
  const rows = board.rows.map((r) => [
    r.rank ?? '',
    r.method,
    r.status,
    ...board.tasks.flatMap((t) => board.metric_columns.map((m) => r.metrics[t]?.[m] ?? '')),
    ...board.tasks.flatMap((t) => [r.coverage[t].scored, r.coverage[t].total]),
    r.coverageFraction,
  ]);
  return stringify([header, ...rows]);
}

/** Plain text table with aligned columns. */
export function textTable(rows: string[][]): string {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  return rows.map((r) => r.map((cell, c) => cell.padEnd(widths[c])).join('  ').trimEnd()).join('\n');
}

/** A self-contained HTML page (no scripts) with the ranked table. */
export function leaderboardHtml(board: Leaderboard): string {
  const [header, ...body] = leaderboardTable(board);
  const th = header.map((h) => `<th>${escapeHtml(h)}</th>`).join('');
  const tr = body
    .map((cells, i) => `<tr class="${board.rows[i].complete ? 'complete' : 'incomplete'}">${cells.map((c) => `<td>${escapeHtml(c)}</td>`).join('')}</tr>`)
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>facebench leaderboard</title>
<style>body{font-family:system-ui,sans-serif;margin:2em}table{border-collapse:collapse}th,td{border:1px solid #ccc;padding:4px 8px;text-align:right}
td:nth-child(2),td:last-child,th{text-align:left}tr.incomplete{color:#a00;background:#fff4f4}caption{text-align:left;margin-bottom:.5em}</style></head>
<body><h1>facebench leaderboard</h1>
<p>Benchmark: <code>${escapeHtml(board.benchmark)}</code> (benchmark_id <code>${escapeHtml(board.benchmark_id)}</code>), protocol <code>${escapeHtml(board.protocol)}</code>.</p>
<table><caption>Ranked by ${escapeHtml(board.ranked_by)}. Coverage: items scored / items in the benchmark (totals from the ${board.totals_from === 'manifest' ? 'benchmark manifest' : 'results, manifest not readable'}). Distances in mm.</caption>
<thead><tr>${th}</tr></thead>
<tbody>
${tr}
</tbody></table>
</body></html>
`;
}

export interface LeaderboardOptions {
  /** Result folders (eval output folders or method folders). */
  results: string[];
  /** Output folder: leaderboard.html, leaderboard.csv, leaderboard.json. */
  out: string;
  /** Print nothing (default false). */
  quiet?: boolean;
}

export interface LeaderboardOutput {
  board: Leaderboard;
  files: { html: string; csv: string; json: string };
}

/** `facebench leaderboard --results DIR... --out DIR`. */
export function leaderboardCommand(options: LeaderboardOptions): LeaderboardOutput {
  const board = buildLeaderboard(readResultsDirs(options.results));
  const files = { html: join(options.out, 'leaderboard.html'), csv: join(options.out, 'leaderboard.csv'), json: join(options.out, 'leaderboard.json') };
  writeFileAtomic(files.json, `${JSON.stringify(board, null, 1)}\n`);
  writeFileAtomic(files.csv, leaderboardCsv(board));
  writeFileAtomic(files.html, leaderboardHtml(board));
  if (!options.quiet) {
    process.stdout.write(`${textTable(leaderboardTable(board))}\nranked by ${board.ranked_by}\nwrote ${files.html}, ${basename(files.csv)}, ${basename(files.json)}\n`);
  }
  return { board, files };
}
