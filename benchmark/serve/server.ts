/**
 * `facebench serve`: the self-hosted leaderboard. One process owns the database and the
 * uploaded files under `--data`; it checks each upload at once, queues one score job per item
 * and task on Redis, and writes the task records the workers send back (results queue), then
 * the submission's results.json (the same document `facebench eval` writes) when the last
 * task is in. HTTP API and pages: README "A self-hosted leaderboard".
 */
import { randomBytes } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import multipart from '@fastify/multipart';
import { Queue, Worker, type Job } from 'bullmq';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { InputError } from '../../evaluators/errors.js';
import { sha256File } from '../../evaluators/io/index.js';
import {
  discoverTasks, readManifest, readResultsDirs, ResultsStore, writeResults, type Manifest, type ResultsDocument, type TaskName,
} from '../../evaluators/formats/index.js';
import { protocolDefaults, type ProtocolConfig } from '../../evaluators/protocols/index.js';
import { writeReport } from '../../reports/index.js';
import { buildLeaderboard, type Leaderboard } from '../../reports/leaderboard.js';
import { evalResultsDocument } from '../eval/run-eval.js';
import { ServerDb, type SubmissionRow } from './db.js';
import { DEFAULT_UPLOAD_LIMITS, intakeSubmission, type UploadLimits } from './intake.js';
import { leaderboardPage, submissionPage, uploadPage } from './pages.js';
import { checkRedis, RedisConnections, RESULT_QUEUE, SCORE_QUEUE, servedBenchmarkId, scoreJobId, type ResultJob, type ScoreJob } from './queue.js';
import { startPrivateRedis, type PrivateRedis } from './redis.js';

export interface ServeOptions {
  bench: string;
  data: string;
  port?: number;
  host?: string;
  /** Redis URL; without it a private redis-server is started (its files in <data>/redis). */
  redis?: string;
  /** Largest upload, bytes (default 256 MB). */
  maxUploadBytes?: number;
  limits?: Partial<UploadLimits>;
}

export interface RunningServer {
  url: string;
  redisUrl: string;
  close(): Promise<void>;
}

const SUBMISSION_ID = /^[0-9a-f]{16}$/;
const METHOD_NAME = /^[\p{L}\p{N}][\p{L}\p{N} ._+()-]{0,63}$/u;

/** The database file of a data folder. */
export function databasePath(data: string): string {
  return join(resolve(data), 'facebench.sqlite');
}

/** The Table-2 figures of a results document: per task, items, scored, failed and the metric means. */
function figures(doc: ResultsDocument): Record<string, unknown> {
  return Object.fromEntries(Object.entries(doc.summary).map(([task, s]) => [task, { items: s.items, scored: s.scored, failed: s.failed, metrics: s.metrics }]));
}

