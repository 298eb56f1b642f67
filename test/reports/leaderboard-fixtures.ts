import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ResultsDocument, TaskSummary } from '../../evaluators/formats/index.js';
import type { TaskRecord } from '../../evaluators/formats/index.js';

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `facebench-${prefix}-`));
}

export const SHA_A = 'a'.repeat(64);
export const SHA_B = 'b'.repeat(64);

export interface FixtureItem {
  person: string;
  item: string;
  task: 'posed' | 'neutral';
  /** undefined = failed item. */
  metrics?: Record<string, number>;
  curve?: number[];
}

/**
 * A results.json as `facebench eval` writes it, from hand-written per-item values. The
 * summary is the mean over scored items (nersemble) or given explicitly (NoW, pooled).
 */
export function makeDoc(options: {
  method: string;
  items: FixtureItem[];
  sha?: string;
  protocol?: string;
  benchmark?: string;
  summary?: Record<string, Partial<TaskSummary>>;
  thresholds?: number[];
  predUnit?: string;
}): ResultsDocument {
  const protocol = options.protocol ?? 'nersemble';
  const records: TaskRecord[] = options.items.map((i) => ({
    person: i.person,
    item: i.item,
    task: i.task,
    status: i.metrics ? 'ok' : 'error',
    ...(i.metrics ? { metrics: i.metrics } : { error: 'mesh_posed.ply: file not found' }),
    ...(i.curve ? { curve: i.curve } : {}),
    key: 'k',
    seconds: 0.1,
  }));
  const summary: Record<string, TaskSummary> = {};
  for (const task of [...new Set(options.items.map((i) => i.task))]) {
    const all = options.items.filter((i) => i.task === task);
    const ok = all.filter((i) => i.metrics);
    const metrics: Record<string, number> = {};
    if (ok.length > 0) for (const key of Object.keys(ok[0].metrics!)) metrics[key] = ok.reduce((a, i) => a + i.metrics![key], 0) / ok.length;
    summary[task] = { items: all.length, scored: ok.length, failed: all.length - ok.length, metrics, curve: [], ...options.summary?.[task] };
  }
  return {
    tool: { name: 'facebench', version: '0.0.0-test' },
    method: options.method,
    benchmark: options.benchmark ?? '/nonexistent/bench',
    benchmark_id: options.sha ?? SHA_A,
    predictions: `/nonexistent/pred/${options.method}`,
    protocol: { protocol, align: 'icp', estimateScale: false, predUnit: options.predUnit ?? 'mm', gtUnit: 'mm', curve: { maxMm: 10, stepMm: 0.1 } },
    created: '2026-01-01T00:00:00Z',
    summary,
    curve_thresholds_mm: options.thresholds ?? [],
    items: records,
  };
}

/** Write `<dir>/<method>/results.json`; returns the method folder. */
export function writeDoc(dir: string, doc: ResultsDocument): string {
  const methodDir = join(dir, doc.method);
  mkdirSync(methodDir, { recursive: true });
  writeFileSync(join(methodDir, 'results.json'), JSON.stringify(doc));
  return methodDir;
}

/** Per-item L1/L2/NC/R@2.5 for persons × items × tasks from a value function. */
export function grid(
  persons: string[],
  items: string[],
  tasks: ('posed' | 'neutral')[],
  value: (p: number, i: number, t: number) => number | undefined,
): FixtureItem[] {
  const out: FixtureItem[] = [];
  persons.forEach((person, p) =>
    items.forEach((item, i) =>
      tasks.forEach((task, t) => {
        const v = value(p, i, t);
        out.push({ person, item, task, metrics: v === undefined ? undefined : { l1: 1.5 * v, l2: v, nc: 1 - v / 100, r2_5: Math.max(0, 1 - v / 10) } });
      }),
    ),
  );
  return out;
}

/** A schema-valid benchmark manifest with `count` items (for coverage totals). */
export function writeManifest(bench: string, count: number): void {
  mkdirSync(bench, { recursive: true });
  const items = Array.from({ length: count }, (_, k) => ({
    id: `ITEM-${k}`,
    person: '001',
    sequence: 'EXP',
    frame: k,
    camera: '222200000',
    rank: k,
    distance: 1,
    dir: `items/001/ITEM-${k}`,
    points: 100,
  }));
  const manifest = {
    schema: 'facebench-benchmark',
    version: 1,
    tool: { name: 'facebench', version: 'test' },
    created: '2026-01-01T00:00:00Z',
    source: { capture: 'test', unit: 'mm', demo: true },
    protocol: { name: 'nersemble', tasks: ['posed', 'neutral'], unit: 'mm' },
    build: {},
    persons: [{ id: '001', neutral: { sequence: 'NEUTRAL', frame: 0, dir: 'persons/001/neutral', points: 100, rule: 'test' }, items: items.map((i) => i.id) }],
    items,
    files: {},
  };
  writeFileSync(join(bench, 'manifest.json'), JSON.stringify(manifest));
}
