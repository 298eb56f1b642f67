import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadFaceParser, parseParserConfig } from '../../../../benchmark/construct/parser/index.js';
import { resizeLabelsNearest } from '../../../../evaluators/image/index.js';
import { InputError } from '../../../../evaluators/errors.js';
import { rng } from '../../../helpers/random.js';
import { encodeModel, type Dim } from './onnx-builder.js';

const dir = mkdtempSync(join(tmpdir(), 'facebench-parser-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const NAMES = { 0: 'background', 1: 'skin', 2: 'nose', 3: 'lips' };

function writeJson(name: string, value: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify(value));
  return path;
}

/** Conv 1×1 RGB → C channels (weights [C,3], bias [C]), optionally followed by a 2×2/2 MaxPool. */
function convModel(
  name: string, weights: number[][], bias: number[], options: { inShape?: Dim[]; outShape?: Dim[] | null; maxPool?: boolean; squeeze?: boolean } = {},
): string {
  const C = weights.length;
  const nodes = [{ op: 'Conv', inputs: ['image', 'W', 'B'], outputs: [options.maxPool || options.squeeze ? 'conv' : 'scores'] }];
  const initializers = [
    { name: 'W', dims: [C, weights[0].length, 1, 1], floats: weights.flat() },
    { name: 'B', dims: [C], floats: bias },
  ];
  if (options.maxPool) nodes.push({ op: 'MaxPool', inputs: ['conv'], outputs: ['scores'], ints: { kernel_shape: [2, 2], strides: [2, 2] } } as never);
  if (options.squeeze) {
    nodes.push({ op: 'Squeeze', inputs: ['conv', 'axes'], outputs: ['scores'] });
    initializers.push({ name: 'axes', dims: [1], int64s: [0] } as never);
  }
  const bytes = encodeModel({
    nodes, initializers,
    inputs: [{ name: 'image', shape: options.inShape ?? [1, 3, 'H', 'W'] }],
    outputs: [{ name: 'scores', shape: options.outShape === null ? undefined : (options.outShape ?? [1, C, 'h', 'w']) }],
  });
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
}

function randomImage(random: () => number, width: number, height: number): { width: number; height: number; data: Uint8Array } {
  const data = new Uint8Array(width * height * 3);
  for (let i = 0; i < data.length; i++) data[i] = Math.floor(random() * 256);
  return { width, height, data };
}

function randomWeights(random: () => number, C: number): { W: number[][]; b: number[] } {
  const W = Array.from({ length: C }, () => Array.from({ length: 3 }, () => Math.fround(4 * random() - 2)));
  const b = Array.from({ length: C }, () => Math.fround(random() - 0.5));
  return { W, b };
}

/** argmax_k (W·x + b)_k in float64, with the gap between the best two scores. */
function referenceLabel(W: number[][], b: number[], x: number[]): { label: number; margin: number } {
  const s = W.map((row, k) => row[0] * x[0] + row[1] * x[1] + row[2] * x[2] + b[k]);
  const label = s.indexOf(Math.max(...s));
  const margin = s[label] - Math.max(...s.filter((_, k) => k !== label));
  return { label, margin };
}

describe('loadFaceParser with a real ONNX model', () => {
  it('labels every pixel with argmax(W·normalise(rgb) + b) for a 1x1 Conv (image-sized input)', async () => {
    const random = rng(11);
    const { W, b } = randomWeights(random, 4);
    const mean = [0.4, 0.5, 0.6];
    const std = [0.2, 0.25, 0.3];
    const model = convModel('conv.onnx', W, b);
    const labels = writeJson('labels-conv.json', { labels: NAMES, face_kept: [1, 2, 3], input: { mean, std } });
    const parser = await loadFaceParser(model, labels);
    expect(parser.inputName).toBe('image');
    expect(parser.config.faceKept).toEqual([1, 2, 3]);
    const image = randomImage(random, 7, 5);
    const out = await parser.parse(image);
    expect(out.length).toBe(35);
    const counts = [0, 0, 0, 0];
    for (let p = 0; p < 35; p++) {
      const x = [0, 1, 2].map((c) => (image.data[3 * p + c] / 255 - mean[c]) / std[c]);
      const ref = referenceLabel(W, b, x);
      expect(ref.margin).toBeGreaterThan(1e-3);
      expect(out[p]).toBe(ref.label);
      counts[ref.label]++;
    }
    expect(counts.filter((c) => c > 0).length).toBeGreaterThanOrEqual(3);
    await parser.release();
  });

  it('resizes to input.size (bilinear), pools, and maps labels back with nearest neighbour', async () => {
    const random = rng(5);
    const { W, b } = randomWeights(random, 4);
    const model = convModel('conv-pool.onnx', W, b, { inShape: [1, 3, 4, 4], outShape: [1, 4, 2, 2], maxPool: true });
    const labels = writeJson('labels-pool.json', { labels: NAMES, input: { size: [4, 4] } });
    const parser = await loadFaceParser(model, labels);
    expect(parser.config.faceKept).toEqual([1, 2, 3]);
    const image = randomImage(random, 8, 8);
    const out = await parser.parse(image);
    // 8→4 bilinear with pixel-centre alignment samples at 2x+0.5: the mean of each 2×2 block.
    const scores = (u: number, v: number): number[] => {
      const x = [0, 1, 2].map((c) => {
        let s = 0;
        for (const [dx, dy] of [[0, 0], [1, 0], [0, 1], [1, 1]]) s += image.data[3 * ((2 * v + dy) * 8 + 2 * u + dx) + c];
        return s / 4 / 255;
      });
      return W.map((row, k) => row[0] * x[0] + row[1] * x[1] + row[2] * x[2] + b[k]);
    };
    for (let Y = 0; Y < 2; Y++) {
      for (let X = 0; X < 2; X++) {
        const pooled = [0, 1, 2, 3].map((k) => Math.max(...[[0, 0], [1, 0], [0, 1], [1, 1]].map(([dx, dy]) => scores(2 * X + dx, 2 * Y + dy)[k])));
        const label = pooled.indexOf(Math.max(...pooled));
        // each of the 2×2 output cells covers a 4×4 block of the 8×8 image
        for (let y = 4 * Y; y < 4 * Y + 4; y++) for (let x = 4 * X; x < 4 * X + 4; x++) expect(out[y * 8 + x]).toBe(label);
      }
    }
    await parser.release();
  });

  it('refuses an output whose channel count differs from the labels file, naming the model', async () => {
    const { W, b } = randomWeights(rng(3), 5);
    const model = convModel('five.onnx', W, b);
    const labels = writeJson('labels-four.json', { labels: NAMES });
    const error = await loadFaceParser(model, labels).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    const message = (error as Error).message;
    expect(message).not.toContain('\n');
    expect(message.startsWith(`${model}: `)).toBe(true);
    expect(message).toContain('5 channels');
    expect(message).toContain(labels);
  });

  it('refuses an output that is not rank 4 or has the wrong channel count, also when the graph does not declare its shape', async () => {
    const { W, b } = randomWeights(rng(4), 4);
    const labels = writeJson('labels-rank.json', { labels: NAMES });
    const declared = convModel('rank3.onnx', W, b, { squeeze: true, outShape: [4, 'h', 'w'] });
    await expect(loadFaceParser(declared, labels)).rejects.toThrow(/rank3\.onnx: output 'scores' has shape \[4, h, w\]; expected scores \[1, C, h, w\]/);
    const undeclared = convModel('rank3-noshape.onnx', W, b, { squeeze: true, outShape: null });
    // onnxruntime infers the undeclared output shape, so these are refused at load time too
    await expect(loadFaceParser(undeclared, labels)).rejects.toThrow(/rank3-noshape\.onnx: output 'scores' has shape \[4, \?, \?\]; expected scores \[1, C, h, w\]/);
    const { W: W5, b: b5 } = randomWeights(rng(6), 5);
    await expect(loadFaceParser(convModel('five-noshape.onnx', W5, b5, { outShape: null }), labels))
      .rejects.toThrow(/five-noshape\.onnx: output 'scores' has 5 channels but .*labels-rank\.json defines 4 labels/);
  });

  it('refuses a missing or invalid model and an input that is not [1,3,H,W]', async () => {
    const labels = writeJson('labels-ok.json', { labels: NAMES });
    await expect(loadFaceParser(join(dir, 'nope.onnx'), labels)).rejects.toThrow(/nope\.onnx: ONNX model file not found/);
    const garbage = join(dir, 'garbage.onnx');
    writeFileSync(garbage, 'this is not a protobuf');
    const garbageError = await loadFaceParser(garbage, labels).catch((e: unknown) => (e as Error).message);
    expect(garbageError).toMatch(/garbage\.onnx: not a loadable ONNX model: \S/);
    expect(garbageError).not.toMatch(/\.cc:\d|\n/);
    const { W, b } = randomWeights(rng(2), 4);
    const gray = convModel('gray.onnx', W.map((r) => [r[0]]), b, { inShape: [1, 1, 'H', 'W'] });
    await expect(loadFaceParser(gray, labels)).rejects.toThrow(/gray\.onnx: input 'image' has shape \[1, 1, H, W\]; expected \[1, 3, H, W\]/);
    const ok = await loadFaceParser(convModel('ok.onnx', W, b), labels);
    await expect(ok.parse({ width: 2, height: 2, data: new Uint8Array(5) }, 'frame.png')).rejects.toThrow(/^frame\.png: expected an RGB image/);
    await ok.release();
  });
});

describe('parser labels file', () => {
  it('requires ids 0..C-1 and valid input settings, with one-line errors naming the file', () => {
    expect(() => parseParserConfig({ labels: { 0: 'background', 2: 'skin' } }, 'l.json')).toThrow(/^l\.json: label id "2" is not in 0\.\.1/);
    expect(() => parseParserConfig({ labels: NAMES, face_kept: [7] }, 'l.json')).toThrow(/^l\.json: "face_kept" must list label ids in 0\.\.3/);
    expect(() => parseParserConfig({ labels: NAMES, input: { std: [1, 0, 1] } }, 'l.json')).toThrow(/"input\.std" must be 3 positive numbers/);
    expect(() => parseParserConfig({ labels: NAMES, input: { size: [512] } }, 'l.json')).toThrow(/"input\.size" must be \[width, height\]/);
    expect(() => parseParserConfig([1, 2], 'l.json')).toThrow(/^l\.json: expected \{"labels"/);
    const config = parseParserConfig({ labels: { 0: 'background', 1: 'hair', 2: 'skin', 3: 'brows' } }, 'l.json');
    expect(config.faceKept).toEqual([2, 3]);
    expect(config.input).toEqual({ mean: [0, 0, 0], std: [1, 1, 1] });
  });

  it('nearest-neighbour label resize picks the source pixel whose centre is nearest', () => {
    const src = Uint8Array.of(1, 2, 3, 4, 5, 6); // 3×2
    expect(Array.from(resizeLabelsNearest(src, 3, 2, 6, 4))).toEqual([
      1, 1, 2, 2, 3, 3, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 4, 4, 5, 5, 6, 6,
    ]);
  });
});
