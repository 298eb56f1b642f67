/**
 * The config of an ONNX normal estimator (image → camera-frame normal map) and its presets.
 *
 * A config names the model and how the item's crop becomes its input and its output a normal
 * map: `input` (tensor name, size W×H, `stretch` or `fit-pad` resize, mean/std on 0–255 values,
 * pad colour), `output` (tensor name, channel count: the first 3 are the normal) and
 * `normalAxes` (a sign and a raw channel per OpenCV axis x, y, z, as pixel3dmm's onnx-priors.ts).
 * A preset fills every field the config leaves out:
 *
 * - `sapiens` (facebookresearch/sapiens, lite/demo/vis_normal.py + adhoc_image_dataset.py):
 *   768×1024 (W×H) stretched (cv2.resize without keeping the aspect ratio), RGB,
 *   (v − [123.5, 116.5, 103.5]) / [58.5, 57.0, 57.5]; 3 output channels.
 * - `metric3d` (YvanYin/Metric3D, hubconf.py, ViT models): fit into 1064×616 (W×H) keeping the
 *   aspect ratio (scale = min(616/h, 1064/w), sizes truncated), padded evenly (the odd pixel at
 *   the bottom/right) with the mean colour, (v − [123.675, 116.28, 103.53]) /
 *   [58.395, 57.12, 57.375]; 4 output channels (`prediction_normal`: normal, then confidence).
 * - `custom`: nothing preset; `input.size` is required, mean 0 and std 255 (input in [0, 1]).
 *
 * Axis conventions (`normalAxes` defaults) are NOT confirmed by the authors' code for either
 * model; see baselines/README.md (normals-onnx) for how to check them on a frontal face.
 */
import { dirname, isAbsolute, resolve } from 'node:path';
import { z } from 'zod';
import { InputError } from '../../evaluators/errors.js';
import { readJsonFile } from '../../evaluators/formats/json-file.js';

export const PRESET_NAMES = ['sapiens', 'metric3d', 'custom'] as const;
export type PresetName = (typeof PRESET_NAMES)[number];
export const RESIZE_MODES = ['stretch', 'fit-pad'] as const;

const triple = z.tuple([z.number(), z.number(), z.number()]);
const axis = z.string().regex(/^[+-][012]$/, 'an axis is a sign and a raw channel: "+0", "-2", …');
const size = z.tuple([z.number().int().positive(), z.number().int().positive()]);

/** The fields of a config; every one optional (a preset or the defaults fill them). */
export const normalsConfigShape = {
  model: z.string().min(1).optional().describe('the ONNX file (image → normal map)'),
  preset: z.enum(PRESET_NAMES).optional().describe("'sapiens' | 'metric3d' | 'custom' (default custom): fills the fields left out"),
  input: z
    .object({
      name: z.string().min(1).optional().describe("input tensor (default: the model's first input)"),
      size: size.optional().describe('[W, H] of the network input'),
      resize: z.enum(RESIZE_MODES).optional().describe("'stretch' (to W×H, aspect ratio not kept) | 'fit-pad' (keep the aspect ratio, pad)"),
      mean: triple.optional().describe('per-channel mean (RGB, on 0–255 values)'),
      std: triple.refine((s) => s.every((v) => v > 0), 'std entries must be positive').optional().describe('per-channel std (RGB, on 0–255 values)'),
      padValue: triple.optional().describe('fit-pad: RGB pad colour on 0–255 values'),
    })
    .strict()
    .optional(),
  output: z
    .object({
      name: z.string().min(1).optional().describe("output tensor (default: the model's first output)"),
      channels: z.number().int().min(3).optional().describe('channels of the output [1, C, h, w]; the first 3 are the normal'),
    })
    .strict()
    .optional(),
  normalAxes: z.tuple([axis, axis, axis]).optional().describe('sign and raw output channel of the OpenCV x, y, z (e.g. ["+0", "-1", "-2"])'),
  useFaceMask: z.boolean().optional().describe("NaN outside the item's face_mask.png when the benchmark has one (default true)"),
};

