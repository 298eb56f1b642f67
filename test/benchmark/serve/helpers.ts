/** Shared pieces of the leaderboard-server tests: a small demo benchmark, packed submissions, HTTP, worker processes. */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { registerBuiltinMethods } from '../../../baselines/builtin.js';
import { runBuild } from '../../../benchmark/construct/index.js';
import { runPredict } from '../../../benchmark/predict/index.js';
import { DEMO_NEUTRAL, generateDemoCapture } from '../../../data/index.js';
import { packSubmission } from '../../../evaluators/formats/pack-submission.js';

export const BIN = fileURLToPath(new URL('../../../bin/facebench.js', import.meta.url));

/** A demo benchmark of one person and two items (four tasks per submission). */
export async function smallBenchmark(root: string): Promise<string> {
  registerBuiltinMethods();
  const capture = join(root, 'capture');
  const bench = join(root, 'bench');
  generateDemoCapture(capture, { persons: 1, framesPerPerson: 21, cameras: 8 });
  await runBuild({ capture, out: bench, unit: 'm', expressions: 2, neutral: `${DEMO_NEUTRAL.sequence}/${DEMO_NEUTRAL.frame}`, imageSize: 128, visibilityToleranceMm: 2, demo: true, progress: 'silent' });
  return bench;
}

/** Predict with `method` and pack both tasks: the predictions folder and the zip's bytes. */
export async function packed(bench: string, root: string, name: string, method: string, options: Record<string, unknown> = {}): Promise<{ pred: string; zip: Uint8Array }> {
  const pred = join(root, 'pred', name);
  await runPredict({ bench, method, options, out: pred, progress: 'silent' });
  const zip = join(root, 'zips', `${name}.zip`);
  packSubmission(pred, zip, ['posed', 'neutral']);
  return { pred, zip: readFileSync(zip) };
}

export async function upload(url: string, token: string | undefined, method: string, zip: Uint8Array): Promise<{ status: number; body: Record<string, unknown> }> {
  const form = new FormData();
  form.append('method', method);
  form.append('file', new Blob([zip]), 'submission.zip');
  const response = await fetch(`${url}/api/submissions`, { method: 'POST', body: form, headers: token ? { Authorization: `Bearer ${token}` } : {} });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

export async function getJson(url: string): Promise<any> {
  const response = await fetch(url);
  return response.json();
}

/** Poll `check` until it returns a value, or fail after `ms`. */
export async function waitFor<T>(what: string, ms: number, check: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export interface WorkerProcess {
  child: ChildProcess;
  lines: string[];
}

/** `facebench worker` as a separate process, its stdout lines collected. */
export function spawnWorker(redis: string, bench: string, env: Record<string, string> = {}, extra: string[] = []): WorkerProcess {
  const child = spawn(process.execPath, [BIN, 'worker', '--redis', redis, '--bench', bench, ...extra], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  const lines: string[] = [];
  let rest = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    const text = rest + chunk.toString();
    const parts = text.split('\n');
    rest = parts.pop()!;
    lines.push(...parts);
  });
  return { child, lines };
}

export function stopWorker(worker: WorkerProcess): Promise<void> {
  return new Promise((resolve) => {
    if (worker.child.exitCode !== null || worker.child.signalCode !== null) return resolve();
    worker.child.once('exit', () => resolve());
    worker.child.kill('SIGTERM');
  });
}

/** Rewrite the bytes of every occurrence of `from` in a zip by `to` (same length): entry names in local and central headers. */
export function renameInZip(zip: Uint8Array, from: string, to: string): Uint8Array {
  if (from.length !== to.length) throw new Error('same length only');
  const out = Uint8Array.from(zip);
  const a = Buffer.from(from);
  const b = Buffer.from(to);
  const buffer = Buffer.from(out.buffer);
  let at = buffer.indexOf(a);
  while (at >= 0) {
    b.copy(buffer, at);
    at = buffer.indexOf(a, at + 1);
  }
  return out;
}

/** Mark the central-directory entry `name` as a symbolic link (Unix mode 0120777 in its external attributes). */
export function markSymlink(zip: Uint8Array, name: string): Uint8Array {
  const out = Uint8Array.from(zip);
  const buffer = Buffer.from(out.buffer);
  const nameBytes = Buffer.from(name);
  for (let at = buffer.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02])); at >= 0; at = buffer.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]), at + 4)) {
    const nameLength = buffer.readUInt16LE(at + 28);
    if (buffer.subarray(at + 46, at + 46 + nameLength).equals(nameBytes)) {
      buffer.writeUInt16LE((3 << 8) | buffer.readUInt8(at + 4), at + 4); // made by Unix
      buffer.writeUInt32LE((0o120777 << 16) >>> 0, at + 38);
      return out;
    }
  }
  throw new Error(`no entry ${name}`);
}
