/**
 * The `submission` method: imports an existing predictions folder (a leaderboard
 * submission, docs/formats.md#predictions-submission-layout) after checking it as the benchmark server would
 * (benchmark/predict/validate-predictions.ts). Meshes are re-written as binary PLY
 * (float32) and landmark files as (7,3) float64 .npy; FLAME-topology meshes without a
 * landmark file stay without one.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { InputError } from '../../evaluators/errors.js';
import { readLandmarks, readMesh } from '../../evaluators/io/index.js';
import { validatePredictions } from '../../evaluators/formats/index.js';
import { defineMethod } from '../adapter.js';

export const submissionOptions = z
  .object({
    from: z.string().min(1).describe('the predictions folder to import (<pid>/<item>/mesh_posed.ply, mesh_neutral.ply [, landmarks_*.npy]); `--from DIR`'),
  })
  .strict();
export type SubmissionOptions = z.output<typeof submissionOptions>;

export const submission = defineMethod({
  name: 'submission',
  version: '1.0.0',
  description: 'import an existing predictions folder (a leaderboard submission) after validating it like the benchmark server',
  options: submissionOptions,
  async prepare({ bench, manifest, options }) {
    const report = validatePredictions(bench, options.from, manifest);
    if (report.problems.length > 0) {
      const shown = report.problems.slice(0, 3).join('; ');
      throw new InputError(options.from, `is not a valid submission: ${report.problems.length} problem${report.problems.length > 1 ? 's' : ''} (${shown}${report.problems.length > 3 ? '; …' : ''}); \`facebench validate --bench ${bench} --pred ${options.from}\` lists them all`);
    }
  },
  async predict(item, options) {
    const dir = join(resolve(options.from), item.item.person, item.item.id);
    const read = (task: 'posed' | 'neutral') => {
      const mesh = readMesh(join(dir, `mesh_${task}.ply`));
      const lmPath = join(dir, `landmarks_${task}.npy`);
      return { mesh: { positions: mesh.positions, faces: mesh.faces }, landmarks: existsSync(lmPath) ? readLandmarks(lmPath, { count: 7 }) : undefined };
    };
    const posed = read('posed');
    const neutral = read('neutral');
    return { posed: posed.mesh, neutral: neutral.mesh, landmarksPosed: posed.landmarks, landmarksNeutral: neutral.landmarks };
  },
});
