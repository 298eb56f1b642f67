/**
 * `facebench predict`: run one method over every item of a source — a built benchmark, or the
 * images of an SVFR download (sources.ts) — and fill a predictions folder in the submission
 * layout (docs/formats.md#predictions-submission-layout), with `method.json` beside the
 * predictions (name, version, options, source, timings, failures).
 *
 * Resuming: each finished item gets a small `<out>/<pid>/<item>/.done.json` holding the
 * resume key (sha256 of the method key — name, version, parsed options, code — and the
 * source's identity) and the files written; an item whose marker has the same key and whose
 * files all exist is skipped. A failed item gets no marker, so the next run retries it; its
 * error goes to `failures` in method.json.
 *
 * Workers: with `workers` > 1, a built-in method (looked up by name) runs in that many
 * worker threads (piscina, like `facebench eval`), each calling the method's `prepare` once;
 * any other adapter runs in this thread with `workers` items in flight (which overlaps only
 * its asynchronous work). A caller running several methods may pass one pool of threads for
 * all of them (`pool`, predictPool). `workers` 1 (the default) predicts item after item in this thread.
 */
import { createHash } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Listr } from 'listr2';
import { Piscina } from 'piscina';
import type { MethodAdapter } from '../../baselines/adapter.js';
import { builtinMethods } from '../../baselines/builtin.js';
import { methodKey, parseMethodOptions } from '../../baselines/method-options.js';
import { getMethod } from '../../baselines/registry.js';
import { InputError } from '../../evaluators/errors.js';
import { DONE_FILE, verifyBenchmarkFiles, writeMethodDocument, type MethodDocument } from '../../evaluators/formats/index.js';
import { assertNoLinks, canonicalJson, compiledWorker, TOOL, workerPoolOptions } from '../../evaluators/util/index.js';
import { runItem, type ItemOutcome } from './predict-item.js';
import { checkRequirements, refuseBenchmarkNeed } from './requirements.js';
import { benchmarkSource, isInside, svfrSource, type PredictSource, type RunItem } from './sources.js';
import type { PredictWorkerRequest } from './worker.js';

export type { ItemOutcome } from './predict-item.js';
export { checkRequirements } from './requirements.js';

export interface PredictOptions {
  /** A built benchmark folder; exactly one of `bench` and `images`. */
  bench?: string;
  /** An SVFR download (the folder holding `svfr/`, or `svfr/` itself). */
  images?: string;
  /** With `bench`: an export-map.json; the method sees each item under its exported ids. */
  map?: string;
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
  /**
   * Worker threads of the caller's (predictPool) to run built-in methods in, instead of a pool of
   * `workers` threads started and ended for this run: `facebench run` keeps one for all its methods,
   * so that the threads load the methods' code once.
   */
  pool?: PredictPool;
}

/** Worker threads that predict items of any built-in method (predictPool); end them with `destroy()`. */
export interface PredictPool {
  readonly threads: number;
  run(request: PredictWorkerRequest): Promise<ItemOutcome>;
  destroy(): Promise<void>;
}

/**
 * `threads` worker threads for runPredict's `pool` (undefined when the compiled worker is missing,
 * e.g. under a TypeScript runner without dist/: runPredict then works in this thread).
 */
export function predictPool(threads: number): PredictPool | undefined {
  const worker = compiledWorker(import.meta.url, 'worker.js');
  if (!worker || threads < 2) return undefined;
  const pool = new Piscina(workerPoolOptions(worker, threads));
  return {
    threads,
    run: (request) => pool.run(request) as Promise<ItemOutcome>,
    destroy: () => pool.destroy(),
  };
}

export interface PredictSummary {
  outDir: string;
  document: MethodDocument;
  /** Per item, in source order. */
  outcomes: ItemOutcome[];
  predicted: number;
  skipped: number;
  failed: number;
  /** Worker threads used (0: this thread only). */
  threads: number;
}

/** The source of a run from its options, after refusing a method that cannot run on it. */
function openSource(options: PredictOptions): PredictSource {
  if ((options.bench === undefined) === (options.images === undefined)) {
    throw new InputError('facebench predict', options.bench === undefined ? 'give --bench DIR (a built benchmark) or --images DIR (an SVFR download)' : '--bench and --images exclude each other: give one');
  }
  if (options.map !== undefined && options.bench === undefined) throw new InputError('--map', 'maps exported ids back onto a built benchmark: give it with --bench, not --images');
  return options.bench !== undefined ? benchmarkSource(options.bench, options.map) : svfrSource(options.images!);
}

