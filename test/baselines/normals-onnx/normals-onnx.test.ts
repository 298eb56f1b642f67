import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  NORMALS_PRESETS, estimateNormals, normalsConfigOf, normalsOnnxAdapter, resolveNormalsConfig, type NormalsConfig,
} from '../../../baselines/normals-onnx/index.js';
import { parseMethodOptions } from '../../../baselines/method-options.js';
import { isInputError } from '../../../evaluators/errors.js';
import type { RgbImage } from '../../../evaluators/image/index.js';
import { encodeModel, type Node } from '../../benchmark/construct/parser/onnx-builder.js';

/**
 * normals-onnx against a reference computed here from the preset rules (resize or fit-pad,
 * normalise, the stand-in network's known function, cut the pad, resize back, normalise, map
 * the axes), on stand-in ONNX networks built in the test: a 1×1 convolution (out = W·in + b
 * per pixel), optionally followed by a 2×2 average pool (an output smaller than the input).
 */
const dir = mkdtempSync(join(tmpdir(), 'facebench-normals-onnx-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const WEIGHTS = [[0.8, -0.3, 0.1], [0.2, 0.5, -0.4], [0.1, 0.2, 0.9], [0.3, 0.3, 0.3]];
const BIAS = [0.1, -0.2, -1.5, 0.5];

/** A stand-in: Conv 1×1 (C outputs) [→ AveragePool 2×2], input 'image' [1, 3, H, W], output 'normals'. */
function standIn(file: string, channels: number, pool: boolean): string {
  const nodes: Node[] = [{ op: 'Conv', inputs: ['image', 'w', 'b'], outputs: [pool ? 'conv' : 'normals'] }];
  if (pool) nodes.push({ op: 'AveragePool', inputs: ['conv'], outputs: ['normals'], ints: { kernel_shape: [2, 2], strides: [2, 2] } });
  const path = join(dir, file);
  writeFileSync(path, encodeModel({
    nodes,
    initializers: [
      { name: 'w', dims: [channels, 3, 1, 1], floats: WEIGHTS.slice(0, channels).flat() },
      { name: 'b', dims: [channels], floats: BIAS.slice(0, channels) },
    ],
    inputs: [{ name: 'image', shape: [1, 3, 'H', 'W'] }],
    outputs: [{ name: 'normals', shape: [1, channels, 'h', 'w'] }],
  }));
  return path;
}

/** A deterministic image. */
function testImage(width: number, height: number): RgbImage {
  const data = new Uint8Array(3 * width * height);
  for (let p = 0; p < width * height; p++) {
    const x = p % width, y = Math.floor(p / width);
    data[3 * p] = (37 * x + 11 * y) % 256;
    data[3 * p + 1] = (200 - 13 * y + 5 * x + 256) % 256;
    data[3 * p + 2] = (x * y * 7 + 40) % 256;
  }
  return { width, height, data };
}

type Planes = number[][]; // [channel][y·w + x]

/** Bilinear resize, pixel-centre aligned (F.interpolate align_corners=False, cv2.resize INTER_LINEAR), edges clamped. */
function bilinear(src: Planes, w: number, h: number, outW: number, outH: number): Planes {
  return src.map((plane) => {
    const out: number[] = [];
    for (let y = 0; y < outH; y++) {
      const fy = Math.min(Math.max((y + 0.5) * (h / outH) - 0.5, 0), h - 1);
      for (let x = 0; x < outW; x++) {
        const fx = Math.min(Math.max((x + 0.5) * (w / outW) - 0.5, 0), w - 1);
        const x0 = Math.floor(fx), y0 = Math.floor(fy), x1 = Math.min(x0 + 1, w - 1), y1 = Math.min(y0 + 1, h - 1);
        const tx = fx - x0, ty = fy - y0;
        const at = (xx: number, yy: number) => plane[yy * w + xx];
        out.push((1 - ty) * ((1 - tx) * at(x0, y0) + tx * at(x1, y0)) + ty * ((1 - tx) * at(x0, y1) + tx * at(x1, y1)));
      }
    }
    return out;
  });
}

/** The reference normal map of the stand-in network under `config`. */
function reference(image: RgbImage, config: NormalsConfig, channels: number, pool: boolean): Float64Array {
  const { width: w, height: h } = image;
  const [W, H] = config.input.size;
  const rgb: Planes = [0, 1, 2].map((c) => Array.from({ length: w * h }, (_, p) => image.data[3 * p + c]));
  // Placement: stretch = the whole input; fit-pad = Metric3D's hubconf (scale, int sizes, pad // 2 first).
  let nw = W, nh = H, left = 0, top = 0;
  if (config.input.resize === 'fit-pad') {
    const scale = Math.min(H / h, W / w);
    nw = Math.trunc(w * scale);
    nh = Math.trunc(h * scale);
    left = Math.floor((W - nw) / 2);
    top = Math.floor((H - nh) / 2);
  }
  const resized = bilinear(rgb, w, h, nw, nh);
  const input: Planes = [0, 1, 2].map((c) => {
    const plane = new Array<number>(W * H).fill(config.input.padValue[c]);
    for (let y = 0; y < nh; y++) for (let x = 0; x < nw; x++) plane[(top + y) * W + left + x] = resized[c][y * nw + x];
    return plane.map((v) => (v - config.input.mean[c]) / config.input.std[c]);
  });
  let out: Planes = Array.from({ length: channels }, (_, k) => input[0].map((_, p) => WEIGHTS[k][0] * input[0][p] + WEIGHTS[k][1] * input[1][p] + WEIGHTS[k][2] * input[2][p] + BIAS[k]));
  let ow = W, oh = H;
  if (pool) {
    ow = W / 2;
    oh = H / 2;
    out = out.map((plane) => Array.from({ length: ow * oh }, (_, p) => {
      const x = p % ow, y = Math.floor(p / ow);
      return (plane[2 * y * W + 2 * x] + plane[2 * y * W + 2 * x + 1] + plane[(2 * y + 1) * W + 2 * x] + plane[(2 * y + 1) * W + 2 * x + 1]) / 4;
    }));
    expect(left + top).toBe(0); // pooled outputs are only used with stretch here
  }
  // Unpad (an integer crop at output resolution), then resize to the image.
  const cropped = out.slice(0, 3).map((plane) => Array.from({ length: nw * nh }, (_, p) => plane[(top + Math.floor(p / nw)) * ow + left + (p % nw)]));
  const [cw, ch] = pool ? [ow, oh] : [nw, nh];
  const full = bilinear(pool ? out.slice(0, 3) : cropped, cw, ch, w, h);
  const axes = config.normalAxes.map((a) => ({ sign: a[0] === '-' ? -1 : 1, channel: Number(a[1]) }));
  const result = new Float64Array(3 * w * h);
  for (let p = 0; p < w * h; p++) {
    const v = [full[0][p], full[1][p], full[2][p]];
    const len = Math.hypot(v[0], v[1], v[2]);
    for (let k = 0; k < 3; k++) result[3 * p + k] = (axes[k].sign * v[axes[k].channel]) / len;
  }
  return result;
}

function expectMap(actual: Float32Array, expected: Float64Array, mask?: Uint8Array): void {
  expect(actual.length).toBe(expected.length);
  let worst = 0;
  for (let i = 0; i < expected.length; i++) {
    if (mask && !mask[Math.floor(i / 3)]) {
      expect(Number.isNaN(actual[i]), `value ${i} outside the mask`).toBe(true);
      continue;
    }
    worst = Math.max(worst, Math.abs(actual[i] - expected[i]));
  }
  expect(worst).toBeLessThan(1e-5);
}

describe('normals-onnx: the map against the preset rules on stand-in networks', () => {
  it('stretch, an output at half the input size, custom mean/std and axes', async () => {
    const model = standIn('pooled.onnx', 3, true);
    const config = resolveNormalsConfig({ model, input: { size: [8, 6], mean: [100, 120, 90], std: [50, 60, 70] }, normalAxes: ['-2', '+0', '+1'] }, 'test');
    expect(config.input.resize).toBe('stretch');
    for (const [w, h] of [[12, 10], [5, 7]]) {
      const image = testImage(w, h);
      const map = await estimateNormals(image, config);
      expect([map.width, map.height]).toEqual([w, h]);
      expectMap(map.normals, reference(image, config, 3, true));
    }
  });

  it('fit-pad (the Metric3D rule, asymmetric pads both ways), 4 output channels, the pad cut off before resizing back', async () => {
    const model = standIn('conv4.onnx', 4, false);
    const config = resolveNormalsConfig({ model, preset: 'metric3d', input: { size: [10, 8] } }, 'test');
    expect(config.input).toMatchObject({ resize: 'fit-pad', padValue: NORMALS_PRESETS.metric3d.input.padValue, mean: NORMALS_PRESETS.metric3d.input.mean });
    expect(config.output.channels).toBe(4);
    for (const [w, h] of [[8, 4], [4, 8], [10, 8], [13, 9]]) {
      const image = testImage(w, h);
      const map = await estimateNormals(image, config);
      expectMap(map.normals, reference(image, config, 4, false));
    }
    // A pad colour other than the mean reaches the network (and so the border pixels).
    const red = resolveNormalsConfig({ model, preset: 'metric3d', input: { size: [10, 8], padValue: [255, 0, 0] }, normalAxes: ['+1', '-0', '+2'] }, 'test');
    const image = testImage(8, 4);
    expectMap((await estimateNormals(image, red)).normals, reference(image, red, 4, false));
  });

  it('NaN outside the mask; unit vectors inside', async () => {
    const model = standIn('conv3.onnx', 3, false);
    const config = resolveNormalsConfig({ model, preset: 'sapiens', input: { size: [6, 8] } }, 'test');
    const image = testImage(9, 7);
    const mask = Uint8Array.from({ length: 63 }, (_, p) => (p % 5 === 0 ? 0 : 1));
    const map = await estimateNormals(image, config, mask);
    expectMap(map.normals, reference(image, config, 3, false), mask);
    for (let p = 0; p < 63; p++) if (mask[p]) expect(Math.hypot(map.normals[3 * p], map.normals[3 * p + 1], map.normals[3 * p + 2])).toBeCloseTo(1, 6);
  });

  it('presets, options and one-line errors', async () => {
    const sapiens = resolveNormalsConfig({ model: 'm.onnx', preset: 'sapiens' }, 'test');
    expect(sapiens.input).toMatchObject({ size: [768, 1024], resize: 'stretch', mean: [123.5, 116.5, 103.5], std: [58.5, 57.0, 57.5] });
    expect(sapiens.output.channels).toBe(3);
    expect(sapiens.useFaceMask).toBe(true);
    const metric3d = resolveNormalsConfig({ model: 'm.onnx', preset: 'metric3d' }, 'test');
    expect(metric3d.input).toMatchObject({ size: [1064, 616], resize: 'fit-pad', mean: [123.675, 116.28, 103.53], std: [58.395, 57.12, 57.375], padValue: [123.675, 116.28, 103.53] });
    expect(() => resolveNormalsConfig({ model: 'm.onnx' }, 'test')).toThrow(/needs "input": \{"size": \[W, H\]\}/);
    expect(() => resolveNormalsConfig({ preset: 'sapiens' }, '--opts')).toThrow(/--opts: needs "model"/);
    // Options: inline fields over a config file (model relative to the file).
    const file = join(dir, 'normals.json');
    writeFileSync(file, JSON.stringify({ model: 'conv3.onnx', preset: 'sapiens', input: { size: [6, 8] } }));
    const opts = parseMethodOptions(normalsOnnxAdapter, { config: file, input: { mean: [0, 0, 0] }, useFaceMask: false });
    const merged = normalsConfigOf(opts);
    expect(merged).toMatchObject({ model: join(dir, 'conv3.onnx'), preset: 'sapiens', useFaceMask: false, input: { size: [6, 8], mean: [0, 0, 0], std: [58.5, 57.0, 57.5] } });
    expect(() => parseMethodOptions(normalsOnnxAdapter, { preset: 'omnidata' })).toThrow(/preset/);
    expect(normalsOnnxAdapter.tasks).toEqual([]);
    await expect(normalsOnnxAdapter.prepare!({ bench: dir, options: parseMethodOptions(normalsOnnxAdapter, { model: join(dir, 'none.onnx'), preset: 'sapiens' }) })).rejects.toThrow(/none\.onnx: ONNX model file not found/);

    const image = testImage(6, 6);
    const oneLine = async (config: NormalsConfig, pattern: RegExp) => {
      const error = await estimateNormals(image, config).then(() => undefined, (e: unknown) => e);
      expect(isInputError(error)).toBe(true);
      expect((error as Error).message).not.toContain('\n');
      expect((error as Error).message).toMatch(pattern);
    };
    await oneLine(resolveNormalsConfig({ model: join(dir, 'missing.onnx'), input: { size: [4, 4] } }, 'test'), /missing\.onnx: ONNX model file not found/);
    const garbage = join(dir, 'garbage.onnx');
    writeFileSync(garbage, 'not a model');
    await oneLine(resolveNormalsConfig({ model: garbage, input: { size: [4, 4] } }, 'test'), /garbage\.onnx: not a loadable ONNX model/);
    // 4 channels where 3 are declared: refused from the model's metadata.
    await oneLine(resolveNormalsConfig({ model: join(dir, 'conv4.onnx'), input: { size: [4, 4] } }, 'test'), /conv4\.onnx: output 'normals' is \[1, 4, h, w\]; expected \[1, 3, h, w\] \(output\.channels 3\)/);
    await oneLine(resolveNormalsConfig({ model: join(dir, 'conv3.onnx'), input: { size: [4, 4], name: 'rgb' } }, 'test'), /conv3\.onnx: has no input 'rgb' \(inputs: image\)/);
    // Non-finite output: log of a negative input.
    const log = join(dir, 'log.onnx');
    writeFileSync(log, encodeModel({ nodes: [{ op: 'Log', inputs: ['image'], outputs: ['normals'] }], initializers: [], inputs: [{ name: 'image', shape: [1, 3, 4, 4] }], outputs: [{ name: 'normals', shape: [1, 3, 4, 4] }] }));
    await oneLine(resolveNormalsConfig({ model: log, input: { size: [4, 4], mean: [128, 128, 128], std: [1, 1, 1] } }, 'test'), /log\.onnx: output 'normals' has \d+ non-finite normal values of 48/);
    // A fixed input size other than the config's.
    await oneLine(resolveNormalsConfig({ model: log, input: { size: [5, 4] } }, 'test'), /log\.onnx: input 'image' is float32 \[1, 3, 4, 4\]; expected float32 \[1, 3, 4, 5\]/);
  });
});
