/**
 * The `onnx-regressor` method: any ONNX model mapping the input crop to linear-model
 * coefficients (config.ts), evaluated on the target model: posed = identity + expression
 * (+ jaw), neutral = identity only, both in the model frame (mm), with the 7 alignment
 * landmarks from the model's landmark embedding.
 */
import { resolve } from 'node:path';
import { z } from 'zod';
import { readRgbImage } from '../../evaluators/image/index.js';
import { InputError } from '../../evaluators/errors.js';
import { defineMethod } from '../adapter.js';
import type { LinearFaceModel } from '../models/index.js';
import { loadTargetModel, modelPrediction } from '../landmark-fit/target-model.js';
import { readRegressorConfig } from './config.js';
import { checkCoefficients, loadRegressor, type CoefficientRegressor } from './regressor.js';
import type { Prediction } from '../adapter.js';

export const onnxRegressorOptions = z
  .object({
    config: z.string().min(1).optional().describe('regressor config JSON: {model, input: {name?, size, mean, std, layout}, outputs: {identity, expression, jaw?}, target}'),
  })
  .strict();
export type OnnxRegressorOptions = z.output<typeof onnxRegressorOptions>;

interface Loaded {
  path: string;
  regressor: CoefficientRegressor;
  model: LinearFaceModel;
}

const loaded = new Map<string, Promise<Loaded>>();

/** Load (once per config file) the regressor and its target model. */
export function loadOnnxRegressor(configPath: string | undefined): Promise<Loaded> {
  if (!configPath) return Promise.reject(new InputError('--opts', 'onnx-regressor needs a config: --opts \'{"config": "regressor.json"}\''));
  const path = resolve(configPath);
  let entry = loaded.get(path);
  if (!entry) {
    entry = (async () => {
      const config = readRegressorConfig(path);
      const model = loadTargetModel(config.target, path);
      const regressor = await loadRegressor(config, path);
      return { path, regressor, model };
    })();
    entry.catch(() => loaded.delete(path));
    loaded.set(path, entry);
  }
  return entry;
}

/** Predict the posed and neutral meshes for one image file. */
export async function regressImage(imagePath: string, configPath: string | undefined): Promise<Prediction & { coefficients: ReturnType<typeof checkCoefficients> }> {
  const { path, regressor, model } = await loadOnnxRegressor(configPath);
  const raw = await regressor.predict(readRgbImage(imagePath), imagePath);
  const coefficients = checkCoefficients(raw, model, path);
  return { ...modelPrediction(model, coefficients), coefficients };
}

export const onnxRegressorAdapter = defineMethod({
  name: 'onnx-regressor',
  version: '1.0.0',
  description: 'an ONNX image → model-coefficients regressor (DECA/EMOCA/MICA-style export) described by a JSON config, evaluated on its target linear model',
  options: onnxRegressorOptions,
  async prepare({ options }) {
    await loadOnnxRegressor(options.config);
  },
  async predict(item, options) {
    const { coefficients: _coefficients, ...prediction } = await regressImage(item.imagePath, options.config);
    return prediction;
  },
});
