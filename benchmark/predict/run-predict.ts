/**
 * `facebench predict`: run one method over every item of a built benchmark and fill a
 * predictions folder in the submission layout (docs/formats.md#predictions-submission-layout), with `method.json` beside the
 * predictions (name, version, options, timings, failures).
 *
 * Resuming: each finished item gets a small `<out>/<pid>/<item>/.done.json` holding the
 * method key (sha256 of name, version and parsed options) and the files written; an item
 * whose marker has the same key and whose files all exist is skipped. A failed item gets
 * no marker, so the next run retries it; its error goes to `failures` in method.json.
 *
 * Workers: with `workers` > 1, a built-in method (looked up by name) runs in that many
 * worker threads (piscina, like `facebench eval`), each calling the method's `prepare` once;
 * any other adapter runs in this thread with `workers` items in flight (which overlaps only
 * its asynchronous work). `workers` 1 (the default) predicts item after item in this thread.
 */
import { existsSync, rmSync } from 'node:fs';
import { join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Listr } from 'listr2';
import { Piscina } from 'piscina';
import type { MethodAdapter } from '../../baselines/adapter.js';
import { builtinMethods } from '../../baselines/builtin.js';
import { methodKey, parseMethodOptions } from '../../baselines/method-options.js';
import { getMethod } from '../../baselines/registry.js';
import { InputError } from '../../evaluators/errors.js';
import { assertNoLinks } from '../../evaluators/util/index.js';
import { DONE_FILE, readManifest, verifyBenchmarkFiles, writeMethodDocument, type ItemRecord, type Manifest, type MethodDocument } from '../../evaluators/formats/index.js';
import { TOOL } from '../../evaluators/util/index.js';
import { runItem, type ItemOutcome } from './predict-item.js';
import type { PredictWorkerRequest } from './worker.js';

export type { ItemOutcome } from './predict-item.js';

export interface PredictOptions {
  bench: string;
  /** A registered method name or an adapter. */
  method: string | MethodAdapter<any>;
  /** Raw options (object or JSON text), parsed with the method's schema. */
  options?: unknown;
  out: string;
  /** Worker threads for built-in methods, else items in flight in this thread; default 1. */
  workers?: number;
  /** Predict every item again, even those finished by an earlier run with the same key. */
  force?: boolean;
  /** Only these item ids (default: all). */
  items?: readonly string[];
  progress?: 'auto' | 'silent';
}

export interface PredictSummary {
  outDir: string;
  document: MethodDocument;
  /** Per item, in manifest order. */
  outcomes: ItemOutcome[];
  predicted: number;
  skipped: number;
  failed: number;
  /** Worker threads used (0: this thread only). */
  threads: number;
}

/** Refuse a run whose method needs the demo generator's truth when the benchmark has none. */
export function checkRequirements(adapter: MethodAdapter<any>, bench: string, manifest: Manifest): void {
  if (!adapter.requires?.demoTruth) return;
  const truth = join(manifest.source.capture, '_truth');
  if (!manifest.source.demo && !existsSync(truth)) {
    throw new InputError(join(bench, 'manifest.json'), `method ${adapter.name} works on demo benchmarks only (built with \`facebench build --demo\`); this one was built from ${manifest.source.capture}`);
  }
  if (!existsSync(join(truth, 'model.json'))) {
    throw new InputError(truth, `method ${adapter.name} needs the demo capture's generator truth, which is missing; regenerate the capture with \`facebench build --demo\``);
  }
}

const itemKey = (o: { person: string; item: string }): string => `${o.person}/${o.item}`;

/** Run `fn` over `values` with at most `limit` calls pending at once; results in input order. */
async function mapLimited<T, R>(values: readonly T[], limit: number, fn: (value: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(values.length);
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < values.length) {
      const i = next++;
      results[i] = await fn(values[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, values.length)) }, lane));
  return results;
}

/** The compiled worker; under a TypeScript runner the dist copy is used. */
function workerFile(): string | undefined {
  const path = fileURLToPath(new URL('./worker.js', import.meta.url));
  if (existsSync(path)) return path;
  const dist = fileURLToPath(new URL('../../dist/benchmark/predict/worker.js', import.meta.url));
  return existsSync(dist) ? dist : undefined;
}

/**
 * Predict every item (both tasks) of the benchmark with one method; resumable; per-item
 * errors are recorded in method.json and do not stop the run. Bad input (unknown method,
 * invalid options, not a benchmark, a method refusing the benchmark) throws an InputError
 * before anything is written.
 */
