export { readCapture, readCameraParams, readLabelSpec, readFrameLandmarks, frameKey, type Capture, type CapturePerson, type CaptureFrame, type Camera, type LabelSpec } from './capture.js';
export { projectPoint, backProject, worldToCamera, cameraCentre } from './camera.js';
export { selectExpressions, poseNormalised, pickNeutral, mouthOpening, landmarkDistance, POSE_LANDMARKS, type ExpressionSelection } from './expressions.js';
export { fuseDepthMaps, depthAt, DEFAULT_FUSION, type CameraDepth, type FusionOptions } from './fusion.js';
export { maskByLabels, type CameraLabels, type MaskResult } from './masking.js';
export { faceCropBox, cropAndResize, CROP_SCALE, type CropBox } from './crop.js';
export { buildPerson, chooseNeutral, mostFrontalCamera, type BuildOptions, type BuildServices, type PersonBuild } from './build-person.js';
export { runBuild, type RunBuildOptions, type BuildSummary } from './run-build.js';
