import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { Listr } from 'listr2';
import { Piscina } from 'piscina';
import { curveThresholds } from '../../evaluators/metrics/index.js';
import { configToJson, facescapeSetOf, isFacescapeProtocol, isNowProtocol, type ProtocolConfig } from '../../evaluators/protocols/index.js';
import {
  discoverFacescapeTasks, discoverTasks, methodName, predictedTasks, taskId, verifiedBenchmarkId, writeResults, summarise, ResultsStore,
  type EvalTask, type ResultsDocument, type TaskName, type TaskRecord,
} from '../../evaluators/formats/index.js';
import { MAPS_ONLY_DETAIL } from '../../evaluators/formats/predictions.js';
import { InputError } from '../../evaluators/errors.js';
import { FileHasher, scoreTask, scoringCodeVersion, taskFiles, taskKey, type TaskOutcome } from '../../evaluators/scoring/index.js';
import { assertNoLinks, requireCompiledWorker, TOOL, workerPoolOptions } from '../../evaluators/util/index.js';
import type { ScoreRequest, WorkerRequest } from './worker.js';

export interface EvalOptions {
  bench: string;
  pred: string;
  out: string;
  method?: string;
  config: ProtocolConfig;
  /** Worker threads; 1 scores in this thread. Default: all cores. */
  workers?: number;
  tasks?: readonly TaskName[];
  /** Progress display: listr2's default renderer on a terminal, plain lines otherwise. */
  progress?: 'auto' | 'silent';
  /** Score every task again, even those with a stored result of the same key. */
  force?: boolean;
  /**
   * Worker threads of the caller's (evalPool) to score in, instead of a pool of `workers`
   * threads started and ended for this run: `facebench run` keeps one for all its methods, so
   * that the threads load and warm up the scoring code once.
   */
  pool?: EvalPool;
}

/** Worker threads that score tasks and hash input files for runEval (evalPool); end them with `destroy()`. */
export interface EvalPool {
  readonly threads: number;
  score(request: Omit<ScoreRequest, 'kind'>): Promise<TaskOutcome>;
  /** sha256 of each file, in order (`hashFile`). */
  hash(paths: string[]): Promise<string[]>;
  destroy(): Promise<void>;
}

/**
 * `threads` worker threads for runEval's `pool`, started at the first task (undefined for fewer
 * than 2: runEval then scores in this thread).
 */
export function evalPool(threads: number): EvalPool | undefined {
  if (threads < 2) return undefined;
  const filename = requireCompiledWorker(import.meta.url, 'worker.js', 'eval worker');
  let pool: Piscina | undefined;
  const run = (request: WorkerRequest) => (pool ??= new Piscina(workerPoolOptions(filename, threads))).run(request);
  return {
    threads,
    score: (request) => run({ kind: 'score', ...request }) as Promise<TaskOutcome>,
    hash: (paths) => run({ kind: 'hash', paths }) as Promise<string[]>,
    destroy: async () => {
      await pool?.destroy();
    },
  };
}

export interface EvalSummary {
  resultsDir: string;
  document: ResultsDocument;
  scored: number;
  reused: number;
  failed: number;
}

export interface ResultsDocumentInput {
  tasks: readonly EvalTask[];
  /** A record for every task, by taskId. */
  records: ReadonlyMap<string, TaskRecord>;
  config: ProtocolConfig;
  method: string;
  bench: string;
  pred: string;
  benchmarkId: string;
  store: ResultsStore;
}

/** The results.json of an evaluation (records in task order, summary, thresholds): what `eval` and `serve` write. */
export function evalResultsDocument(input: ResultsDocumentInput): ResultsDocument {
  const ordered = input.tasks.map((t) => {
    const record = input.records.get(taskId(t));
    if (!record) throw new Error(`no record for task ${taskId(t)}`);
    return record;
  });
  return {
    tool: { ...TOOL },
    method: input.method,
    benchmark: resolve(input.bench),
    benchmark_id: input.benchmarkId,
    predictions: resolve(input.pred),
    protocol: configToJson(input.config),
    created: new Date().toISOString(),
    summary: summarise(ordered, input.config, input.store),
    curve_thresholds_mm: Array.from(curveThresholds(input.config.curve.maxMm, input.config.curve.stepMm)),
    items: ordered,
  };
}

/**
 * `facebench eval`: score every item of a benchmark for both tasks (a FaceScape benchmark:
 * every sample of the protocol's set), in worker threads, reusing results already stored
 * under the same inputs and config (resumable), recording failures per item instead of
 * stopping, then writing results.json and metrics.csv.
 */
