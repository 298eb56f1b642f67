/** One line for an error that is not the input's fault: `internal error: <first line of its message>`. */
export function internalErrorLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  const first = text.split('\n').find((line) => line.trim() !== '')?.trim() ?? '';
  const name = error instanceof Error && error.name !== 'Error' ? `${error.name}: ` : '';
  return `internal error: ${name}${first || 'no message'}`;
}
