/**
 * Running an ONNX normal estimator on one image (onnxruntime-node, CPU): the image is resized
 * to the network input (`stretch`, or `fit-pad`: keep the aspect ratio and pad, as Metric3D's
 * hubconf.py), normalised with mean/std on 0–255 values into float32 [1, 3, H, W]; the output
 * [1, C, h, w] is cut back to the image's region (undoing the pad) and resized bilinearly to
 * the image (pixel-centre aligned, like F.interpolate with align_corners=False), each pixel's
 * first 3 channels normalised to unit length and mapped to OpenCV axes by `normalAxes`.
 * NaN where the optional mask is 0 or the vector is zero.
 */
import { resolve } from 'node:path';
import type * as ort from 'onnxruntime-node';
import { InputError } from '../../evaluators/errors.js';
import { rgbToNormalizedChw, type RgbImage } from '../../evaluators/image/index.js';
import type { NormalsConfig } from './config.js';
import { firstLine, onnxRuntime, onceByKey, openOnnxSession, releasingFail } from '../onnx-session.js';

/** An open model: its session and tensor names. */
export interface NormalsSession {
  file: string;
  session: ort.InferenceSession;
  inputName: string;
  outputName: string;
}

/** A normal map: row-major H×W×3 float32 in the OpenCV camera frame, NaN where invalid. */
export interface NormalMap {
  width: number;
  height: number;
  normals: Float32Array;
}

/** Open sessions by model file and tensor names, once per process and worker thread. */
const sessions = onceByKey<NormalsSession>();

/** The session of a config's model, opened (and checked against the config) once. */
export function openNormalsSession(config: NormalsConfig): Promise<NormalsSession> {
  const file = resolve(config.model);
  return sessions(JSON.stringify({ file, input: config.input, output: config.output }), () => loadSession(file, config));
}

async function loadSession(file: string, config: NormalsConfig): Promise<NormalsSession> {
  const session = await openOnnxSession(file, { role: 'option model' });
  const fail = releasingFail(session, file);
  const pick = (metas: readonly ort.InferenceSession.ValueMetadata[], name: string | undefined) => (name === undefined ? metas[0] : metas.find((m) => m.name === name));
  const input = pick(session.inputMetadata, config.input.name);
  const output = pick(session.outputMetadata, config.output.name);
  if (!input) return fail(config.input.name ? `has no input '${config.input.name}' (inputs: ${session.inputNames.join(', ')})` : 'has no input');
  if (!output) return fail(config.output.name ? `has no output '${config.output.name}' (outputs: ${session.outputNames.join(', ')})` : 'has no output');
  const [W, H] = config.input.size;
  if (input.isTensor) {
    const want = [1, 3, H, W];
    const dims = input.shape;
    const fits = input.type === 'float32' && (dims.length === 0 || (dims.length === 4 && dims.every((d, k) => typeof d !== 'number' || d < 0 || d === want[k])));
    if (!fits) return fail(`input '${input.name}' is ${input.type} [${dims.join(', ')}]; expected float32 [1, 3, ${H}, ${W}] (input.size [W, H] = [${W}, ${H}])`);
  }
  if (output.isTensor) {
    const dims = output.shape;
    const C = config.output.channels;
    const fits = dims.length === 0 || (dims.length === 4 && (typeof dims[0] !== 'number' || dims[0] < 0 || dims[0] === 1) && (typeof dims[1] !== 'number' || dims[1] < 0 || dims[1] === C));
    if (!fits) return fail(`output '${output.name}' is [${dims.join(', ')}]; expected [1, ${C}, h, w] (output.channels ${C})`);
  }
  return { file, session, inputName: input.name, outputName: output.name };
}

/** Where the image lies in the network input: its resized size and offset (fit-pad), or the whole input (stretch). */
export interface InputPlacement {
  /** Network input size. */
  W: number;
  H: number;
  /** The image's region in the input: offset and size in input pixels. */
  left: number;
  top: number;
  width: number;
  height: number;
}

/**
 * The image's region in the network input. fit-pad as Metric3D's hubconf.py: scale =
 * min(H/h, W/w), resized size int(w·scale) × int(h·scale), pad split with the odd pixel at
 * the bottom/right (pad // 2 before).
 */
export function inputPlacement(imageWidth: number, imageHeight: number, config: NormalsConfig): InputPlacement {
  const [W, H] = config.input.size;
  if (config.input.resize === 'stretch') return { W, H, left: 0, top: 0, width: W, height: H };
  const scale = Math.min(H / imageHeight, W / imageWidth);
  const width = Math.max(1, Math.min(W, Math.trunc(imageWidth * scale)));
  const height = Math.max(1, Math.min(H, Math.trunc(imageHeight * scale)));
  return { W, H, left: Math.floor((W - width) / 2), top: Math.floor((H - height) / 2), width, height };
}

