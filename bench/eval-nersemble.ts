/**
 * A NeRSemble-size `facebench eval`: 40 tasks (2 persons × 10 items × posed/neutral) of
 * 100k-point GT clouds and FLAME-size predictions, generated here, scored in one worker with
 * the default coarse-to-fine ICP and with `--icp-subsample 0` (ICP on every GT point, the
 * behaviour before subsampling) in the same run. Prints CPU-s per task, the extrapolation to
 * 800 tasks on 2 cores, the ratio, and the largest per-task score differences. The
 * predictions are the scan's own surface (a median distance of 0.16 mm after alignment);
 * a third run scores predictions with a method-like shape error (1.5 mm amplitude: L1 about
 * 2 mm, median 0.9 mm), whose queries lie farther from the surface and cost more. Last, the
 * same `eval` once more over its stored results (the resume path, which hashes every input
 * file) and the hashing alone against a whole-file read.
 *
 * Then (`runNersembleFullEvalBench`, also in `npm run bench`; about 1 GB of files at a time,
 * 2–3 minutes) the evaluation at the official benchmark's size: 20 persons × 20 items × 2 tasks
 * = 800 tasks of 100k-point GT clouds, scored by one `facebench eval` with 2 workers, timed
 * whole (wall and CPU) against the target of 60 s on 2 cores: once with predictions on the
 * scan's surface, once with the 1.5 mm shape error. `--full` runs only these two (`--full
 * --shape-error A`: only the one with amplitude A mm).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { EVAL_TARGET_CPU_S_PER_TASK, EVAL_TARGET_WALL_SECONDS } from './targets.js';
import { median, timedFacebench } from './timing.js';
import { closestPointClasses } from './query-classes.js';
import { writeEvalBenchmark } from './synthetic.js';

/** Amplitude (mm) of the shape error of the third run's predictions (see `writeEvalBenchmark`). */
const SHAPE_ERROR_MM = 1.5;

interface Scored {
  key: string;
  metrics: Record<string, number>;
}

function scoredItems(resultsDir: string): Scored[] {
  const doc = JSON.parse(readFileSync(join(resultsDir, 'results.json'), 'utf8')) as { items: { person: string; item: string; task: string; status: string; metrics?: Record<string, number> }[] };
  return doc.items.filter((i) => i.status === 'ok').map((i) => ({ key: `${i.person}/${i.item}/${i.task}`, metrics: i.metrics! }));
}

