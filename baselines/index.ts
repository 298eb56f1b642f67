/**
 * baselines/: method adapters (one folder each), the method registry, and the linear face
 * models they use (baselines/models/).
 */
export { defineMethod, type MethodAdapter, type PredictItem, type PredictItemRecord, type Prediction, type PrepareContext } from './adapter.js';
export { itemFaceMask } from './item-files.js';
export { registerMethod, getMethod, hasMethod, listMethods, unregisterMethod } from './registry.js';
export { builtinMethods, registerBuiltinMethods } from './builtin.js';
export { parseMethodOptions, describeOptions, methodKey, type OptionDescription } from './method-options.js';
export { meanShape, meanShapeOptions, type MeanShapeOptions } from './mean-shape/index.js';
export { oracle, oracleOptions, type OracleOptions } from './oracle/index.js';
export { submission, submissionOptions, type SubmissionOptions } from './submission/index.js';
