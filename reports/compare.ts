import { join } from 'node:path';
import { stringify } from 'csv-stringify/sync';
import { InputError } from '../evaluators/errors.js';
import { writeFileAtomic } from '../evaluators/io/atomic.js';
import { readResultsDir, type ResultsFile } from '../evaluators/formats/index.js';
import { assertComparable, formatNumber, metricLabel, textTable } from './leaderboard.js';
import { clusterBootstrapCI, clusterWilcoxon, pairedBootstrapCI, wilcoxonSignedRank, type BootstrapInterval, type WilcoxonResult } from './paired-stats.js';
import type { ResultsDocument } from '../evaluators/formats/index.js';

/** Per-item values of one metric for the items a method scored, keyed `person/item`, with the item's person. */
export function itemValues(doc: ResultsDocument, task: string, metric: string): Map<string, { person: string; value: number }> {
  const out = new Map<string, { person: string; value: number }>();
  for (const r of doc.items) {
    const v = r.metrics?.[metric];
    if (r.task === task && r.status === 'ok' && typeof v === 'number' && Number.isFinite(v)) out.set(`${r.person}/${r.item}`, { person: r.person, value: v });
  }
  return out;
}

/** What a paired test resamples (bootstrap) and counts (Wilcoxon): single items, or whole persons. */
export type ResamplingUnit = 'item' | 'person';

/**
 * The resampling unit of a task's paired tests. The neutral task scores every item of a person
 * against that person's single neutral scan: a person's items are repeated predictions of one
 * target, not independent samples, so its tests resample persons. Each posed item has its own
 * scan of its own expression, so posed tests resample items.
 */
export function resamplingUnit(task: string): ResamplingUnit {
  return task === 'neutral' ? 'person' : 'item';
}

export interface PairedTest {
  variant: string;
  task: string;
  metric: string;
  /** Items both methods scored. */
  n: number;
  /** What the bootstrap resamples and the Wilcoxon test ranks (per-person mean differences for `person`). */
  unit: ResamplingUnit;
  /** Number of those units: the n items, or the persons holding them. */
  units: number;
  /** CI of the mean difference over the n shared items (the point estimate is the same for both units). */
  bootstrap: BootstrapInterval;
  wilcoxon: WilcoxonResult;
}

export interface CompareRow {
  method: string;
  role: 'base' | 'variant';
  /** Summary value per task and metric (mean over the method's scored items). */
  values: Record<string, Record<string, number | null>>;
  /** Summary value minus the base's (null for the base). */
  deltas: Record<string, Record<string, number | null>> | null;
  scored: Record<string, string>;
}

export interface Comparison {
  benchmark_id: string;
  protocol: string;
  tasks: string[];
  metrics: string[];
  rows: CompareRow[];
  /** Paired tests of variant − base on the shared items, per variant, task and metric. */
  tests: PairedTest[];
  /** Resampling unit of each task's tests. */
  resampling: Record<string, ResamplingUnit>;
  bootstrap: { resamples: number; confidence: number; seed: number };
}

export interface CompareSettings {
  resamples?: number;
  confidence?: number;
  seed?: number;
}

const ABLATION_METRICS = ['l1', 'l2', 'nc', 'r2_5'];
const NOW_METRICS = ['median', 'mean', 'std'];

/**
 * Ablation table (the paper's Table 5 layout): base and variants × L1, L2, NC, R@2.5 per task
 * (median/mean/std for NoW results), deltas vs the base, and for each variant, task and metric a
 * paired test over the items both scored: percentile bootstrap CI of the mean difference
 * (variant − base) and the two-sided Wilcoxon signed-rank p-value. Posed tests resample items;
 * neutral tests resample persons (see resamplingUnit): a cluster bootstrap of the same mean
 * over items, and the Wilcoxon test on per-person mean differences. The table's values and
 * deltas are the results' summaries (each method over its own scored items; pooled for NoW);
 * the tests use per-item values of the shared items only, so the two can differ when coverage does.
 */
