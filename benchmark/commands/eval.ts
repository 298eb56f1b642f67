import { join } from 'node:path';
import { predictionFiles } from '../../evaluators/formats/index.js';
import { runEval } from '../eval/run-eval.js';
import { configFromFlags, printer, workerCount, type ProtocolFlags } from '../options.js';

export interface EvalCommandOptions extends ProtocolFlags {
  bench: string;
  pred: string;
  out: string;
  method?: string;
  workers?: number;
  force?: boolean;
  quiet?: boolean;
}

/** Tasks whose warnings are printed one line each; the rest are counted in one more line. */
const WARNED_TASKS_SHOWN = 5;

/** `facebench eval`: a whole benchmark; prints the per-task figures and where they were written. */
export async function evalCommand(options: EvalCommandOptions): Promise<void> {
  const summary = await runEval({
    bench: options.bench,
    pred: options.pred,
    out: options.out,
    method: options.method,
    config: configFromFlags(options),
    workers: workerCount(options.workers),
    force: options.force,
    progress: options.quiet ? 'silent' : 'auto',
  });
  const say = printer(options.quiet);
  const doc = summary.document;
  // Warnings go to stderr even with --quiet: they say the numbers are probably wrong.
  const warned = doc.items.filter((r) => r.warnings !== undefined && r.warnings.length > 0);
  for (const r of warned.slice(0, WARNED_TASKS_SHOWN)) {
    console.error(`facebench: warning: ${join(options.pred, r.person, r.item, predictionFiles(r.task).mesh)}: ${r.warnings!.join('; ')}`);
  }
  if (warned.length > WARNED_TASKS_SHOWN) {
    console.error(`facebench: warning: ${warned.length - WARNED_TASKS_SHOWN} more tasks have warnings (${warned.length} of ${doc.items.length}); see "warnings" in ${join(summary.resultsDir, 'results.json')}`);
  }
  for (const [task, s] of Object.entries(doc.summary)) {
    const figures = Object.entries(s.metrics)
      .filter(([k]) => k !== 'points')
      .map(([k, v]) => `${k} ${v.toFixed(4)}${s.undefined_values?.[k] ? ` (${s.undefined_values[k]} undefined, left out)` : ''}`)
      .join('  ');
    say(`${doc.method} ${task}: ${s.scored}/${s.items} items scored${s.failed ? `, ${s.failed} FAILED` : ''}  ${figures}`);
  }
  for (const r of doc.items.filter((r) => r.status === 'error')) say(`  failed ${r.person}/${r.item} ${r.task}: ${r.error}`);
  say(`results: ${summary.resultsDir}/results.json and metrics.csv (${summary.scored} scored now, ${summary.reused} reused)`);
}
