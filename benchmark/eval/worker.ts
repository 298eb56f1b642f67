/** Worker-thread entry of `facebench eval`: scores one task per call, or hashes a list of files (piscina). */
import type { ProtocolConfig } from '../../evaluators/protocols/index.js';
import type { EvalTask } from '../../evaluators/formats/index.js';
import { hashFile, scoreTask, type TaskOutcome } from '../../evaluators/scoring/index.js';

export interface ScoreRequest {
  kind: 'score';
  task: EvalTask;
  config: ProtocolConfig;
  key: string;
  keepDistances: boolean;
}

/** sha256 of each file (`hashFile`), in order. */
export interface HashRequest {
  kind: 'hash';
  paths: string[];
}

export type WorkerRequest = ScoreRequest | HashRequest;

export default function run(request: WorkerRequest): TaskOutcome | string[] {
  if (request.kind === 'hash') return request.paths.map(hashFile);
  return scoreTask(request.task, request.config, request.key, request.keepDistances);
}
