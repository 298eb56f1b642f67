/**
 * COLMAP with known cameras: find the executable, triangulate a sparse cloud (mm) from
 * calibrated images, dense stereo when the build has CUDA.
 */
export { COLMAP_INSTALL_HINT, ColmapMissingError, findColmap, parseColmapBanner, requireColmap, type ColmapInstall } from './find.js';
export {
  cameraParamsArgument, prepareCamera, rotationToQuaternion, writeKnownPosesModel,
  type ColmapImageInput, type KnownCamera, type PixelCentreConvention, type PreparedCamera,
} from './known-poses.js';
export { ColmapCommandError, runColmapCommand, tailLines, type ColmapStep } from './process.js';
export { COLMAP_WORKSPACE_MARKER, runColmap, type ColmapInput, type ColmapOptions, type ColmapResult } from './run.js';
export { summarizePoints3D, type ColmapSparseStats } from './stats.js';
