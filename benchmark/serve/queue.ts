/**
 * The two BullMQ queues between the leaderboard server and its workers (on Redis, so they
 * span machines): `facebench-score` holds one job per (submission, item, task) with the
 * prediction's bytes; a worker scores it against its own copy of the benchmark and puts the
 * task record on `facebench-results`, which only the server consumes and writes to its
 * database. Both are durable in Redis: a server restarted, or a worker killed mid-job (the
 * job's lock lapses and BullMQ's stalled-job check hands it to another worker), loses nothing.
 */
import { Redis } from 'ioredis';
import { InputError } from '../../evaluators/errors.js';
import { discoverTasks, verifiedBenchmarkId, type TaskName, type TaskRecord } from '../../evaluators/formats/index.js';
import { FileHasher } from '../../evaluators/scoring/index.js';

export const SCORE_QUEUE = 'facebench-score';
export const RESULT_QUEUE = 'facebench-results';

/** One task to score. */
export interface ScoreJob {
  submission: string;
  person: string;
  item: string;
  task: TaskName;
  /** The benchmark's id: a worker refuses a job for another benchmark than its own. */
  benchmarkId: string;
  /** The predicted mesh (PLY), base64. */
  mesh: string;
  /** The predicted landmarks (.npy), base64, when submitted. */
  landmarks?: string;
}

/** A scored task for the server to store, or why a job could not be scored after its retries. */
export interface ResultJob {
  submission: string;
  /** taskId (person/item/task). */
  task: string;
  record?: TaskRecord;
  error?: string;
}

/** The id of the served benchmark, after checking its files against its manifest (server and workers, at start). */
export function servedBenchmarkId(bench: string): string {
  const hasher = new FileHasher();
  return verifiedBenchmarkId(bench, discoverTasks(bench, bench), (p) => hasher.hash(p));
}

/** The job id of a task: one job per task, so the same task is never queued twice. */
export function scoreJobId(submission: string, task: string): string {
  return `${submission}.${task.replaceAll('/', '.')}`;
}

/**
 * Redis connections as BullMQ needs them (commands wait for a reconnect instead of failing),
 * all closed together. A lost connection is reported once per distinct message on stderr.
 */
export class RedisConnections {
  private readonly open: Redis[] = [];
  private readonly reported = new Set<string>();

  constructor(readonly url: string) {}

  connect(): Redis {
    const redis = new Redis(this.url, { maxRetriesPerRequest: null });
    redis.on('error', (error: Error) => {
      if (this.reported.has(error.message)) return;
      this.reported.add(error.message);
      console.error(`facebench: Redis at ${this.url}: ${error.message} (retrying)`);
    });
    this.open.push(redis);
    return redis;
  }

  disconnect(): void {
    for (const redis of this.open.splice(0)) redis.disconnect();
  }
}

/** Fail in one line when Redis does not answer at `url` within `ms`. */
export async function checkRedis(url: string, ms = 5000): Promise<void> {
  const probe = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: ms });
  probe.on('error', () => {});
  try {
    await probe.connect();
    await probe.ping();
  } catch (error) {
    throw new InputError(url, `Redis does not answer (${(error as Error).message}); start redis-server or pass the URL facebench serve printed`);
  } finally {
    probe.disconnect();
  }
}

/** How long a worker's lock on a job lasts without renewal (ms): a dead worker's job is handed on after this. */
export function lockDuration(): number {
  const env = Number(process.env.FACEBENCH_LOCK_MS);
  return Number.isFinite(env) && env >= 1000 ? env : 30_000;
}
