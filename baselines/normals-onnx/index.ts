/** `normals-onnx`: ONNX normal estimators (Sapiens, Metric3D v2 presets) predicting normal maps only. */
export { normalsOnnxAdapter, normalsOnnxOptions, type NormalsOnnxOptions } from './adapter.js';
export {
  NORMALS_PRESETS, NormalsConfigSchema, PRESET_NAMES, normalsConfigOf, readNormalsConfigFile, resolveNormalsConfig,
  type NormalsConfig, type NormalsConfigInput, type PresetName,
} from './config.js';
export { estimateNormals, inputPlacement, normalsInputTensor, openNormalsSession, resampleRegion, type InputPlacement, type NormalMap } from './estimator.js';
