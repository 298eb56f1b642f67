/** Wall-clock timing for the benchmarks. */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The command line the benches run: bin/facebench.js of this checkout. */
export const FACEBENCH_BIN = fileURLToPath(new URL('../../bin/facebench.js', import.meta.url));

/**
 * One `facebench ARGS` in a child process, timed whole: wall seconds, and the CPU seconds
 * (user + system, every thread) it used. Throws with its stderr when it fails.
 */
export function timedFacebench(args: string[]): { seconds: number; cpuSeconds: number } {
  const started = performance.now();
  const cpuBefore = childrenCpuSeconds();
  const run = spawnSync(process.execPath, [FACEBENCH_BIN, ...args], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`facebench ${args[0]} failed (exit ${run.status}): ${run.stderr.trim()}`);
  return { seconds: (performance.now() - started) / 1000, cpuSeconds: childrenCpuSeconds() - cpuBefore };
}

/** The middle value of `values` (the upper of the two middle ones for an even count). */
export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/** Median wall time (s) of `repeats` runs of `fn`, after one untimed warm-up run unless `warmUp` is false. */
export function timeIt(fn: () => void, repeats = 5, { warmUp = true } = {}): number {
  if (warmUp) fn();
  const times: number[] = [];
  for (let r = 0; r < repeats; r++) {
    const started = performance.now();
    fn();
    times.push(performance.now() - started);
  }
  return median(times) / 1000;
}

/**
 * CPU seconds (user + system) used so far by this process's finished children, from
 * /proc/self/stat (Linux); NaN elsewhere. Dividing a child's CPU time by its wall time
 * tells how many cores it kept busy.
 */
export function childrenCpuSeconds(): number {
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // After the command name: fields 16 and 17 of proc(5) (cutime, cstime) are at 13 and 14.
    return (Number(fields[13]) + Number(fields[14])) / CLOCK_TICKS_PER_SECOND;
  } catch {
    return Number.NaN;
  }
}

/** sysconf(_SC_CLK_TCK) is 100 on Linux for every architecture Node supports. */
const CLOCK_TICKS_PER_SECOND = 100;