export function buildComparison(base: ResultsFile, variants: ResultsFile[], settings: CompareSettings = {}): Comparison {
  if (variants.length === 0) throw new InputError('--variant', 'no variant given: pass at least one results folder to compare with the base');
  assertComparable([base, ...variants]);
  const all = [base, ...variants];
  const tasks = [...new Set(all.flatMap((r) => Object.keys(r.doc.summary)))].sort((a, b) => (a === 'posed' ? -1 : b === 'posed' ? 1 : a.localeCompare(b)));
  const hasL2 = all.some((r) => r.doc.items.some((i) => i.metrics && 'l2' in i.metrics));
  const metrics = hasL2 ? ABLATION_METRICS : NOW_METRICS;
  const summaryValue = (doc: ResultsDocument, task: string, metric: string): number | null => {
    const v = doc.summary[task]?.metrics[metric];
    return typeof v === 'number' && Number.isFinite(v) ? v : null;
  };
  const rows: CompareRow[] = all.map((r, k) => {
    const values: Record<string, Record<string, number | null>> = {};
    const scored: Record<string, string> = {};
    for (const task of tasks) {
      values[task] = Object.fromEntries(metrics.map((m) => [m, summaryValue(r.doc, task, m)]));
      const s = r.doc.summary[task];
      scored[task] = s ? `${s.scored}/${s.items}` : '0/0';
    }
    return { method: r.doc.method, role: k === 0 ? 'base' : 'variant', values, deltas: null, scored };
  });
  for (const row of rows.slice(1)) {
    row.deltas = Object.fromEntries(
      tasks.map((t) => [t, Object.fromEntries(metrics.map((m) => {
        const v = row.values[t][m];
        const b = rows[0].values[t][m];
        return [m, v !== null && b !== null ? v - b : null];
      }))]),
    );
  }
  const resamples = settings.resamples ?? 10_000;
  const confidence = settings.confidence ?? 0.95;
  const seed = settings.seed ?? 1;
  const tests: PairedTest[] = [];
  const resampling = Object.fromEntries(tasks.map((t) => [t, resamplingUnit(t)]));
  for (const v of variants) {
    for (const task of tasks) {
      for (const metric of metrics) {
        const a = itemValues(base.doc, task, metric);
        const b = itemValues(v.doc, task, metric);
        const shared = [...a.keys()].filter((k) => b.has(k)).sort();
        const x = shared.map((k) => a.get(k)!.value);
        const y = shared.map((k) => b.get(k)!.value);
        const unit = resampling[task];
        const persons = shared.map((k) => a.get(k)!.person);
        tests.push({
          variant: v.doc.method,
          task,
          metric,
          n: shared.length,
          unit,
          units: unit === 'person' ? new Set(persons).size : shared.length,
          bootstrap: unit === 'person' ? clusterBootstrapCI(x, y, persons, { resamples, confidence, seed }) : pairedBootstrapCI(x, y, { resamples, confidence, seed }),
          wilcoxon: unit === 'person' ? clusterWilcoxon(x, y, persons) : wilcoxonSignedRank(x, y),
        });
      }
    }
  }
  return {
    benchmark_id: base.doc.benchmark_id,
    protocol: String((base.doc.protocol as { protocol?: unknown }).protocol ?? 'unknown'),
    tasks,
    metrics,
    rows,
    tests,
    resampling,
    bootstrap: { resamples, confidence, seed },
  };
}

function signed(v: number | null, digits: number): string {
  if (v === null) return '';
  return `${v >= 0 ? '+' : ''}${v.toFixed(digits)}`;
}

function digitsFor(metric: string): number {
  return metric === 'nc' || metric === 'r2_5' ? 4 : 3;
}

/** Ablation table: one row per method, "value (delta)" per task × metric. */
export function comparisonTable(c: Comparison): string[][] {
  const header = ['method', ...c.tasks.flatMap((t) => c.metrics.map((m) => `${t} ${metricLabel(m)}`)), ...c.tasks.map((t) => `${t} scored`)];
  const body = c.rows.map((r) => [
    r.role === 'base' ? `${r.method} (base)` : r.method,
    ...c.tasks.flatMap((t) => c.metrics.map((m) => {
      const v = formatNumber(r.values[t][m], digitsFor(m));
      return r.deltas ? `${v} (${signed(r.deltas[t][m], digitsFor(m))})` : v;
    })),
    ...c.tasks.map((t) => r.scored[t]),
  ]);
  return [header, ...body];
}

/** "person, n = 3": the resampling unit of a test and how many there are. */
export function unitText(t: PairedTest): string {
  return `${t.unit}, n = ${t.units}`;
}

/** Paired tests: one row per variant × task × metric. */
export function testsTable(c: Comparison): string[][] {
  const pct = Math.round(c.bootstrap.confidence * 100);
  const header = ['variant', 'task', 'metric', 'unit', 'items', 'mean diff', `${pct}% CI`, 'Wilcoxon p', 'test'];
  const body = c.tests.map((t) => [
    t.variant,
    t.task,
    metricLabel(t.metric),
    unitText(t),
    String(t.n),
    signed(Number.isFinite(t.bootstrap.meanDifference) ? t.bootstrap.meanDifference : null, 4),
    t.n > 0 ? `[${t.bootstrap.lower.toFixed(4)}, ${t.bootstrap.upper.toFixed(4)}]` : '',
    t.n > 0 ? t.wilcoxon.pValue.toPrecision(3) : '',
    t.wilcoxon.method,
  ]);
  return [header, ...body];
}

/** Number of distinct multisets of k draws from k units: the distinct resamples of a bootstrap over k units. */
function distinctResamples(k: number): number {
  let c = 1;
  for (let i = 1; i <= k; i++) c = (c * (k + i)) / i;
  return c / 2;
}

