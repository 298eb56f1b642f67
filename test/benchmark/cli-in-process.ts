import { vi } from 'vitest';
import { buildProgram } from '../../benchmark/program.js';

/**
 * Run a facebench sub-command in this process, as the CLI would, collecting what it prints
 * (console.log and console.error) and its exit code; process.exitCode is restored after.
 */
export async function cliInProcess(args: string[]): Promise<{ exitCode: number; lines: string[] }> {
  const program = buildProgram();
  const lines: string[] = [];
  const log = vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void lines.push(a.join(' ')));
  const err = vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void lines.push(a.join(' ')));
  const before = process.exitCode;
  process.exitCode = undefined;
  try {
    await program.parseAsync(args, { from: 'user' });
    return { exitCode: Number(process.exitCode ?? 0), lines };
  } finally {
    process.exitCode = before;
    log.mockRestore();
    err.mockRestore();
  }
}
