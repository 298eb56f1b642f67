import { validatePredictions } from '../predict/validate-predictions.js';

export interface ValidateCommandOptions {
  bench: string;
  pred: string;
}

/**
 * `facebench validate`: check a predictions folder as the NeRSemble single-view benchmark
 * server would; prints every problem, one line each, and sets a non-zero exit code if any.
 */
export function validateCommand(options: ValidateCommandOptions): boolean {
  const report = validatePredictions(options.bench, options.pred);
  for (const problem of report.problems) console.log(problem);
  if (report.problems.length > 0) {
    console.error(`facebench: ${options.pred}: ${report.problems.length} problem${report.problems.length > 1 ? 's' : ''} over ${report.items} items; not a valid submission`);
    process.exitCode = 1;
    return false;
  }
  console.log(`${options.pred}: valid submission (${report.items} items, ${report.meshes} meshes)`);
  return true;
}
