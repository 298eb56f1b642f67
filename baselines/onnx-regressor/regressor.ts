/**
 * Running an image-to-coefficients ONNX model (config.ts) with onnxruntime-node on CPU and
 * checking its outputs against the target linear model.
 */
import type * as ort from 'onnxruntime-node';
import { rgbToNormalizedChw, warpAffineChw, type RgbImage } from '../../evaluators/image/index.js';
import { InputError } from '../../evaluators/errors.js';
import { detectFaceMesh } from '../mediapipe/index.js';
import type { LinearFaceModel } from '../models/index.js';
import type { RegressorConfig } from './config.js';
import { cropAffine } from './crops.js';
import { firstLine, onnxRuntime, openOnnxSession, releasingFail } from '../onnx-session.js';

/** Coefficients predicted for one image (float64 copies of the model's outputs). */
export interface RegressedCoefficients {
  identity: Float64Array;
  expression: Float64Array;
  /** Axis-angle of the jaw joint, when the config names a jaw output. */
  jaw?: Float64Array;
}

export interface CoefficientRegressor {
  config: RegressorConfig;
  inputName: string;
  /**
   * Predict coefficients for one RGB image; `source` names the image in errors. A face crop
   * is placed from `faceMesh` (468×3 px) when given, else from MediaPipe run on the image.
   */
  predict(image: RgbImage, source?: string, faceMesh?: Float64Array): Promise<RegressedCoefficients>;
  release(): Promise<void>;
}

/** NCHW float data → NHWC. */
function toNhwc(chw: Float32Array, w: number, h: number): Float32Array {
  const plane = w * h;
  const out = new Float32Array(3 * plane);
  for (let p = 0; p < plane; p++) for (let c = 0; c < 3; c++) out[3 * p + c] = chw[c * plane + p];
  return out;
}

/**
 * Input tensor data for an image: the configured crop (crops.ts; the face's 468×3 Face Mesh
 * points place it) or, with crop "none", a bilinear resize to config.input.size; then
 * (v/255 − mean)/std, in the configured layout.
 */
export function imageTensorData(image: RgbImage, config: RegressorConfig, faceMesh?: Float64Array): Float32Array {
  const { size: [w, h], crop, mean, std, round } = config.input;
  let chw: Float32Array;
  if (crop === 'none') chw = rgbToNormalizedChw(image, w, h, mean, std);
  else {
    if (!faceMesh) throw new Error(`the ${crop} crop needs the face's landmarks`);
    chw = warpAffineChw(image, cropAffine(crop, faceMesh, w), w, h, { mean, std, round });
  }
  return config.input.layout === 'NHWC' ? toNhwc(chw, w, h) : chw;
}

/** The face's 468×3 Face Mesh points for a crop, by MediaPipe; an InputError naming `source` when there is no face. */
async function faceMeshFor(image: RgbImage, config: RegressorConfig, source: string): Promise<Float64Array | undefined> {
  if (config.input.crop === 'none') return undefined;
  const { landmarks } = await detectFaceMesh(image);
  if (!landmarks) throw new InputError(source, `MediaPipe found no face in this image, so there is no ${config.input.crop} crop to regress from`);
  return landmarks;
}

/** Load the config's ONNX model, checking that the named input and outputs exist; `configPath` names the config in errors. */
export async function loadRegressor(config: RegressorConfig, configPath: string): Promise<CoefficientRegressor> {
  const session = await openOnnxSession(config.model, { role: `model in ${configPath}` });
  const fail = releasingFail(session, configPath);
  let inputName = config.input.name;
  if (inputName === undefined) {
    if (session.inputNames.length !== 1) return fail(`the model has inputs ${session.inputNames.join(', ')}; set input.name to the image input`);
    inputName = session.inputNames[0];
  } else if (!session.inputNames.includes(inputName)) {
    return fail(`input.name '${inputName}' is not an input of ${config.model} (inputs: ${session.inputNames.join(', ')})`);
  }
  for (const [key, name] of Object.entries(config.outputs)) {
    if (name !== undefined && !session.outputNames.includes(name)) return fail(`outputs.${key} '${name}' is not an output of ${config.model} (outputs: ${session.outputNames.join(', ')})`);
  }
  const [w, h] = config.input.size;
  const dims = config.input.layout === 'NHWC' ? [1, h, w, 3] : [1, 3, h, w];
  const name = inputName;
  return {
    config,
    inputName: name,
    async predict(image: RgbImage, source = 'image', faceMesh?: Float64Array): Promise<RegressedCoefficients> {
      const points = faceMesh ?? (await faceMeshFor(image, config, source));
      const { Tensor } = await onnxRuntime();
      const tensor = new Tensor('float32', imageTensorData(image, config, points), dims);
      let result: ort.InferenceSession.ReturnType;
      try {
        result = await session.run({ [name]: tensor });
      } catch (error) {
        throw new InputError(config.model, `inference failed on ${source} (${w}x${h} ${config.input.layout} input): ${firstLine(error)}`);
      }
      const read = (key: 'identity' | 'expression' | 'jaw'): Float64Array | undefined => {
        const outName = config.outputs[key];
        if (outName === undefined) return undefined;
        const out = result[outName];
        if (out.type !== 'float32' && out.type !== 'float64') throw new InputError(configPath, `outputs.${key} '${outName}' is ${out.type}; expected float coefficients`);
        if (out.dims.length > 1 && out.dims[0] !== 1) throw new InputError(configPath, `outputs.${key} '${outName}' has batch size ${out.dims[0]}; expected 1`);
        return Float64Array.from(out.data as Float32Array | Float64Array);
      };
      return { identity: read('identity')!, expression: read('expression') ?? new Float64Array(0), jaw: read('jaw') };
    },
    release: () => session.release(),
  };
}

/**
 * Model coefficients for the target: fewer coefficients than the model has modes are allowed
 * (the rest are zero), more are an error, and a jaw rotation needs a skeleton with a 'jaw' joint.
 */
export function checkCoefficients(coefficients: RegressedCoefficients, model: LinearFaceModel, configPath: string): { identity: Float64Array; expression: Float64Array; jointRotations?: Float64Array } {
  const { identity, expression, jaw } = coefficients;
  if (identity.length > model.identityCount) throw new InputError(configPath, `outputs.identity gives ${identity.length} coefficients but the target model ${model.name} has ${model.identityCount} identity modes`);
  if (expression.length > model.expressionCount) throw new InputError(configPath, `outputs.expression gives ${expression.length} coefficients but the target model ${model.name} has ${model.expressionCount} expression modes`);
  for (const [key, values] of [['identity', identity], ['expression', expression], ['jaw', jaw]] as const) {
    if (values && values.some((v) => !Number.isFinite(v))) throw new InputError(configPath, `outputs.${key}: the model produced non-finite values`);
  }
  if (!jaw) return { identity, expression };
  if (jaw.length !== 3) throw new InputError(configPath, `outputs.jaw gives ${jaw.length} values; expected 3 (axis-angle of the jaw joint)`);
  const joints = model.skeleton?.names;
  const j = joints ? joints.indexOf('jaw') : -1;
  if (!joints || j < 0) throw new InputError(configPath, `outputs.jaw is set but the target model ${model.name} has no jaw joint`);
  const jointRotations = new Float64Array(3 * joints.length);
  jointRotations.set(jaw, 3 * j);
  return { identity, expression, jointRotations };
}
