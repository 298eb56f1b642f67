/**
 * Pixel3DMM's screen-space priors from its two networks exported to ONNX
 * (baselines/pixel3dmm/export_onnx.py): a UV network and a normal network, each taking one
 * float32 image `[1, 3, S, S]` (RGB scaled to [0, 1], then (v − mean)/std per channel) and
 * giving `[1, C, h, w]` (C = 2 for UV, 3 for normals), run with onnxruntime-node on the CPU.
 *
 * Conversions from the networks' output spaces to ScreenPriors (priors.ts):
 * - Flip test-time augmentation (`flip`, default on): each network also runs on the
 *   horizontally mirrored image; that prediction is mirrored back, its first channel negated
 *   (u for the UV network, x for the normal network), `flipUOffset` (0.015) added to the
 *   mirrored u, and the two predictions are averaged — in the raw output space.
 * - UV: the network predicts (p₀, p₁) ∈ [−1, 1]²; the UV map Pixel3DMM's fitting reads is
 *   (p + 1)/2 clamped to [0, 1], matched against the template's UV coordinates with v
 *   flipped (1 − v). In the OBJ convention of ScreenPriors (v up) that is
 *   u = 0.5·p₀ + 0.5 and v = −0.5·p₁ + 0.5: `uvScale` [0.5, −0.5], `uvOffset` [0.5, 0.5],
 *   clamped to [0, 1] (`clampUv`).
 * - Normals: the averaged 3-vector is normalised; its channels are raw (c₀, c₁, c₂) with
 *   c₀ horizontal (right), and Pixel3DMM stores them as (c₀, −c₂, −c₁) in a y-up, z-towards-
 *   the-viewer camera frame (OpenGL). In the OpenCV crop-camera frame (x right, y down,
 *   z forward) that is (c₀, c₂, c₁): `normalAxes` ["+0", "+2", "+1"], each entry a sign and
 *   the raw channel that gives OpenCV x, y, z.
 * - Size: the networks' maps are resized bilinearly (pixel-centre aligned) to the image's
 *   size; the mask is the given one (1 = valid) or all ones; uv and normals are NaN outside it.
 */
import type * as ort from 'onnxruntime-node';
import { z } from 'zod';
import { InputError } from '../../evaluators/errors.js';
import { resizePlane, rgbToNormalizedChw, type RgbImage } from '../../evaluators/image/index.js';
import type { ScreenPriors } from './priors.js';
import { firstLine, onnxRuntime, openOnnxSession, releasingFail } from '../onnx-session.js';

const triple = z.tuple([z.number(), z.number(), z.number()]);
const pair = z.tuple([z.number(), z.number()]);
const axis = z.string().regex(/^[+-][012]$/, 'an axis is a sign and a raw channel: "+0", "-2", …');

export const OnnxPriorsConfigSchema = z
  .object({
    uvModel: z.string().min(1).describe('ONNX file of the UV network'),
    normalModel: z.string().min(1).describe('ONNX file of the normal network'),
    inputSize: z.number().int().positive().default(512).describe('side of the square network input'),
    mean: triple.default([0.485, 0.456, 0.406]).describe('per-channel mean of the [0, 1] input (ImageNet)'),
    std: triple.default([0.229, 0.224, 0.225]).refine((s) => s.every((v) => v > 0), 'std entries must be positive'),
    flip: z.boolean().default(true).describe('test-time flip augmentation'),
    flipUOffset: z.number().default(0.015).describe('added to the mirrored prediction\'s u after negation'),
    uvScale: pair.default([0.5, -0.5]).describe('uv = uvScale · p + uvOffset per channel'),
    uvOffset: pair.default([0.5, 0.5]),
    clampUv: z.boolean().default(true),
    normalAxes: z.tuple([axis, axis, axis]).default(['+0', '+2', '+1']).describe('raw channel and sign of the OpenCV x, y, z'),
  })
  .strict();

