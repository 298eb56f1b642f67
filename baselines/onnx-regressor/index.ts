/** The `onnx-regressor` method: an ONNX image → coefficients model on a linear face model. */
export { onnxRegressorAdapter, onnxRegressorOptions, loadOnnxRegressor, regressImage, type OnnxRegressorOptions } from './adapter.js';
export { readRegressorConfig, RegressorConfigSchema, type RegressorConfig } from './config.js';
export { loadRegressor, checkCoefficients, imageTensorData, type CoefficientRegressor, type RegressedCoefficients } from './regressor.js';
