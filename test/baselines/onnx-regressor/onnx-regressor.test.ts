import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { onnxRegressorAdapter, onnxRegressorOptions, regressImage } from '../../../baselines/onnx-regressor/index.js';
import type { PredictItem } from '../../../baselines/adapter.js';
import { demoModel, evaluateModel, loadFlame, sevenLandmarks } from '../../../baselines/models/index.js';
import { writeRgbPng } from '../../../evaluators/image/index.js';
import { encodeModel, type Dim, type Node } from '../../benchmark/construct/parser/onnx-builder.js';
import { FIXTURES } from '../../helpers/faces.js';
import { rng } from '../../helpers/random.js';

const dir = mkdtempSync(join(tmpdir(), 'facebench-onnxreg-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const flameFixture = join(FIXTURES, 'flame-schema');

type Head = { name: string; W: number[][]; b: number[] };

/**
 * A real ONNX regressor: GlobalAveragePool over the image → Flatten → one Gemm per output,
 * out = mean_rgb · W + b (W is 3×K), so coefficients are an affine map of the mean
 * normalised colour. With nhwc, a Transpose to NCHW comes first.
 */
function regressorModel(file: string, heads: Head[], options: { nhwc?: boolean } = {}): string {
  const nodes: Node[] = [];
  let image = 'image';
  if (options.nhwc) {
    nodes.push({ op: 'Transpose', inputs: ['image'], outputs: ['nchw'], ints: { perm: [0, 3, 1, 2] } });
    image = 'nchw';
  }
  nodes.push({ op: 'GlobalAveragePool', inputs: [image], outputs: ['pooled'] });
  nodes.push({ op: 'Flatten', inputs: ['pooled'], outputs: ['flat'], int: { axis: 1 } });
  const initializers = heads.flatMap((h) => [
    { name: `W_${h.name}`, dims: [3, h.b.length], floats: h.W.flat() },
    { name: `b_${h.name}`, dims: [h.b.length], floats: h.b },
  ]);
  for (const h of heads) nodes.push({ op: 'Gemm', inputs: ['flat', `W_${h.name}`, `b_${h.name}`], outputs: [h.name] });
  const inShape: Dim[] = options.nhwc ? [1, 'H', 'W', 3] : [1, 3, 'H', 'W'];
  const bytes = encodeModel({ nodes, initializers, inputs: [{ name: 'image', shape: inShape }], outputs: heads.map((h) => ({ name: h.name, shape: [1, h.b.length] })) });
  const path = join(dir, file);
  writeFileSync(path, bytes);
  return path;
}

function randomHead(random: () => number, name: string, K: number): Head {
  return {
    name,
    W: [0, 1, 2].map(() => Array.from({ length: K }, () => Math.fround(2 * random() - 1))),
    b: Array.from({ length: K }, () => Math.fround(0.4 * random() - 0.2)),
  };
}

function writeJson(name: string, value: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify(value));
  return path;
}

function randomImage(random: () => number, w: number, h: number): { width: number; height: number; data: Uint8Array } {
  const data = new Uint8Array(3 * w * h);
  for (let i = 0; i < data.length; i++) data[i] = Math.floor(256 * random());
  return { width: w, height: h, data };
}

/** Hand computation: mean over pixels of (v/255 − mean_c)/std_c, then m·W + b, in float64. */
function expected(image: { data: Uint8Array }, mean: number[], std: number[], head: Head): number[] {
  const m = [0, 0, 0];
  const n = image.data.length / 3;
  for (let p = 0; p < n; p++) for (let c = 0; c < 3; c++) m[c] += (image.data[3 * p + c] / 255 - mean[c]) / std[c] / n;
  return head.b.map((b, k) => b + m[0] * head.W[0][k] + m[1] * head.W[1][k] + m[2] * head.W[2][k]);
}

function item(imagePath: string): PredictItem {
  return { bench: dir, imagePath, item: {} as PredictItem['item'], person: {} as PredictItem['person'], meta: {} };
}

describe('onnx-regressor with a real ONNX model', () => {
  const random = rng(41);
  const demo = demoModel();
  const id = randomHead(random, 'shape', demo.identityCount);
  const ex = randomHead(random, 'exp', 6);
  const mean = [0.5, 0.45, 0.4];
  const std = [0.25, 0.2, 0.3];
  const image = randomImage(random, 24, 24);
  const imagePath = join(dir, 'image.png');
  writeRgbPng(imagePath, image);
  regressorModel('reg.onnx', [id, ex]);

  it('predicts the hand-computed coefficients, and the mesh and landmarks they give on the demo model', async () => {
    const config = writeJson('reg.json', { model: 'reg.onnx', input: { size: [24, 24], mean, std, layout: 'NCHW' }, outputs: { identity: 'shape', expression: 'exp' }, target: 'demo' });
    const options = onnxRegressorOptions.parse({ config });
    await onnxRegressorAdapter.prepare!({ bench: dir, manifest: {} as never, options });
    const result = await regressImage(imagePath, config);
    const a = expected(image, mean, std, id);
    const e = expected(image, mean, std, ex);
    expect(result.coefficients.identity.length).toBe(demo.identityCount);
    expect(result.coefficients.expression.length).toBe(6);
    a.forEach((v, k) => expect(result.coefficients.identity[k]).toBeCloseTo(v, 5));
    e.forEach((v, k) => expect(result.coefficients.expression[k]).toBeCloseTo(v, 5));
    // The meshes: template + Σ a_k S_k + Σ e_j E_j (posed) and template + Σ a_k S_k (neutral), by hand.
    const n3 = demo.template.length;
    const posed = Float64Array.from(demo.template);
    a.forEach((c, k) => { for (let i = 0; i < n3; i++) posed[i] += c * demo.identityBasis[k * n3 + i]; });
    const neutral = Float64Array.from(posed);
    e.forEach((c, j) => { for (let i = 0; i < n3; i++) posed[i] += c * demo.expressionBasis[j * n3 + i]; });
    let worstPosed = 0, worstNeutral = 0;
    for (let i = 0; i < n3; i++) {
      worstPosed = Math.max(worstPosed, Math.abs(result.posed!.positions[i] - posed[i]));
      worstNeutral = Math.max(worstNeutral, Math.abs(result.neutral!.positions[i] - neutral[i]));
    }
    expect(worstPosed).toBeLessThan(1e-3);
    expect(worstNeutral).toBeLessThan(1e-3);
    expect(result.posed!.faces).toBe(demo.faces);
    const lm = sevenLandmarks(demo, posed);
    for (let i = 0; i < 21; i++) expect(result.landmarksPosed![i]).toBeCloseTo(lm[i], 3);
    // The adapter returns the same prediction.
    const prediction = await onnxRegressorAdapter.predict(item(imagePath), options);
    expect(Array.from(prediction.posed!.positions)).toEqual(Array.from(result.posed!.positions));
    expect(prediction.landmarksNeutral!.length).toBe(21);
  });

  it('resizes to input.size and reads NHWC models: a uniform image gives the same coefficients', async () => {
    const uniform = { width: 40, height: 30, data: new Uint8Array(3600) };
    for (let p = 0; p < 1200; p++) uniform.data.set([200, 90, 30], 3 * p);
    const uniformPath = join(dir, 'uniform.png');
    writeRgbPng(uniformPath, uniform);
    const nhwc = regressorModel('reg-nhwc.onnx', [id, ex], { nhwc: true });
    expect(nhwc).toContain('nhwc');
    const configs = [
      writeJson('nchw16.json', { model: 'reg.onnx', input: { size: [16, 16], mean, std }, outputs: { identity: 'shape', expression: 'exp' } }),
      writeJson('nhwc16.json', { model: 'reg-nhwc.onnx', input: { name: 'image', size: [16, 12], mean, std, layout: 'NHWC' }, outputs: { identity: 'shape', expression: 'exp' } }),
    ];
    const a = expected(uniform, mean, std, id);
    for (const config of configs) {
      const result = await regressImage(uniformPath, config);
      a.forEach((v, k) => expect(result.coefficients.identity[k]).toBeCloseTo(v, 5));
    }
  });

  it('drives the FLAME jaw joint from a jaw output', async () => {
    const flame = loadFlame(join(flameFixture, 'generic_model.pkl'));
    const fid = randomHead(random, 'shape', 5);
    const fex = randomHead(random, 'exp', 4);
    const jaw: Head = { name: 'jaw', W: [[0.1, 0, 0], [0, 0.05, 0], [0, 0, 0.02]], b: [0.15, 0, 0] };
    regressorModel('flame.onnx', [fid, fex, jaw]);
    const config = writeJson('flame.json', { model: 'flame.onnx', input: { size: [24, 24], mean, std }, outputs: { identity: 'shape', expression: 'exp', jaw: 'jaw' }, target: { flame: join(flameFixture, 'generic_model.pkl'), landmarkEmbedding: join(flameFixture, 'landmark_embedding.npy') } });
    const result = await regressImage(imagePath, config);
    const j = expected(image, mean, std, jaw);
    const rotations = new Float64Array(3 * flame.skeleton.names.length);
    rotations.set(j, 3 * flame.skeleton.names.indexOf('jaw'));
    const reference = evaluateModel(flame, { identity: expected(image, mean, std, fid), expression: expected(image, mean, std, fex), jointRotations: rotations });
    let worst = 0;
    for (let i = 0; i < reference.length; i++) worst = Math.max(worst, Math.abs(result.posed!.positions[i] - reference[i]));
    expect(worst).toBeLessThan(1e-3);
    // The jaw moves the posed mesh only.
    const still = evaluateModel(flame, { identity: expected(image, mean, std, fid), expression: expected(image, mean, std, fex) });
    expect(Math.max(...reference.map((v, i) => Math.abs(v - still[i])))).toBeGreaterThan(0.1);
  });

  it('refuses bad configs with one-line errors naming the file', async () => {
    const cases: [unknown, RegExp][] = [
      [{ model: 'missing.onnx', input: { size: [8, 8] }, outputs: { identity: 'shape', expression: 'exp' } }, /missing\.onnx: ONNX model file not found/],
      [{ model: 'reg.onnx', input: { size: [8, 8] }, outputs: { identity: 'shape', expression: 'expression' } }, /outputs\.expression 'expression' is not an output of .*outputs: shape, exp/],
      [{ model: 'reg.onnx', input: { name: 'img', size: [8, 8] }, outputs: { identity: 'shape', expression: 'exp' } }, /input\.name 'img' is not an input/],
      [{ model: 'reg.onnx', input: { size: [8, 8] }, outputs: { identity: 'shape', expression: 'exp', jaw: 'exp' } }, /outputs\.jaw gives 6 values; expected 3/],
    ];
    for (const [k, [doc, message]] of cases.entries()) {
      const config = writeJson(`bad-${k}.json`, doc);
      const attempt = regressImage(imagePath, config);
      await expect(attempt).rejects.toThrow(message);
      await attempt.catch((error: Error) => expect(error.message).not.toContain('\n'));
    }
    await expect(onnxRegressorAdapter.prepare!({ bench: dir, manifest: {} as never, options: onnxRegressorOptions.parse({}) })).rejects.toThrow(/needs a config/);
    // An identity-only regressor (MICA style) is accepted: it predicts no expression, so posed = neutral.
    const identityOnly = await regressImage(imagePath, writeJson('identity-only.json', { model: 'reg.onnx', input: { size: [8, 8] }, outputs: { identity: 'shape' } }));
    expect(Array.from(identityOnly.posed!.positions)).toEqual(Array.from(identityOnly.neutral!.positions));
  });

  it('refuses outputs larger than the target model', async () => {
    regressorModel('big.onnx', [randomHead(random, 'shape', demo.identityCount + 2), ex]);
    const config = writeJson('big.json', { model: 'big.onnx', input: { size: [8, 8] }, outputs: { identity: 'shape', expression: 'exp' }, target: 'demo' });
    await expect(regressImage(imagePath, config)).rejects.toThrow(`big.json: outputs.identity gives ${demo.identityCount + 2} coefficients but the target model demo has ${demo.identityCount} identity modes`);
  });
});
