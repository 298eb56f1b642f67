import { readFileSync, statSync } from 'node:fs';
import { extname } from 'node:path';
import { InputError } from '../errors.js';

/** What a path names on disk. */
export type PathKind = 'file' | 'directory' | 'missing';

/** Whether `path` is a file, a directory or absent (other kinds count as files). */
export function pathKind(path: string): PathKind {
  try {
    return statSync(path).isDirectory() ? 'directory' : 'file';
  } catch {
    return 'missing';
  }
}

/** Lower-case extension with its dot (`.ply`), or '' when there is none. */
export function extensionOf(path: string): string {
  return extname(path).toLowerCase();
}

/**
 * Read a whole input file. Missing files, directories and unreadable files become a
 * one-line InputError naming the path; other failures are rethrown unchanged.
 */
export function readInputFile(path: string): Uint8Array {
  try {
    return readFileSync(path);
  } catch (error) {
    throw describeFileError(path, error);
  }
}

/** Turn a Node file-system error about `path` into an InputError when the user can fix it. */
export function describeFileError(path: string, error: unknown): unknown {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'ENOENT':
      return new InputError(path, 'file not found');
    case 'ENOTDIR':
      return new InputError(path, 'file not found (a parent of this path is not a folder)');
    case 'EISDIR':
      return new InputError(path, 'is a folder; give the path of a file');
    case 'EACCES':
    case 'EPERM':
      return new InputError(path, 'permission denied while reading');
    default:
      return error;
  }
}
