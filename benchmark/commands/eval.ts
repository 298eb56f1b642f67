import { runEval } from '../eval/run-eval.js';
import { configFromFlags, type ProtocolFlags } from '../options.js';

export interface EvalCommandOptions extends ProtocolFlags {
  bench: string;
  pred: string;
  out: string;
  method?: string;
  workers?: number;
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
    workers: options.workers,
    progress: options.quiet ? 'silent' : 'auto',
  });
  const doc = summary.document;
  for (const [task, s] of Object.entries(doc.summary)) {
    const figures = Object.entries(s.metrics)
      .filter(([k]) => k !== 'points')
      .map(([k, v]) => `${k} ${v.toFixed(4)}`)
      .join('  ');
    console.log(`${doc.method} ${task}: ${s.scored}/${s.items} items scored${s.failed ? `, ${s.failed} FAILED` : ''}  ${figures}`);
  }
  for (const r of doc.items.filter((r) => r.status === 'error')) console.log(`  failed ${r.person}/${r.item} ${r.task}: ${r.error}`);
  console.log(`results: ${summary.resultsDir}/results.json and metrics.csv (${summary.scored} scored now, ${summary.reused} reused)`);
}
