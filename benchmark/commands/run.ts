import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { registerBuiltinMethods } from '../../baselines/builtin.js';
import { protocolDefaults } from '../../evaluators/protocols/index.js';
import { runEval } from '../eval/run-eval.js';
import { readManifest } from '../construct/manifest.js';
import { runPredict } from '../predict/run-predict.js';
import { leaderboardCommand } from '../../reports/leaderboard.js';
import { writeReport } from '../../reports/report-command.js';
import { buildCommand } from './build.js';

/** The offline methods the main job runs on the demo, from the floor to the ceiling. */
export const DEMO_METHODS = ['mean-shape', 'mediapipe', 'landmark-fit', 'oracle'] as const;

export interface RunCommandOptions {
  out: string;
  /** A built benchmark to run on instead of the embedded demo. */
  bench?: string;
  methods?: string;
  workers?: number;
  quiet?: boolean;
}

/**
 * `facebench run`: the main job on the embedded demo data. Generates the demo capture and
 * builds its benchmark (as `facebench build --demo`), predicts with every offline method,
 * scores each in the nersemble protocol, prints the Table-2 figures and writes the leaderboard
 * and the HTML report, ending with the report's path. Every step resumes.
 */
export async function runCommand(options: RunCommandOptions): Promise<void> {
  const root = resolve(options.out);
  const bench = options.bench ? resolve(options.bench) : join(root, 'benchmark');
  const progress = options.quiet ? 'silent' : 'auto';
  const workers = options.workers ?? availableParallelism();
  if (!options.bench) {
    await buildCommand({ demo: true, capture: join(root, 'capture'), out: bench, captureUnit: 'm', expressions: 20, imageSize: 512, colmap: 'off', quiet: options.quiet });
  }
  registerBuiltinMethods();
  // The oracle needs the demo generator's truth: on another benchmark it is left out by default.
  const defaults = options.bench && !readManifest(bench).source.demo ? DEMO_METHODS.filter((m) => m !== 'oracle') : [...DEMO_METHODS];
  const methods = options.methods ? options.methods.split(',').map((m) => m.trim()).filter(Boolean) : defaults;
  const rows: string[] = [];
  for (const method of methods) {
    const pred = join(root, 'predictions', method);
    await runPredict({ bench, method, out: pred, workers, progress });
    const { document } = await runEval({ bench, pred, out: join(root, 'results'), method, config: protocolDefaults('nersemble'), workers, progress });
    const cell = (task: string, key: string, digits: number) => document.summary[task]?.metrics[key]?.toFixed(digits) ?? 'n/a';
    const scored = Object.values(document.summary).map((s) => `${s.scored}/${s.items}`).join(' ');
    rows.push(
      `${method.padEnd(14)} ${cell('neutral', 'l1', 3).padStart(7)} ${cell('neutral', 'l2', 3).padStart(7)} ${cell('neutral', 'nc', 3).padStart(6)} ${cell('neutral', 'r2_5', 3).padStart(6)}` +
        `   ${cell('posed', 'l1', 3).padStart(7)} ${cell('posed', 'l2', 3).padStart(7)} ${cell('posed', 'nc', 3).padStart(6)} ${cell('posed', 'r2_5', 3).padStart(6)}   ${scored}`,
    );
  }
  console.log(`\n${options.bench ? bench : 'Demo benchmark'}, nersemble protocol (mean over items; lengths in mm)`);
  console.log(`${''.padEnd(14)} ${'Neutral'.padEnd(29)}   ${'Posed'.padEnd(29)}`);
  console.log(`${'method'.padEnd(14)} ${'L1'.padStart(7)} ${'L2'.padStart(7)} ${'NC'.padStart(6)} ${'R@2.5'.padStart(6)}   ${'L1'.padStart(7)} ${'L2'.padStart(7)} ${'NC'.padStart(6)} ${'R@2.5'.padStart(6)}   scored`);
  for (const row of rows) console.log(row);
  const resultDirs = methods.map((m) => join(root, 'results', m));
  const board = leaderboardCommand({ results: resultDirs, out: join(root, 'leaderboard'), quiet: true });
  const report = writeReport({ results: resultDirs, out: join(root, 'report.html') });
  console.log(`\nresults: ${join(root, 'results')}/<method>/results.json and metrics.csv; predictions: ${join(root, 'predictions')}`);
  console.log(`leaderboard: ${board.files.html}`);
  console.log(`report: ${report.html}`);
}
