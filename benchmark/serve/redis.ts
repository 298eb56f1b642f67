/** A private `redis-server` for `facebench serve` without `--redis`: loopback only, its data in the server's folder. */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { InputError } from '../../evaluators/errors.js';
import { checkRedis } from './queue.js';

export interface PrivateRedis {
  url: string;
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => resolve(port));
    });
  });
}

/** Whether `redis-server` can be run. */
export function hasRedisServer(): boolean {
  return spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;
}

/**
 * Start `redis-server` on a free loopback port with its append-only file in `dir` (so queued
 * jobs outlive a restart of the server), and wait until it answers.
 */
export async function startPrivateRedis(dir: string): Promise<PrivateRedis> {
  if (!hasRedisServer()) {
    throw new InputError('redis-server', 'not found on PATH: install it (Debian/Ubuntu: sudo apt-get install redis-server) or pass --redis redis://HOST:PORT');
  }
  mkdirSync(dir, { recursive: true });
  const port = await freePort();
  const child: ChildProcess = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--appendonly', 'yes', '--save', '', '--protected-mode', 'yes'], { stdio: 'ignore' });
  const url = `redis://127.0.0.1:${port}`;
  const started = Date.now();
  for (;;) {
    if (child.exitCode !== null) throw new InputError('redis-server', `exited at start (code ${child.exitCode}); its folder is ${dir}`);
    try {
      await checkRedis(url, 1000);
      break;
    } catch {
      // not up yet
    }
    if (Date.now() - started > 10_000) {
      child.kill();
      throw new InputError('redis-server', `did not answer on ${url} within 10 s`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    url,
    stop: () => new Promise<void>((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    }),
  };
}
