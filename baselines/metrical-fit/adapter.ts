/**
 * The `metrical-fit` method: a fit in the manner of Metrical Tracker (Zielonka et al., ECCV
 * 2022) on one image — dense MediaPipe landmarks (dense-landmarks.ts) and a photometric term
 * on the albedo/SH shading model of Pixel3DMM's `landmarks-photometric` variant, with an
 * identity prior from MICA when given — solved by the same Levenberg–Marquardt solver as
 * `pixel3dmm` (baselines/pixel3dmm/fit.ts). Posed = fitted identity and expression, neutral =
 * the identity alone, in the model frame (mm), with the model's 7 landmarks.
 *
 * Where Metrical Tracker differs: it tracks a video with a differentiable renderer, a 140-mode
 * texture space, per-group landmark weights (face, eyes, mouth, iris, oval) and a Gaussian
 * pyramid; this fit is per image, with one landmark weight, the shading model of photometric.ts
 * and MediaPipe's points in place of FAN's for the outline.
 */
import { z } from 'zod';
import { InputError } from '../../evaluators/errors.js';
import { readRgbImage } from '../../evaluators/image/index.js';
import { defineMethod } from '../adapter.js';
import { modelPrediction, TargetModelSchema } from '../landmark-fit/target-model.js';
import { detectFaceMesh } from '../mediapipe/index.js';
import { fitLandmarksPhotometric, fitModelFor, identityPriorFor, pixel3dmmOptions, truthNeed, type Pixel3dmmOptions } from '../pixel3dmm/index.js';
import { denseLandmarkSet, observeDenseLandmarks, type DenseLandmarkSet } from './dense-landmarks.js';

/** pixel3dmm's options for the same terms, with metrical-fit's model, landmarks, prior choices and identity weight. */
export const metricalFitOptions = pixel3dmmOptions
  .pick({
    uvObj: true, identityPriorModel: true, identityPriorPath: true, identityPriorNoise: true, seed: true,
    lambdaLandmark: true, lambdaPhotometric: true, photometricCutoff: true, photometricBlur: true, lambdaExpression: true,
    focal: true, identityCount: true, expressionCount: true, maxIterations: true, associateEvery: true,
  })
  .extend({
    model: TargetModelSchema.default('demo').describe("linear model to fit: 'demo', or {flame: file, landmarkEmbedding: file} with mediapipeEmbedding"),
    mediapipeEmbedding: z.string().min(1).optional().describe("FLAME: Metrical Tracker's / SMIRK's mediapipe_landmark_embedding.npz (the demo model has its own correspondence)"),
    identityPrior: z.enum(['zero', 'onnx', 'file', 'truth-noisy']).default('zero').describe("identity prior: 'zero', 'onnx' (MICA: identityPriorModel, e.g. models/mica.onnx, run as the mica method runs it), 'file' (identityPriorPath/<pid>.json|.npy) or 'truth-noisy' (demo benchmarks: the truth identity with noise, a stand-in for MICA)"),
    lambdaIdentity: z.number().nonnegative().default(10).describe("weight of ‖z_id − z_id^prior‖² (pixel3dmm's 0.15 suits its dense UV term; landmarks alone need more: on the demo 0.15 doubles the neutral error)"),
  })
  .strict();
export type MetricalFitOptions = z.output<typeof metricalFitOptions>;

/** The same settings as options of pixel3dmm's landmarks-photometric variant, whose solver this is. */
export function asPixel3dmmOptions(options: MetricalFitOptions): Pixel3dmmOptions {
  const { mediapipeEmbedding: _dense, ...shared } = options;
  return pixel3dmmOptions.parse({ ...shared, variant: 'landmarks-photometric', landmarkSource: 'mediapipe', priors: 'onnx', onnx: {} });
}

const sets = new Map<string, DenseLandmarkSet>();

/** The model's dense landmark set, once per model and embedding file. */
function landmarkSetFor(options: MetricalFitOptions): DenseLandmarkSet {
  const key = JSON.stringify([options.model, options.uvObj ?? null, options.mediapipeEmbedding ?? null]);
  let set = sets.get(key);
  if (!set) {
    set = denseLandmarkSet(fitModelFor(asPixel3dmmOptions(options)).model, options.mediapipeEmbedding);
    sets.set(key, set);
  }
  return set;
}

/** Refuse option combinations that cannot work, before any item. */
function checkOptions(options: MetricalFitOptions): void {
  if (options.identityPrior === 'onnx' && !options.identityPriorModel) throw new InputError('--opts', "identityPrior 'onnx' needs identityPriorModel (MICA's export, e.g. models/mica.onnx)");
  if (options.identityPrior === 'file' && !options.identityPriorPath) throw new InputError('--opts', "identityPrior 'file' needs identityPriorPath (a folder of <pid>.json|.npy)");
}

export const metricalFitAdapter = defineMethod({
  name: 'metrical-fit',
  version: '1.0.0',
  description: 'Metrical-Tracker-style fit on one image: dense MediaPipe landmarks + an albedo/SH photometric term, MICA identity prior when given, on pixel3dmm\'s solver',
  options: metricalFitOptions,
  requires: { benchmark: (options) => truthNeed(asPixel3dmmOptions(options)) },
  async prepare({ options }) {
    checkOptions(options);
    landmarkSetFor(options);
  },
  async predict(item, options) {
    checkOptions(options);
    const p3 = asPixel3dmmOptions(options);
    const fm = fitModelFor(p3);
    const { landmarks } = await detectFaceMesh(readRgbImage(item.imagePath));
    if (!landmarks) throw new InputError(item.imagePath, 'MediaPipe found no face in this image, so there are no landmarks to fit');
    const prior = await identityPriorFor(item, p3, fm.model);
    const fit = await fitLandmarksPhotometric(fm, item, p3, prior, observeDenseLandmarks(landmarkSetFor(options), landmarks));
    if (!fit.identity.every(Number.isFinite) || !fit.expression.every(Number.isFinite)) throw new InputError(item.imagePath, 'the metrical fit diverged (non-finite coefficients)');
    return modelPrediction(fm.model, { identity: fit.identity, expression: fit.expression });
  },
});
