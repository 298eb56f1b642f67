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
  for (const [task, s] of Object.entries(doc.summary)) {
    const figures = Object.entries(s.metrics)
      .filter(([k]) => k !== 'points')
      .map(([k, v]) => `${k} ${v.toFixed(4)}`)
      .join('  ');
    say(`${doc.method} ${task}: ${s.scored}/${s.items} items scored${s.failed ? `, ${s.failed} FAILED` : ''}  ${figures}`);
  }
  for (const r of doc.items.filter((r) => r.status === 'error')) say(`  failed ${r.person}/${r.item} ${r.task}: ${r.error}`);
  say(`results: ${summary.resultsDir}/results.json and metrics.csv (${summary.scored} scored now, ${summary.reused} reused)`);
}
