import { join } from 'node:path';
import { packSubmission, problemLine, tasksOfChoice } from '../../evaluators/formats/index.js';
import { printer } from '../options.js';
import type { TaskChoice } from './task-option.js';

export interface PackCommandOptions {
  pred: string;
  out: string;
  task: TaskChoice;
  quiet?: boolean;
}

/**
 * `facebench pack`: write the official NeRSemble SVFR submission zip from a predictions
 * folder (docs/formats.md#submission-zip). A folder that is not a valid submission is refused
 * with one line per problem on stderr and nothing written (exit code 1).
 */
export function packCommand(options: PackCommandOptions): boolean {
  const result = packSubmission(options.pred, options.out, tasksOfChoice(options.task));
  const say = printer(options.quiet);
  if (result.problems.length > 0) {
    for (const problem of result.problems) console.error(`facebench: ${join(options.pred, problemLine(problem))}`);
    const n = result.problems.length;
    console.error(`facebench: ${options.pred}: ${n} problem${n > 1 ? 's' : ''} over ${result.items} items; no zip written`);
    process.exitCode = 1;
    return false;
  }
  for (const note of result.notes) say(`note: ${note}`);
  say(`${options.out}: ${result.items} items, task${result.tasks.length > 1 ? 's' : ''} ${result.tasks.join(' and ')}, ${result.entries.length} files, ${result.bytes} bytes`);
  say(`check it with: facebench validate --images SVFR_DIR --pred ${options.out}`);
  return true;
}
