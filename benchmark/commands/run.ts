import { join, resolve } from 'node:path';
import { registerBuiltinMethods } from '../../baselines/builtin.js';
import { getMethod } from '../../baselines/registry.js';
import { InputError } from '../../evaluators/errors.js';
import { readManifest } from '../../evaluators/formats/index.js';
import { protocolDefaults } from '../../evaluators/protocols/index.js';
import { buildTable2, table2Text } from '../../reports/index.js';
import { leaderboardCommand } from '../../reports/leaderboard.js';
import { writeReport } from '../../reports/report-command.js';
import { evalPool, runEval } from '../eval/run-eval.js';
import { printer, workerCount } from '../options.js';
import { predictPool, runPredict } from '../predict/run-predict.js';
import { buildCommand } from './build.js';
import { DEMO_METHODS } from './demo-methods.js';

/** Those that read the demo generator's truth: the oracle, and pixel3dmm with its default priors (`priors: "truth"`). */
const DEMO_TRUTH_METHODS: readonly string[] = ['pixel3dmm', 'oracle'];

export interface RunCommandOptions {
  out: string;
  /** A built benchmark to run on instead of the embedded demo. */
  bench?: string;
  /** Method names; an entry may hold several separated by commas. */
  methods?: string[];
  /** The models folder of the named regressors (deca, emoca-v2, mica, smirk): sets $FACEBENCH_MODELS for this run. */
  models?: string;
  workers?: number;
  force?: boolean;
  quiet?: boolean;
}

/**
 * `facebench run`: the main job on the embedded demo data. Generates the demo capture and
 * builds its benchmark (as `facebench build --demo`), predicts with every offline method,
 * scores each in the nersemble protocol, prints the Table-2 figures and writes the leaderboard
 * and the HTML report, ending with the report's path. Every step resumes.
 */
export async function runCommand(options: RunCommandOptions): Promise<void> {
  registerBuiltinMethods();
  const chosen = options.methods?.flatMap((m) => m.split(',')).map((m) => m.trim()).filter(Boolean);
  // Unknown methods, and those that predict no meshes, are refused before any work.
  for (const method of chosen ?? []) {
    if (getMethod(method).tasks?.length === 0) throw new InputError('--methods', `${method} predicts normal maps only, which run does not score: use facebench predict --method ${method}, then facebench eval-normals`);
  }
  // Set before the predict threads start, which inherit the environment.
  if (options.models) process.env.FACEBENCH_MODELS = resolve(options.models);
  const root = resolve(options.out);
  const bench = options.bench ? resolve(options.bench) : join(root, 'benchmark');
  const progress = options.quiet ? 'silent' : 'auto';
  const workers = workerCount(options.workers);
  const say = printer(options.quiet);
  if (!options.bench) {
    await buildCommand({
      demo: true, capture: join(root, 'capture'), out: bench, captureUnit: 'm', expressions: 20, imageSize: 512, colmap: 'off', workers, force: options.force, quiet: options.quiet,
    });
  }
  // Methods that need the demo generator's truth are left out by default on another benchmark.
  const demo = !options.bench || readManifest(bench).source.demo;
  const defaults = DEMO_METHODS.filter((m) => demo || !DEMO_TRUTH_METHODS.includes(m));
  const methods = chosen ?? defaults;
  const documents = [];
  // One set of predict threads and one of eval threads (started at the first task to score) for
  // every method: each thread loads, and warms up, its code once.
  const pool = predictPool(workers);
  const scorers = evalPool(workers);
  try {
    for (const method of methods) {
      const pred = join(root, 'predictions', method);
      await runPredict({ bench, method, out: pred, workers, force: options.force, progress, pool });
      const { document } = await runEval({ bench, pred, out: join(root, 'results'), method, config: protocolDefaults('nersemble'), workers, force: options.force, progress, pool: scorers });
      documents.push(document);
    }
  } finally {
    await Promise.all([pool?.destroy(), scorers?.destroy()]);
  }
  say(`\n${options.bench ? bench : 'Demo benchmark'}, nersemble protocol (mean over items; lengths in mm)`);
  say(table2Text(buildTable2(documents)));
  const resultDirs = methods.map((m) => join(root, 'results', m));
  const board = leaderboardCommand({ results: resultDirs, out: join(root, 'leaderboard'), quiet: true });
  const report = writeReport({ results: resultDirs, out: join(root, 'report.html') });
  say(`\nresults: ${join(root, 'results')}/<method>/results.json and metrics.csv; predictions: ${join(root, 'predictions')}`);
  say(`leaderboard: ${board.files.html}`);
  say(`report: ${report.html}`);
}
