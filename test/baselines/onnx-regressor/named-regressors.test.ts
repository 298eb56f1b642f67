import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PredictItem } from '../../../baselines/adapter.js';
import { registerBuiltinMethods } from '../../../baselines/builtin.js';
import { detectFaceMesh, ibug68FromFaceMesh } from '../../../baselines/mediapipe/index.js';
import { evaluateModel, loadFlame } from '../../../baselines/models/index.js';
import {
  ARCFACE_TEMPLATE_112, REGRESSOR_PRESETS, cropAffine, imageTensorData, namedRegressorOptions, presetConfig, regressCoefficients, type RegressorPreset,
} from '../../../baselines/onnx-regressor/index.js';
import { identityPriorFor, pixel3dmmOptions } from '../../../baselines/pixel3dmm/adapter.js';
import { getMethod } from '../../../baselines/registry.js';
import { readRgbImage } from '../../../evaluators/image/index.js';
import { headOutput, meanColourRegressor, type RegressorHead } from '../../helpers/onnx-standins.js';
import { FIXTURES } from '../../helpers/faces.js';
import { referenceAffineCrop, referenceSimilarity } from '../../helpers/reference.js';

/**
 * The named regressors deca, emoca-v2, mica and smirk: their crops against the rules of the
 * original code restated here, and their meshes against the target model evaluated at the
 * coefficients stand-in ONNX networks give.
 */
