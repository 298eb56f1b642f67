import { createHash } from 'node:crypto';
import { closeSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
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

/** Bytes read at a time by {@link sha256File}, into one buffer kept between calls. */
const HASH_CHUNK_BYTES = 1 << 18;
let hashChunk: Buffer | undefined;

/**
 * sha256 of a file's bytes (hex), read in 256 KB chunks into one buffer reused from call to
 * call: hashing a benchmark's files then costs the hash itself, where reading each file whole
 * into a fresh buffer cost several times more in page faults in a fresh process such as an
 * `eval` that resumes (the last line of `node dist/bench/eval-nersemble.js`). Missing files,
 * folders and unreadable files become a one-line InputError naming the path, as in
 * {@link readInputFile}.
 */
export function sha256File(path: string): string {
  const hash = createHash('sha256');
  const chunk = (hashChunk ??= Buffer.allocUnsafe(HASH_CHUNK_BYTES));
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (error) {
    throw describeFileError(path, error);
  }
  try {
    for (;;) {
      const n = readSync(fd, chunk, 0, chunk.length, null);
      if (n === 0) break;
      hash.update(n === chunk.length ? chunk : chunk.subarray(0, n));
    }
  } catch (error) {
    throw describeFileError(path, error);
  } finally {
    closeSync(fd);
  }
  return hash.digest('hex');
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
