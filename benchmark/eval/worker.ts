/** Worker-thread entry of `facebench eval`: scores one task per call (piscina). */
import type { ProtocolConfig } from '../../evaluators/protocols/index.js';
import type { EvalTask } from '../../evaluators/formats/index.js';
import { scoreTask, type TaskOutcome } from '../../evaluators/scoring/index.js';

export interface WorkerRequest {
  task: EvalTask;
  config: ProtocolConfig;
  key: string;
  keepDistances: boolean;
}

export default function run(request: WorkerRequest): TaskOutcome {
  return scoreTask(request.task, request.config, request.key, request.keepDistances);
}
