import { Command } from 'commander';
import { registerBuiltinMethods } from '../../baselines/builtin.js';
import { InputError } from '../../evaluators/errors.js';
import { parsePositiveInt } from '../options.js';
import { runPredict, type PredictSummary } from '../predict/run-predict.js';
import { methodsCommand } from './methods.js';
import { validateCommand } from './validate.js';

export interface PredictCommandOptions {
  bench: string;
  method: string;
  out: string;
  /** Method options as JSON text. */
  opts?: string;
  /** `submission`: the folder to import (sets the `from` option). */
  from?: string;
  workers?: number;
  quiet?: boolean;
}

/** The method options from `--opts` JSON plus `--from`. */
export function commandMethodOptions(options: Pick<PredictCommandOptions, 'opts' | 'from'>): Record<string, unknown> {
  let parsed: unknown = {};
  if (options.opts !== undefined && options.opts.trim() !== '') {
    try {
      parsed = JSON.parse(options.opts);
    } catch (error) {
      throw new InputError('--opts', `not valid JSON (${(error as Error).message}); pass an object such as '{"noise": 0.5}'`);
    }
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new InputError('--opts', 'must be a JSON object such as \'{"noise": 0.5}\'');
  }
  const merged = { ...(parsed as Record<string, unknown>) };
  if (options.from !== undefined) merged.from = options.from;
  return merged;
}

/** `facebench predict`: run a method over a benchmark; prints what was done and where. */
export async function predictCommand(options: PredictCommandOptions): Promise<PredictSummary> {
  registerBuiltinMethods();
  const summary = await runPredict({
    bench: options.bench,
    method: options.method,
    options: commandMethodOptions(options),
    out: options.out,
    workers: options.workers,
    progress: options.quiet ? 'silent' : 'auto',
  });
  const d = summary.document;
  const mean = d.timings.mean_seconds === null ? 'n/a' : `${d.timings.mean_seconds.toFixed(3)} s`;
  console.log(`${d.name} ${d.version}: ${summary.predicted} predicted, ${summary.skipped} already done, ${summary.failed} failed of ${d.items} items; mean ${mean} per item`);
  for (const f of d.failures) console.log(`  failed ${f.person}/${f.item}: ${f.error}`);
  console.log(`predictions: ${summary.outDir} (method.json beside them); score with: facebench eval --bench ${options.bench} --pred ${options.out} --out RESULTS_DIR`);
  return summary;
}

/** Add `predict`, `methods` and `validate` to the facebench program. */
export function registerPredictCommands(program: Command): Command {
  program
    .command('predict')
    .description('run a method over every item of a benchmark (both tasks, resumable) into a predictions folder')
    .requiredOption('--bench <dir>', 'built benchmark folder')
    .requiredOption('--method <name>', 'method name (see `facebench methods`)')
    .requiredOption('--out <dir>', 'predictions folder to write (<pid>/<item>/mesh_posed.ply, mesh_neutral.ply, landmarks_*.npy, method.json)')
    .option('--opts <json>', 'method options as a JSON object, e.g. \'{"noise": 0.5}\'')
    .option('--from <dir>', 'with --method submission: the predictions folder to import')
    .option('--workers <n>', 'worker threads (built-in methods; default 1: item after item in this process)', parsePositiveInt)
    .option('--quiet', 'no progress display')
    .action(async (opts: PredictCommandOptions) => {
      await predictCommand(opts);
    });

  program
    .command('methods')
    .description('list the available methods with their versions and options')
    .option('--json', 'print the list as JSON')
    .action((opts: { json?: boolean }) => methodsCommand(opts));

  program
    .command('validate')
    .description('check a predictions folder as the NeRSemble single-view benchmark server would (lists every problem)')
    .requiredOption('--bench <dir>', 'built benchmark folder')
    .requiredOption('--pred <dir>', 'predictions folder')
    .action((opts: { bench: string; pred: string }) => {
      validateCommand(opts);
    });
  return program;
}
