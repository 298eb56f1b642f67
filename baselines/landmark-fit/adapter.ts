/**
 * The `landmark-fit` method: a linear face model fitted to 68 2D landmarks of the input crop
 * (fit.ts: identity, expression, head pose and focal length by Levenberg–Marquardt with
 * Tikhonov priors). The posed prediction is the model with the fitted identity and
 * expression, the neutral one the identity alone, both in the model frame (mm); the 7
 * alignment landmarks come from the model's landmark embedding.
 */
import { isAbsolute, resolve } from 'node:path';
import { existsSync, statSync } from 'node:fs';
import { z } from 'zod';
import { InputError } from '../../evaluators/errors.js';
import { readRgbImage } from '../../evaluators/image/index.js';
import { defineMethod, type PredictItem } from '../adapter.js';
import { detectIbug68 } from '../mediapipe/index.js';
import { fitLandmarks, type LandmarkFit } from './fit.js';
import { landmarkBasis, type LandmarkBasis } from './landmark-basis.js';
import { landmarkFileFor, pngSize, readLandmarks2d } from './landmark-source.js';
import { expressionsAreWeights, loadTargetModel, modelPrediction, TargetModelSchema } from './target-model.js';

export const landmarkFitOptions = z
  .object({
    model: TargetModelSchema.default('demo').describe("linear model to fit: 'demo', {ict: folder of an ICT-FaceKit export} or {flame: file, landmarkEmbedding: file}"),
    landmarks: z.string().min(1).default('mediapipe').describe("2D landmark source: 'mediapipe' or a folder with <pid>/<item>/landmarks2d.json|.npy (68 [x,y], crop pixels)"),
    identityCount: z.number().int().nonnegative().default(100).describe('identity modes fitted (capped at the model\'s)'),
    expressionCount: z.number().int().nonnegative().default(50).describe('expression modes fitted (capped at the model\'s)'),
    lambdaIdentity: z.number().nonnegative().optional().describe('weight of ‖identity‖² (px²; coefficients ~ N(0,1)); default 1 with landmark files, 300 with MediaPipe landmarks'),
    lambdaExpression: z.number().nonnegative().optional().describe('weight of ‖expression‖² (px²); default 1 with landmark files, 30 with MediaPipe landmarks'),
    expressionBox: z.boolean().optional().describe('project expressions onto [0,1] (default: on for blendshape models demo/ICT, off for FLAME)'),
    focal: z.number().positive().optional().describe('focal length, px in the crop (default 4 × crop width): start value when fitted'),
    fitFocal: z.boolean().default(true).describe('fit the focal length'),
    lambdaFocal: z.number().nonnegative().default(100).describe('weight of log²(f/focal) (px²): a weak prior that keeps the focal–depth valley well conditioned'),
    principalPoint: z.tuple([z.number(), z.number()]).optional().describe('principal point, px (default the crop centre)'),
    maxIterations: z.number().int().positive().default(50).describe('Levenberg–Marquardt iterations'),
  })
  .strict();
export type LandmarkFitOptions = z.output<typeof landmarkFitOptions>;

const bases = new Map<string, LandmarkBasis>();

function basisFor(options: LandmarkFitOptions): { basis: LandmarkBasis; model: ReturnType<typeof loadTargetModel> } {
  const model = loadTargetModel(options.model);
  const key = JSON.stringify([options.model, options.identityCount, options.expressionCount]);
  let basis = bases.get(key);
  if (!basis) {
    if (!model.landmarks68) throw new InputError('--opts', `model ${model.name} has no iBUG-68 landmark embedding (FLAME: give landmarkEmbedding: landmark_embedding.npy)`);
    basis = landmarkBasis(model, options.identityCount, options.expressionCount);
    bases.set(key, basis);
  }
  return { basis, model };
}

/** The landmark folder of the options, or undefined for MediaPipe landmarks detected on the image. */
function landmarkFolder(options: LandmarkFitOptions): string | undefined {
  if (options.landmarks === 'mediapipe') return undefined;
  const dir = isAbsolute(options.landmarks) ? options.landmarks : resolve(options.landmarks);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new InputError(dir, 'landmark folder not found (option landmarks)');
  return dir;
}

/** The item's 68 2D landmarks in crop pixels: from the landmark folder, or MediaPipe Face Mesh run on the crop. */
async function observedLandmarks(folder: string | undefined, item: PredictItem): Promise<{ observed: Float64Array; source: string }> {
  if (folder) {
    const file = landmarkFileFor(folder, item.item.person, item.item.id);
    return { observed: readLandmarks2d(file), source: file };
  }
  const observed = await detectIbug68(readRgbImage(item.imagePath));
  if (!observed) throw new InputError(item.imagePath, 'MediaPipe found no face in this image, so there are no landmarks to fit');
  return { observed, source: `${item.imagePath} (MediaPipe landmarks)` };
}

/**
 * Default regulariser weights: detected landmarks are noisier than given ones (a few pixels
 * on the demo renders), so MediaPipe landmarks get stronger priors — identity 300, expression
 * 30, chosen on 15 demo items (every 4th from the first) among 30–3000 and tried on 15
 * others (every 4th from the second), where all 15 fits beat the mean shape; given landmark
 * files get 1 and 1.
 */
function defaultLambdas(options: LandmarkFitOptions): { identity: number; expression: number } {
  return options.landmarks === 'mediapipe' ? { identity: 300, expression: 30 } : { identity: 1, expression: 1 };
}

/** Fit the model to one image's 68 landmarks (pixels) in a crop of the given size. */
export function fitImageLandmarks(observed: Float64Array, width: number, height: number, options: LandmarkFitOptions): { fit: LandmarkFit; basis: LandmarkBasis } {
  const { basis } = basisFor(options);
  const fit = fitLandmarks(basis, observed, {
    principalPoint: options.principalPoint ?? [(width - 1) / 2, (height - 1) / 2],
    focal: options.focal ?? 4 * width,
    fitFocal: options.fitFocal,
    lambdaIdentity: options.lambdaIdentity ?? defaultLambdas(options).identity,
    lambdaExpression: options.lambdaExpression ?? defaultLambdas(options).expression,
    lambdaFocal: options.lambdaFocal,
    expressionBox: options.expressionBox ?? expressionsAreWeights(options.model),
    maxIterations: options.maxIterations,
  });
  return { fit, basis };
}

export const landmarkFitAdapter = defineMethod({
  name: 'landmark-fit',
  version: '1.0.0',
  description: 'linear face model (identity, expression, pose, focal) fitted to 68 2D landmarks by Levenberg–Marquardt with Tikhonov priors',
  options: landmarkFitOptions,
  async prepare({ options }) {
    landmarkFolder(options);
    basisFor(options);
  },
  async predict(item, options) {
    const { observed, source } = await observedLandmarks(landmarkFolder(options), item);
    const { width, height } = pngSize(item.imagePath);
    const { fit } = fitImageLandmarks(observed, width, height, options);
    if (!Number.isFinite(fit.rmsPixels)) throw new InputError(source, 'the landmark fit diverged (non-finite reprojection error); check the landmarks are crop pixels');
    return modelPrediction(basisFor(options).model, { identity: fit.identity, expression: fit.expression });
  },
});
