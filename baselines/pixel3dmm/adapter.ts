/**
 * The `pixel3dmm` method: Pixel3DMM's fitting (fit.ts) of a linear face model with per-vertex
 * UVs to screen-space UV and normal priors. Priors come from a pluggable source: `truth` (demo
 * benchmarks: the truth mesh rendered into the crop camera, degraded by `priorNoise`;
 * truth-source.ts) or `onnx` (the two networks exported to ONNX; onnx-priors.ts). The posed
 * prediction is the fitted identity and expression, the neutral one the identity alone, both in
 * the model frame (mm; the protocol aligns by landmarks and ICP), with the 7 landmarks of the
 * model's embedding.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { z } from 'zod';
import { InputError } from '../../evaluators/errors.js';
import { readRgbImage } from '../../evaluators/image/index.js';
import { readNpy, npyToFloat64 } from '../../evaluators/io/npy.js';
import { defineMethod, type PredictItem } from '../adapter.js';
import { itemFaceMask } from '../item-files.js';
import { fitImageLandmarks, landmarkFitOptions } from '../landmark-fit/index.js';
import { expressionsAreWeights, loadTargetModel, modelPrediction, TargetModelSchema, type TargetModel } from '../landmark-fit/target-model.js';
import { detectIbug68 } from '../mediapipe/index.js';
import type { LandmarkEmbedding, LinearFaceModel } from '../models/index.js';
import { fitPixel3dmm, prepareFitModel, REFERENCE_SIZE, type FitModel, type Pixel3dmmFit, type Pixel3dmmFitOptions } from './fit.js';
import { shadingImage } from './photometric.js';
import type { ScreenPriors } from './priors.js';
import { noisyTruthIdentity, truthLandmarks2d, truthPriors } from './truth-source.js';
import { readObjVertexUvs } from './uv-obj.js';
import { checkCoefficients, identityRegressorConfig, openRegressor, regressCoefficients } from '../onnx-regressor/index.js';

export const VARIANTS = ['full', 'only-uv', 'only-normal', 'landmarks', 'landmarks-photometric', 'no-identity-prior'] as const;

export const pixel3dmmOptions = z
  .object({
    priors: z.enum(['truth', 'onnx']).default('truth').describe("prior source: 'truth' (demo benchmarks: the truth mesh's UV and normal maps in the crop camera) or 'onnx' (the networks exported to ONNX; give onnx)"),
    onnx: z.record(z.string(), z.unknown()).optional().describe('with priors "onnx": the ONNX priors config (uvModel, normalModel, … see onnx-priors.ts)'),
    priorNoise: z.number().nonnegative().default(1).describe('truth priors: degradation level (1 = 3×3 blur, UV noise σ 0.004, normal noise σ 0.06, 3 % wrong pixels; strengths scale with the level; 0 = exact maps)'),
    seed: z.number().int().nonnegative().default(0).describe('seed of the prior degradation and the noisy identity (per-item streams derive from it)'),
    saveMaps: z.boolean().default(false).describe('write the priors the fit used beside the meshes: normals.npy (crop camera frame, what `facebench eval-normals` scores) and uv.npy'),
    model: TargetModelSchema.default('demo').describe("linear model to fit: 'demo', {ict: folder} or {flame: file, …}; needs per-vertex UVs (demo: built in; others: uvObj). Truth priors are in the demo model's UV layout"),
    uvObj: z.string().min(1).optional().describe("textured OBJ in the model's vertex order (vt + f v/vt) giving its per-vertex UVs (first corner's UV on seams), e.g. FLAME's head_template.obj"),
    variant: z.enum(VARIANTS).default('full').describe('full | only-uv | only-normal | landmarks (landmark-fit energy on 68 landmarks) | landmarks-photometric (68 landmarks + the albedo/SH photometric term, this solver) | no-identity-prior'),
    identityPrior: z.enum(['auto', 'zero', 'file', 'onnx', 'truth-noisy']).default('auto').describe("identity prior z_id^prior: 'auto' ('truth-noisy' with truth priors, the demo's stand-in for MICA; else 'zero'), 'zero', 'file' (identityPriorPath/<pid>.json|.npy), 'onnx' (a MICA-style identity regressor run on the item's crop, identityPriorModel) or 'truth-noisy' (demo: the truth identity + N(0, identityPriorNoise²), a stand-in for MICA)"),
    identityPriorModel: z.string().min(1).optional().describe("with identityPrior 'onnx': MICA's ONNX export (mica.onnx, run as the mica method runs it) or a regressor config (.json, the onnx-regressor contract of baselines/README.md) whose outputs.identity gives the fitted model's identity coefficients"),
    identityPriorPath: z.string().min(1).optional().describe("folder of per-person identity coefficient files <pid>.json (a list or {identity: list}) or <pid>.npy"),
    identityPriorNoise: z.number().nonnegative().default(0.3).describe("σ of the noise of the 'truth-noisy' identity prior (coefficients ~ N(0, 1))"),
    landmarkSource: z.enum(['truth', 'mediapipe']).default('truth').describe("variants landmarks and landmarks-photometric: 'truth' (demo: the truth mesh's 68 landmarks projected, + N(0, (landmarkNoise·priorNoise·W/512)²)) or 'mediapipe'"),
    landmarkNoise: z.number().nonnegative().default(1.5).describe('truth landmarks: noise σ in px of a 512-px crop at priorNoise 1'),
    lambdaUv: z.number().nonnegative().default(2000).describe('weight of L_uv (mean robust pixel distance of the UV pairs)'),
    lambdaNormal: z.number().nonnegative().default(200).describe('weight of L_n (mean normal distance, cut off at normalCutoff)'),
    lambdaLandmark: z.number().nonnegative().default(20).describe('variant landmarks-photometric: weight of the mean landmark pixel distance'),
    lambdaPhotometric: z.number().nonnegative().default(100).describe('variant landmarks-photometric: weight of the mean RGB distance (in [0, 1]) between the crop and the shaded model'),
    photometricCutoff: z.number().positive().default(0.15).describe('colour distance from which a vertex is an outlier of the photometric term'),
    photometricBlur: z.number().nonnegative().default(3).describe('σ in px (at a 512-px crop) of the Gaussian smoothing of the crop for the photometric term'),
    lambdaIdentity: z.number().nonnegative().default(0.15).describe('weight of ‖z_id − z_id^prior‖²'),
    lambdaExpression: z.number().nonnegative().default(0.01).describe('weight of ‖z_ex‖²'),
    lambdaFocal: z.number().nonnegative().default(10).describe('weight of log²(f/f₀) (not in the paper; keeps the focal–depth valley conditioned)'),
    lambdaPrincipalPoint: z.number().nonnegative().default(0.1).describe('weight of ‖c − c₀‖² per px² (not in the paper)'),
    uvThreshold: z.number().positive().default(5e-5).describe('squared UV distance under which a vertex finds its prior pixel, at a 512-px crop (scaled by (512/W)²)'),
    pixelThreshold: z.number().positive().default(20).describe('pixel distance under which a UV pair counts, at a 512-px crop (scaled by W/512)'),
    normalCutoff: z.number().positive().default(0.33).describe('normal distance from which a vertex is an outlier of L_n'),
    focal: z.number().positive().optional().describe('start focal length, px of the crop (default 4 × crop width); also the centre of its prior'),
    fitFocal: z.boolean().default(true),
    fitPrincipalPoint: z.boolean().default(true),
    identityCount: z.number().int().nonnegative().default(100).describe("identity modes fitted (capped at the model's)"),
    expressionCount: z.number().int().nonnegative().default(50).describe("expression modes fitted (capped at the model's)"),
    maxIterations: z.number().int().positive().default(18).describe('Levenberg–Marquardt iterations of the joint stage'),
    associateEvery: z.number().int().positive().default(3).describe('iterations between re-finding UV pairs, visibility and robust weights'),
  })
  .strict();
export type Pixel3dmmOptions = z.output<typeof pixel3dmmOptions>;

/** A source of screen priors for one item. */
export type PriorsSource = (item: PredictItem, options: Pixel3dmmOptions) => Promise<ScreenPriors>;

