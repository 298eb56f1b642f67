/** The regressor methods: `onnx-regressor` (a config file) and the named deca, emoca-v2, mica and smirk. */
export {
  onnxRegressorAdapter, onnxRegressorOptions, regressImage, regressImageWith, regressCoefficients, openRegressor,
  decaAdapter, emocaV2Adapter, micaAdapter, smirkAdapter, namedRegressorOptions, presetConfig, defaultModelsFolder, identityRegressorConfig,
  type OnnxRegressorOptions, type NamedRegressorOptions,
} from './adapter.js';
export { readRegressorConfig, RegressorConfigSchema, type RegressorConfig } from './config.js';
export { ARCFACE_TEMPLATE_112, CROP_KINDS, arcfaceCrop, boxCrop, cropAffine, fivePointsFromIbug68, type CropKind } from './crops.js';
export { REGRESSOR_PRESETS, regressorPreset, type RegressorPreset } from './presets.js';
export { loadRegressor, checkCoefficients, imageTensorData, type CoefficientRegressor, type RegressedCoefficients } from './regressor.js';