/** The resume key of a run: the method key and the source's identity. */
function runKey(method: string, source: PredictSource): string {
  return createHash('sha256').update(canonicalJson({ method, source: source.identity })).digest('hex');
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

/**
 * Predict every item (both tasks) of the source with one method; resumable; per-item errors
 * are recorded in method.json and do not stop the run. Bad input (unknown method, invalid
 * options, not a benchmark or SVFR download, a method refusing the source or needing a
 * benchmark where there are only images) throws an InputError before anything is written.
 */
export async function runPredict(options: PredictOptions): Promise<PredictSummary> {
  const source = openSource(options);
  const out = resolve(options.out);
  const benchmark = source.spec.kind === 'benchmark';
  if (isInside(out, source.root)) {
    throw new InputError(options.out, benchmark ? 'is inside the benchmark folder; write predictions elsewhere (the benchmark must stay as its manifest lists it)' : 'is inside the SVFR download; write predictions elsewhere (the download holds only its images)');
  }
  const adapter = typeof options.method === 'string' ? getMethod(options.method) : options.method;
  const parsed = parseMethodOptions(adapter, options.options);
  if (!benchmark) refuseBenchmarkNeed(adapter, parsed, 'an SVFR download (--images), which holds only images', 'run it on a built benchmark (--bench)');
  else if (options.map !== undefined) refuseBenchmarkNeed(adapter, parsed, 'exported ids (--map)', 'run it without --map');
  else checkRequirements(adapter, source.root, source.manifest!);
  let items: RunItem[] = source.items;
  if (options.items) {
    const unknown = options.items.filter((id) => !source.items.some((i) => i.id === id));
    if (unknown.length) throw new InputError(source.root, `has no item ${unknown.join(', ')}`);
    items = items.filter((i) => options.items!.includes(i.id));
  }
  if (items.length === 0) throw new InputError(source.root, 'lists no items');
  // The inputs a method reads must be the benchmark's own; the output tree holds no links out.
  if (benchmark) verifyBenchmarkFiles(source.root, source.manifest!, source.inputFiles(items));
  assertNoLinks(out);
  const key = runKey(methodKey(adapter, parsed), source);
  // Forcing: without their markers, every item is predicted again (in this thread or a worker).
  if (options.force) for (const item of items) rmSync(join(out, item.person, item.id, DONE_FILE), { force: true });
  const workers = Math.max(1, Math.min(options.workers ?? 1, items.length));
  await adapter.prepare?.({ bench: source.root, manifest: source.manifest, options: parsed });
  const builtin = builtinMethods().some((m) => m === adapter);
  const shared = builtin ? options.pool : undefined;
  const worker = !shared && workers > 1 && builtin ? compiledWorker(import.meta.url, 'worker.js') : undefined;
  const threads = shared ? shared.threads : worker ? workers : 0;

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
          if (shared || worker) {
            const pool = shared ?? predictPool(threads)!;
            try {
              outcomes = await Promise.all(
                items.map(async (item) => {
                  const request: PredictWorkerRequest = { method: adapter.name, options: parsed, key, source: source.spec, out, item: { ...item } };
                  return tally(await pool.run(request));
                }),
              );
            } finally {
              if (!shared) await pool.destroy();
            }
          } else {
            outcomes = await mapLimited(items, workers, async (item) => tally(await runItem(adapter, parsed, key, source, item, out)));
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
    ...(benchmark ? { benchmark: source.root } : {}),
    source: source.record,
    created: new Date().toISOString(),
    items: items.length,
    predicted: timed.length,
    timings: {
      mean_seconds: timed.length ? total / timed.length : null,
      total_seconds: total,
      per_item: Object.fromEntries(timed.map((o) => [itemKey(o), o.seconds])),
    },
    failures: outcomes.filter((o) => o.status === 'error').map((o) => ({ person: o.person, item: o.item, error: o.error ?? 'unknown error' })),
    ...(adapter.tasks && adapter.tasks.length < 2 ? { tasks: [...adapter.tasks] } : {}),
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
