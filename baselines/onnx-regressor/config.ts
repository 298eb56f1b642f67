/**
 * The regressor config: a small JSON file describing an ONNX model that maps a face image
 * to linear-model coefficients (DECA / EMOCA / MICA style exports):
 *
 *   { "model": "deca.onnx",                                   path, relative to the config file
 *     "input": { "name": "image", "size": [224, 224], "mean": [0,0,0], "std": [1,1,1], "layout": "NCHW",
 *                "crop": "none" | "deca" | "smirk" | "arcface", "round": false },
 *     "outputs": { "identity": "shape", "expression": "exp", "jaw": "jaw" },
 *     "target": "demo" | {"ict": folder} | {"flame": "generic_model.pkl", "landmarkEmbedding": "…"} }
 *
 * With crop "none" the image is resized bilinearly to `size` (w, h); the other crops are
 * the ones DECA/EMOCA, SMIRK and MICA (ArcFace) are trained on, placed from the MediaPipe
 * landmarks of the image (crops.ts; size must then be square). Samples are scaled to [0, 1]
 * (rounded to bytes first with `round`, as a crop made by OpenCV on a uint8 image is) and
 * normalised (v − mean)/std per RGB channel. `jaw` (optional) is an axis-angle (3 values)
 * for the target's 'jaw' joint (FLAME).
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { z } from 'zod';
import { InputError } from '../../evaluators/errors.js';
import { TargetModelSchema, type TargetModel } from '../landmark-fit/target-model.js';
import { CROP_KINDS } from './crops.js';

const triple = z.tuple([z.number(), z.number(), z.number()]);

export const RegressorConfigSchema = z
  .object({
    model: z.string().min(1),
    input: z
      .object({
        name: z.string().min(1).optional(),
        size: z.tuple([z.number().int().positive(), z.number().int().positive()]),
        mean: triple.default([0, 0, 0]),
        std: triple.default([1, 1, 1]).refine((s) => s.every((v) => v > 0), 'std entries must be positive'),
        layout: z.enum(['NCHW', 'NHWC']).default('NCHW'),
        crop: z.enum(CROP_KINDS).default('none'),
        round: z.boolean().default(false),
      })
      .strict()
      .refine((input) => input.crop === 'none' || input.size[0] === input.size[1], { message: 'a face crop (crop other than "none") is square: give size [S, S]', path: ['size'] }),
    outputs: z
      .object({
        identity: z.string().min(1),
        /** Optional: an identity-only regressor (MICA style) predicts no expression (all zero). */
        expression: z.string().min(1).optional(),
        jaw: z.string().min(1).optional(),
      })
      .strict(),
    target: TargetModelSchema.default('demo'),
  })
  .strict();
export type RegressorConfig = z.output<typeof RegressorConfigSchema>;

/** Make a path from the config absolute (relative to the config's folder). */
function fromConfig(base: string, path: string): string {
  return isAbsolute(path) ? path : resolve(base, path);
}

/** Read and validate a regressor config; paths inside it are resolved against its folder. */
export function readRegressorConfig(path: string): RegressorConfig {
  if (!existsSync(path)) throw new InputError(path, 'regressor config not found (option config)');
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new InputError(path, `not valid JSON (${(error as Error).message})`);
  }
  const parsed = RegressorConfigSchema.safeParse(doc);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => {
      const where = i.path.join('.') || '(config)';
      return i.code === 'invalid_type' && i.input === undefined ? `${where}: missing` : `${where}: ${i.message}`;
    });
    throw new InputError(path, `invalid regressor config: ${problems.join('; ')}`);
  }
  const config = parsed.data;
  const base = dirname(resolve(path));
  let target: TargetModel = config.target;
  if (typeof target === 'object' && 'flame' in target) {
    target = { ...target, flame: fromConfig(base, target.flame), ...(target.landmarkEmbedding ? { landmarkEmbedding: fromConfig(base, target.landmarkEmbedding) } : {}) };
  } else if (typeof target === 'object' && 'ict' in target) {
    target = { ict: fromConfig(base, target.ict) };
  }
  return { ...config, model: fromConfig(base, config.model), target };
}
