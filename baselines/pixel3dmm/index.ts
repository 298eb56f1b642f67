/** Pixel3DMM: screen-space UV/normal priors and the 3DMM fit to them. */
export {
  pixel3dmmAdapter, pixel3dmmOptions, fitModelFor, fitPriors, fitLandmarksPhotometric, identityPriorFor, truthNeed, readIdentityFile, PRIORS_SOURCES, VARIANTS,
  truthPriorsSource, onnxPriorsSource, type ObservedLandmarks, type Pixel3dmmOptions, type PriorsSource,
} from './adapter.js';
export { fitPixel3dmm, prepareFitModel, uvCorrespondences, REFERENCE_SIZE, type FitModel, type Pixel3dmmFit, type Pixel3dmmFitOptions } from './fit.js';
export { emptyPriors, type ScreenPriors } from './priors.js';
export { renderPriors, degradePriors, PRIOR_NOISE_UNIT, type PriorCamera } from './render-priors.js';
export { cropCamera, truthPriors, truthLandmarks2d, noisyTruthIdentity } from './truth-source.js';
export { readObjVertexUvs } from './uv-obj.js';
