/**
 * Which linear face model a fitting/regression method produces: the demo model of data/, the
 * ICT-FaceKit model from a user folder ({"ict": folder}, the layout of an ICT-FaceKit export),
 * or FLAME from the user's own files (FLAME is never shipped: docs/conventions.md#flame-topology). Loaded once per process
 * and cached.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';
import { InputError } from '../../evaluators/errors.js';
import { FLAME_VERTEX_COUNT } from '../../evaluators/protocols/index.js';
import type { Prediction } from '../adapter.js';
import { demoModel, embedLandmarks, evaluateModel, FLAME_SEVEN_LANDMARKS, loadFlame, loadIctModel, sevenLandmarks, type LinearFaceModel, type ModelCoefficients } from '../models/index.js';

/** Why a bare "ict" is refused: the ICT-FaceKit model has no default folder. */
const ICT_NEEDS_FOLDER = 'the ICT-FaceKit model needs its folder: write {"ict": "/path/to/ict-facekit"} instead of "ict"';

export const TargetModelSchema = z.union([
  z.enum(['demo']),
  z.object({ ict: z.string().min(1).describe('folder with the ICT-FaceKit files (template.npy, identity.npy, …)') }).strict(),
  z.object({
    flame: z.string().min(1).describe('FLAME model file (generic_model.pkl, flame2023.pkl or .npz)'),
    landmarkEmbedding: z.string().min(1).optional().describe('landmark_embedding.npy (needed for the 68 landmarks)'),
    shapeCount: z.number().int().positive().optional(),
    expressionCount: z.number().int().positive().optional(),
  }).strict(),
], { error: (issue) => (issue.input === 'ict' ? ICT_NEEDS_FOLDER : undefined) });
export type TargetModel = z.output<typeof TargetModelSchema>;


const cache = new Map<string, LinearFaceModel>();

/** Load (or reuse) the model a target names; InputError when its files are missing or malformed. */
export function loadTargetModel(target: TargetModel, source = '--opts'): LinearFaceModel {
  const key = JSON.stringify(target);
  const hit = cache.get(key);
  if (hit) return hit;
  let model: LinearFaceModel;
  if (target === 'demo') model = demoModel();
  else if ('ict' in target) {
    const dir = resolve(target.ict);
    if (!existsSync(dir)) throw new InputError(dir, `ICT-FaceKit model folder not found (given by ${source})`);
    model = loadIctModel(dir);
  } else {
    const file = resolve(target.flame);
    if (!existsSync(file)) throw new InputError(file, `FLAME model file not found (given by ${source}); download FLAME from https://flame.is.tue.mpg.de and point "flame" at generic_model.pkl`);
    const emb = target.landmarkEmbedding ? resolve(target.landmarkEmbedding) : undefined;
    if (emb && !existsSync(emb)) throw new InputError(emb, `landmark embedding file not found (given by ${source})`);
    model = loadFlame(file, { landmarkEmbedding: emb, shapeCount: target.shapeCount, expressionCount: target.expressionCount });
  }
  cache.set(key, model);
  return model;
}

/** True for blendshape models whose expression weights live in [0, 1] (demo, ICT), false for FLAME's PCA expressions. */
export function expressionsAreWeights(target: TargetModel): boolean {
  return target === 'demo' || 'ict' in target;
}

/**
 * The 7 alignment landmarks (docs/conventions.md#alignment-landmarks; 21 values) of a mesh of the model's topology: from the
 * model's iBUG-68 embedding, else FLAME's static embedding for a FLAME-topology mesh.
 */
export function sevenModelLandmarks(model: LinearFaceModel, positions: Float64Array): Float64Array {
  if (model.landmarks68) return sevenLandmarks(model, positions);
  if (positions.length === 3 * FLAME_VERTEX_COUNT) return embedLandmarks(model.faces, positions, FLAME_SEVEN_LANDMARKS);
  throw new Error(`model ${model.name} has no landmark embedding; give it one (FLAME: landmarkEmbedding)`);
}

/**
 * The prediction of a model instance: posed = identity + expression (+ joint rotations),
 * neutral = identity alone, each with its 7 landmarks (docs/conventions.md#alignment-landmarks), in the model frame (mm).
 */
export function modelPrediction(model: LinearFaceModel, coefficients: ModelCoefficients): Prediction {
  const posed = evaluateModel(model, coefficients);
  const neutral = evaluateModel(model, { identity: coefficients.identity });
  return {
    posed: { positions: posed, faces: model.faces },
    neutral: { positions: neutral, faces: model.faces },
    landmarksPosed: sevenModelLandmarks(model, posed),
    landmarksNeutral: sevenModelLandmarks(model, neutral),
  };
}
