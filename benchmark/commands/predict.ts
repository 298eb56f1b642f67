import { registerBuiltinMethods } from '../../baselines/builtin.js';
import { InputError } from '../../evaluators/errors.js';
import { printer, workerCount } from '../options.js';
import { runPredict, type PredictSummary } from '../predict/run-predict.js';

export interface PredictCommandOptions {
  /** A built benchmark; exactly one of `bench` and `images`. */
  bench?: string;
  /** An SVFR download (the folder holding `svfr/`, or `svfr/` itself). */
  images?: string;
  /** With `bench`: the export-map.json of `facebench export-images`. */
  map?: string;
  method: string;
  out: string;
  /** Method options as JSON text. */
  opts?: string;
  /** `submission`: the folder to import (sets the `from` option). */
  from?: string;
  workers?: number;
  force?: boolean;
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

/** `facebench predict`: run a method over a benchmark or an SVFR download; prints what was done and where. */
export async function predictCommand(options: PredictCommandOptions): Promise<PredictSummary> {
  registerBuiltinMethods();
  const summary = await runPredict({
    bench: options.bench,
    images: options.images,
    map: options.map,
    method: options.method,
    options: commandMethodOptions(options),
    out: options.out,
    workers: workerCount(options.workers),
    force: options.force,
    progress: options.quiet ? 'silent' : 'auto',
  });
  const say = printer(options.quiet);
  const d = summary.document;
  const mean = d.timings.mean_seconds === null ? 'n/a' : `${d.timings.mean_seconds.toFixed(3)} s`;
  say(`${d.name} ${d.version}: ${summary.predicted} predicted, ${summary.skipped} already done, ${summary.failed} failed of ${d.items} items; mean ${mean} per item`);
  for (const f of d.failures) say(`  failed ${f.person}/${f.item}: ${f.error}`);
  const scorer = d.tasks !== undefined && d.tasks.length === 0 ? 'eval-normals' : 'eval';
  if (options.bench !== undefined) say(`predictions: ${summary.outDir} (method.json beside them); score with: facebench ${scorer} --bench ${options.bench} --pred ${options.out} --out RESULTS_DIR`);
  else say(`predictions: ${summary.outDir} (method.json beside them), in the SVFR submission layout <pid>/<SEQ>_<t:03d>_<serial>/`);
  return summary;
}
