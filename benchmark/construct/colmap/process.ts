/**
 * Running one COLMAP subcommand as a child process: output streamed line by line to a
 * logger, wall time measured, a failure turned into an error quoting COLMAP's last lines.
 */
import { spawn } from 'node:child_process';

/** One finished COLMAP subcommand. */
export interface ColmapStep {
  /** Subcommand, e.g. 'feature_extractor'. */
  command: string;
  args: string[];
  /** Wall time in seconds. */
  seconds: number;
  /** Everything the command printed (stdout and stderr interleaved). */
  output: string;
}

/** A COLMAP subcommand exited non-zero or could not start. */
export class ColmapCommandError extends Error {
  readonly step: string;
  constructor(step: string, detail: string) {
    super(`colmap ${step} failed: ${detail}`);
    this.name = 'ColmapCommandError';
    this.step = step;
  }
}

/** Last `n` non-empty lines of `text`, joined with ' | ' (for one-line error messages). */
export function tailLines(text: string, n: number): string {
  const lines = text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l.length > 0);
  return lines.slice(-n).join(' | ');
}

/** Run `binary command args…` in `cwd`; resolves with the step record, rejects with ColmapCommandError. */
export function runColmapCommand(
  binary: string, command: string, args: string[], cwd: string, onLog?: (line: string) => void,
): Promise<ColmapStep> {
  const start = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(binary, [command, ...args], {
      cwd, env: { ...process.env, QT_QPA_PLATFORM: 'offscreen' }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    const chunks: string[] = [];
    let pending = '';
    const take = (data: Buffer): void => {
      const text = data.toString('utf8');
      chunks.push(text);
      if (!onLog) return;
      pending += text;
      const lines = pending.split(/\r?\n/);
      pending = lines.pop() ?? '';
      for (const line of lines) if (line.trim() !== '') onLog(line);
    };
    child.stdout.on('data', take);
    child.stderr.on('data', take);
    child.on('error', (error) => reject(new ColmapCommandError(command, `could not start ${binary}: ${error.message}`)));
    child.on('close', (code, signal) => {
      if (onLog && pending.trim() !== '') onLog(pending);
      const output = chunks.join('');
      if (code === 0) {
        resolve({ command, args, seconds: (performance.now() - start) / 1000, output });
        return;
      }
      const why = signal ? `killed by ${signal}` : `exit code ${code}`;
      reject(new ColmapCommandError(command, `${why}; last output: ${tailLines(output, 3) || '(none)'}`));
    });
  });
}
