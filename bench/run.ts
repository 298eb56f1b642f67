/**
 * `facebench run` from scratch (the README's main job: build the demo benchmark, predict with
 * every offline method, score, report) timed whole, then `facebench report` alone on its
 * results, the way a user re-draws the report (median of 3). The CPU time of `run` over its
 * wall time tells how well it kept both cores busy.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { childrenCpuSeconds, median } from './timing.js';

/** Wall seconds of `facebench ARGS`; throws with its stderr when it fails. */
function timedCommand(bin: string, args: string[]): number {
  const started = performance.now();
  const run = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`facebench ${args[0]} failed (exit ${run.status}): ${run.stderr.trim()}`);
  return (performance.now() - started) / 1000;
}

export async function runRunBench(reportRepeats = 3): Promise<Record<string, number>> {
  const root = mkdtempSync(join(tmpdir(), 'facebench-runbench-'));
  const bin = fileURLToPath(new URL('../../bin/facebench.js', import.meta.url));
  try {
    const out = join(root, 'demo');
    const cpuBefore = childrenCpuSeconds();
    const runSeconds = timedCommand(bin, ['run', '--out', out, '--quiet']);
    const runCpu = childrenCpuSeconds() - cpuBefore;
    const resultsRoot = join(out, 'results');
    const results = readdirSync(resultsRoot).sort().map((name) => join(resultsRoot, name));
    const reportTimes: number[] = [];
    for (let r = 0; r < reportRepeats; r++) {
      reportTimes.push(timedCommand(bin, ['report', '--results', ...results, '--out', join(root, `report-${r}`, 'report.html'), '--quiet']));
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
