/** `facebench serve`, `facebench serve tokens add` and `facebench worker`: the self-hosted leaderboard (benchmark/serve). */
import { spawn } from 'node:child_process';
import { addToken, startServer, startWorker } from '../serve/index.js';
import { printer } from '../options.js';

export interface ServeCommandOptions {
  bench: string;
  data: string;
  port: number;
  host: string;
  redis?: string;
  maxUploadMb?: number;
  quiet?: boolean;
}

/** Resolves when SIGINT or SIGTERM arrives. */
function untilSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const stop = (signal: NodeJS.Signals) => resolve(signal);
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}

export async function serveCommand(options: ServeCommandOptions): Promise<void> {
  const say = printer(options.quiet);
  const server = await startServer({
    bench: options.bench, data: options.data, port: options.port, host: options.host, redis: options.redis,
    maxUploadBytes: options.maxUploadMb !== undefined ? options.maxUploadMb * 1024 ** 2 : undefined,
  });
  say(`facebench serve: ${server.url} (leaderboard /, uploads /submit, API /api); queue on ${server.redisUrl}`);
  say(`start workers with: npx facebench worker --redis ${server.redisUrl} --bench ${options.bench}`);
  await untilSignal();
  await server.close();
}

export function tokensAddCommand(name: string, options: { data: string }): void {
  const token = addToken(options.data, name);
  console.log(`token for ${name} (shown once; the server keeps only its hash):`);
  console.log(token);
}

export interface WorkerCommandOptions {
  redis: string;
  bench: string;
  concurrency: number;
  quiet?: boolean;
}

/**
 * `facebench worker`: one process takes one job at a time (scoring is synchronous), so
 * `--concurrency N` > 1 runs N worker processes under this one, which passes SIGINT/SIGTERM on.
 */
export async function workerCommand(options: WorkerCommandOptions): Promise<void> {
  const say = printer(options.quiet);
  if (options.concurrency > 1) {
    const args = [process.argv[1], 'worker', '--redis', options.redis, '--bench', options.bench, '--concurrency', '1', ...(options.quiet ? ['--quiet'] : [])];
    const children = Array.from({ length: options.concurrency }, () => spawn(process.execPath, args, { stdio: 'inherit' }));
    const exits = children.map((child) => new Promise<number>((resolve) => child.once('exit', (code) => resolve(code ?? 1))));
    const stop = () => { for (const child of children) child.kill('SIGTERM'); };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    const codes = await Promise.all(exits);
    if (codes.some((c) => c !== 0)) process.exitCode = 1;
    return;
  }
  let scored = 0;
  const worker = await startWorker({
    redis: options.redis, bench: options.bench,
    onStart: (submission, task) => say(`scoring ${submission} ${task}`),
    onJob: () => { scored++; },
  });
  say(`facebench worker: taking jobs from ${options.redis}`);
  await untilSignal();
  await worker.close();
  say(`facebench worker: stopped after ${scored} tasks`);
}