export async function runEval(options: EvalOptions): Promise<EvalSummary> {
  const protocol = options.config.protocol;
  // A maps-only method (a normal estimator: method.json tasks []) wrote no meshes to score.
  const declared = predictedTasks(options.pred);
  if (declared && declared.length === 0) throw new InputError(options.pred, MAPS_ONLY_DETAIL);
  const facescape = isFacescapeProtocol(protocol) ? discoverFacescapeTasks(options.bench, options.pred, facescapeSetOf(protocol)) : undefined;
  // A neutral-only method (MICA) records its tasks in method.json: only those are scored.
  const tasks = facescape?.tasks ?? discoverTasks(options.bench, options.pred, options.tasks ?? declared);
  const workers = Math.max(1, Math.min(options.workers ?? availableParallelism(), tasks.length));
  const pool = workers > 1 ? (options.pool ?? evalPool(workers)!) : undefined;
  try {
    // Every input file is hashed (benchmark check, resume keys): by the threads, when there are some.
    const hasher = new FileHasher();
    if (pool) await hasher.prefetch(inputFiles(tasks), (paths) => pool.hash(paths), HASH_LISTS_PER_THREAD * pool.threads);
    const benchmark = facescape?.benchmarkId ?? verifiedBenchmarkId(options.bench, tasks, (path) => hasher.hash(path));
    return await scoreTasks(options, tasks, benchmark, hasher, workers, pool);
  } finally {
    if (pool && pool !== options.pool) await pool.destroy();
  }
}

/** Lists of files each thread hashes (several, so that one slow list does not hold the rest up). */
const HASH_LISTS_PER_THREAD = 4;

/** The files the tasks read (what their keys hash). */
function inputFiles(tasks: readonly EvalTask[]): string[] {
  return tasks.flatMap(taskFiles).filter((path): path is string => !!path);
}

/** runEval once the tasks are known and the benchmark checked: reuse or score each, write the results. */
async function scoreTasks(
  options: EvalOptions, tasks: EvalTask[], benchmark: string, hasher: FileHasher, workers: number, pool: EvalPool | undefined,
): Promise<EvalSummary> {
  const method = methodName(options.pred, options.method);
  const resultsDir = join(options.out, method);
  assertNoLinks(resultsDir, options.out);
  const store = new ResultsStore(resultsDir);
  const keepDistances = isNowProtocol(options.config.protocol);
  const codeVersion = scoringCodeVersion();

  const records = new Map<string, TaskRecord>();
  const todo: { task: EvalTask; key: string }[] = [];
  for (const task of tasks) {
    const key = taskKey(task, options.config, codeVersion, hasher);
    const stored = options.force ? undefined : store.read(task);
    // A pooling protocol's record is reused only with its distances intact.
    if (stored && stored.key === key && stored.status === 'ok' && (!keepDistances || store.hasDistances(stored))) records.set(taskId(task), stored);
    else todo.push({ task, key });
  }
  const reused = records.size;
  let failed = 0;

  const accept = (outcome: TaskOutcome): void => {
    store.write(outcome.record, outcome.distances, outcome.errorMap);
    records.set(taskId(outcome.record), outcome.record);
    if (outcome.record.status === 'error') failed++;
  };

  const listr = new Listr(
    [
      {
        title: `Scoring ${tasks.length} tasks of ${method} (${reused} already done, ${workers} worker${workers > 1 ? 's' : ''})`,
        task: async (_ctx, listrTask) => {
          let done = 0;
          const every = Math.max(1, Math.floor(todo.length / 50));
          const tick = () => {
            done++;
            if (done % every === 0 || done === todo.length) listrTask.output = `${done}/${todo.length} scored, ${failed} failed`;
          };
          if (!pool) {
            for (const { task, key } of todo) {
              accept(scoreTask(task, options.config, key, keepDistances));
              tick();
            }
            return;
          }
          await Promise.all(
            todo.map(async ({ task, key }) => {
              accept(await pool.score({ task, config: options.config, key, keepDistances }));
              tick();
            }),
          );
        },
        rendererOptions: { persistentOutput: true },
      },
    ],
    {
      renderer: options.progress === 'silent' ? 'silent' : process.stdout.isTTY ? 'default' : 'simple',
      exitOnError: true,
    },
  );
  await listr.run();

  const document = evalResultsDocument({ tasks, records, config: options.config, method, bench: options.bench, pred: options.pred, benchmarkId: benchmark, store });
  writeResults(resultsDir, document);
  return { resultsDir, document, scored: todo.length, reused, failed };
}
