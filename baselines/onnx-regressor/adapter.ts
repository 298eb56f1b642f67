/**
 * The regressor methods: `onnx-regressor` (any ONNX model mapping the input crop to
 * linear-model coefficients, described by a config file: config.ts) and the named
 * `deca`, `emoca-v2`, `mica` and `smirk` (presets.ts: the published models exported to ONNX).
 * Both evaluate the coefficients on the target model: posed = identity + expression (+ jaw),
 * neutral = identity only (zero expression and jaw), in the model frame (mm), with the 7
 * alignment landmarks from the model's landmark embedding. A neutral-only method (MICA)
 * returns the neutral mesh alone.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { readRgbImage } from '../../evaluators/image/index.js';
import { InputError } from '../../evaluators/errors.js';
import { defineMethod, type Prediction } from '../adapter.js';
import { loadTargetModel, modelPrediction, TargetModelSchema, type TargetModel } from '../landmark-fit/target-model.js';
import { onceByKey } from '../onnx-session.js';
import { readRegressorConfig, RegressorConfigSchema, type RegressorConfig } from './config.js';
import { regressorPreset, type RegressorPreset } from './presets.js';
import { checkCoefficients, loadRegressor, type CoefficientRegressor, type RegressedCoefficients } from './regressor.js';

/** Open ONNX sessions by what they run (model file, input, outputs), once per process and worker thread. */
const sessions = onceByKey<CoefficientRegressor>();

/** The regressor of a config, opened once; `source` names the config in errors. */
export function openRegressor(config: RegressorConfig, source: string): Promise<CoefficientRegressor> {
  return sessions(JSON.stringify({ model: config.model, input: config.input, outputs: config.outputs }), () => loadRegressor(config, source));
}

/** The raw coefficients of an image file: the config's crop, normalisation and network. */
export async function regressCoefficients(imagePath: string, config: RegressorConfig, source: string): Promise<RegressedCoefficients> {
  const regressor = await openRegressor(config, source);
  return regressor.predict(readRgbImage(imagePath), imagePath);
}

/** Predict the meshes of one image file with a config; `tasks` ['neutral'] leaves the posed mesh out. */
export async function regressImageWith(imagePath: string, config: RegressorConfig, source: string, tasks?: RegressorPreset['tasks']): Promise<Prediction & { coefficients: ReturnType<typeof checkCoefficients> }> {
  const model = loadTargetModel(config.target, source);
  const coefficients = checkCoefficients(await regressCoefficients(imagePath, config, source), model, source);
  const { posed, landmarksPosed, ...neutral } = modelPrediction(model, coefficients);
  return tasks && !tasks.includes('posed') ? { ...neutral, coefficients } : { posed, landmarksPosed, ...neutral, coefficients };
}

// ---------------------------------------------------------------------------------------------
// onnx-regressor: a config file

export const onnxRegressorOptions = z
  .object({
    config: z.string().min(1).optional().describe('regressor config JSON: {model, input: {name?, size, mean, std, layout, crop, round}, outputs: {identity, expression?, jaw?}, target}'),
  })
  .strict();
export type OnnxRegressorOptions = z.output<typeof onnxRegressorOptions>;

/** The config file an option names, read and validated. */
function configFile(configPath: string | undefined): { config: RegressorConfig; path: string } {
  if (!configPath) throw new InputError('--opts', 'onnx-regressor needs a config: --opts \'{"config": "regressor.json"}\'');
  const path = resolve(configPath);
  return { config: readRegressorConfig(path), path };
}

/** Predict the posed and neutral meshes for one image file with a regressor config file. */
export async function regressImage(imagePath: string, configPath: string | undefined): Promise<Prediction & { coefficients: ReturnType<typeof checkCoefficients> }> {
  const { config, path } = configFile(configPath);
  return regressImageWith(imagePath, config, path);
}

