/**
 * The ablation table (the paper's Table-5 layout) of one method run in several variants:
 * rows = variants, Neutral and Posed × L1, L2, NC, R@2.5 (the Table-2 figures of each
 * variant's results), the delta of every figure against the base variant, and the paired
 * tests of `compare` (bootstrap CI of the mean difference, Wilcoxon signed-rank; neutral by
 * person, posed by item) of each variant against the base. A function of results documents:
 * `facebench ablate` produces the documents and calls {@link writeAblation}.
 */
import { join } from 'node:path';
import { stringify } from 'csv-stringify/sync';
import { InputError } from '../evaluators/errors.js';
import { writeFileAtomic } from '../evaluators/io/atomic.js';
import type { ResultsFile } from '../evaluators/formats/index.js';
import { buildComparison, testNotes, unitText, type Comparison, type PairedTest, type ResamplingUnit } from './compare.js';
import { buildTable2, TABLE2_METRICS, TABLE2_TASKS, type Table2, type Table2Metric, type Table2Task } from './report-data.js';
import { escapeHtml } from './report-html.js';

export interface AblationInput {
  /** The method the variants belong to. */
  method: string;
  /** Variant names in table order, one per results file (same order). */
  variants: string[];
  results: ResultsFile[];
  /** The variant every other is compared with (default: `full` when present, else the first). */
  base?: string;
  resamples?: number;
  seed?: number;
}

/** One variant's paired test of one task and metric (variant − base over the items both scored). */
export interface AblationTest {
  meanDifference: number | null;
  lower: number | null;
  upper: number | null;
  pValue: number | null;
  /** What was resampled and ranked: items (posed) or persons (neutral). */
  unit: ResamplingUnit;
  units: number;
  /** Items both variants scored. */
  n: number;
  wilcoxon: string;
}

export interface AblationRow {
  variant: string;
  /** Results name of the variant (`<method>-<variant>`). */
  results: string;
  role: 'base' | 'variant';
  values: Record<Table2Task, Record<Table2Metric, number | null>>;
  /** Value minus the base's value; null for the base row and for missing figures. */
  deltas: Record<Table2Task, Record<Table2Metric, number | null>> | null;
  tests: Record<Table2Task, Record<Table2Metric, AblationTest>> | null;
  scored: Record<Table2Task, string>;
  complete: boolean;
  status: string;
}

export interface Ablation {
  method: string;
  base: string;
  benchmark_id: string;
  protocol: string;
  rows: AblationRow[];
  /** Resampling unit of each task's tests. */
  resampling: Record<string, ResamplingUnit>;
  bootstrap: { resamples: number; confidence: number; seed: number };
  /** Tasks whose tests cannot reach p < 0.05 with so few units, one line each. */
  notes: string[];
}

/** The base variant: the one asked for, else `full` when present, else the first. */
export function ablationBase(variants: readonly string[], base?: string): string {
  if (base !== undefined) {
    if (!variants.includes(base)) throw new InputError('--base', `variant "${base}" is not among --variants (${variants.join(', ')})`);
    return base;
  }
  return variants.includes('full') ? 'full' : variants[0];
}

function toTest(t: PairedTest | undefined): AblationTest {
  const ok = t !== undefined && t.n > 0;
  return {
    meanDifference: ok && Number.isFinite(t.bootstrap.meanDifference) ? t.bootstrap.meanDifference : null,
    lower: ok ? t.bootstrap.lower : null,
    upper: ok ? t.bootstrap.upper : null,
    pValue: ok ? t.wilcoxon.pValue : null,
    unit: t?.unit ?? 'item',
    units: t?.units ?? 0,
    n: t?.n ?? 0,
    wilcoxon: t?.wilcoxon.method ?? '',
  };
}

/** Build the ablation table of `input` (results of one benchmark and protocol). */
export function buildAblation(input: AblationInput): Ablation {
  if (input.variants.length !== input.results.length) throw new Error('one results file per variant expected');
  if (input.variants.length < 2) throw new InputError('--variants', 'an ablation needs at least two variants');
  const base = ablationBase(input.variants, input.base);
  const baseIndex = input.variants.indexOf(base);
  const others = input.results.filter((_r, i) => i !== baseIndex);
  const comparison: Comparison = buildComparison(input.results[baseIndex], others, { resamples: input.resamples, seed: input.seed });
  const table: Table2 = buildTable2(input.results.map((r) => r.doc));
  const baseRow = table.rows[baseIndex];
  const rows: AblationRow[] = table.rows.map((row, i) => {
    const isBase = i === baseIndex;
    const results = input.results[i].doc.method;
    const deltas = isBase
      ? null
      : (Object.fromEntries(TABLE2_TASKS.map(({ key: task }) => [task, Object.fromEntries(TABLE2_METRICS.map(({ key }) => {
          const v = row.values[task][key], b = baseRow.values[task][key];
          return [key, v !== null && b !== null ? v - b : null];
        }))])) as AblationRow['deltas']);
    const tests = isBase
      ? null
      : (Object.fromEntries(TABLE2_TASKS.map(({ key: task }) => [task, Object.fromEntries(TABLE2_METRICS.map(({ key }) => [
          key,
          toTest(comparison.tests.find((t) => t.variant === results && t.task === task && t.metric === key)),
        ]))])) as AblationRow['tests']);
    return { variant: input.variants[i], results, role: isBase ? 'base' : 'variant', values: row.values, deltas, tests, scored: row.scored, complete: row.complete, status: row.status };
  });
  return {
    method: input.method,
    base,
    benchmark_id: comparison.benchmark_id,
    protocol: comparison.protocol,
    rows,
    resampling: comparison.resampling,
    bootstrap: comparison.bootstrap,
    notes: testNotes(comparison),
  };
}

