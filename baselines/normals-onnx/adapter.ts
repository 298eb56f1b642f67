/**
 * The `normals-onnx` method: any ONNX normal estimator (image → camera-frame normal map; config.ts,
 * with presets for Sapiens and Metric3D v2) run on each item's crop. It predicts maps only
 * (`tasks: []`): `facebench predict` writes `normals.npy` per item and no meshes, `facebench
 * eval-normals` scores them (Table 4), and `eval` refuses the folder.
 */
import { existsSync } from 'node:fs';
import { z } from 'zod';
import { InputError } from '../../evaluators/errors.js';
import { readRgbImage } from '../../evaluators/image/index.js';
import { defineMethod } from '../adapter.js';
import { itemFaceMask } from '../item-files.js';
import { normalsConfigOf, normalsConfigShape } from './config.js';
import { estimateNormals } from './estimator.js';

export const normalsOnnxOptions = z
  .object({
    config: z.string().min(1).optional().describe('a JSON config file with the fields below (model relative to it); inline fields override it'),
    ...normalsConfigShape,
  })
  .strict();
export type NormalsOnnxOptions = z.output<typeof normalsOnnxOptions>;

export const normalsOnnxAdapter = defineMethod({
  name: 'normals-onnx',
  version: '1.0.0',
  description: 'an ONNX normal estimator (presets sapiens, metric3d) on the crop: normal maps only (normals.npy), scored by facebench eval-normals',
  options: normalsOnnxOptions,
  tasks: [],
  async prepare({ options }) {
    // A missing config or model file refuses the run before any item (the model is opened per thread).
    const config = normalsConfigOf(options);
    if (!existsSync(config.model)) throw new InputError(config.model, 'ONNX model file not found (option model)');
  },
  async predict(item, options) {
    const config = normalsConfigOf(options);
    const mask = config.useFaceMask ? itemFaceMask(item) : undefined;
    const maps = await estimateNormals(readRgbImage(item.imagePath), config, mask);
    return { maps };
  },
});
