/**
 * The `submission` method: imports an existing submission — a predictions folder or a
 * submission zip (docs/formats.md#submission-zip) — after checking it as the benchmark server
 * would (evaluators/formats/validate-predictions.ts), for both tasks. Meshes are re-written as
 * binary PLY (float32) and landmark files as (7,3) float64 .npy; FLAME-topology meshes without
 * a landmark file stay without one. A zip is read through the safe zip reader, once per worker.
 */
import { z } from 'zod';
import { InputError } from '../../evaluators/errors.js';
import { openSubmission, validatePredictions, validateSvfrPredictions, type SubmissionSource } from '../../evaluators/formats/index.js';
import { parseLandmarks, parseMesh } from '../../evaluators/io/index.js';
import { defineMethod } from '../adapter.js';

export const submissionOptions = z
  .object({
    from: z.string().min(1).describe('the predictions folder or submission zip to import (<pid>/<item>/mesh_posed.ply, mesh_neutral.ply [, landmarks_*.npy]); `--from DIR|ZIP`'),
  })
  .strict();
export type SubmissionOptions = z.output<typeof submissionOptions>;

/** Opened submissions of this thread, by path (a zip is read and indexed once). */
const opened = new Map<string, SubmissionSource>();

function submissionAt(from: string): SubmissionSource {
  let source = opened.get(from);
  if (!source) {
    source = openSubmission(from);
    opened.set(from, source);
  }
  return source;
}

export const submission = defineMethod({
  name: 'submission',
  version: '1.0.0',
  description: 'import an existing predictions folder or submission zip (a leaderboard submission) after validating it like the benchmark server',
  options: submissionOptions,
  async prepare({ bench, manifest, options }) {
    const tasks = ['posed', 'neutral'] as const;
    const report = manifest ? validatePredictions(bench, options.from, manifest, { tasks }) : validateSvfrPredictions(bench, options.from, { tasks });
    if (report.problems.length > 0) {
      const shown = report.problems.slice(0, 3).join('; ');
      const against = manifest ? `--bench ${bench}` : `--images ${bench}`;
      throw new InputError(options.from, `is not a valid submission: ${report.problems.length} problem${report.problems.length > 1 ? 's' : ''} (${shown}${report.problems.length > 3 ? '; …' : ''}); \`facebench validate ${against} --pred ${options.from} --task both\` lists them all`);
    }
    opened.delete(options.from); // read afresh by the items
  },
  async predict(item, options) {
    const source = submissionAt(options.from);
    const read = (task: 'posed' | 'neutral') => {
      const at = (name: string) => source.get(`${item.item.person}/${item.item.id}/${name}`);
      const meshEntry = at(`mesh_${task}.ply`);
      if (meshEntry?.kind !== 'file') throw new InputError(`${source.location}: ${item.item.person}/${item.item.id}/mesh_${task}.ply`, 'missing');
      const mesh = parseMesh(meshEntry.read(), meshEntry.location);
      const lmEntry = at(`landmarks_${task}.npy`);
      const landmarks = lmEntry?.kind === 'file' ? parseLandmarks(lmEntry.read(), lmEntry.location, { count: 7 }) : undefined;
      return { mesh: { positions: mesh.positions, faces: mesh.faces }, landmarks };
    };
    const posed = read('posed');
    const neutral = read('neutral');
    return { posed: posed.mesh, neutral: neutral.mesh, landmarksPosed: posed.landmarks, landmarksNeutral: neutral.landmarks };
  },
});