/** Truth priors (demo benchmarks). */
export const truthPriorsSource: PriorsSource = async (item, options) => truthPriors(item, options.priorNoise, options.seed);

/** Priors of the ONNX networks (onnx-priors.ts), on the item's crop, masked by the item's face mask when there is one. */
export const onnxPriorsSource: PriorsSource = async (item, options) => {
  if (!options.onnx) throw new InputError('--opts', 'priors "onnx" needs "onnx": {"uvModel": …, "normalModel": …}');
  const { onnxPriors } = await import('./onnx-priors.js');
  return onnxPriors(readRgbImage(item.imagePath), options.onnx as Parameters<typeof onnxPriors>[1], itemFaceMask(item));
};

export const PRIORS_SOURCES: Record<Pixel3dmmOptions['priors'], PriorsSource> = { truth: truthPriorsSource, onnx: onnxPriorsSource };

/** Variants fitted to landmarks instead of the screen priors. */
const LANDMARK_VARIANTS: ReadonlySet<string> = new Set(['landmarks', 'landmarks-photometric']);

const fitModels = new Map<string, FitModel>();

/**
 * The model with its UVs (from uvObj when given), prepared for fitting; cached. Variants that
 * fit the priors need the UVs; landmarks-photometric fits the vertices with UVs when there
 * are any, else every vertex.
 */
