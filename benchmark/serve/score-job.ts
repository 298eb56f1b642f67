/**
 * What a `facebench worker` does with one score job: the same scoring as `facebench eval`
 * (scoreTask, the same task key), against the worker's own copy of the benchmark, with the
 * prediction's bytes written to a private temporary folder for the duration of the job.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InputError } from '../../evaluators/errors.js';
import { discoverTasks, TASKS, type TaskRecord } from '../../evaluators/formats/index.js';
import type { ProtocolConfig } from '../../evaluators/protocols/index.js';
import { FileHasher, scoreTask, scoringCodeVersion, taskKey } from '../../evaluators/scoring/index.js';
import { plainName } from '../../evaluators/util/index.js';
import type { ScoreJob } from './queue.js';

/** A file hasher for one job: the benchmark's files hashed once per worker, the job's own files afresh. */
class JobHasher extends FileHasher {
  constructor(private readonly benchmarkFiles: FileHasher, private readonly jobDir: string) {
    super();
  }

  override hash(path: string | undefined): string {
    return path !== undefined && !path.startsWith(this.jobDir) ? this.benchmarkFiles.hash(path) : super.hash(path);
  }
}

/** Scores jobs against one benchmark: `score` is what `facebench worker` runs per job. */
export class JobScorer {
  private readonly benchmarkFiles = new FileHasher();
  private readonly codeVersion = scoringCodeVersion();

  constructor(readonly bench: string, readonly benchmarkId: string, readonly config: ProtocolConfig) {}

  /** Score one job; an unusable job (another benchmark, bad names) throws, a bad prediction gives an error record as in `eval`. */
  score(job: ScoreJob): TaskRecord {
    const { bench, benchmarkId, config } = this;
    if (job.benchmarkId !== benchmarkId) throw new InputError(`job ${job.submission}`, `is for benchmark ${job.benchmarkId.slice(0, 12)}…, this worker has ${benchmarkId.slice(0, 12)}… (--bench)`);
    const person = plainName(job.person, 'person', `job ${job.submission}`);
    const item = plainName(job.item, 'item', `job ${job.submission}`);
    if (!TASKS.includes(job.task)) throw new InputError(`job ${job.submission}`, `unknown task ${String(job.task)}`);
    const pred = mkdtempSync(join(tmpdir(), 'facebench-job-'));
    try {
      const dir = join(pred, person, item);
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, `mesh_${job.task}.ply`), Buffer.from(job.mesh, 'base64'));
      if (job.landmarks !== undefined) writeFileSync(join(dir, `landmarks_${job.task}.npy`), Buffer.from(job.landmarks, 'base64'));
      const task = discoverTasks(bench, pred, [job.task]).find((t) => t.person === person && t.item === item);
      if (!task) throw new InputError(`job ${job.submission}`, `item ${person}/${item} is not in the benchmark ${bench}`);
      const key = taskKey(task, config, this.codeVersion, new JobHasher(this.benchmarkFiles, pred));
      return scoreTask(task, config, key, false).record;
    } finally {
      rmSync(pred, { recursive: true, force: true });
    }
  }
}