/**
 * One line per task and unit count whose tests cannot reach p < 0.05 with so few units, e.g.
 * "neutral: with 3 persons the exact Wilcoxon p-value cannot go below 0.25 …". Empty when
 * every test can.
 */
export function testNotes(c: Comparison): string[] {
  const notes: string[] = [];
  const seen = new Set<string>();
  for (const t of c.tests) {
    const key = `${t.task}\u0000${t.units}\u0000${t.wilcoxon.n}`;
    if (seen.has(key) || t.wilcoxon.method !== 'exact' || t.wilcoxon.minP <= 0.05) continue;
    seen.add(key);
    const nonZero = t.wilcoxon.n < t.units ? `, ${t.wilcoxon.n} of them with a non-zero difference` : '';
    notes.push(
      `${t.task}: with ${t.units} ${t.unit}${t.units === 1 ? '' : 's'} the exact Wilcoxon p-value cannot go below ${Number(t.wilcoxon.minP.toPrecision(3))} (2/2^${t.wilcoxon.n}${nonZero}), ` +
        `so no difference can reach p < 0.05; a bootstrap over so few ${t.unit}s (${distinctResamples(t.units)} distinct resamples) also gives too narrow an interval: ` +
        `more ${t.unit}s are needed to show a difference`,
    );
  }
  return notes;
}

export function comparisonCsv(c: Comparison): string {
  const rows: unknown[][] = [
    ['method', 'role', 'task', 'metric', 'value', 'delta', 'scored', 'n_paired', 'unit', 'n_units', 'mean_diff', 'ci_lower', 'ci_upper', 'wilcoxon_p', 'wilcoxon_min_p', 'wilcoxon_statistic', 'wilcoxon_method'],
  ];
  for (const r of c.rows) {
    for (const task of c.tasks) {
      for (const m of c.metrics) {
        const t = c.tests.find((x) => x.variant === r.method && x.task === task && x.metric === m && r.role === 'variant');
        rows.push([
          r.method, r.role, task, m, r.values[task][m] ?? '', r.deltas?.[task][m] ?? '', r.scored[task],
          t?.n ?? '', t?.unit ?? '', t?.units ?? '',
          t && t.n > 0 ? t.bootstrap.meanDifference : '', t && t.n > 0 ? t.bootstrap.lower : '', t && t.n > 0 ? t.bootstrap.upper : '',
          t && t.n > 0 ? t.wilcoxon.pValue : '', t && t.n > 0 ? t.wilcoxon.minP : '', t && t.n > 0 ? t.wilcoxon.statistic : '', t?.wilcoxon.method ?? '',
        ]);
      }
    }
  }
  return stringify(rows);
}

export interface CompareOptions {
  /** Results folder (or results.json) of the base method. */
  base: string;
  /** Results folders of the variants. */
  variant: string[];
  /** Optional output folder: compare.csv and compare.json. */
  out?: string;
  /** Bootstrap resamples (default 10,000), seed (default 1). */
  resamples?: number;
  seed?: number;
  quiet?: boolean;
}

function single(dir: string, what: string): ResultsFile {
  const found = readResultsDir(dir);
  if (found.length !== 1) throw new InputError(dir, `holds results of ${found.length} methods (${found.map((f) => f.doc.method).join(', ')}): pass one method's folder as ${what}`);
  return found[0];
}

/** `facebench compare --base DIR --variant DIR... [--out DIR]`: prints the tables, writes CSV/JSON when --out is given. */
export function compareCommand(options: CompareOptions): { comparison: Comparison; text: string; files?: { csv: string; json: string } } {
  const base = single(options.base, '--base');
  const variants = options.variant.map((v) => single(v, '--variant'));
  const comparison = buildComparison(base, variants, { resamples: options.resamples, seed: options.seed });
  const units = comparison.tasks.map((t) => `${t} by ${comparison.resampling[t]}`).join(', ');
  const notes = testNotes(comparison).map((n) => `note: ${n}\n`).join('');
  const text =
    `${textTable(comparisonTable(comparison))}\n\n` +
    `Paired tests, variant − base on the items both scored. Resampling unit: ${units} (a person's neutral items share one neutral scan). ` +
    `Bootstrap: CI of the mean difference over the items, ${comparison.bootstrap.resamples} resamples, seed ${comparison.bootstrap.seed}. ` +
    `Wilcoxon signed-rank, two-sided, over the units (per-person mean differences for persons):\n${textTable(testsTable(comparison))}\n${notes}`;
  let files: { csv: string; json: string } | undefined;
  if (options.out) {
    files = { csv: join(options.out, 'compare.csv'), json: join(options.out, 'compare.json') };
    writeFileAtomic(files.csv, comparisonCsv(comparison));
    writeFileAtomic(files.json, `${JSON.stringify(comparison, null, 1)}\n`);
  }
  if (!options.quiet) process.stdout.write(text + (files ? `wrote ${files.csv}, ${files.json}\n` : ''));
  return { comparison, text, files };
}