export function fitModelFor(options: Pick<Pixel3dmmOptions, 'model' | 'uvObj' | 'variant'>): FitModel {
  const key = JSON.stringify([options.model, options.uvObj ?? null]);
  let fm = fitModels.get(key);
  if (!fm) {
    let model: LinearFaceModel = loadTargetModel(options.model);
    if (options.uvObj) {
      const path = resolve(options.uvObj);
      if (!existsSync(path)) throw new InputError(path, 'UV OBJ not found (option uvObj)');
      model = { ...model, uvs: readObjVertexUvs(path, model.template.length / 3) };
    }
    fm = prepareFitModel(model);
    fitModels.set(key, fm);
  }
  if (!fm.model.uvs && !LANDMARK_VARIANTS.has(options.variant)) throw new InputError('--opts', `model ${fm.model.name} has no per-vertex UVs: give uvObj (a textured OBJ in the model's vertex order)`);
  return fm;
}

/** Per-person identity coefficients from `<folder>/<pid>.json|.npy`. */
export function readIdentityFile(folder: string, person: string): Float64Array {
  const dir = isAbsolute(folder) ? folder : resolve(folder);
  const json = join(dir, `${person}.json`), npy = join(dir, `${person}.npy`);
  if (existsSync(npy)) return npyToFloat64(readNpy(npy));
  if (!existsSync(json)) throw new InputError(json, `no identity prior for person ${person} (expected ${person}.json or ${person}.npy in identityPriorPath)`);
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(json, 'utf8'));
  } catch (error) {
    throw new InputError(json, `not valid JSON (${(error as Error).message})`);
  }
  const list = Array.isArray(doc) ? doc : (doc as { identity?: unknown })?.identity;
  if (!Array.isArray(list) || !list.every((v) => typeof v === 'number' && Number.isFinite(v))) throw new InputError(json, 'must be a list of finite numbers or {"identity": [...]}');
  return Float64Array.from(list as number[]);
}

/**
 * The identity prior z_id^prior of an item (undefined: zero): a per-person file, the output of
 * an identity regressor (MICA-style ONNX export) on the item's crop, or on demo benchmarks a
 * noisy copy of the truth identity standing in for MICA.
 */
export async function identityPriorFor(item: PredictItem, options: Pixel3dmmOptions, model: LinearFaceModel): Promise<Float64Array | undefined> {
  const source = identityPriorSource(options);
  if (options.variant === 'no-identity-prior' || source === 'zero') return undefined;
  if (source === 'file') return readIdentityFile(options.identityPriorPath!, item.item.person);
  if (source === 'onnx') {
    const path = resolve(options.identityPriorModel!);
    const raw = await regressCoefficients(item.imagePath, identityRegressorConfig(path), path);
    return checkCoefficients({ identity: raw.identity, expression: new Float64Array(0) }, model, path).identity;
  }
  return noisyTruthIdentity(item, options.identityPriorNoise, options.seed);
}

/** The identity prior in use: `auto` is `truth-noisy` with truth priors (the demo's stand-in for MICA), else `zero`. */
export function identityPriorSource(options: Pick<Pixel3dmmOptions, 'identityPrior' | 'priors'>): Exclude<Pixel3dmmOptions['identityPrior'], 'auto'> {
  if (options.identityPrior !== 'auto') return options.identityPrior;
  return options.priors === 'truth' ? 'truth-noisy' : 'zero';
}

