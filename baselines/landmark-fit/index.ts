/** The `landmark-fit` method: a linear face model fitted to 2D landmarks. */
export { landmarkFitAdapter, landmarkFitOptions, fitImageLandmarks, type LandmarkFitOptions } from './adapter.js';
export { fitLandmarks, type LandmarkFit, type LandmarkFitOptions as FitOptions } from './fit.js';
export { landmarkBasis, evaluateLandmarks, type LandmarkBasis } from './landmark-basis.js';
export { weakPerspectivePose, projectLandmarks, type PinholeIntrinsics, type RigidPose } from './camera-init.js';
export { readLandmarks2d, landmarkFileFor, pngSize } from './landmark-source.js';
export { TargetModelSchema, loadTargetModel, sevenModelLandmarks, expressionsAreWeights, type TargetModel } from './target-model.js';
