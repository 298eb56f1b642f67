/**
 * CLI start-up: `facebench --help` (and one command's `--help`) against `node -e 0`, the cost
 * of starting Node itself, measured in the same run. The two are run alternately so that a
 * busy moment of the (shared) machine hits both alike; the ratio is the steadier figure.
 * Target: `facebench --help` in at most 0.25 s wall.
 */
import { spawnSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { HELP_TARGET_SECONDS } from './targets.js';
import { FACEBENCH_BIN, median } from './timing.js';

function wallSeconds(args: string[]): number {
  const started = performance.now();
  const run = spawnSync(process.execPath, args, { encoding: 'utf8', env: { ...process.env, FORCE_COLOR: '0' } });
  const seconds = (performance.now() - started) / 1000;
  if (run.status !== 0) throw new Error(`node ${args.join(' ')} failed (${run.status}): ${run.stderr}`);
  return seconds;
}

export async function runStartupBench(runs = 10): Promise<Record<string, number>> {
  const cases = {
    node: ['-e', '0'],
    help: [FACEBENCH_BIN, '--help'],
    commandHelp: [FACEBENCH_BIN, 'eval', '--help'],
  } as const;
  const times: Record<keyof typeof cases, number[]> = { node: [], help: [], commandHelp: [] };
  // One untimed run of each (file cache), then the cases in turn, `runs` times.
  for (const args of Object.values(cases)) wallSeconds([...args]);
  for (let r = 0; r < runs; r++) {
    for (const [name, args] of Object.entries(cases) as [keyof typeof cases, readonly string[]][]) times[name].push(wallSeconds([...args]));
  }
  const node = median(times.node);
  const help = median(times.help);
  const commandHelp = median(times.commandHelp);
  const verdict = help <= HELP_TARGET_SECONDS ? 'met' : 'NOT met';
  console.log(`CLI start-up (median of ${runs} alternating runs): facebench --help ${help.toFixed(3)} s, facebench eval --help ${commandHelp.toFixed(3)} s, node -e 0 ${node.toFixed(3)} s`);
  console.log(`  --help / node -e 0: ${(help / node).toFixed(2)}x (eval --help: ${(commandHelp / node).toFixed(2)}x); target --help ≤ ${HELP_TARGET_SECONDS} s: ${verdict}`);
  return { help_seconds: help, eval_help_seconds: commandHelp, node_seconds: node, help_ratio: help / node };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await runStartupBench();
}
