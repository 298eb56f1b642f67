/**
 * ONNX face parsing for segmentation masking: label maps from an RGB image with a model
 * run by onnxruntime-node; the model contract is documented in `parser.ts`.
 */
export {
  DEFAULT_FACE_KEPT_NAMES, parseParserConfig, readParserConfig, type ParserConfig, type ParserInputConfig,
} from './config.js';
export { loadFaceParser, type FaceParser } from './parser.js';
