/**
 * The `onnx` identity prior of pixel3dmm: a MICA-style identity regressor (the onnx-regressor
 * config contract with only an identity output) run on the item's crop gives z_id^prior.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseMethodOptions } from '../../../baselines/method-options.js';
import { demoModel } from '../../../baselines/models/index.js';
import type { PredictItem } from '../../../baselines/adapter.js';
import { identityPriorFor, pixel3dmmAdapter } from '../../../baselines/pixel3dmm/adapter.js';
import { writeRgbPng } from '../../../evaluators/image/index.js';
import { encodeModel, type Node } from '../../benchmark/construct/parser/onnx-builder.js';

const dir = mkdtempSync(join(tmpdir(), 'facebench-p3dmm-id-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** An ONNX "identity regressor" whose output `shape` is mean_rgb · W + b; with W = 0 it is the constant b. */
function identityModel(b: number[], w = 0): string {
  const nodes: Node[] = [
    { op: 'GlobalAveragePool', inputs: ['image'], outputs: ['pooled'] },
    { op: 'Flatten', inputs: ['pooled'], outputs: ['flat'], int: { axis: 1 } },
    { op: 'Gemm', inputs: ['flat', 'W', 'b'], outputs: ['shape'] },
  ];
  const initializers = [
    { name: 'W', dims: [3, b.length], floats: new Array(3 * b.length).fill(w) },
    { name: 'b', dims: [b.length], floats: b },
  ];
  const path = join(dir, `mica-${b.length}-${w}.onnx`);
  writeFileSync(path, encodeModel({ nodes, initializers, inputs: [{ name: 'image', shape: [1, 3, 'H', 'W'] }], outputs: [{ name: 'shape', shape: [1, b.length] }] }));
  const config = join(dir, `mica-${b.length}-${w}.json`);
  writeFileSync(config, JSON.stringify({ model: path, input: { size: [32, 32] }, outputs: { identity: 'shape' } }));
  return config;
}

describe('pixel3dmm identityPrior "onnx"', () => {
  const model = demoModel();
  const imagePath = join(dir, 'image.png');
  const size = 48;
  const data = new Uint8Array(3 * size * size);
  for (let i = 0; i < data.length; i++) data[i] = (i * 37) % 256;
  writeRgbPng(imagePath, { width: size, height: size, data });
  const item = { bench: dir, imagePath, item: { person: '001' }, person: {}, meta: {} } as unknown as PredictItem;

  it('is the regressor output on the item crop (float32 of the model), zero-padded modes allowed', async () => {
    const b = Array.from({ length: model.identityCount - 2 }, (_, k) => Math.fround(0.1 * k - 0.3));
    const options = parseMethodOptions(pixel3dmmAdapter, { identityPrior: 'onnx', identityPriorModel: identityModel(b) });
    const prior = await identityPriorFor(item, options, model);
    expect(Array.from(prior!)).toEqual(b);
    // no-identity-prior ignores it; zero gives none.
    expect(await identityPriorFor(item, { ...options, variant: 'no-identity-prior' }, model)).toBeUndefined();
    expect(await identityPriorFor(item, { ...options, identityPrior: 'zero' }, model)).toBeUndefined();
  });

  it('depends on the image (a regressor, not a constant): matches the hand computation of mean colour · W + b', async () => {
    const b = new Array(model.identityCount).fill(0);
    const options = parseMethodOptions(pixel3dmmAdapter, { identityPrior: 'onnx', identityPriorModel: identityModel(b, 0.5) });
    const prior = await identityPriorFor(item, options, model);
    // The input is resized to 32² (bilinear) and scaled to [0, 1]: its channel means are close to the image's.
    let mean = 0;
    for (let i = 0; i < data.length; i++) mean += data[i] / 255 / data.length;
    for (const v of prior!) expect(v).toBeCloseTo(0.5 * 3 * mean, 1);
    expect(prior![0]).toBeGreaterThan(0.1);
  });

  it('refuses a missing config, too many coefficients and a missing model option, each in one line', async () => {
    await expect(pixel3dmmAdapter.prepare!({ bench: dir, manifest: { source: { capture: dir } } as never, options: parseMethodOptions(pixel3dmmAdapter, { identityPrior: 'onnx', priors: 'onnx', onnx: { uvModel: 'x', normalModel: 'y' } }) })).rejects.toThrow(/identityPrior "onnx" needs identityPriorModel/);
    const tooMany = parseMethodOptions(pixel3dmmAdapter, { identityPrior: 'onnx', identityPriorModel: identityModel(new Array(model.identityCount + 3).fill(0.1)) });
    await expect(identityPriorFor(item, tooMany, model)).rejects.toThrow(/outputs\.identity gives \d+ coefficients but the target model demo has \d+ identity modes/);
    const missing = parseMethodOptions(pixel3dmmAdapter, { identityPrior: 'onnx', identityPriorModel: join(dir, 'nope.json') });
    await expect(identityPriorFor(item, missing, model)).rejects.toThrow(/nope\.json: regressor config not found/);
  });
});
