/** Reading JSON documents against their zod schema, with one-line errors naming the file. */
import { existsSync, readFileSync } from 'node:fs';
import type { z } from 'zod';
import { InputError } from '../errors.js';

/** One line naming the first schema problem (and how many there are). */
export function schemaProblem(error: z.ZodError): string {
  const first = error.issues[0];
  return `${first.path.join('.') || '(root)'}: ${first.message} (${error.issues.length} schema problem${error.issues.length > 1 ? 's' : ''})`;
}

/** A JSON file's value (a UTF-8 byte-order mark is allowed); a missing file or invalid JSON is an InputError naming it. */
export function readJsonValue(path: string): unknown {
  if (!existsSync(path)) throw new InputError(path, 'file not found');
  try {
    return JSON.parse(readFileSync(path, 'utf8').replace(/^\uFEFF/, ''));
  } catch (error) {
    throw new InputError(path, `not valid JSON (${(error as Error).message})`);
  }
}

/**
 * Parse a JSON file (a UTF-8 byte-order mark is allowed) against a schema. A missing file,
 * invalid JSON or a schema mismatch is an InputError naming the file; `what` says what the
 * file should have been ("a results.json written by `facebench eval`").
 */
export function readJsonFile<T>(path: string, schema: z.ZodType<T>, what: string): T {
  return checkJsonDocument(path, readJsonValue(path), schema, what);
}

/** A parsed JSON document of `path` checked against its schema (InputError naming the file). */
export function checkJsonDocument<T>(path: string, doc: unknown, schema: z.ZodType<T>, what: string): T {
  const parsed = schema.safeParse(doc);
  if (!parsed.success) throw new InputError(path, `not ${what}: ${schemaProblem(parsed.error)}`);
  return parsed.data;
}