function checkOptions(options: Pixel3dmmOptions): void {
  if (options.priors === 'truth' && options.model !== 'demo' && !LANDMARK_VARIANTS.has(options.variant)) {
    throw new InputError('--opts', 'priors "truth" are rendered in the demo model\'s UV layout: fit model "demo" (or use priors "onnx")');
  }
  if (options.priors === 'onnx' && !options.onnx) throw new InputError('--opts', 'priors "onnx" needs "onnx": {"uvModel": …, "normalModel": …}');
  if (options.identityPrior === 'onnx' && !options.identityPriorModel) {
    throw new InputError('--opts', 'identityPrior "onnx" needs identityPriorModel (MICA\'s ONNX export mica.onnx, or a regressor config whose outputs.identity gives identity coefficients)');
  }
  if (options.identityPrior === 'file') {
    if (!options.identityPriorPath) throw new InputError('--opts', 'identityPrior "file" needs identityPriorPath (a folder of <pid>.json|.npy)');
    const dir = resolve(options.identityPriorPath);
    if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new InputError(dir, 'identity prior folder not found (option identityPriorPath)');
  }
  if (LANDMARK_VARIANTS.has(options.variant) && options.landmarkSource === 'truth' && options.priors !== 'truth') {
    throw new InputError('--opts', 'landmarkSource "truth" works with demo truth only (priors "truth"); use "mediapipe"');
  }
}

/** The item's 68 observed landmarks (px of the crop): truth-projected with noise, or MediaPipe's. */
async function observedLandmarks(item: PredictItem, options: Pixel3dmmOptions, size: number): Promise<Float64Array> {
  let observed: Float64Array | undefined;
  if (options.landmarkSource === 'truth') observed = truthLandmarks2d(item, (options.landmarkNoise * options.priorNoise * size) / REFERENCE_SIZE, options.seed);
  else observed = (await detectIbug68(readRgbImage(item.imagePath))) ?? undefined;
  if (!observed) throw new InputError(item.imagePath, 'MediaPipe found no face in this image, so there are no landmarks to fit');
  return observed;
}

/** The landmarks variant: landmark-fit's energy on 68 landmarks (truth-projected or MediaPipe). */
async function landmarksVariant(item: PredictItem, options: Pixel3dmmOptions, size: number): Promise<{ identity: Float64Array; expression: Float64Array }> {
  const observed = await observedLandmarks(item, options, size);
  const lmOptions = landmarkFitOptions.parse({
    model: options.model as TargetModel,
    landmarks: options.landmarkSource === 'mediapipe' ? 'mediapipe' : 'given',
    identityCount: options.identityCount,
    expressionCount: options.expressionCount,
    focal: options.focal,
  });
  const { fit } = fitImageLandmarks(observed, size, size, lmOptions);
  return { identity: fit.identity, expression: fit.expression };
}

/** The fit's settings from the method options. */
function fitSettings(options: Pixel3dmmOptions, prior?: Float64Array): Pixel3dmmFitOptions {
  return {
    lambdaUv: options.lambdaUv, lambdaNormal: options.lambdaNormal, lambdaIdentity: options.lambdaIdentity, lambdaExpression: options.lambdaExpression,
    lambdaFocal: options.lambdaFocal, lambdaPrincipalPoint: options.lambdaPrincipalPoint, identityPrior: prior,
    uvThreshold: options.uvThreshold, pixelThreshold: options.pixelThreshold, normalCutoff: options.normalCutoff,
    focal: options.focal, fitFocal: options.fitFocal, fitPrincipalPoint: options.fitPrincipalPoint,
    identityCount: options.identityCount, expressionCount: options.expressionCount,
    expressionBox: expressionsAreWeights(options.model as TargetModel),
    maxIterations: options.maxIterations, associateEvery: options.associateEvery,
    lambdaLandmark: options.lambdaLandmark, lambdaPhotometric: options.lambdaPhotometric, photometricCutoff: options.photometricCutoff,
  };
}

/** Fit one item's priors (every variant but the landmark ones). */
export function fitPriors(fm: FitModel, priors: ScreenPriors, options: Pixel3dmmOptions, prior?: Float64Array): Pixel3dmmFit {
  return fitPixel3dmm(fm, { priors }, fitSettings(options, prior), { uv: options.variant !== 'only-normal', normals: options.variant !== 'only-uv' });
}

/** 2D landmarks to fit: points of a landmark embedding of the model and where they are seen (px of the crop). */
export interface ObservedLandmarks {
  embedding: LandmarkEmbedding;
  observed: Float64Array;
}