export type OnnxPriorsConfig = z.output<typeof OnnxPriorsConfigSchema>;
export type OnnxPriorsConfigInput = z.input<typeof OnnxPriorsConfigSchema>;

export interface OnnxPriorsRunner {
  run(image: RgbImage, mask?: Uint8Array): Promise<ScreenPriors>;
  release(): Promise<void>;
}

interface Network {
  file: string;
  session: ort.InferenceSession;
  inputName: string;
  outputName: string;
  channels: number;
}

async function openNetwork(file: string, channels: number, size: number, role: string): Promise<Network> {
  const session = await openOnnxSession(file, { role });
  const fail = releasingFail(session, file);
  const input = session.inputMetadata[0];
  const output = session.outputMetadata[0];
  if (!input || !output) return fail(`the ${role} needs one image input and one output`);
  if (input.isTensor) {
    const dims = input.shape;
    const want = [1, 3, size, size];
    const fits = input.type === 'float32' && dims.length === 4 && dims.every((d, k) => typeof d !== 'number' || d === want[k]);
    if (!fits) return fail(`the ${role}'s input '${input.name}' is ${input.type} [${dims.join(', ')}]; expected float32 [1, 3, ${size}, ${size}]`);
  }
  if (output.isTensor) {
    const dims = output.shape;
    const fits = dims.length === 4 && (typeof dims[0] !== 'number' || dims[0] === 1) && (typeof dims[1] !== 'number' || dims[1] === channels);
    if (!fits) return fail(`the ${role}'s output '${output.name}' is [${dims.join(', ')}]; expected [1, ${channels}, h, w]`);
  }
  return { file, session, inputName: input.name, outputName: output.name, channels };
}

/** Mirror a [C, h, w] planar map left–right. */
function mirrorPlanes(data: Float32Array, channels: number, w: number, h: number): Float32Array {
  const out = new Float32Array(data.length);
  for (let c = 0; c < channels; c++) {
    for (let y = 0; y < h; y++) {
      const row = c * w * h + y * w;
      for (let x = 0; x < w; x++) out[row + x] = data[row + w - 1 - x];
    }
  }
  return out;
}

async function infer(net: Network, input: Float32Array, size: number): Promise<{ data: Float32Array; w: number; h: number }> {
  const { Tensor } = await onnxRuntime();
  let result: ort.InferenceSession.ReturnType;
  try {
    result = await net.session.run({ [net.inputName]: new Tensor('float32', input, [1, 3, size, size]) });
  } catch (error) {
    throw new InputError(net.file, `inference failed: ${firstLine(error)}`);
  }
  const out = result[net.outputName];
  const dims = out.dims;
  if (out.type !== 'float32' || dims.length !== 4 || dims[0] !== 1 || dims[1] !== net.channels) {
    throw new InputError(net.file, `output '${net.outputName}' is ${out.type} [${dims.join(', ')}]; expected float32 [1, ${net.channels}, h, w]`);
  }
  return { data: out.data as Float32Array, w: dims[3], h: dims[2] };
}

/**
 * The network's prediction on the image tensor, with the flip augmentation when asked:
 * the mirrored input's prediction mirrored back, channel 0 negated (plus `uOffset`), averaged.
 */
async function predict(net: Network, input: Float32Array, mirrored: Float32Array | undefined, size: number, uOffset: number): Promise<{ data: Float32Array; w: number; h: number }> {
  const direct = await infer(net, input, size);
  if (!mirrored) return direct;
  const flipped = await infer(net, mirrored, size);
  if (flipped.w !== direct.w || flipped.h !== direct.h) throw new InputError(net.file, 'the output size changed between runs');
  const back = mirrorPlanes(flipped.data, net.channels, flipped.w, flipped.h);
  const plane = direct.w * direct.h;
  const out = new Float32Array(direct.data.length);
  for (let i = 0; i < out.length; i++) {
    const m = i < plane ? -back[i] + uOffset : back[i];
    out[i] = (direct.data[i] + m) / 2;
  }
  return { data: out, w: direct.w, h: direct.h };
}

