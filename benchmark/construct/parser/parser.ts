/**
 * ONNX face parser run with onnxruntime-node (CPU). README section:
 *
 * ### Face-parsing model contract (`--parser model.onnx --parser-labels labels.json`)
 * - **Model**: an ONNX file with one float32 image input of shape `[1, 3, H, W]` (NCHW; the
 *   first graph input is used) and one score output of shape `[1, C, h, w]` (the first graph
 *   output). `h, w` may differ from `H, W` (e.g. a stride); dimensions may be symbolic.
 * - **Input**: the RGB image (channel order R, G, B) is resized bilinearly to the input size
 *   (pixel-centre aligned, as `torch.nn.functional.interpolate(align_corners=False)`, no
 *   antialiasing) and normalised per channel as `(value/255 − mean[c]) / std[c]`.
 *   The input size is `input.size` of the labels file, else the model's fixed `H, W`, else
 *   the image's own size.
 * - **Output**: the label of a pixel is `argmax` over the C channels (ties → lowest
 *   channel); the channel index is the label id (docs/formats.md#label-file). The `h × w` label map is resized
 *   back to the image with nearest neighbour (pixel-centre aligned).
 * - **Label file**: the `labels.json` format (docs/formats.md#label-file), `{"labels": {"0": "background", "1": "skin", …},
 *   "face_kept": [1, …]}`, whose ids must be exactly `0..C−1`, plus an optional
 *   `"input": {"size": [W, H], "mean": [r, g, b], "std": [r, g, b]}` (mean/std on the 0–1
 *   scale; defaults 0 and 1, i.e. plain `value/255`). Without `face_kept`, the kept classes
 *   are skin, brows, nose and lips. For example, a BiSeNet face parser trained on
 *   CelebAMask-HQ takes `"input": {"size": [512, 512], "mean": [0.485, 0.456, 0.406],
 *   "std": [0.229, 0.224, 0.225]}` and needs its 19 class names in its own channel order.
 * - **Errors**: a missing or unreadable model, an input that is not `[1, 3, H, W]` float32,
 *   an output that is not rank 4 with batch 1, or an output channel count different from
 *   the number of labels is refused with a one-line error naming the file.
 */
import type * as ort from 'onnxruntime-node';
import { InputError } from '../../../evaluators/errors.js';
import { readParserConfig, type ParserConfig } from './config.js';
import { argmaxChannels, resizeLabelsNearest, rgbToNormalizedChw, type RgbImage } from '../../../evaluators/image/index.js';
import { firstLine, onnxRuntime, openOnnxSession, releasingFail } from '../../../baselines/onnx-session.js';

export interface FaceParser {
  /** Label names, the mapping file's faceKept ids and preprocessing. */
  readonly config: ParserConfig;
  readonly modelPath: string;
  readonly inputName: string;
  readonly outputName: string;
  /** Label id per pixel of `image` (row-major, width·height). `source` names the image in errors. */
  parse(image: RgbImage, source?: string): Promise<Uint8Array>;
  /** Free the ONNX session. */
  release(): Promise<void>;
}

/** A tensor shape for messages; unnamed symbolic dimensions print as '?'. */
function formatShape(shape: readonly (number | string)[]): string {
  return `[${shape.map((d) => (d === '' ? '?' : String(d))).join(', ')}]`;
}

function staticDim(d: number | string | undefined): number | undefined {
  return typeof d === 'number' && d > 0 ? d : undefined;
}

/** Load an ONNX face parser and its label-id mapping file (see the module comment for the contract). */
export async function loadFaceParser(modelPath: string, labelsPath: string): Promise<FaceParser> {
  const config = readParserConfig(labelsPath);
  const session = await openOnnxSession(modelPath, { graphOptimizationLevel: 'all' });
  const fail = releasingFail(session, modelPath);
  const inputMeta = session.inputMetadata[0];
  const outputMeta = session.outputMetadata[0];
  if (!inputMeta || !outputMeta) return fail('the model needs one image input and one score output');
  if (!inputMeta.isTensor || inputMeta.type !== 'float32') return fail(`input '${inputMeta.name}' must be a float32 tensor [1, 3, H, W]`);
  const inShape = inputMeta.shape;
  if (inShape.length !== 4 || (typeof inShape[0] === 'number' && inShape[0] !== 1) || (typeof inShape[1] === 'number' && inShape[1] !== 3)) {
    return fail(`input '${inputMeta.name}' has shape ${formatShape(inShape)}; expected [1, 3, H, W] (RGB, NCHW)`);
  }
  const fixedH = staticDim(inShape[2]);
  const fixedW = staticDim(inShape[3]);
  const size = config.input.size;
  if (size && ((fixedW !== undefined && fixedW !== size[0]) || (fixedH !== undefined && fixedH !== size[1]))) {
    return fail(`the model's input is ${fixedW}x${fixedH} but ${labelsPath} sets input.size ${size[0]}x${size[1]}`);
  }
  const C = config.names.length;
  const checkOutputShape = (shape: readonly (number | string)[]): string | null => {
    if (shape.length !== 4 || (typeof shape[0] === 'number' && shape[0] !== 1)) {
      return `output '${outputMeta.name}' has shape ${formatShape(shape)}; expected scores [1, C, h, w]`;
    }
    if (typeof shape[1] === 'number' && shape[1] !== C) {
      return `output '${outputMeta.name}' has ${shape[1]} channels but ${labelsPath} defines ${C} labels (ids 0..${C - 1}); the channel index must be the label id`;
    }
    return null;
  };
  if (outputMeta.isTensor && outputMeta.shape.length > 0) {
    const problem = checkOutputShape(outputMeta.shape);
    if (problem) return fail(problem);
  }

  return {
    config, modelPath, inputName: inputMeta.name, outputName: outputMeta.name,
    async parse(image: RgbImage, source = 'image'): Promise<Uint8Array> {
      const { width, height, data } = image;
      if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0 || data.length !== width * height * 3) {
        throw new InputError(source, `expected an RGB image (3 bytes per pixel), got ${width}x${height} with ${data.length} bytes`);
      }
      const inW = size?.[0] ?? fixedW ?? width;
      const inH = size?.[1] ?? fixedH ?? height;
      const { Tensor } = await onnxRuntime();
      const tensor = new Tensor('float32', rgbToNormalizedChw(image, inW, inH, config.input.mean, config.input.std), [1, 3, inH, inW]);
      let result: ort.InferenceSession.ReturnType;
      try {
        result = await session.run({ [inputMeta.name]: tensor });
      } catch (error) {
        throw new InputError(modelPath, `inference failed on ${source} (${inW}x${inH} input): ${firstLine(error)}`);
      }
      const out = result[outputMeta.name];
      const problem = checkOutputShape(out.dims);
      if (problem) throw new InputError(modelPath, problem);
      if (out.type !== 'float32' && out.type !== 'float64') throw new InputError(modelPath, `output '${outputMeta.name}' is ${out.type}; expected float scores`);
      const h = out.dims[2];
      const w = out.dims[3];
      const labels = argmaxChannels(out.data as Float32Array | Float64Array, C, h, w);
      return resizeLabelsNearest(labels, w, h, width, height);
    },
    release: () => session.release(),
  };
}
