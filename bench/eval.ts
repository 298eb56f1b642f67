/** `facebench eval` over a generated benchmark (16 items, 32 tasks) with 1 and with 2 worker threads. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { timedFacebench } from './timing.js';
import { writeEvalBenchmark } from './synthetic.js';

export async function runEvalBench(persons = 2, itemsPerPerson = 8, points = 50_000): Promise<Record<string, number>> {
  const root = mkdtempSync(join(tmpdir(), 'facebench-evalbench-'));
  const { bench, preds } = writeEvalBenchmark(root, persons, itemsPerPerson, points, 7);
  const tasks = persons * itemsPerPerson * 2;
  const seconds: Record<number, number> = {};
  for (const workers of [1, 2]) {
    const run = timedFacebench(['eval', '--bench', bench, '--pred', preds, '--out', join(root, `out${workers}`), '--workers', String(workers), '--quiet']);
    seconds[workers] = run.seconds;
    const cores = run.cpuSeconds / run.seconds;
    console.log(
      `eval ${tasks} tasks (${points / 1000}k-point GT, 5023-vertex predictions), ${workers} worker${workers > 1 ? 's' : ''}: ` +
        `${seconds[workers].toFixed(2)} s, ${(tasks / seconds[workers]).toFixed(2)} tasks/s, ${cores.toFixed(2)} cores busy on average`,
    );
  }
  const speedup = seconds[1] / seconds[2];
  console.log(`eval speed-up with 2 workers: ${speedup.toFixed(2)}x`);
  rmSync(root, { recursive: true, force: true });
  return { eval_1_worker_seconds: seconds[1], eval_2_workers_seconds: seconds[2], speedup };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await runEvalBench();
}
