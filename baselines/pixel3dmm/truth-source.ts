/**
 * Demo-benchmark priors: the UV and normal maps of the generator's truth mesh rendered into the
 * item's crop camera, degraded by `priorNoise` (render-priors.ts), and the other truth-derived
 * inputs of the `pixel3dmm` method (68 projected landmarks, the truth identity).
 *
 * The crop camera (cropCameraFromBox, evaluators/formats/crop-camera.ts) is the capture camera
 * of the item (`<capture>/<pid>/camera_params.json`) followed by the crop of meta.json's
 * `crop_box {x, y, size, output_size}`: crop pixel i samples the source at x + (i + ½)·s with
 * s = size/output_size (pixel centres at integers), so a source position u maps to (u − x)/s − ½,
 * i.e. K_crop = diag(1/s, 1/s, 1)·K with the principal point moved to ((c_x − x)/s − ½, (c_y − y)/s − ½).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildFaceModel, FACE_KEPT, landmarkPositions } from '../../data/index.js';
import { InputError } from '../../evaluators/errors.js';
import { cropCameraFromBox, parseCropBox, readCameraParams, readManifest, type Camera, type CropCamera } from '../../evaluators/formats/index.js';
import { readMesh } from '../../evaluators/io/index.js';
import { deriveSeed, normal, seededRandom } from '../../evaluators/util/index.js';
import type { PredictItem } from '../adapter.js';
import { truthMeshPath } from '../oracle/oracle.js';
import type { ScreenPriors } from './priors.js';
import { degradePriors, renderPriors } from './render-priors.js';

/** An FNV-1a hash of a string, for per-item seeds. */
export function hashText(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

export type { CropCamera };

const units = new Map<string, 'mm' | 'cm' | 'm'>();

function captureOf(item: PredictItem): string {
  if (!item.capture || !existsSync(join(item.capture, '_truth'))) {
    throw new InputError(join(item.bench, 'manifest.json'), 'pixel3dmm with priors "truth" needs the demo capture (with _truth/) the benchmark was built from');
  }
  return item.capture;
}

/** The item's crop camera (mm, OpenCV, pixel centres at integers). */
export function cropCamera(item: PredictItem): CropCamera {
  const capture = captureOf(item);
  let unit = units.get(item.bench);
  if (!unit) {
    unit = readManifest(item.bench).source.unit;
    units.set(item.bench, unit);
  }
  const file = join(capture, item.item.person, 'camera_params.json');
  const camera: Camera | undefined = readCameraParams(file, unit).get(item.item.camera);
  if (!camera) throw new InputError(file, `has no camera ${item.item.camera} (the item's camera)`);
  return cropCameraFromBox(camera, parseCropBox(item.meta.crop_box, join(item.bench, item.item.dir, 'meta.json')));
}

/** The item's truth mesh (demo topology, mm, capture world frame). */
function truthMesh(item: PredictItem): { positions: Float64Array; faces: Uint32Array } {
  const path = truthMeshPath(captureOf(item), item.item.person, item.item.sequence, item.item.frame);
  const mesh = readMesh(path);
  const model = buildFaceModel();
  if (mesh.positions.length !== model.template.length) throw new InputError(path, `has ${mesh.positions.length / 3} vertices, the demo model ${model.template.length / 3}: regenerate the demo capture`);
  return { positions: mesh.positions, faces: model.faces };
}

let validFaces: Uint8Array | undefined;

/** Triangles of the face region with UVs: the mask of the truth priors. */
function faceRegionTriangles(): Uint8Array {
  if (validFaces) return validFaces;
  const model = buildFaceModel();
  const keep = new Set(FACE_KEPT);
  const m = model.faces.length / 3;
  validFaces = new Uint8Array(m);
  for (let f = 0; f < m; f++) {
    const inside = model.faces[3 * f] < model.faceVertexCount && model.faces[3 * f + 1] < model.faceVertexCount && model.faces[3 * f + 2] < model.faceVertexCount;
    validFaces[f] = inside && keep.has(model.faceLabels[f]) ? 1 : 0;
  }
  return validFaces;
}

/** The truth mesh's priors in the item's crop, degraded by `noise` (0: exact), seeded per item. */
export function truthPriors(item: PredictItem, noise: number, seed: number): ScreenPriors {
  const camera = cropCamera(item);
  const mesh = truthMesh(item);
  const priors = renderPriors(mesh.positions, mesh.faces, buildFaceModel().uvs, { K: camera.K, R: camera.R, t: camera.t, width: camera.size, height: camera.size }, faceRegionTriangles());
  degradePriors(priors, noise, deriveSeed(seed, hashText(`${item.item.person}/${item.item.id}`), 1));
  return priors;
}

/** The truth mesh's 68 landmarks projected into the crop (pixels), plus N(0, sigma²) per coordinate, seeded per item. */
export function truthLandmarks2d(item: PredictItem, sigma: number, seed: number): Float64Array {
  const camera = cropCamera(item);
  const mesh = truthMesh(item);
  const X = landmarkPositions(buildFaceModel(), mesh.positions);
  const out = new Float64Array(136);
  const random = seededRandom(deriveSeed(seed, hashText(`${item.item.person}/${item.item.id}`), 2));
  const { K, R, t } = camera;
  for (let l = 0; l < 68; l++) {
    const x = X[3 * l], y = X[3 * l + 1], z = X[3 * l + 2];
    const Yx = R[0] * x + R[1] * y + R[2] * z + t[0], Yy = R[3] * x + R[4] * y + R[5] * z + t[1], Yz = R[6] * x + R[7] * y + R[8] * z + t[2];
    out[2 * l] = (K[0] * Yx + K[1] * Yy) / Yz + K[2] + sigma * normal(random);
    out[2 * l + 1] = (K[4] * Yy) / Yz + K[5] + sigma * normal(random);
  }
  return out;
}

/**
 * A stand-in for MICA's identity prediction: the person's truth identity coefficients
 * (`_truth/<pid>/person.json`) plus N(0, sigma²) per coefficient, seeded per item.
 */
export function noisyTruthIdentity(item: PredictItem, sigma: number, seed: number): Float64Array {
  const path = join(captureOf(item), '_truth', item.item.person, 'person.json');
  let doc: { identity?: unknown };
  try {
    doc = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new InputError(path, `cannot read the truth identity (${(error as Error).message})`);
  }
  if (!Array.isArray(doc.identity) || !doc.identity.every((v) => typeof v === 'number' && Number.isFinite(v))) throw new InputError(path, 'needs "identity": a list of finite numbers');
  const random = seededRandom(deriveSeed(seed, hashText(`${item.item.person}/${item.item.id}`), 3));
  return Float64Array.from(doc.identity as number[], (v) => v + sigma * normal(random));
}