const digits = (metric: string): number => (metric === 'nc' || metric === 'r2_5' ? 4 : 3);
const num = (v: number | null, d: number): string => (v === null ? 'n/a' : v.toFixed(d));
const signed = (v: number | null, d: number): string => (v === null ? '' : `${v >= 0 ? '+' : ''}${v.toFixed(d)}`);

/** The table as fixed-width text: "value (delta)" per task × metric, the base marked. */
export function ablationText(a: Ablation): string {
  const header = ['variant', ...TABLE2_TASKS.flatMap((t) => TABLE2_METRICS.map((m) => `${t.label} ${m.label}`)), 'scored'];
  const body = a.rows.map((r) => [
    r.role === 'base' ? `${r.variant} (base)` : r.variant,
    ...TABLE2_TASKS.flatMap(({ key: task }) => TABLE2_METRICS.map(({ key }) => {
      const v = num(r.values[task][key], digits(key));
      return r.deltas ? `${v} (${signed(r.deltas[task][key], digits(key))})` : v;
    })),
    TABLE2_TASKS.map((t) => r.scored[t.key]).join(' ') + (r.complete ? '' : ` ${r.status}`),
  ]);
  const rows = [header, ...body];
  const widths = header.map((_h, c) => Math.max(...rows.map((row) => row[c].length)));
  const lines = rows.map((row) => row.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  '));
  const tests = a.rows.filter((r) => r.tests).flatMap((r) => TABLE2_TASKS.flatMap(({ key: task }) => TABLE2_METRICS.map(({ key, label }) => {
    const t = r.tests![task][key];
    const ci = t.lower === null ? 'n/a' : `[${t.lower.toFixed(4)}, ${t.upper!.toFixed(4)}]`;
    return `  ${r.variant} ${task} ${label}: ${signed(t.meanDifference, 4) || 'n/a'} ${ci} p = ${t.pValue === null ? 'n/a' : t.pValue.toPrecision(3)} (${unitText({ unit: t.unit, units: t.units } as PairedTest)})`;
  })));
  const notes = a.notes.map((n) => `note: ${n}`);
  return [
    `${a.method}: ablation against ${a.base} (${a.protocol} protocol; lengths in mm; value (variant − base))`,
    ...lines,
    `Paired tests, variant − base over the items both scored (bootstrap ${Math.round(a.bootstrap.confidence * 100)}% CI, ${a.bootstrap.resamples} resamples, seed ${a.bootstrap.seed}; Wilcoxon signed-rank):`,
    ...tests,
    ...notes,
  ].join('\n');
}

/** CSV: one row per variant (Table-5 layout); per task × metric the value, delta, CI and p-value; per task the test unit. */
export function ablationCsv(a: Ablation): string {
  const header = ['method', 'variant', 'results', 'role'];
  for (const { key: task } of TABLE2_TASKS) {
    for (const { key } of TABLE2_METRICS) header.push(`${task}_${key}`, `${task}_${key}_delta`, `${task}_${key}_ci_lower`, `${task}_${key}_ci_upper`, `${task}_${key}_wilcoxon_p`);
  }
  for (const { key: task } of TABLE2_TASKS) header.push(`${task}_unit`, `${task}_n_units`, `${task}_n_paired`);
  for (const { key: task } of TABLE2_TASKS) header.push(`${task}_scored`);
  header.push('status');
  const blank = (v: number | null | undefined): number | string => (v === null || v === undefined ? '' : v);
  const rows: unknown[][] = [header];
  for (const r of a.rows) {
    const row: unknown[] = [a.method, r.variant, r.results, r.role];
    for (const { key: task } of TABLE2_TASKS) {
      for (const { key } of TABLE2_METRICS) {
        const t = r.tests?.[task][key];
        row.push(blank(r.values[task][key]), blank(r.deltas?.[task][key]), blank(t?.lower), blank(t?.upper), blank(t?.pValue));
      }
    }
    for (const { key: task } of TABLE2_TASKS) {
      const t = r.tests?.[task].l2;
      row.push(t ? t.unit : '', t ? t.units : '', t ? t.n : '');
    }
    for (const { key: task } of TABLE2_TASKS) row.push(r.scored[task]);
    row.push(r.status);
    rows.push(row);
  }
  return stringify(rows);
}

/** One self-contained HTML page: the table with deltas, then the paired tests. */
export function ablationHtml(a: Ablation): string {
  const head1 = TABLE2_TASKS.map((t) => `<th colspan="${TABLE2_METRICS.length}">${escapeHtml(t.label)}</th>`).join('');
  const head2 = TABLE2_TASKS.map(() => TABLE2_METRICS.map((m) => `<th>${escapeHtml(m.label)} ${m.better === 'lower' ? '↓' : '↑'}</th>`).join('')).join('');
  const body = a.rows.map((r) => {
    const cells = TABLE2_TASKS.map(({ key: task }) => TABLE2_METRICS.map(({ key }) => {
      const v = num(r.values[task][key], digits(key));
      const d = r.deltas ? ` <span class="delta">(${escapeHtml(signed(r.deltas[task][key], digits(key)))})</span>` : '';
      return `<td class="num">${escapeHtml(v)}${d}</td>`;
    }).join('')).join('');
    const scored = TABLE2_TASKS.map((t) => r.scored[t.key]).join(' / ');
    return `<tr class="${r.role}"><th scope="row">${escapeHtml(r.variant)}${r.role === 'base' ? ' (base)' : ''}</th>${cells}<td>${escapeHtml(scored)}</td><td>${escapeHtml(r.status)}</td></tr>`;
  }).join('\n');
  const testRows = a.rows.filter((r) => r.tests).flatMap((r) => TABLE2_TASKS.flatMap(({ key: task, label: taskLabel }) => TABLE2_METRICS.map(({ key, label }) => {
    const t = r.tests![task][key];
    const ci = t.lower === null ? '–' : `[${t.lower.toFixed(4)}, ${t.upper!.toFixed(4)}]`;
    return `<tr><td>${escapeHtml(r.variant)}</td><td>${escapeHtml(taskLabel)}</td><td>${escapeHtml(label)}</td><td>${escapeHtml(`${t.unit}, n = ${t.units}`)}</td>` +
      `<td class="num">${t.n}</td><td class="num">${escapeHtml(signed(t.meanDifference, 4) || '–')}</td><td class="num">${escapeHtml(ci)}</td>` +
      `<td class="num">${t.pValue === null ? '–' : escapeHtml(t.pValue.toPrecision(3))}</td><td>${escapeHtml(t.wilcoxon)}</td></tr>`;
  }))).join('\n');
  const notes = a.notes.map((n) => `<p class="note">${escapeHtml(n)}</p>`).join('\n');
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(a.method)} ablation</title>
<style>body{font-family:system-ui,sans-serif;margin:2em}table{border-collapse:collapse;margin:1em 0}th,td{border:1px solid #ccc;padding:.3em .6em}td.num{text-align:right;font-variant-numeric:tabular-nums}tr.base{background:#f3f3f3}.delta{color:#555}.note{color:#a40}</style></head>
<body><h1>${escapeHtml(a.method)}: ablation against ${escapeHtml(a.base)}</h1>
<p>${escapeHtml(a.protocol)} protocol, benchmark ${escapeHtml(a.benchmark_id)}; mean over scored items, lengths in mm; in parentheses the variant minus the base.</p>
<table id="ablation"><thead><tr><th rowspan="2">Variant</th>${head1}<th rowspan="2">scored (neutral / posed)</th><th rowspan="2">status</th></tr><tr>${head2}</tr></thead><tbody>${body}</tbody></table>
<h2>Paired tests (variant − base)</h2>
<p>Over the items both scored. Bootstrap ${Math.round(a.bootstrap.confidence * 100)} % CI of the mean difference (${a.bootstrap.resamples} resamples, seed ${a.bootstrap.seed}); two-sided Wilcoxon signed-rank. Neutral tests resample persons (a person's items share one neutral scan), posed tests items.</p>
<table id="tests"><thead><tr><th>Variant</th><th>Task</th><th>Metric</th><th>Unit</th><th>Items</th><th>Mean diff</th><th>CI</th><th>Wilcoxon p</th><th>Test</th></tr></thead><tbody>${testRows}</tbody></table>
${notes}
</body></html>
`;
}

export interface AblationFiles {
  csv: string;
  json: string;
  html: string;
}

/** Write `ablation.csv`, `ablation.json` and `ablation.html` into `dir` (atomically). */
export function writeAblation(dir: string, a: Ablation): AblationFiles {
  const files = { csv: join(dir, 'ablation.csv'), json: join(dir, 'ablation.json'), html: join(dir, 'ablation.html') };
  writeFileAtomic(files.csv, ablationCsv(a));
  writeFileAtomic(files.json, `${JSON.stringify(a, null, 1)}\n`);
  writeFileAtomic(files.html, ablationHtml(a));
  return files;
}