export async function runNersembleEvalBench(persons = 2, itemsPerPerson = 10, points = 100_000): Promise<Record<string, number>> {
  const root = mkdtempSync(join(tmpdir(), 'facebench-nersemble-bench-'));
  const { bench, preds } = writeEvalBenchmark(root, persons, itemsPerPerson, points, 11);
  const tasks = persons * itemsPerPerson * 2;
  const cpuPerTask: Record<string, number> = {};
  const scores: Record<string, Scored[]> = {};
  for (const [label, extra] of [['full-cloud ICP (--icp-subsample 0)', ['--icp-subsample', '0']], ['coarse-to-fine ICP (default)', []]] as const) {
    const out = join(root, `out-${extra.length}`);
    const { seconds: wall, cpuSeconds } = timedFacebench(['eval', '--bench', bench, '--pred', preds, '--out', out, '--workers', '1', '--quiet', ...extra]);
    cpuPerTask[label] = cpuSeconds / tasks;
    scores[label] = scoredItems(join(out, 'pred'));
    console.log(
      `eval nersemble-size, ${tasks} tasks of ${points / 1000}k GT points, 1 worker, ${label}: ${wall.toFixed(2)} s, ` +
        `${cpuPerTask[label].toFixed(3)} CPU-s per task (whole command); 800 tasks on 2 cores ≈ ${((cpuPerTask[label] * 800) / 2 / 60).toFixed(1)} min`,
    );
  }
  // The same benchmark with predictions as far from the scans as real methods'.
  const shaped = writeEvalBenchmark(join(root, 'shape-error'), persons, itemsPerPerson, points, 11, SHAPE_ERROR_MM);
  const shapedOut = join(root, 'out-shape-error');
  const shapedPerTask = timedFacebench(['eval', '--bench', shaped.bench, '--pred', shaped.preds, '--out', shapedOut, '--workers', '1', '--quiet']).cpuSeconds / tasks;
  const shapedSummary = (JSON.parse(readFileSync(join(shapedOut, 'pred', 'results.json'), 'utf8')) as { summary: { posed: { metrics: Record<string, number> } } }).summary.posed.metrics;
  console.log(
    `eval nersemble-size, predictions with a ${SHAPE_ERROR_MM} mm shape error (posed L1 ${shapedSummary.l1.toFixed(2)} mm, median ${shapedSummary.median.toFixed(2)} mm), ` +
      `coarse-to-fine ICP: ${shapedPerTask.toFixed(3)} CPU-s per task; 800 tasks on 2 cores ≈ ${((shapedPerTask * 800) / 2 / 60).toFixed(1)} min`,
  );
  const classes = {
    ...closestPointClasses(bench, preds, 'predictions on the scan\'s surface'),
    ...Object.fromEntries(Object.entries(closestPointClasses(shaped.bench, shaped.preds, `predictions with a ${SHAPE_ERROR_MM} mm shape error`)).map(([k, v]) => [`shape_error_${k}`, v])),
  };
  const [full, fast] = Object.keys(cpuPerTask);
  const ratio = cpuPerTask[full] / cpuPerTask[fast];
  console.log(`eval nersemble-size: coarse-to-fine ICP is ${ratio.toFixed(2)}x less CPU per task than full-cloud ICP (target ≤ ${EVAL_TARGET_CPU_S_PER_TASK} CPU-s per task)`);
  const reference = new Map(scores[full].map((s) => [s.key, s.metrics]));
  const largest: Record<string, number> = { l1: 0, l2: 0, nc: 0, r2_5: 0 };
  for (const s of scores[fast]) {
    const ref = reference.get(s.key);
    if (!ref) continue;
    for (const k of Object.keys(largest)) largest[k] = Math.max(largest[k], Math.abs(s.metrics[k] - ref[k]));
  }
  console.log(
    `eval nersemble-size: largest per-task difference to full-cloud ICP: L1 ${largest.l1.toExponential(2)} mm, L2 ${largest.l2.toExponential(2)} mm, ` +
      `NC ${largest.nc.toExponential(2)}, R@2.5 ${largest.r2_5.toExponential(2)} (${scores[fast].length}/${scores[full].length} tasks scored)`,
  );
  const resume = resumeBench(bench, preds, join(root, 'out-0'));
  rmSync(root, { recursive: true, force: true });
  return {
    ...resume,
    ...classes,
    nersemble_eval_cpu_s_per_task: cpuPerTask[fast],
    nersemble_eval_full_icp_cpu_s_per_task: cpuPerTask[full],
    nersemble_eval_ratio: ratio,
    nersemble_eval_shape_error_cpu_s_per_task: shapedPerTask,
    ...Object.fromEntries(Object.entries(largest).map(([k, v]) => [`nersemble_eval_max_diff_${k}`, v])),
  };
}

/**
 * `eval` again over results already stored (a resumed or repeated run: every input file is
 * hashed to check the task keys, nothing is scored), and the hashing alone, each way in a
 * fresh process as `eval` does it, alternating: `sha256File` (reused 256 KB chunks) against
 * reading each file whole into a fresh buffer.
 */
function resumeBench(bench: string, preds: string, out: string): Record<string, number> {
  const resumeSeconds = timedFacebench(['eval', '--bench', bench, '--pred', preds, '--out', out, '--workers', '1', '--quiet']).seconds;
  const files = [bench, preds].flatMap((dir) => readdirSync(dir, { recursive: true, encoding: 'utf8' }).map((rel) => join(dir, rel))).filter((p) => statSync(p).isFile());
  const megabytes = files.reduce((sum, p) => sum + statSync(p).size, 0) / 2 ** 20;
  const io = new URL('../evaluators/io/index.js', import.meta.url).href;
  const hashers = {
    chunked: `const { sha256File: hash } = await import(${JSON.stringify(io)});`,
    whole: `const { createHash } = await import('node:crypto'); const { readFileSync } = await import('node:fs'); const hash = (p) => createHash('sha256').update(readFileSync(p)).digest('hex');`,
  };
  const times = { chunked: [] as number[], whole: [] as number[] };
  for (let r = 0; r < 5; r++) {
    for (const way of ['chunked', 'whole'] as const) {
      const script = `${hashers[way]} const files = JSON.parse(process.argv[1]); const t = performance.now(); for (const p of files) hash(p); console.log(performance.now() - t);`;
      const child = spawnSync(process.execPath, ['--input-type=module', '-e', script, JSON.stringify(files)], { encoding: 'utf8' });
      if (child.status !== 0) throw new Error(`hashing bench failed: ${child.stderr}`);
      times[way].push(Number(child.stdout.trim()) / 1000);
    }
  }
  const [ours, theirs] = [median(times.chunked), median(times.whole)];
  console.log(
    `eval nersemble-size, run again over the stored results (nothing to score): ${resumeSeconds.toFixed(2)} s; hashing its ${files.length} input files ` +
      `(${megabytes.toFixed(0)} MB) in a fresh process: ${(ours * 1000).toFixed(0)} ms with sha256File, ${(theirs * 1000).toFixed(0)} ms read whole (same run), ${(theirs / ours).toFixed(2)}x`,
  );
  return { nersemble_eval_resume_s: resumeSeconds, nersemble_eval_hash_mb_per_s: megabytes / ours, nersemble_eval_hash_ratio: theirs / ours };
}