/** [C, h, w] planes → interleaved [outH, outW, C]. */
function toImageGrid(map: { data: Float32Array; w: number; h: number }, channels: number, outW: number, outH: number): Float32Array {
  const out = new Float32Array(channels * outW * outH);
  for (let c = 0; c < channels; c++) resizePlane(map.data, c * map.w * map.h, map.w, map.h, outW, outH, out, channels, c);
  return out;
}

/** Open both networks once; `run` predicts the priors of one image (optionally with a 0/1 validity mask of the image's size). */
export async function loadOnnxPriors(config: OnnxPriorsConfigInput): Promise<OnnxPriorsRunner> {
  const cfg = OnnxPriorsConfigSchema.parse(config);
  const size = cfg.inputSize;
  const uvNet = await openNetwork(cfg.uvModel, 2, size, 'UV network');
  let normalNet: Network;
  try {
    normalNet = await openNetwork(cfg.normalModel, 3, size, 'normal network');
  } catch (error) {
    await uvNet.session.release();
    throw error;
  }
  const axes = cfg.normalAxes.map((a) => ({ sign: a[0] === '-' ? -1 : 1, channel: Number(a[1]) }));
  return {
    async run(image: RgbImage, mask?: Uint8Array): Promise<ScreenPriors> {
      const { width, height } = image;
      const pixels = width * height;
      if (mask && mask.length !== pixels) throw new InputError('mask', `has ${mask.length} pixels; the image has ${width}x${height}`);
      const input = rgbToNormalizedChw(image, size, size, cfg.mean, cfg.std);
      const mirrored = cfg.flip ? mirrorPlanes(input, 3, size, size) : undefined;
      const uvRaw = toImageGrid(await predict(uvNet, input, mirrored, size, cfg.flipUOffset), 2, width, height);
      const nRaw = toImageGrid(await predict(normalNet, input, mirrored, size, 0), 3, width, height);
      const uv = new Float32Array(2 * pixels).fill(Number.NaN);
      const normals = new Float32Array(3 * pixels).fill(Number.NaN);
      const outMask = new Uint8Array(pixels);
      for (let p = 0; p < pixels; p++) {
        if (mask && !mask[p]) continue;
        outMask[p] = 1;
        for (let k = 0; k < 2; k++) {
          const v = cfg.uvScale[k] * uvRaw[2 * p + k] + cfg.uvOffset[k];
          uv[2 * p + k] = cfg.clampUv ? Math.min(Math.max(v, 0), 1) : v;
        }
        const n0 = nRaw[3 * p];
        const n1 = nRaw[3 * p + 1];
        const n2 = nRaw[3 * p + 2];
        const len = Math.hypot(n0, n1, n2);
        if (!(len > 0) || !Number.isFinite(len)) continue;
        const raw = [n0 / len, n1 / len, n2 / len];
        for (let k = 0; k < 3; k++) normals[3 * p + k] = axes[k].sign * raw[axes[k].channel];
      }
      return { width, height, uv, normals, mask: outMask };
    },
    async release(): Promise<void> {
      await uvNet.session.release();
      await normalNet.session.release();
    },
  };
}

/** The priors of one image from the two networks (opens and releases them). */
export async function onnxPriors(image: RgbImage, config: OnnxPriorsConfigInput, mask?: Uint8Array): Promise<ScreenPriors> {
  const runner = await loadOnnxPriors(config);
  try {
    return await runner.run(image, mask);
  } finally {
    await runner.release();
  }
}

/** A 0/1 validity mask from a label map (e.g. the benchmark's): 1 where the label is one of `keep`. */
export function maskFromLabels(labels: { width: number; height: number; data: Uint8Array }, keep: readonly number[]): Uint8Array {
  const kept = new Set(keep);
  const mask = new Uint8Array(labels.width * labels.height);
  for (let p = 0; p < mask.length; p++) mask[p] = kept.has(labels.data[p]) ? 1 : 0;
  return mask;
}
