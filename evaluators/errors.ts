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