export async function runPredict(options: PredictOptions): Promise<PredictSummary> {
  const bench = resolve(options.bench);
  const out = resolve(options.out);
  const manifest = readManifest(bench);
  if (out === bench || out.startsWith(`${bench}${sep}`)) throw new InputError(options.out, 'is inside the benchmark folder; write predictions elsewhere (the benchmark must stay as its manifest lists it)');
  const adapter = typeof options.method === 'string' ? getMethod(options.method) : options.method;
  const parsed = parseMethodOptions(adapter, options.options);
  checkRequirements(adapter, bench, manifest);
  let items: ItemRecord[] = manifest.items;
  if (options.items) {
    const unknown = options.items.filter((id) => !manifest.items.some((i) => i.id === id));
    if (unknown.length) throw new InputError(join(bench, 'manifest.json'), `has no item ${unknown.join(', ')}`);
    items = items.filter((i) => options.items!.includes(i.id));
  }
  if (items.length === 0) throw new InputError(join(bench, 'manifest.json'), 'lists no items');
  // The inputs a method reads must be the benchmark's own; the output tree holds no links out.
  verifyBenchmarkFiles(bench, manifest, items.flatMap((i) => [`${i.dir}/image.png`, `${i.dir}/meta.json`]));
  assertNoLinks(out);
  const key = methodKey(adapter, parsed);
  // Forcing: without their markers, every item is predicted again (in this thread or a worker).
  if (options.force) for (const item of items) rmSync(join(out, item.person, item.id, DONE_FILE), { force: true });
  const workers = Math.max(1, Math.min(options.workers ?? 1, items.length));
  await adapter.prepare?.({ bench, manifest, options: parsed });
  const builtin = builtinMethods().some((m) => m === adapter);
  const worker = workers > 1 && builtin ? workerFile() : undefined;
  const threads = worker ? workers : 0;

  let outcomes: ItemOutcome[] = [];
  const listr = new Listr(
    [
      {
        title: `Predicting ${items.length} items with ${adapter.name} ${adapter.version}${threads ? ` (${threads} worker threads)` : ''}`,
        task: async (_ctx: unknown, task: { title: string; output: string }) => {
          let count = 0, failed = 0, skipped = 0;
          const tally = (outcome: ItemOutcome): ItemOutcome => {
            count++;
            if (outcome.status === 'error') failed++;
            if (outcome.status === 'skipped') skipped++;
            task.output = `${count}/${items.length} items (${skipped} already done, ${failed} failed)`;
            return outcome;
          };
          if (worker) {
            const pool = new Piscina({ filename: worker, minThreads: threads, maxThreads: threads });
            try {
              outcomes = await Promise.all(
                items.map(async (item) => {
                  const request: PredictWorkerRequest = { method: adapter.name, options: parsed, key, bench, out, item };
                  return tally((await pool.run(request)) as ItemOutcome);
                }),
              );
            } finally {
              await pool.destroy();
            }
          } else {
            outcomes = await mapLimited(items, workers, async (item) => tally(await runItem(adapter, parsed, key, bench, manifest, item, out)));
          }
          task.title = `Predicted ${items.length} items with ${adapter.name} ${adapter.version}: ${outcomes.length - skipped - failed} new, ${skipped} already done, ${failed} failed`;
        },
        rendererOptions: { persistentOutput: true },
      },
    ],
    { renderer: options.progress === 'silent' ? 'silent' : process.stdout.isTTY ? 'default' : 'simple', exitOnError: true },
  );
  await listr.run();

  const timed = outcomes.filter((o) => o.status !== 'error');
  const total = timed.reduce((s, o) => s + o.seconds, 0);
  const document: MethodDocument = {
    name: adapter.name,
    version: adapter.version,
    description: adapter.description,
    options: parsed,
    key,
    tool: { ...TOOL },
    benchmark: bench,
    created: new Date().toISOString(),
    items: items.length,
    predicted: timed.length,
    timings: {
      mean_seconds: timed.length ? total / timed.length : null,
      total_seconds: total,
      per_item: Object.fromEntries(timed.map((o) => [itemKey(o), o.seconds])),
    },
    failures: outcomes.filter((o) => o.status === 'error').map((o) => ({ person: o.person, item: o.item, error: o.error ?? 'unknown error' })),
  };
  writeMethodDocument(out, document);
  return {
    outDir: out,
    document,
    outcomes,
    predicted: outcomes.filter((o) => o.status === 'ok').length,
    skipped: outcomes.filter((o) => o.status === 'skipped').length,
    failed: document.failures.length,
    threads,
  };
}
