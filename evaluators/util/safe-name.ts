/**
 * Names read from files (method names, person and item ids, camera serials, archive
 * entries) become paths only through this module: a plain name is letters, digits and
 * `. _ + -`, starts with a letter or digit, and is at most 128 characters — so it can be
 * neither `..`, nor absolute, nor hold a separator, a NUL or a control character. And
 * output trees are written only where no symbolic link leads elsewhere.
 */
import { existsSync, lstatSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../errors.js';

export const MAX_NAME_LENGTH = 128;
const PLAIN_NAME = /^[A-Za-z0-9][A-Za-z0-9._+-]*$/;

/** Why `name` is not a plain name, or undefined when it is one. */
export function plainNameProblem(name: unknown): string | undefined {
  if (typeof name !== 'string') return 'not a string';
  if (name.length === 0) return 'empty';
  if (name.length > MAX_NAME_LENGTH) return `${name.length} characters long, more than ${MAX_NAME_LENGTH}`;
  if (!PLAIN_NAME.test(name)) return 'not a plain name (letters, digits and . _ + -, starting with a letter or digit; no path separators)';
  return undefined;
}

export function isPlainName(name: unknown): boolean {
  return plainNameProblem(name) === undefined;
}

/** `name` when it is a plain name; else an InputError naming `source` (the file it came from) and `what` it is. */
export function plainName(name: unknown, what: string, source: string): string {
  const problem = plainNameProblem(name);
  if (problem !== undefined) throw new InputError(source, `${what} ${JSON.stringify(name)?.slice(0, 80) ?? String(name)} is ${problem}`);
  return name as string;
}

/** `root/name/…`, each name checked to be plain (see {@link plainName}). */
export function childPath(root: string, names: readonly string[], what: string, source: string): string {
  return join(root, ...names.map((n) => plainName(n, what, source)));
}

/**
 * Refuse an output folder holding a symbolic link at or below `dir` (the folder itself may
 * not be one either unless it is `root`): writing through a link could land outside the
 * folder the user named. Called before a stage writes into an existing tree.
 */
export function assertNoLinks(dir: string, root = dir): void {
  if (!existsSync(dir) && !isLink(dir)) return;
  if (dir !== root && isLink(dir)) throw linkError(dir, root);
  const walk = (path: string): void => {
    for (const entry of readdirSync(path, { withFileTypes: true })) {
      const child = join(path, entry.name);
      if (entry.isSymbolicLink()) throw linkError(child, root);
      if (entry.isDirectory()) walk(child);
    }
  };
  if (lstatSync(dir).isDirectory()) walk(dir);
}

function isLink(path: string): boolean {
  try {
    return lstatSync(path).isSymbolicLink();
  } catch {
    return false;
  }
}

function linkError(path: string, root: string): InputError {
  return new InputError(path, `is a symbolic link inside the output folder ${root}; facebench writes only inside the folder it is given, never through links: remove the link`);
}
