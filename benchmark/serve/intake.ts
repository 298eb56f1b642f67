/**
 * Checking an uploaded submission zip before anything is queued: the safe zip reader's limits
 * (entry names, links, entry count, unpacked size), the checks of `facebench validate`, and a
 * vertex limit per mesh. An accepted upload is unpacked below the submission's folder by the
 * benchmark's own item names (never the zip's) and becomes one score job per item and task.
 */
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isInputError } from '../../evaluators/errors.js';
import { openSubmission, validatePredictions, type Manifest, type SubmissionSource, type TaskName } from '../../evaluators/formats/index.js';
import { parsePlyHeader } from '../../evaluators/io/index.js';
import type { ScoreJob } from './queue.js';

export interface UploadLimits {
  /** Largest sum of the entries' unpacked sizes, bytes. */
  maxUnpackedBytes: number;
  /** Most entries in the zip. */
  maxEntries: number;
  /** Most vertices per mesh. */
  maxVertices: number;
}

export const DEFAULT_UPLOAD_LIMITS: UploadLimits = { maxUnpackedBytes: 512 * 1024 ** 2, maxEntries: 20_000, maxVertices: 500_000 };

export type IntakeResult =
  | { ok: true; tasks: TaskName[]; jobs: Omit<ScoreJob, 'submission' | 'benchmarkId'>[] }
  | { ok: false; problems: string[] };

/**
 * Check the zip at `zipPath` against the benchmark; on success unpack it into `predDir`
 * (written beside and renamed into place, so a refused or interrupted upload leaves nothing).
 */
export function intakeSubmission(bench: string, manifest: Manifest, zipPath: string, predDir: string, limits: UploadLimits): IntakeResult {
  let source: SubmissionSource;
  try {
    source = openSubmission(zipPath, { maxTotalBytes: limits.maxUnpackedBytes, maxEntries: limits.maxEntries });
  } catch (error) {
    if (isInputError(error)) return { ok: false, problems: [error.message.replace(zipPath, 'upload')] };
    throw error;
  }
  if (source.kind !== 'zip') return { ok: false, problems: ['upload: not a zip archive (write one with facebench pack)'] };
  // The server verified the benchmark's files at start: not hashed again per upload.
  const report = validatePredictions(bench, zipPath, manifest, { benchmarkVerified: true, source });
  const problems = report.problems.map((p) => p.replaceAll(zipPath, 'upload'));
  const tasks = (['posed', 'neutral'] as const).filter((t) => report.tasks[t] === 'checked');
  if (problems.length === 0 && tasks.length === 0) problems.push('upload: holds no task to score');
  const jobs: Omit<ScoreJob, 'submission' | 'benchmarkId'>[] = [];
  const files: [string, Uint8Array][] = [];
  if (problems.length === 0) {
    for (const item of manifest.items) {
      for (const task of tasks) {
        const meshPath = `${item.person}/${item.id}/mesh_${task}.ply`;
        const lmPath = `${item.person}/${item.id}/landmarks_${task}.npy`;
        const mesh = source.get(meshPath)!.read();
        const vertices = parsePlyHeader(mesh, meshPath).elements.find((e) => e.name === 'vertex')?.count ?? 0;
        if (vertices > limits.maxVertices) {
          problems.push(`${meshPath}: ${vertices} vertices, more than this server's limit of ${limits.maxVertices} [too many vertices]`);
          continue;
        }
        const lmEntry = source.get(lmPath);
        const landmarks = lmEntry?.kind === 'file' ? lmEntry.read() : undefined;
        files.push([meshPath, mesh]);
        if (landmarks) files.push([lmPath, landmarks]);
        jobs.push({
          person: item.person,
          item: item.id,
          task,
          mesh: Buffer.from(mesh).toString('base64'),
          landmarks: landmarks ? Buffer.from(landmarks).toString('base64') : undefined,
        });
      }
    }
  }
  if (problems.length > 0) return { ok: false, problems };
  const partial = `${predDir}.partial`;
  rmSync(partial, { recursive: true, force: true });
  for (const [rel, bytes] of files) {
    const path = join(partial, rel);
    mkdirSync(join(path, '..'), { recursive: true });
    writeFileSync(path, bytes);
  }
  renameSync(partial, predDir);
  return { ok: true, tasks, jobs };
}
