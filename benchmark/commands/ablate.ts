import { join, resolve } from 'node:path';
import { registerBuiltinMethods } from '../../baselines/builtin.js';
import { parseMethodOptions } from '../../baselines/method-options.js';
import { getMethod } from '../../baselines/registry.js';
import { InputError } from '../../evaluators/errors.js';
import { readManifest, type ResultsFile } from '../../evaluators/formats/index.js';
import { plainName } from '../../evaluators/util/safe-name.js';
import { ablationBase, ablationText, buildAblation, writeAblation, type Ablation, type AblationFiles } from '../../reports/ablation.js';
import { runEval } from '../eval/run-eval.js';
import { configFromFlags, printer, workerCount, type ProtocolFlags } from '../options.js';
import { runPredict } from '../predict/run-predict.js';

export interface AblateCommandOptions extends ProtocolFlags {
  bench: string;
  /** A registered method name. */
  method: string;
  variants: string[];
  /** Method options (JSON object text) shared by every variant. */
  opts?: string;
  out: string;
  /** The variant the others are compared with (default: `full` when present, else the first). */
  base?: string;
  resamples?: number;
  seed?: number;
  workers?: number;
  force?: boolean;
  quiet?: boolean;
}

export interface AblateResult {
  ablation: Ablation;
  files: AblationFiles;
  /** Items predicted anew per variant (0 when every item was finished by an earlier run). */
  predicted: Record<string, number>;
}

function sharedOptions(opts: string | undefined): Record<string, unknown> {
  if (opts === undefined || opts.trim() === '') return {};
  let value: unknown;
  try {
    value = JSON.parse(opts);
  } catch (error) {
    throw new InputError('--opts', `not valid JSON (${(error as Error).message}); pass an object such as '{"model": "demo"}'`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new InputError('--opts', 'expected a JSON object of method options');
  if ('variant' in value) throw new InputError('--opts', 'holds "variant"; the variants come from --variants');
  return value as Record<string, unknown>;
}

/**
 * `facebench ablate`: predict with one method in each variant (`{...opts, variant}`) into
 * `OUT/predictions/<method>-<variant>/`, score each into `OUT/results/`, and write the
 * ablation table with paired tests against the base variant as `OUT/ablation.{csv,json,html}`.
 * Every argument (method, variants, options, base, benchmark) is checked before any work; every
 * step resumes.
 */
export async function ablateCommand(options: AblateCommandOptions): Promise<AblateResult> {
  registerBuiltinMethods();
  const adapter = getMethod(options.method);
  const variants = options.variants;
  if (variants.length < 2) throw new InputError('--variants', `an ablation needs at least two variants, got ${variants.length}`);
  for (const v of variants) plainName(v, 'variant', '--variants');
  const duplicate = variants.find((v, i) => variants.indexOf(v) !== i);
  if (duplicate !== undefined) throw new InputError('--variants', `variant "${duplicate}" is given twice`);
  const base = ablationBase(variants, options.base);
  const shared = sharedOptions(options.opts);
  const parsed = variants.map((variant) => parseMethodOptions(adapter, { ...shared, variant }, `--variants ${variant}`));
  const names = variants.map((v) => plainName(`${adapter.name}-${v}`, 'predictions folder name', '--variants'));
  const bench = resolve(options.bench);
  readManifest(bench);
  const config = configFromFlags(options);
  const workers = workerCount(options.workers);
  const progress = options.quiet ? 'silent' : 'auto';
  const root = resolve(options.out);
  const say = printer(options.quiet);

  const results: ResultsFile[] = [];
  const predicted: Record<string, number> = {};
  for (let i = 0; i < variants.length; i++) {
    const pred = join(root, 'predictions', names[i]);
    const run = await runPredict({ bench, method: adapter, options: parsed[i], out: pred, workers, force: options.force, progress });
    predicted[variants[i]] = run.predicted;
    const scored = await runEval({ bench, pred, out: join(root, 'results'), method: names[i], config, workers, force: options.force, progress });
    results.push({ path: join(scored.resultsDir, 'results.json'), doc: scored.document });
    say(`${names[i]}: ${run.predicted} predicted, ${run.skipped} already done, ${run.failed} failed; ${scored.scored} tasks scored, ${scored.reused} reused, ${scored.failed} failed`);
  }
  const ablation = buildAblation({ method: adapter.name, variants, results, base, resamples: options.resamples, seed: options.seed });
  const files = writeAblation(root, ablation);
  say(`\n${ablationText(ablation)}`);
  say(`\nablation: ${files.csv}, ${files.json}, ${files.html}`);
  return { ablation, files, predicted };
}
