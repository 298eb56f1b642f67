import { problemLine, tasksOfChoice, validatePredictions, validateSvfrPredictions } from '../../evaluators/formats/index.js';
import { printer } from '../options.js';
import type { TaskChoice } from './task-option.js';

export interface ValidateCommandOptions {
  /** A built benchmark, or */
  bench?: string;
  /** an SVFR download (the folder holding svfr/, or svfr/ itself). */
  images?: string;
  /** A predictions folder or a submission zip. */
  pred: string;
  /** Tasks that must be there (default: the tasks with any mesh, as the server does). */
  task?: TaskChoice;
  json?: boolean;
  quiet?: boolean;
}

/**
 * `facebench validate`: check a predictions folder or a submission zip as the NeRSemble
 * single-view benchmark server would, against a built benchmark or an SVFR download; prints
 * every problem, one line each with its category and task, and sets exit code 1 if any.
 */
export function validateCommand(options: ValidateCommandOptions): boolean {
  const validateOptions = { tasks: options.task === undefined ? undefined : tasksOfChoice(options.task) };
  const report = options.images !== undefined
    ? validateSvfrPredictions(options.images, options.pred, validateOptions)
    : validatePredictions(options.bench!, options.pred, undefined, validateOptions);
  const valid = report.problems.length === 0;
  if (options.json) {
    const problems = report.issues.map((p) => ({ ...p, line: problemLine(p) }));
    const against = options.images !== undefined ? { images: options.images } : { bench: options.bench };
    console.log(JSON.stringify({ pred: options.pred, source: report.source, ...against, valid, items: report.items, meshes: report.meshes, tasks: report.tasks, notes: report.notes, problems }, null, 1));
  }
  const say = printer(options.quiet || options.json);
  for (const problem of report.problems) say(problem);
  for (const note of report.notes) say(`note: ${note}`);
  if (!valid) {
    console.error(`facebench: ${options.pred}: ${report.problems.length} problem${report.problems.length > 1 ? 's' : ''} over ${report.items} items; not a valid submission`);
    process.exitCode = 1;
    return false;
  }
  const checked = (['posed', 'neutral'] as const).filter((t) => report.tasks[t] === 'checked');
  say(`${options.pred}: valid submission (${report.items} items, ${report.meshes} meshes; task${checked.length > 1 ? 's' : ''} ${checked.join(' and ')})`);
  return true;
}