const dir = mkdtempSync(join(tmpdir(), 'facebench-named-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const IMAGE = join(FIXTURES, 'colmap-ict', 'images', 'cam_222200003.png');
const FLAME = { flame: join(FIXTURES, 'flame-schema', 'generic_model.pkl'), landmarkEmbedding: join(FIXTURES, 'flame-schema', 'landmark_embedding.npy') };
const flame = loadFlame(FLAME.flame, { landmarkEmbedding: FLAME.landmarkEmbedding });
const image = readRgbImage(IMAGE);
let faceMesh: Float64Array;

beforeAll(async () => {
  registerBuiltinMethods();
  const found = await detectFaceMesh(image);
  expect(found.landmarks).not.toBeNull();
  faceMesh = found.landmarks!;
});

/** The box of (x, y) pairs. */
function box(xy: ArrayLike<number>): { l: number; r: number; t: number; b: number } {
  const xs = Array.from({ length: xy.length / 2 }, (_, i) => xy[2 * i]), ys = Array.from({ length: xy.length / 2 }, (_, i) => xy[2 * i + 1]);
  return { l: Math.min(...xs), r: Math.max(...xs), t: Math.min(...ys), b: Math.max(...ys) };
}

/** DECA's `bbox2point` + `int(old_size · scale)` + the three corners → (0,0), (0,S−1), (S−1,0), as an explicit scale and shift. */
function squareCrop(xy: ArrayLike<number>, factor: number, scale: number, S: number): number[] {
  const { l, r, t, b } = box(xy);
  const side = Math.trunc((((r - l) + (b - t)) / 2) * factor * scale);
  const k = (S - 1) / side;
  return [k, 0, -k * ((l + r) / 2 - side / 2), 0, k, -k * ((t + b) / 2 - side / 2)];
}

/** The crop each method's code would make, from the same MediaPipe points. */
function referenceAffine(preset: RegressorPreset): number[] {
  const S = preset.input.size[0];
  const lmk = ibug68FromFaceMesh(faceMesh, 2);
  if (preset.input.crop === 'deca') return squareCrop(lmk, 1.1, 1.25, S);
  if (preset.input.crop === 'smirk') return squareCrop(Array.from(faceMesh).filter((_, i) => i % 3 !== 2), 1, 1.4, S);
  const p = (k: number, c: number): number => lmk[2 * k + c];
  const five = [0, 1].flatMap((c) => [(p(38, c) + p(41, c)) / 2, (p(44, c) + p(46, c)) / 2, p(30, c), p(60, c), p(64, c)]);
  const src = [0, 1, 2, 3, 4].flatMap((i) => [five[i], five[5 + i]]);
  return referenceSimilarity(src, ARCFACE_TEMPLATE_112.map((v) => (v * S) / 112));
}

type Head = RegressorHead;

function standIn(file: string, heads: Head[]): string {
  const path = join(dir, file);
  writeFileSync(path, meanColourRegressor(heads));
  return path;
}

function head(name: string, K: number, seed: number): Head {
  const f = (i: number): number => Math.fround(Math.sin(seed * 12.9898 + i * 78.233) * 0.5);
  return { name, W: [0, 1, 2].map((c) => Array.from({ length: K }, (_, k) => f(c * K + k))), b: Array.from({ length: K }, (_, k) => Math.fround(0.1 * f(1000 + k))) };
}

function heads(preset: RegressorPreset): Head[] {
  const list = [head('shape', flame.identityCount, 1)];
  if (preset.outputs.expression) list.push(head('exp', flame.expressionCount, 2));
  if (preset.outputs.jaw) list.push({ ...head('jaw', 3, 3), b: [0.15, 0.02, -0.01] });
  return list;
}

function item(): PredictItem {
  return { bench: dir, imagePath: IMAGE, item: { id: 'x', person: 'p' } as PredictItem['item'], meta: {} };
}

describe.each(REGRESSOR_PRESETS.map((p) => [p.name, p] as const))('%s', (name, preset) => {
  const onnx = standIn(`${name}.onnx`, heads(preset));
  const options = namedRegressorOptions.parse({ onnx, target: FLAME });

  it('crops as the original code does (same landmarks), and normalises as it does', () => {
    const S = preset.input.size[0];
    const ref = referenceAffine(preset);
    const m = cropAffine(preset.input.crop as 'deca', faceMesh, S);
    for (let k = 0; k < 6; k++) expect(Math.abs(m[k] - ref[k])).toBeLessThan(1e-9 * (1 + Math.abs(ref[k])));
    const config = presetConfig(preset, options);
    const tensor = imageTensorData(image, config, faceMesh);
    const expected = referenceAffineCrop(image, ref, S, config.input.mean, config.input.std, config.input.round);
    let worst = 0;
    for (let i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs(tensor[i] - expected[i]));
    expect(worst).toBeLessThan(1e-5);
    // the face fills the crop: its centre is not background
    const centre = (S / 2) * S + S / 2;
    expect(Math.abs(tensor[centre])).toBeGreaterThan(0);
  });

  it("the network's outputs are the stand-in's function of that crop", async () => {
    const config = presetConfig(preset, options);
    const crop = referenceAffineCrop(image, referenceAffine(preset), config.input.size[0], config.input.mean, config.input.std, config.input.round);
    const plane = crop.length / 3;
    const mean = [0, 1, 2].map((c) => crop.subarray(c * plane, (c + 1) * plane).reduce((a, v) => a + v, 0) / plane);
    const raw = await regressCoefficients(IMAGE, config, name);
    const keys = { shape: raw.identity, exp: raw.expression, jaw: raw.jaw };
    for (const h of heads(preset)) {
      const got = keys[h.name as keyof typeof keys]!;
      expect(got.length).toBe(h.b.length);
      headOutput(h, mean).forEach((v, k) => expect(got[k]).toBeCloseTo(v, 4));
    }
  });

  it(`its meshes are the model at those outputs (to 1e-6 mm): ${preset.tasks.join(' and ')}`, async () => {
    const adapter = getMethod(name);
    expect(adapter.tasks).toEqual(preset.tasks);
    const prediction = await adapter.predict(item(), options);
    const raw = await regressCoefficients(IMAGE, presetConfig(preset, options), name);
    const rotations = new Float64Array(3 * flame.skeleton.names.length);
    if (raw.jaw) rotations.set(raw.jaw, 3 * flame.skeleton.names.indexOf('jaw'));
    const worst = (a: Float64Array, b: Float64Array): number => a.reduce((w, v, i) => Math.max(w, Math.abs(v - b[i])), 0);
    const neutral = evaluateModel(flame, { identity: raw.identity });
    expect(worst(prediction.neutral!.positions, neutral)).toBeLessThan(1e-6);
    expect(prediction.landmarksNeutral).toHaveLength(21);
    if (preset.tasks.includes('posed')) {
      const posed = evaluateModel(flame, { identity: raw.identity, expression: raw.expression, jointRotations: rotations });
      expect(worst(prediction.posed!.positions, posed)).toBeLessThan(1e-6);
      // the jaw opened the mouth: the posed mesh is not the neutral one
      expect(worst(prediction.posed!.positions, neutral)).toBeGreaterThan(1e-3);
    } else {
      expect(prediction.posed).toBeUndefined();
      expect(prediction.landmarksPosed).toBeUndefined();
    }
  });
});

describe('named regressors: options and errors', () => {
  it('a missing export is refused with the script that makes it', () => {
    const preset = REGRESSOR_PRESETS[0];
    expect(() => presetConfig(preset, namedRegressorOptions.parse({ models: join(dir, 'nowhere') }))).toThrow(/deca\.onnx: ONNX export not found .*export it with baselines\/onnx-regressor\/export\/deca\.py/);
  });

  it("pixel3dmm's ONNX identity prior is MICA run as the mica method runs it", async () => {
    const mica = REGRESSOR_PRESETS.find((p) => p.name === 'mica')!;
    const onnx = join(dir, 'mica.onnx');
    const options = pixel3dmmOptions.parse({ identityPrior: 'onnx', identityPriorModel: onnx, priors: 'onnx', onnx: {} });
    const prior = await identityPriorFor(item(), options, flame);
    const raw = await regressCoefficients(IMAGE, presetConfig(mica, namedRegressorOptions.parse({ onnx, target: FLAME })), 'mica');
    expect(Array.from(prior!)).toEqual(Array.from(raw.identity));
  });
});
