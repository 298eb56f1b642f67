import { z } from 'zod';
import { plainNameProblem } from '../util/index.js';

/**
 * A name read from a file that becomes a path component (a person or item id, a folder):
 * letters, digits and `. _ + -`, starting with a letter or digit (evaluators/util/safe-name.ts).
 */
export const PlainNameSchema = z.string().superRefine((name, ctx) => {
  const problem = plainNameProblem(name);
  if (problem !== undefined) ctx.addIssue({ code: 'custom', message: `${JSON.stringify(name.slice(0, 80))} is ${problem}` });
});
