/**
 * MediaPipe Face Mesh on the CPU in Node: BlazeFace (short range) finds the face, the
 * Face Mesh network regresses 468 3D points in a 192×192 crop around it (Kartynnik et al.,
 * "Real-time Facial Surface Geometry from Monocular Video on Mobile GPUs", CVPR-W 2019;
 * Bazarevsky et al., "BlazeFace", 2019). The networks are the tfjs conversions shipped in
 * the npm package `@vladmandic/human` (`models/blazeface.json`, `models/facemesh.json` +
 * `.bin`), run with its Node WASM build on `@tensorflow/tfjs-backend-wasm` (the `.wasm`
 * ships in that package). Nothing is downloaded at run time. The model weights are
 * Google's MediaPipe models (Apache-2.0), redistributed by Human (MIT).
 *
 * Human is used with every cache, temporal filter and add-on model off, so one image gives
 * one deterministic answer.
 *
 * Output coordinates: x, y in input-image pixels (tfjs `cropAndResize` convention: pixel
 * centres on integer coordinates); z in the same pixel units, smaller = nearer the camera,
 * origin at the network's reference depth (near the face centre), so only relative z means
 * anything. Human truncates its mesh to integers (x, y in image pixels, z in crop pixels);
 * the truncation interval is re-centred (v + ½·sign v) and z is rescaled from crop to image
 * pixels by (detector box side) / 192, the same factor Human applies to x and y.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type * as TfCore from '@tensorflow/tfjs-core';
import type { Config, FaceResult, Human } from '@vladmandic/human';
import { registerFileLoader } from './file-loader.js';

/** An 8-bit RGB image, row-major, 3 bytes per pixel. */
export interface RgbInput {
  width: number;
  height: number;
  data: Uint8Array;
}

/** Number of Face Mesh points. */
export const MESH_POINTS = 468;

/** What `detectFaceMesh` finds. */
export interface FaceMeshDetection {
  /** 468×3 (x px, y px, z px relative), or null when no face passes `minConfidence`. */
  landmarks: Float64Array | null;
  /** Face Mesh face-presence score in [0, 1] (0 when no face). */
  score: number;
  /** Side of the square detector crop in image pixels (0 when no face). */
  cropSize: number;
}

/** Options of `detectFaceMesh`. */
export interface DetectOptions {
  /** Minimum BlazeFace and Face Mesh score (Human's default 0.2). */
  minConfidence?: number;
}

interface Runtime {
  human: Human;
  tf: typeof TfCore;
  /** Face Mesh input side (192). */
  meshInput: number;
}

const require = createRequire(import.meta.url);
let runtime: Promise<Runtime> | undefined;
let queue: Promise<unknown> = Promise.resolve();

/** Folder of a package's main file (the packages' `exports` do not expose their subfolders). */
function packageDir(name: string): string {
  try {
    return dirname(require.resolve(name));
  } catch {
    throw new Error(`npm package ${name} is not installed: run \`npm install\` in the repository`);
  }
}

function humanConfig(modelDir: string, wasmDir: string): Partial<Config> {
  const off = { enabled: false };
  return {
    backend: 'wasm',
    modelBasePath: pathToFileURL(modelDir).href + '/',
    wasmPath: pathToFileURL(wasmDir).href + '/',
    debug: false,
    warmup: 'none',
    cacheModels: false,
    cacheSensitivity: 0,
    skipAllowed: false,
    filter: { enabled: false },
    face: {
      enabled: true,
      detector: { modelPath: 'blazeface.json', rotation: false, maxDetected: 1, skipFrames: 0, skipTime: 0, minConfidence: 0.2, return: false },
      mesh: { enabled: true, modelPath: 'facemesh.json' },
      iris: off,
      attention: off,
      emotion: off,
      description: off,
      antispoof: off,
      liveness: off,
    },
    body: off,
    hand: off,
    object: off,
    gesture: off,
    segmentation: off,
  } as Partial<Config>;
}

