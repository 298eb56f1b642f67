/** Images: PNG/JPEG reading, PNG encoding, NeRSemble depth codes, resampling for ONNX models. */
export type { GrayImage, RgbImage } from './types.js';
export { readDepthMap, readLabelMap, readRgbImage } from './read.js';
export { pngSize } from './png-size.js';
export {
  decodeDepthValue, encodeDepthPng, encodeDepthValue, encodeGray16Png, encodeGray8Png, encodeRgbPng, writeRgbPng,
  DEPTH_STEP_M, MAX_COMPRESSED_DEPTH_M,
} from './encode.js';
export { argmaxChannels, resizeLabelsNearest, resizePlane, rgbToNormalizedChw } from './resample.js';
export { applyAffine, invertAffine, similarity2d, warpAffineChw, type Affine2, type CropNormalisation } from './warp.js';
