import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { configToJson, type ProtocolConfig } from '../protocols/index.js';
import type { EvalTask } from '../formats/index.js';
import { sha256File } from '../io/index.js';
import { codeDigest, TOOL } from '../util/index.js';

/** sha256 of a file's bytes (hex), or 'missing'. */
export function hashFile(path: string): string {
  return existsSync(path) ? sha256File(path) : 'missing';
}

/** sha256 of a file's bytes (memoised per path for one run), or 'missing'. */
export class FileHasher {
  private readonly memo = new Map<string, string>();

  hash(path: string | undefined): string {
    if (!path) return 'none';
    let value = this.memo.get(path);
    if (value === undefined) {
      value = hashFile(path);
      this.memo.set(path, value);
    }
    return value;
  }

  /**
   * Hash the files of `paths` not hashed yet with `hashMany` (e.g. in worker threads, a few
   * lists at once), so that {@link hash} then answers from memory.
   */
  async prefetch(paths: readonly string[], hashMany: (paths: string[]) => Promise<string[]>, lists: number): Promise<void> {
    const todo = [...new Set(paths)].filter((path) => !this.memo.has(path));
    const size = Math.ceil(todo.length / Math.max(1, lists));
    const chunks: string[][] = [];
    for (let k = 0; k < todo.length; k += size) chunks.push(todo.slice(k, k + size));
    const hashed = await Promise.all(chunks.map((chunk) => hashMany(chunk)));
    chunks.forEach((chunk, c) => chunk.forEach((path, k) => this.memo.set(path, hashed[c][k])));
  }
}

/** The version of the scoring code: the tool version and the digest of `evaluators/`. */
export function scoringCodeVersion(): string {
  return `${TOOL.version}+${codeDigest(['evaluators'])}`;
}

/** The files a task reads, whose checksums its key covers (undefined: a file the task has not). */
export function taskFiles(task: Pick<EvalTask, 'pred' | 'predLandmarks' | 'gt' | 'gtLandmarks'>): (string | undefined)[] {
  return [task.pred, task.predLandmarks, task.gt, task.gtLandmarks];
}

/**
 * The resume key of a task: a hash of the scoring code's version (`scoringCodeVersion`),
 * the protocol config and the checksum of every input file. A stored result is reused
 * only when its key matches, so a change to any of them scores the task again.
 */
export function taskKey(task: EvalTask, config: ProtocolConfig, codeVersion: string, hasher: FileHasher): string {
  const parts = [codeVersion, JSON.stringify(configToJson(config)), ...taskFiles(task).map((path) => hasher.hash(path))];
  // A FaceScape sample's camera, pupil scale, head centre and rotation come from the benchmark's predef files.
  if (task.facescape) parts.push(JSON.stringify(task.facescape.view), JSON.stringify(task.facescape.gtTransform ?? null));
  return createHash('sha256').update(parts.join('\n')).digest('hex');
}