async function start(): Promise<Runtime> {
  const humanDir = dirname(packageDir('@vladmandic/human'));
  const wasmDir = packageDir('@tensorflow/tfjs-backend-wasm');
  const tf = require('@tensorflow/tfjs-core') as typeof TfCore;
  registerFileLoader(tf);
  const { Human: HumanClass } = require(join(humanDir, 'dist', 'human.node-wasm.js')) as { Human: new (config: Partial<Config>) => Human };
  const human = new HumanClass(humanConfig(join(humanDir, 'models'), wasmDir));
  await human.load();
  // Human logs a failed load and keeps an empty model; only a loaded GraphModel has an executor.
  const models = human.models.models as Record<string, { executor?: unknown; inputs?: { shape?: number[] }[] } | null>;
  for (const name of ['blazeface', 'facemesh']) {
    if (!models[name]?.executor) throw new Error(`${join(humanDir, 'models', `${name}.json`)}: MediaPipe model did not load; reinstall @vladmandic/human`);
  }
  const meshInput = models.facemesh?.inputs?.[0]?.shape?.[2] ?? 192;
  return { human, tf, meshInput };
}

function getRuntime(): Promise<Runtime> {
  runtime ??= start().catch((error: unknown) => {
    runtime = undefined;
    throw error;
  });
  return runtime;
}

/** Load the models once (later calls share them); rejects when a package or model file is missing. */
export async function loadFaceMesh(): Promise<void> {
  await getRuntime();
}

/** Centre of the interval a `Math.trunc`ed value came from. */
function untruncate(v: number): number {
  return v + 0.5 * Math.sign(v);
}

function checkImage(image: RgbInput): void {
  const { width, height, data } = image;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new Error(`image size ${width}×${height} is not a positive integer size`);
  }
  if (!(data instanceof Uint8Array) || data.length !== width * height * 3) {
    throw new Error(`image data has ${data?.length} bytes; an RGB ${width}×${height} image needs ${width * height * 3}`);
  }
}

function toDetection(face: FaceResult | undefined, meshInput: number): FaceMeshDetection {
  if (!face || face.mesh.length !== MESH_POINTS) return { landmarks: null, score: 0, cropSize: 0 };
  // face.size is the detector box before squaring; the crop is its longer side.
  const cropSize = Math.max(face.size[0], face.size[1]);
  const zScale = cropSize / meshInput;
  const landmarks = new Float64Array(3 * MESH_POINTS);
  for (let i = 0; i < MESH_POINTS; i++) {
    const p = face.mesh[i];
    landmarks[3 * i] = untruncate(p[0]);
    landmarks[3 * i + 1] = untruncate(p[1]);
    landmarks[3 * i + 2] = untruncate(p[2] ?? 0) * zScale;
  }
  return { landmarks, score: face.faceScore, cropSize };
}

async function detectNow(image: RgbInput, options: DetectOptions): Promise<FaceMeshDetection> {
  const { human, tf, meshInput } = await getRuntime();
  const input = tf.tensor4d(image.data, [1, image.height, image.width, 3], 'int32');
  try {
    const minConfidence = options.minConfidence ?? 0.2;
    const result = await human.detect(input as unknown as Parameters<Human['detect']>[0], { face: { detector: { minConfidence } } } as Partial<Config>);
    if (result.error) throw new Error(`MediaPipe face mesh failed: ${result.error}`);
    return toDetection(result.face[0], meshInput);
  } finally {
    input.dispose();
  }
}

/**
 * Run BlazeFace + Face Mesh on one RGB image. Loads the models on first use. Calls are
 * serialised (Human keeps per-instance state), so concurrent callers are safe. A malformed
 * image rejects with a message saying what is wrong.
 */
export async function detectFaceMesh(image: RgbInput, options: DetectOptions = {}): Promise<FaceMeshDetection> {
  checkImage(image);
  const run = queue.then(() => detectNow(image, options));
  queue = run.catch(() => undefined);
  return run;
}