export async function startServer(options: ServeOptions): Promise<RunningServer> {
  const bench = resolve(options.bench);
  const data = resolve(options.data);
  const limits: UploadLimits = { ...DEFAULT_UPLOAD_LIMITS, ...options.limits };
  const maxUploadBytes = options.maxUploadBytes ?? 256 * 1024 ** 2;
  const manifest: Manifest = readManifest(bench);
  const config: ProtocolConfig = protocolDefaults('nersemble');
  const benchmarkId = servedBenchmarkId(bench);
  for (const dir of ['uploads', 'submissions', 'results']) mkdirSync(join(data, dir), { recursive: true });
  const db = new ServerDb(databasePath(data));
  let privateRedis: PrivateRedis | undefined;
  const redisUrl = options.redis ?? (privateRedis = await startPrivateRedis(join(data, 'redis'))).url;
  await checkRedis(redisUrl);
  const connections = new RedisConnections(redisUrl);
  const scoreQueue = new Queue<ScoreJob>(SCORE_QUEUE, { connection: connections.connect() });

  // The leaderboard, rebuilt when a submission is done: the latest done submission of each method name.
  let board: Leaderboard | undefined;
  let boardJson = '[]';
  const rebuildBoard = (): void => {
    const latest = new Map<string, SubmissionRow>();
    for (const row of db.finished()) latest.set(row.method, row);
    const dirs = [...latest.values()].map((row) => join(data, 'results', row.id));
    board = dirs.length > 0 ? buildLeaderboard(readResultsDirs(dirs)) : undefined;
    boardJson = JSON.stringify(board?.rows ?? []);
  };

  /** Write the results.json of a submission whose every task is in, and mark it done. */
  const finish = (row: SubmissionRow): void => {
    const predDir = join(data, 'submissions', row.id, 'pred');
    const records = db.records(row.id);
    const taskNames = [...new Set([...records.values()].map((r) => r.task))] as TaskName[];
    const tasks = discoverTasks(bench, predDir, (['posed', 'neutral'] as const).filter((t) => taskNames.includes(t)));
    const dir = join(data, 'results', row.id);
    const doc = evalResultsDocument({ tasks, records, config, method: row.method, bench, pred: predDir, benchmarkId, store: new ResultsStore(dir) });
    writeResults(dir, doc);
    // The submission's report: tables and curves only; no worst-item pictures, panels or 3D views, which would show GT points.
    writeReport({ results: [dir], out: join(dir, 'report.html'), worst: 0, panels: { rows: [], notes: [] }, title: `facebench: ${row.method}` });
    db.setStatus(row.id, 'done');
    rebuildBoard();
  };

  const resultWorker = new Worker<ResultJob>(RESULT_QUEUE, async (job: Job<ResultJob>) => {
    const { submission, task } = job.data;
    const row = db.submission(submission);
    if (!row || row.status === 'done' || row.status === 'failed') return;
    if (job.data.error !== undefined) {
      db.setStatus(submission, 'failed', `${task}: ${job.data.error}`);
      return;
    }
    const after = db.addRecord(submission, task, job.data.record!);
    if (after && after.done >= after.total) finish(after);
  }, { connection: connections.connect(), concurrency: 1 });

  // A submission whose last record was written just before a stop is finished now.
  for (const row of db.unfinished()) if (row.done >= row.total) finish(row);
  rebuildBoard();

  const app: FastifyInstance = Fastify({ logger: false, bodyLimit: 1024 * 1024 });
  await app.register(multipart, { limits: { fileSize: maxUploadBytes, files: 1, fields: 4, fieldSize: 1024 } });

  const bearer = (req: FastifyRequest): string | undefined => {
    const header = req.headers.authorization;
    const match = typeof header === 'string' ? /^Bearer\s+(\S+)$/.exec(header) : null;
    return match ? db.tokenName(match[1]) : undefined;
  };

  app.post('/api/submissions', async (req: FastifyRequest, reply: FastifyReply) => {
    const owner = bearer(req);
    if (!owner) return reply.code(401).send({ error: 'a valid token is required: header Authorization: Bearer <token> (facebench serve tokens add NAME)' });
    if (!req.isMultipart()) return reply.code(400).send({ problems: ['the request must be multipart/form-data with fields method and file'] });
    const id = randomBytes(8).toString('hex');
    const upload = join(data, 'uploads', `${id}.zip`);
    const partial = `${upload}.partial`;
    let method: string | undefined;
    let received = false;
    let truncated = false;
    try {
      for await (const part of req.parts()) {
        if (part.type === 'field') {
          if (part.fieldname === 'method') method = String(part.value).trim();
        } else if (part.fieldname === 'file' && !received) {
          received = true;
          await pipeline(part.file, createWriteStream(partial));
          truncated = part.file.truncated;
        } else {
          part.file.resume();
        }
      }
    } catch (error) {
      rmSync(partial, { force: true });
      const detail = (error as { code?: string }).code === 'FST_REQ_FILE_TOO_LARGE' ? `field file: larger than this server's limit of ${maxUploadBytes} bytes` : `the upload could not be read (${(error as Error).message})`;
      return reply.code(400).send({ problems: [detail] });
    }
    const problems: string[] = [];
    if (!received) problems.push('field file: missing (a submission zip as facebench pack writes it)');
    if (truncated) problems.push(`field file: larger than this server's limit of ${maxUploadBytes} bytes`);
    if (method === undefined || method === '') problems.push('field method: missing (the display name of the method)');
    else if (!METHOD_NAME.test(method)) problems.push('field method: 1–64 letters, digits, spaces and . _ + ( ) -, starting with a letter or digit');
    if (problems.length > 0) {
      rmSync(partial, { force: true });
      return reply.code(400).send({ problems });
    }
    const sha256 = sha256File(partial);
    const same = db.activeWithHash(sha256);
    if (same) {
      rmSync(partial, { force: true });
      return reply.code(409).send({ problems: [`the same file is already being scored as submission ${same.id}`], id: same.id });
    }
    renameSync(partial, upload);
    const predDir = join(data, 'submissions', id, 'pred');
    mkdirSync(join(data, 'submissions', id), { recursive: true });
    const intake = intakeSubmission(bench, manifest, upload, predDir, limits);
    if (!intake.ok) {
      rmSync(upload, { force: true });
      rmSync(join(data, 'submissions', id), { recursive: true, force: true });
      return reply.code(400).send({ problems: intake.problems });
    }
    db.addSubmission({ id, method: method!, token: owner, total: intake.jobs.length, sha256, created: new Date().toISOString() });
    await scoreQueue.addBulk(intake.jobs.map((job) => ({
      name: 'score',
      data: { ...job, submission: id, benchmarkId },
      opts: { jobId: scoreJobId(id, `${job.person}/${job.item}/${job.task}`), attempts: 3, backoff: { type: 'fixed', delay: 500 }, removeOnComplete: true, removeOnFail: 1000 },
    })));
    return reply.code(201).send({ id, status: 'queued' });
  });

  const submissionJson = (row: SubmissionRow): Record<string, unknown> => {
    const out: Record<string, unknown> = { id: row.id, method: row.method, status: row.status, progress: { done: row.done, total: row.total }, created: row.created };
    if (row.error) out.error = row.error;
    const results = join(data, 'results', row.id, 'results.json');
    if (row.status === 'done' && existsSync(results)) out.figures = figures(readResultsDirs([results])[0].doc);
    return out;
  };

  app.get('/api/submissions/:id', async (req: FastifyRequest<{ Params: { id: string } }>, reply) => {
    const row = SUBMISSION_ID.test(req.params.id) ? db.submission(req.params.id) : undefined;
    if (!row) return reply.code(404).send({ error: 'no such submission' });
    return reply.send(submissionJson(row));
  });

  app.get('/api/leaderboard', async (_req, reply) => reply.type('application/json').send(boardJson));

  app.get('/', async (_req, reply) => reply.type('text/html').send(leaderboardPage(board)));
  app.get('/submit', async (_req, reply) => reply.type('text/html').send(uploadPage(maxUploadBytes)));
  app.get('/submissions/:id', async (req: FastifyRequest<{ Params: { id: string } }>, reply) => {
    const row = SUBMISSION_ID.test(req.params.id) ? db.submission(req.params.id) : undefined;
    if (!row) return reply.code(404).type('text/html').send('<!doctype html><title>not found</title><p>No such submission.</p>');
    return reply.type('text/html').send(submissionPage(row.id));
  });

  app.get('/submissions/:id/report', async (req: FastifyRequest<{ Params: { id: string } }>, reply) => {
    const row = SUBMISSION_ID.test(req.params.id) ? db.submission(req.params.id) : undefined;
    const report = row ? join(data, 'results', row.id, 'report.html') : undefined;
    if (!row || row.status !== 'done' || !report || !existsSync(report)) return reply.code(404).type('text/html').send('<!doctype html><title>not found</title><p>No report for this submission (yet).</p>');
    return reply.type('text/html').send(readFileSync(report));
  });

  const close = async (): Promise<void> => {
    await app.close();
    await resultWorker.close();
    await scoreQueue.close();
    connections.disconnect();
    db.close();
    await privateRedis?.stop();
  };
  const port = options.port ?? 8080;
  const host = options.host ?? '127.0.0.1';
  let address: string;
  try {
    address = await app.listen({ port, host });
  } catch (error) {
    await close();
    const code = (error as NodeJS.ErrnoException).code;
    throw new InputError(`--port ${port}`, code === 'EADDRINUSE' ? `${host}:${port} is in use: choose another --port` : `cannot listen on ${host}:${port} (${(error as Error).message})`);
  }
  return { url: address, redisUrl, close };
}

/** `facebench serve tokens add NAME`: a new token, printed by the caller; only its hash is stored. */
export function addToken(data: string, name: string): string {
  if (!/^[\w.@-]{1,64}$/.test(name)) throw new InputError('NAME', 'a token name is 1–64 letters, digits and . _ @ -');
  mkdirSync(resolve(data), { recursive: true });
  const db = new ServerDb(databasePath(data));
  try {
    return db.addToken(name);
  } finally {
    db.close();
  }
}
