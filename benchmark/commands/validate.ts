import { printer } from '../options.js';
import { validatePredictions } from '../../evaluators/formats/index.js';

export interface ValidateCommandOptions {
  bench: string;
  pred: string;
  json?: boolean;
  quiet?: boolean;
}

/**
 * `facebench validate`: check a predictions folder as the NeRSemble single-view benchmark
 * server would; prints every problem, one line each, and sets a non-zero exit code if any.
 */
export function validateCommand(options: ValidateCommandOptions): boolean {
  const report = validatePredictions(options.bench, options.pred);
  if (options.json) console.log(JSON.stringify({ pred: options.pred, valid: report.problems.length === 0, ...report }, null, 1));
  const say = printer(options.quiet || options.json);
  for (const problem of report.problems) say(problem);
  if (report.problems.length > 0) {
    console.error(`facebench: ${options.pred}: ${report.problems.length} problem${report.problems.length > 1 ? 's' : ''} over ${report.items} items; not a valid submission`);
    process.exitCode = 1;
    return false;
  }
  say(`${options.pred}: valid submission (${report.items} items, ${report.meshes} meshes)`);
  return true;
}