/** The network input [1, 3, H, W] of an image: resized into its placement, the rest the pad colour; (v − mean)/std on 0–255 values. */
export function normalsInputTensor(image: RgbImage, config: NormalsConfig): { data: Float32Array; placement: InputPlacement } {
  const placement = inputPlacement(image.width, image.height, config);
  const { W, H, left, top, width, height } = placement;
  const { mean, std, padValue } = config.input;
  // rgbToNormalizedChw normalises v/255 with mean/std on [0, 1]: (v − m)/s = (v/255 − m/255)/(s/255).
  const region = rgbToNormalizedChw(image, width, height, mean.map((m) => m / 255), std.map((s) => s / 255));
  if (width === W && height === H) return { data: region, placement };
  const data = new Float32Array(3 * W * H);
  for (let c = 0; c < 3; c++) {
    const plane = data.subarray(c * W * H, (c + 1) * W * H);
    plane.fill((padValue[c] - mean[c]) / std[c]);
    for (let y = 0; y < height; y++) plane.set(region.subarray(c * width * height + y * width, c * width * height + (y + 1) * width), (top + y) * W + left);
  }
  return { data, placement };
}

/**
 * Bilinear sampling of the rectangle [x0, x0 + rw) × [y0, y0 + rh) of one w×h plane onto
 * outW×outH pixels, pixel-centre aligned within the rectangle and clamped to it (for an
 * integer rectangle: cropping, then resizing as `resizePlane` does), into channel `channel`
 * of the interleaved `dst` (`stride` values per pixel).
 */
export function resampleRegion(
  src: Float32Array, offset: number, w: number, h: number, x0: number, y0: number, rw: number, rh: number,
  outW: number, outH: number, dst: Float32Array, stride: number, channel: number,
): void {
  const sx = rw / outW;
  const sy = rh / outH;
  const xMax = Math.min(x0 + rw - 1, w - 1), yMax = Math.min(y0 + rh - 1, h - 1);
  for (let y = 0; y < outH; y++) {
    const fy = Math.min(Math.max(y0 + (y + 0.5) * sy - 0.5, y0), yMax);
    const ya = Math.floor(fy);
    const yb = Math.min(ya + 1, h - 1);
    const ty = fy - ya;
    for (let x = 0; x < outW; x++) {
      const fx = Math.min(Math.max(x0 + (x + 0.5) * sx - 0.5, x0), xMax);
      const xa = Math.floor(fx);
      const xb = Math.min(xa + 1, w - 1);
      const tx = fx - xa;
      const a = src[offset + ya * w + xa], b = src[offset + ya * w + xb];
      const c = src[offset + yb * w + xa], d = src[offset + yb * w + xb];
      const top = a + (b - a) * tx;
      const bottom = c + (d - c) * tx;
      dst[(y * outW + x) * stride + channel] = top + (bottom - top) * ty;
    }
  }
}

/** Parsed `normalAxes`: sign and raw channel per OpenCV axis. */
function parseAxes(axes: readonly string[]): { sign: number; channel: number }[] {
  return axes.map((a) => ({ sign: a[0] === '-' ? -1 : 1, channel: Number(a[1]) }));
}

/**
 * The normal map of one image: the network run on it, the output's image region resized to
 * the image, normalised and mapped to OpenCV axes; NaN where `mask` (1 = valid, image-sized)
 * is 0 or the predicted vector is zero.
 */
export async function estimateNormals(image: RgbImage, config: NormalsConfig, mask?: Uint8Array): Promise<NormalMap> {
  const { width, height } = image;
  const pixels = width * height;
  if (mask && mask.length !== pixels) throw new InputError('face mask', `has ${mask.length} pixels; the image has ${width}x${height}`);
  const net = await openNormalsSession(config);
  const { data: input, placement } = normalsInputTensor(image, config);
  const { Tensor } = await onnxRuntime();
  let result: ort.InferenceSession.ReturnType;
  try {
    result = await net.session.run({ [net.inputName]: new Tensor('float32', input, [1, 3, placement.H, placement.W]) });
  } catch (error) {
    throw new InputError(net.file, `inference failed: ${firstLine(error)}`);
  }
  const out = result[net.outputName];
  const dims = out.dims;
  const C = config.output.channels;
  if (out.type !== 'float32' || dims.length !== 4 || dims[0] !== 1 || dims[1] !== C) {
    throw new InputError(net.file, `output '${net.outputName}' is ${out.type} [${dims.join(', ')}]; expected float32 [1, ${C}, h, w] (output.channels ${C})`);
  }
  const [oh, ow] = [dims[2], dims[3]];
  const data = out.data as Float32Array;
  let bad = 0;
  for (let i = 0; i < 3 * oh * ow; i++) if (!Number.isFinite(data[i])) bad++;
  if (bad) throw new InputError(net.file, `output '${net.outputName}' has ${bad} non-finite normal values of ${3 * oh * ow}`);
  // The image's region in output pixels (the output may be smaller than the input).
  const kx = ow / placement.W, ky = oh / placement.H;
  const raw = new Float32Array(3 * pixels);
  for (let c = 0; c < 3; c++) {
    resampleRegion(data, c * oh * ow, ow, oh, placement.left * kx, placement.top * ky, placement.width * kx, placement.height * ky, width, height, raw, 3, c);
  }
  const axes = parseAxes(config.normalAxes);
  const normals = new Float32Array(3 * pixels).fill(Number.NaN);
  for (let p = 0; p < pixels; p++) {
    if (mask && !mask[p]) continue;
    const n0 = raw[3 * p], n1 = raw[3 * p + 1], n2 = raw[3 * p + 2];
    const len = Math.hypot(n0, n1, n2);
    if (!(len > 0) || !Number.isFinite(len)) continue;
    const v = [n0 / len, n1 / len, n2 / len];
    for (let k = 0; k < 3; k++) normals[3 * p + k] = axes[k].sign * v[axes[k].channel];
  }
  return { width, height, normals };
}