/** Workers of the official-size run: the target is 60 s on 2 cores. */
const FULL_EVAL_WORKERS = 2;

/**
 * The official-size evaluation (see the module comment) with predictions on the scan's
 * surface and with the method-like shape error, one after the other.
 */
export async function runNersembleFullEvalBench(): Promise<Record<string, number>> {
  return { ...runNersembleFullEval(20, 20, 100_000, 0), ...runNersembleFullEval(20, 20, 100_000, SHAPE_ERROR_MM) };
}

/**
 * One `facebench eval` over a generated benchmark of the official size (see the module
 * comment); `shapeError` (mm, `--shape-error`) gives its predictions a method-like shape error.
 * Keys: `nersemble_full_eval_*`, with `shape_error_` after `eval_` when `shapeError` > 0.
 */
export function runNersembleFullEval(persons = 20, itemsPerPerson = 20, points = 100_000, shapeError = 0): Record<string, number> {
  const root = mkdtempSync(join(tmpdir(), 'facebench-nersemble-full-'));
  try {
    const tasks = persons * itemsPerPerson * 2;
    const generating = performance.now();
    const { bench, preds } = writeEvalBenchmark(root, persons, itemsPerPerson, points, 11, shapeError);
    console.log(`eval nersemble-full: generated ${persons * itemsPerPerson} items (${tasks} tasks, ${points / 1000}k GT points each${shapeError > 0 ? `, predictions with a ${shapeError} mm shape error` : ''}) in ${((performance.now() - generating) / 1000).toFixed(1)} s`);
    // Write the 1 GB of files out before the clock starts, so that the kernel's write-back
    // of them does not share the two cores with the evaluation.
    const flushing = performance.now();
    spawnSync('sync');
    console.log(`eval nersemble-full: files written to disk (sync) in ${((performance.now() - flushing) / 1000).toFixed(1)} s`);
    const workers = FULL_EVAL_WORKERS;
    if (availableParallelism() < workers) console.log(`eval nersemble-full: this machine has ${availableParallelism()} core(s); the target is for ${workers}`);
    const { seconds: wall, cpuSeconds: cpu } = timedFacebench(['eval', '--bench', bench, '--pred', preds, '--out', join(root, 'out'), '--workers', String(workers), '--quiet']);
    const scored = scoredItems(join(root, 'out', 'pred')).length;
    console.log(
      `eval nersemble-full: ${tasks} tasks (${scored} scored), ${workers} workers, whole command: ${wall.toFixed(1)} s wall (target ≤ ${EVAL_TARGET_WALL_SECONDS} s on 2 cores), ` +
        `${(cpu / tasks).toFixed(3)} CPU-s per task, ${(cpu / wall).toFixed(2)} cores busy`,
    );
    const key = shapeError > 0 ? 'nersemble_full_eval_shape_error' : 'nersemble_full_eval';
    return { [`${key}_wall_s`]: wall, [`${key}_cpu_s_per_task`]: cpu / tasks, [`${key}_unscored`]: tasks - scored };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const at = process.argv.indexOf('--shape-error');
  const shapeError = at > 0 ? Number(process.argv[at + 1]) : 0;
  if (!(shapeError >= 0 && shapeError <= 20)) {
    console.error(`eval-nersemble: --shape-error takes an amplitude in mm from 0 to 20, got ${process.argv[at + 1]}`);
    process.exit(2);
  }
  if (!process.argv.includes('--full')) await runNersembleEvalBench();
  else if (at > 0) runNersembleFullEval(20, 20, 100_000, shapeError);
  else await runNersembleFullEvalBench();
}
