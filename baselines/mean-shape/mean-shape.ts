/**
 * The `mean-shape` baseline: a linear face model's template (zero identity and expression)
 * as both the posed and the neutral prediction, for every image. Its 7 landmarks come from
 * the model's iBUG-68 embedding (or FLAME's static embedding for a FLAME model without
 * one). It ignores the input, so it is the floor every method must beat.
 */
import { z } from 'zod';
import { InputError } from '../../evaluators/errors.js';
import { isFlameTopology } from '../../evaluators/protocols/index.js';
import { defineMethod } from '../adapter.js';
import { demoModel, embedLandmarks, FLAME_SEVEN_LANDMARKS, ICT_MODEL_FILES, loadFlame, loadIctModel, sevenLandmarks, type LinearFaceModel } from '../models/index.js';

export const meanShapeOptions = z
  .object({
    model: z.enum(['demo', 'ict', 'flame']).default('demo').describe("which model's mean face: the embedded demo model, or the ICT-FaceKit or FLAME model from user-supplied files"),
    path: z.string().min(1).optional().describe('FLAME: generic_model.pkl / flame2023*.pkl / .npz (required for model "flame"); ICT: the folder of an ICT-FaceKit export (required for model "ict")'),
    landmarkEmbedding: z.string().min(1).optional().describe("FLAME: landmark_embedding.npy for the 68-landmark embedding (default: FLAME's static 7-landmark embedding)"),
  })
  .strict()
  .refine((o) => o.model !== 'flame' || o.path !== undefined, { message: 'model "flame" needs "path": the FLAME model file as distributed (generic_model.pkl, flame2023.pkl or .npz)', path: ['path'] })
  .refine((o) => o.model !== 'ict' || o.path !== undefined, { message: `model "ict" needs "path": the folder of an ICT-FaceKit export (${ICT_MODEL_FILES.join(', ')})`, path: ['path'] });
export type MeanShapeOptions = z.output<typeof meanShapeOptions>;

/** The model named by the options. */
export function meanShapeModel(options: MeanShapeOptions): LinearFaceModel {
  switch (options.model) {
    case 'demo':
      return demoModel();
    case 'ict':
      if (!options.path) throw new InputError('mean-shape', `model "ict" needs "path": the folder of an ICT-FaceKit export, e.g. --opts '{"model": "ict", "path": "/path/to/ict-facekit"}'`);
      return loadIctModel(options.path);
    case 'flame':
      return loadFlame(options.path!, { landmarkEmbedding: options.landmarkEmbedding });
  }
}

/** The model's 7 alignment landmarks on its template. */
export function templateLandmarks(model: LinearFaceModel): Float64Array {
  if (model.landmarks68) return sevenLandmarks(model, model.template);
  if (isFlameTopology({ positions: model.template, faces: model.faces })) return embedLandmarks(model.faces, model.template, FLAME_SEVEN_LANDMARKS);
  throw new InputError(model.name, 'the model has no 68-landmark embedding and is not FLAME-topology, so its 7 landmarks are unknown');
}

interface MeanShape {
  positions: Float64Array;
  faces: Uint32Array;
  landmarks: Float64Array;
}

const cache = new Map<string, MeanShape>();

function cachedMeanShape(options: MeanShapeOptions): MeanShape {
  const key = JSON.stringify([options.model, options.path ?? null, options.landmarkEmbedding ?? null]);
  let shape = cache.get(key);
  if (!shape) {
    const model = meanShapeModel(options);
    shape = { positions: model.template, faces: model.faces, landmarks: templateLandmarks(model) };
    cache.set(key, shape);
  }
  return shape;
}

export const meanShape = defineMethod({
  name: 'mean-shape',
  version: '1.0.0',
  description: "a linear face model's mean face for both tasks, whatever the image: the floor every method must beat",
  options: meanShapeOptions,
  async prepare({ options }) {
    cachedMeanShape(options);
  },
  async predict(_item, options) {
    const s = cachedMeanShape(options);
    // Fresh copies: the runner and other code must not be able to alter the cached model.
    const mesh = () => ({ positions: Float64Array.from(s.positions), faces: Uint32Array.from(s.faces) });
    return { posed: mesh(), neutral: mesh(), landmarksPosed: Float64Array.from(s.landmarks), landmarksNeutral: Float64Array.from(s.landmarks) };
  },
});
