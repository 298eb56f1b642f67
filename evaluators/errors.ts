/**
 * Errors raised for bad user input. The CLI prints `facebench: <file>: <what>` on one
 * line and exits non-zero; everything else is an internal error.
 */
export class InputError extends Error {
  readonly file: string;
  readonly detail: string;

  constructor(file: string, detail: string) {
    super(`${file}: ${detail}`);
    this.name = 'InputError';
    this.file = file;
    this.detail = detail;
  }
}

/** True for errors that describe bad input rather than a bug. */
export function isInputError(error: unknown): error is InputError {
  return error instanceof InputError;
}

const SYSTEM_ERRORS: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  ENOTDIR: 'a part of this path is a file, not a folder',
  EISDIR: 'is a folder where a file was expected',
  ENOENT: 'no such file or folder',
  EEXIST: 'already exists',
  ENAMETOOLONG: 'name too long',
  ELOOP: 'too many levels of symbolic links',
  EMFILE: 'too many open files',
};

/**
 * A Node file-system error (EACCES, ENOSPC, …, with the path it concerns) as an InputError
 * with one readable line; undefined for any other error.
 */
export function fileSystemInputError(error: unknown): InputError | undefined {
  const e = error as { code?: unknown; path?: unknown; dest?: unknown; syscall?: unknown } | null;
  if (!e || typeof e.code !== 'string' || !(e.code in SYSTEM_ERRORS) || typeof e.path !== 'string') return undefined;
  const path = typeof e.dest === 'string' && (e.code === 'EACCES' || e.code === 'EPERM' || e.code === 'EEXIST') ? e.dest : e.path;
  const action = typeof e.syscall === 'string' ? ` (${e.syscall})` : '';
  return new InputError(path, `${SYSTEM_ERRORS[e.code]}${action}, ${e.code}`);
}
