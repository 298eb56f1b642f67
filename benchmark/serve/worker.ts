/**
 * `facebench worker`: takes score jobs from Redis, scores each against this machine's copy of
 * the benchmark with the code of `facebench eval`, and puts the task record on the results
 * queue. Stateless: any number run on any machines. A worker killed mid-job loses nothing:
 * its lock lapses and the job is handed to another worker (BullMQ's stalled-job check); the
 * server stores each task once.
 */
import { resolve } from 'node:path';
import { Queue, Worker, type Job } from 'bullmq';
import { taskId } from '../../evaluators/formats/index.js';
import { protocolDefaults } from '../../evaluators/protocols/index.js';
import { checkRedis, lockDuration, RedisConnections, RESULT_QUEUE, servedBenchmarkId, SCORE_QUEUE, scoreJobId, type ResultJob, type ScoreJob } from './queue.js';
import { JobScorer } from './score-job.js';

export interface WorkerOptions {
  redis: string;
  bench: string;
  /** Called when a job starts and when it is done. */
  onStart?: (submission: string, task: string) => void;
  onJob?: (submission: string, task: string) => void;
}

export interface RunningWorker {
  close(): Promise<void>;
}

export async function startWorker(options: WorkerOptions): Promise<RunningWorker> {
  const bench = resolve(options.bench);
  const config = protocolDefaults('nersemble');
  const scorer = new JobScorer(bench, servedBenchmarkId(bench), config);
  await checkRedis(options.redis);
  const connections = new RedisConnections(options.redis);
  const results = new Queue<ResultJob>(RESULT_QUEUE, { connection: connections.connect() });
  const send = (job: Job<ScoreJob>, result: ResultJob) => results.add('result', result, {
    jobId: scoreJobId(job.data.submission, result.task), attempts: 10, backoff: { type: 'exponential', delay: 200 }, removeOnComplete: true, removeOnFail: false,
  });
  const lock = lockDuration();
  const pauseMs = Math.max(0, Number(process.env.FACEBENCH_WORKER_PAUSE_MS) || 0);
  const worker = new Worker<ScoreJob>(SCORE_QUEUE, async (job) => {
    const task = taskId(job.data);
    options.onStart?.(job.data.submission, task);
    // Fault-injection tests hold each job this long, so a worker can be killed in the middle of one.
    if (pauseMs > 0) await new Promise((r) => setTimeout(r, pauseMs));
    const record = scorer.score(job.data);
    await send(job, { submission: job.data.submission, task, record });
    options.onJob?.(job.data.submission, task);
  }, {
    connection: connections.connect(),
    concurrency: 1, // scoring is synchronous: more jobs at once take more processes (facebench worker --concurrency)
    lockDuration: lock,
    stalledInterval: Math.max(500, Math.floor(lock / 2)),
    maxStalledCount: 3,
  });
  // A job that failed on its last attempt: the server marks its submission failed, with the reason.
  worker.on('failed', (job, error) => {
    if (job && job.attemptsMade >= (job.opts.attempts ?? 1)) void send(job, { submission: job.data.submission, task: taskId(job.data), error: error.message });
  });
  await worker.waitUntilReady();
  return {
    close: async () => {
      await worker.close();
      await results.close();
      connections.disconnect();
    },
  };
}
