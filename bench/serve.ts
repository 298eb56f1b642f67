/**
 * The self-hosted leaderboard's throughput on this machine: a demo benchmark of 2 persons × 10
 * items (40 tasks), one submission scored by 1, 2 and 4 `facebench worker` processes (upload to
 * `done`, measured through the HTTP API), against one `facebench eval --workers 1` on the same
 * predictions in the same run; then the latency of `GET /api/leaderboard` under a bounded
 * burst (500 requests, 25 in flight).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { registerBuiltinMethods } from '../baselines/builtin.js';
import { runBuild } from '../benchmark/construct/index.js';
import { runPredict } from '../benchmark/predict/index.js';
import { addToken, startPrivateRedis, startServer } from '../benchmark/serve/index.js';
import { DEMO_NEUTRAL, generateDemoCapture } from '../data/index.js';
import { packSubmission } from '../evaluators/formats/pack-submission.js';
import { FACEBENCH_BIN, timedFacebench } from './timing.js';


function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
}

export async function runServeBench(): Promise<Record<string, number>> {
  const root = mkdtempSync(join(tmpdir(), 'facebench-serve-bench-'));
  const out: Record<string, number> = {};
  try {
    registerBuiltinMethods();
    const capture = join(root, 'capture');
    const bench = join(root, 'bench');
    generateDemoCapture(capture, { persons: 2, framesPerPerson: 21, cameras: 8 });
    await runBuild({ capture, out: bench, unit: 'm', expressions: 10, neutral: `${DEMO_NEUTRAL.sequence}/${DEMO_NEUTRAL.frame}`, imageSize: 128, visibilityToleranceMm: 2, demo: true, progress: 'silent' });
    const pred = join(root, 'pred');
    await runPredict({ bench, method: 'mean-shape', options: {}, out: pred, progress: 'silent' });
    const zipPath = join(root, 'submission.zip');
    packSubmission(pred, zipPath, ['posed', 'neutral']);
    const zip = readFileSync(zipPath);

    const evalSeconds = timedFacebench(['eval', '--bench', bench, '--pred', pred, '--out', join(root, 'eval'), '--workers', '1', '--quiet']).seconds;
    const tasks = JSON.parse(readFileSync(join(root, 'eval', 'mean-shape', 'results.json'), 'utf8')).items.length as number;
    const evalRate = tasks / evalSeconds;
    console.log(`serve: facebench eval --workers 1 on the same ${tasks} tasks: ${evalSeconds.toFixed(2)} s (whole command), ${evalRate.toFixed(1)} tasks/s`);

    const redis = await startPrivateRedis(join(root, 'redis'));
    const data = join(root, 'data');
    const token = addToken(data, 'bench');
    const server = await startServer({ bench, data, port: 0, redis: redis.url });
    try {
      for (const n of [1, 2, 4]) {
        const workers = Array.from({ length: n }, () => spawn(process.execPath, [FACEBENCH_BIN, 'worker', '--redis', redis.url, '--bench', bench], { stdio: ['ignore', 'pipe', 'inherit'] }));
        // Ready when each has said it is taking jobs.
        await Promise.all(workers.map((w) => new Promise<void>((resolve) => w.stdout!.on('data', (c: Buffer) => { if (c.toString().includes('taking jobs')) resolve(); }))));
        const form = new FormData();
        form.append('method', `mean-shape ${n}`);
        form.append('file', new Blob([zip]), 'submission.zip');
        const t0 = performance.now();
        const answer = (await (await fetch(`${server.url}/api/submissions`, { method: 'POST', body: form, headers: { Authorization: `Bearer ${token}` } })).json()) as { id: string };
        for (;;) {
          const s = (await (await fetch(`${server.url}/api/submissions/${answer.id}`)).json()) as { status: string };
          if (s.status === 'done') break;
          if (s.status === 'failed') throw new Error(`submission failed: ${JSON.stringify(s)}`);
          await new Promise((r) => setTimeout(r, 25));
        }
        const seconds = (performance.now() - t0) / 1000;
        out[`serve_tasks_per_s_${n}_workers`] = tasks / seconds;
        console.log(`serve: ${n} worker process${n > 1 ? 'es' : ''}: ${tasks} tasks from upload to done in ${seconds.toFixed(2)} s, ${(tasks / seconds).toFixed(1)} tasks/s, ${((tasks / seconds) / evalRate).toFixed(2)}x eval --workers 1`);
        await Promise.all(workers.map((w) => new Promise((r) => { w.once('exit', r); w.kill('SIGTERM'); })));
      }
      const latencies: number[] = [];
      let next = 0;
      const total = 500;
      const inFlight = 25;
      await Promise.all(Array.from({ length: inFlight }, async () => {
        while (next < total) {
          next++;
          const t0 = performance.now();
          const response = await fetch(`${server.url}/api/leaderboard`);
          await response.arrayBuffer();
          if (response.status !== 200) throw new Error(`GET /api/leaderboard: ${response.status}`);
          latencies.push(performance.now() - t0);
        }
      }));
      latencies.sort((a, b) => a - b);
      out.leaderboard_p50_ms = percentile(latencies, 0.5);
      out.leaderboard_p99_ms = percentile(latencies, 0.99);
      console.log(`serve: GET /api/leaderboard, ${total} requests, ${inFlight} in flight: p50 ${out.leaderboard_p50_ms.toFixed(2)} ms, p99 ${out.leaderboard_p99_ms.toFixed(2)} ms, max ${latencies[latencies.length - 1].toFixed(2)} ms`);
    } finally {
      await server.close();
      await redis.stop();
    }
    out.serve_eval_tasks_per_s = evalRate;
    return out;
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await runServeBench();
}