/**
 * The landmarks-photometric fit: landmarks (by default the 68 of the model's embedding,
 * truth-projected or MediaPipe's; metrical-fit gives its dense set) and the photometric term
 * (photometric.ts) on the item's crop, smoothed and restricted to the item's face mask when
 * the benchmark has one.
 */
export async function fitLandmarksPhotometric(fm: FitModel, item: PredictItem, options: Pixel3dmmOptions, prior?: Float64Array, landmarks?: ObservedLandmarks): Promise<Pixel3dmmFit> {
  const crop = readRgbImage(item.imagePath);
  if (!landmarks) {
    const embedding = fm.model.landmarks68;
    if (!embedding) throw new InputError('--opts', `model ${fm.model.name} has no iBUG-68 landmark embedding (FLAME: give landmarkEmbedding)`);
    landmarks = { embedding, observed: await observedLandmarks(item, options, crop.width) };
  }
  const image = shadingImage(crop, (options.photometricBlur * crop.width) / REFERENCE_SIZE, itemFaceMask(item));
  return fitPixel3dmm(fm, { landmarks, image }, fitSettings(options, prior), { landmarks: true, photometric: options.lambdaPhotometric > 0 });
}

/** Why these options need a demo benchmark's generator truth (undefined: the image is enough). */
export function truthNeed(options: Pixel3dmmOptions): string | undefined {
  const landmarkVariant = LANDMARK_VARIANTS.has(options.variant);
  if (!landmarkVariant && options.priors === 'truth') return 'priors "truth" are rendered from the demo generator\'s truth meshes (give priors "onnx")';
  if (landmarkVariant && options.landmarkSource === 'truth') return 'landmarkSource "truth" projects the demo generator\'s truth landmarks (give landmarkSource "mediapipe")';
  if (options.variant !== 'landmarks' && options.variant !== 'no-identity-prior' && identityPriorSource(options) === 'truth-noisy') return 'the "truth-noisy" identity prior reads the demo generator\'s truth identity (give identityPrior "zero", "file" or "onnx")';
  return undefined;
}

export const pixel3dmmAdapter = defineMethod({
  name: 'pixel3dmm',
  version: '1.0.0',
  description: 'Pixel3DMM fitting: a UV-mapped linear model fitted to per-pixel UV and normal priors (truth priors on demo benchmarks with noise, or ONNX networks) by Levenberg–Marquardt',
  options: pixel3dmmOptions,
  requires: { demoTruth: false, benchmark: truthNeed },
  async prepare({ bench, manifest, options }) {
    checkOptions(options);
    const need = truthNeed(options);
    if (need && !manifest) throw new InputError(bench, `works on built demo benchmarks only: ${need}`);
    if (need && manifest && !existsSync(join(manifest.source.capture, '_truth'))) {
      throw new InputError(join(bench, 'manifest.json'), `truth priors, truth landmarks and the truth-noisy identity work on demo benchmarks only: ${manifest.source.capture} has no _truth/ folder`);
    }
    if (options.variant !== 'landmarks') fitModelFor(options);
    if (options.identityPrior === 'onnx' && options.variant !== 'no-identity-prior') {
      const path = resolve(options.identityPriorModel!);
      await openRegressor(identityRegressorConfig(path), path);
    }
  },
  async predict(item, options) {
    checkOptions(options);
    const model = loadTargetModel(options.model);
    if (options.variant === 'landmarks') {
      const size = Number((item.meta.crop_box as { output_size?: number } | undefined)?.output_size ?? 512);
      return modelPrediction(model, await landmarksVariant(item, options, size));
    }
    const fm = fitModelFor(options);
    const prior = await identityPriorFor(item, options, fm.model);
    const priors = options.variant === 'landmarks-photometric' ? undefined : await PRIORS_SOURCES[options.priors](item, options);
    const fit = priors ? fitPriors(fm, priors, options, prior) : await fitLandmarksPhotometric(fm, item, options, prior);
    if (!fit.identity.every(Number.isFinite) || !fit.expression.every(Number.isFinite)) throw new InputError(item.imagePath, 'the pixel3dmm fit diverged (non-finite coefficients)');
    const prediction = modelPrediction(fm.model, { identity: fit.identity, expression: fit.expression });
    return options.saveMaps && priors ? { ...prediction, maps: { width: priors.width, height: priors.height, normals: priors.normals, uv: priors.uv } } : prediction;
  },
});