/** A config file (and the method's inline options): every field optional. */
export const NormalsConfigSchema = z.object(normalsConfigShape).strict();
export type NormalsConfigInput = z.input<typeof NormalsConfigSchema>;

/** A config with every field filled. */
export interface NormalsConfig {
  model: string;
  preset: PresetName;
  input: { name?: string; size: [number, number]; resize: (typeof RESIZE_MODES)[number]; mean: number[]; std: number[]; padValue: number[] };
  output: { name?: string; channels: number };
  normalAxes: [string, string, string];
  useFaceMask: boolean;
}

/** What a preset fills (custom: everything but the size). */
export const NORMALS_PRESETS: Record<PresetName, Omit<NormalsConfig, 'model' | 'preset' | 'useFaceMask' | 'input'> & { input: Omit<NormalsConfig['input'], 'size'> & { size?: [number, number] } }> = {
  sapiens: {
    input: { size: [768, 1024], resize: 'stretch', mean: [123.5, 116.5, 103.5], std: [58.5, 57.0, 57.5], padValue: [0, 0, 0] },
    output: { channels: 3 },
    // Unconfirmed: a y-up, z-towards-the-viewer frame (see baselines/README.md, normals-onnx).
    normalAxes: ['+0', '-1', '-2'],
  },
  metric3d: {
    input: { size: [1064, 616], resize: 'fit-pad', mean: [123.675, 116.28, 103.53], std: [58.395, 57.12, 57.375], padValue: [123.675, 116.28, 103.53] },
    output: { channels: 4 },
    // Unconfirmed: OpenCV axes (x right, y down, z forward), normals facing the camera.
    normalAxes: ['+0', '+1', '+2'],
  },
  custom: {
    input: { resize: 'stretch', mean: [0, 0, 0], std: [255, 255, 255], padValue: [0, 0, 0] },
    output: { channels: 3 },
    normalAxes: ['+0', '+1', '+2'],
  },
};

/** Fill a config from its preset; `source` names it in errors. Paths stay as given. */
export function resolveNormalsConfig(config: NormalsConfigInput, source: string): NormalsConfig {
  const preset = config.preset ?? 'custom';
  const base = NORMALS_PRESETS[preset];
  if (!config.model) throw new InputError(source, 'needs "model": the ONNX file of the normal estimator (or "config": a JSON file naming it)');
  const input = { ...base.input, ...stripUndefined(config.input ?? {}) };
  if (!input.size) throw new InputError(source, `needs "input": {"size": [W, H]} with preset "${preset}" (or preset "sapiens" / "metric3d")`);
  const output = { ...base.output, ...stripUndefined(config.output ?? {}) };
  return {
    model: config.model,
    preset,
    input: input as NormalsConfig['input'],
    output,
    normalAxes: (config.normalAxes ?? base.normalAxes) as [string, string, string],
    useFaceMask: config.useFaceMask ?? true,
  };
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** A config file, validated; `model` relative to the file's folder. */
export function readNormalsConfigFile(path: string): NormalsConfigInput {
  const config = readJsonFile(path, NormalsConfigSchema, 'a normals-onnx config ({model, preset?, input?, output?, normalAxes?, useFaceMask?})');
  if (config.model && !isAbsolute(config.model)) config.model = resolve(dirname(resolve(path)), config.model);
  return config;
}

/**
 * The config of the method's options: the `config` file (if any) under the inline fields
 * (inline `input`/`output` fields override the file's one by one), then the preset.
 */
export function normalsConfigOf(options: NormalsConfigInput & { config?: string }, source = '--opts'): NormalsConfig {
  const { config: file, ...inline } = options;
  const fromFile = file ? readNormalsConfigFile(file) : {};
  const merged: NormalsConfigInput = {
    ...fromFile,
    ...stripUndefined(inline),
    input: { ...fromFile.input, ...stripUndefined(inline.input ?? {}) },
    output: { ...fromFile.output, ...stripUndefined(inline.output ?? {}) },
  };
  return resolveNormalsConfig(merged, file && !inline.model ? file : source);
}