export const onnxRegressorAdapter = defineMethod({
  name: 'onnx-regressor',
  version: '1.1.0',
  description: 'an ONNX image → model-coefficients regressor described by a JSON config (crop, normalisation, outputs, target model)',
  options: onnxRegressorOptions,
  async prepare({ options }) {
    const { config, path } = configFile(options.config);
    loadTargetModel(config.target, path);
    await openRegressor(config, path);
  },
  async predict(item, options) {
    const { coefficients: _coefficients, ...prediction } = await regressImage(item.imagePath, options.config);
    return prediction;
  },
});

// ---------------------------------------------------------------------------------------------
// deca, emoca-v2, mica, smirk: presets on the models folder

/** The models folder when no option names one: $FACEBENCH_MODELS, else ./models. */
export function defaultModelsFolder(): string {
  return process.env.FACEBENCH_MODELS || 'models';
}

export const namedRegressorOptions = z
  .object({
    models: z.string().min(1).optional().describe('folder of the exported models: <models>/<method>.onnx and <models>/FLAME2020/generic_model.pkl (+ landmark_embedding.npy); default $FACEBENCH_MODELS, else ./models'),
    onnx: z.string().min(1).optional().describe('the exported ONNX file, instead of <models>/<method>.onnx'),
    target: TargetModelSchema.optional().describe("the model the coefficients drive, instead of FLAME 2020 from <models>/FLAME2020/: {flame: file, landmarkEmbedding?}, or 'demo' / {ict: folder} for stand-in networks"),
  })
  .strict();
export type NamedRegressorOptions = z.output<typeof namedRegressorOptions>;

/** FLAME 2020 in the models folder, with DECA's landmark embedding when it is there. */
function flameInModels(models: string): TargetModel {
  const dir = resolve(models, 'FLAME2020');
  const embedding = join(dir, 'landmark_embedding.npy');
  return { flame: join(dir, 'generic_model.pkl'), ...(existsSync(embedding) ? { landmarkEmbedding: embedding } : {}) };
}

/**
 * The regressor config of a named method under its options: the preset's input and outputs,
 * the ONNX file (refused with the export command when it is missing) and the target model.
 */
export function presetConfig(preset: RegressorPreset, options: NamedRegressorOptions): RegressorConfig {
  const models = options.models ?? defaultModelsFolder();
  const model = resolve(options.onnx ?? join(models, preset.file));
  if (!existsSync(model)) {
    const how = options.onnx ? 'option onnx' : `the ${preset.name} method looks for ${preset.file} in ${resolve(models)} (option models, or $FACEBENCH_MODELS)`;
    throw new InputError(model, `ONNX export not found (${how}); export it with ${preset.script} (README: Baselines)`);
  }
  return RegressorConfigSchema.parse({ model, input: preset.input, outputs: preset.outputs, target: options.target ?? flameInModels(models) });
}

/**
 * The regressor of an identity prior (pixel3dmm's `identityPrior: "onnx"`): a regressor config
 * (.json) or MICA's ONNX export itself, read with the `mica` method's crop and normalisation.
 */
export function identityRegressorConfig(path: string): RegressorConfig {
  if (path.toLowerCase().endsWith('.json')) return readRegressorConfig(path);
  return presetConfig(regressorPreset('mica'), { onnx: path, target: 'demo' });
}

/** A named regressor method from its preset. */
function namedRegressor(name: RegressorPreset['name']) {
  const preset = regressorPreset(name);
  const source = (options: NamedRegressorOptions): string => `the ${name} method (--opts ${JSON.stringify(options)})`;
  return defineMethod({
    name,
    version: '1.0.0',
    description: preset.description,
    options: namedRegressorOptions,
    tasks: preset.tasks,
    async prepare({ options }) {
      const config = presetConfig(preset, options);
      loadTargetModel(config.target, source(options));
      await openRegressor(config, source(options));
    },
    async predict(item, options) {
      const { coefficients: _coefficients, ...prediction } = await regressImageWith(item.imagePath, presetConfig(preset, options), source(options), preset.tasks);
      return prediction;
    },
  });
}

export const decaAdapter = namedRegressor('deca');
export const emocaV2Adapter = namedRegressor('emoca-v2');
export const micaAdapter = namedRegressor('mica');
export const smirkAdapter = namedRegressor('smirk');
