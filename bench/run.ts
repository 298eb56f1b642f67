/**
 * `facebench run` from scratch (the README's main job: build the demo benchmark, predict with
 * every offline method, score, report) timed whole, then `facebench report` alone on its
 * results, the way a user re-draws the report (median of 3). The CPU time of `run` over its
 * wall time tells how well it kept both cores busy.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { median, timedFacebench } from './timing.js';

export async function runRunBench(reportRepeats = 3): Promise<Record<string, number>> {
  const root = mkdtempSync(join(tmpdir(), 'facebench-runbench-'));
  try {
    const out = join(root, 'demo');
    const { seconds: runSeconds, cpuSeconds: runCpu } = timedFacebench(['run', '--out', out, '--quiet']);
    const resultsRoot = join(out, 'results');
    const results = readdirSync(resultsRoot).sort().map((name) => join(resultsRoot, name));
    const reportTimes: number[] = [];
    for (let r = 0; r < reportRepeats; r++) {
      reportTimes.push(timedFacebench(['report', '--results', ...results, '--out', join(root, `report-${r}`, 'report.html'), '--quiet']).seconds);
    }
    const reportSeconds = median(reportTimes);
    console.log(
      `run from scratch (demo: build, ${results.length} methods, score, report): ${runSeconds.toFixed(1)} s wall, ` +
        `${runCpu.toFixed(1)} CPU-s (${(runCpu / runSeconds).toFixed(2)} cores busy)`,
    );
    console.log(
      `report on those results (${results.length} methods), median of ${reportRepeats}: ${reportSeconds.toFixed(2)} s ` +
        `(range ${Math.min(...reportTimes).toFixed(2)}–${Math.max(...reportTimes).toFixed(2)})`,
    );
    return { run_seconds: runSeconds, run_cpu_seconds: runCpu, report_seconds: reportSeconds };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await runRunBench();
}
