import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { configToJson, type ProtocolConfig } from '../../evaluators/protocols/index.js';
import type { EvalTask } from './discover.js';

/** sha256 of a file's bytes (memoised per path for one run), or 'missing'. */
export class FileHasher {
  private readonly memo = new Map<string, string>();

  hash(path: string | undefined): string {
    if (!path) return 'none';
    let value = this.memo.get(path);
    if (value === undefined) {
      value = existsSync(path) ? createHash('sha256').update(readFileSync(path)).digest('hex') : 'missing';
      this.memo.set(path, value);
    }
    return value;
  }
}

/**
 * The resume key of a task: a hash of the protocol config, the tool version and the
 * checksum of every input file. A stored result is reused only when its key matches.
 */
export function taskKey(task: EvalTask, config: ProtocolConfig, toolVersion: string, hasher: FileHasher): string {
  const parts = [
    toolVersion,
    JSON.stringify(configToJson(config)),
    hasher.hash(task.pred),
    hasher.hash(task.predLandmarks),
    hasher.hash(task.gt),
    hasher.hash(task.gtLandmarks),
  ];
  return createHash('sha256').update(parts.join('\n')).digest('hex');
}
