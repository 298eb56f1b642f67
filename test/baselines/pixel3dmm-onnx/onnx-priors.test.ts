import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadOnnxPriors, maskFromLabels, onnxPriors, OnnxPriorsConfigSchema } from '../../../baselines/pixel3dmm/onnx-priors.js';
import type { RgbImage } from '../../../evaluators/image/index.js';
import { encodeModel, type Dim } from '../../benchmark/construct/parser/onnx-builder.js';

const dir = mkdtempSync(join(tmpdir(), 'facebench-p3dmm-onnx-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const S = 8;

/**
 * A real ONNX network: out = Conv1x1(image; W, b) + ramp, where W is C×3, b has C entries
 * and ramp[c, y, x] = slope[c] · x adds a known dependence on the column.
 */
function pixelNet(file: string, W: number[][], b: number[], slope: number[], opts: { inShape?: Dim[]; size?: number } = {}): string {
  const C = b.length;
  const size = opts.size ?? S;
  const ramp: number[] = [];
  for (let c = 0; c < C; c++) for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) ramp.push(slope[c] * x);
  const bytes = encodeModel({
    nodes: [
      { op: 'Conv', inputs: ['image', 'W', 'b'], outputs: ['conv'] },
      { op: 'Add', inputs: ['conv', 'ramp'], outputs: ['out'] },
    ],
    initializers: [
      { name: 'W', dims: [C, 3, 1, 1], floats: W.flat() },
      { name: 'b', dims: [C], floats: b },
      { name: 'ramp', dims: [1, C, size, size], floats: ramp },
    ],
    inputs: [{ name: 'image', shape: opts.inShape ?? [1, 3, size, size] }],
    outputs: [{ name: 'out', shape: [1, C, size, size] }],
  });
  const path = join(dir, file);
  writeFileSync(path, bytes);
  return path;
}

/** An S×S image whose red channel is 10·x + y and green 5·y (bytes). */
function testImage(): RgbImage {
  const data = new Uint8Array(3 * S * S);
  for (let y = 0; y < S; y++) for (let x = 0; x < S; x++) {
    data[3 * (y * S + x)] = 10 * x + y;
    data[3 * (y * S + x) + 1] = 5 * y;
    data[3 * (y * S + x) + 2] = 7;
  }
  return { width: S, height: S, data };
}

const plain = { inputSize: S, mean: [0, 0, 0] as [number, number, number], std: [1, 1, 1] as [number, number, number] };
// UV net: p0 = red/255 + 0.1·x − 0.2, p1 = green/255 − 0.3; normal net: constant (0.2, −0.9, 0.3) + 0.05·x on channel 0.
const uvModel = pixelNet('uv.onnx', [[1, 0, 0], [0, 1, 0]], [-0.2, -0.3], [0.1, 0]);
const normalModel = pixelNet('normals.onnx', [[0, 0, 0], [0, 0, 0], [0, 0, 0]], [0.2, -0.9, 0.3], [0.05, 0, 0]);

describe('Pixel3DMM priors from ONNX networks', () => {
  it('without flip: uv = (0.5·p0 + 0.5, 0.5 − 0.5·p1) clamped, normals (c0, c2, c1) normalised', async () => {
    const img = testImage();
    const priors = await onnxPriors(img, { ...plain, uvModel, normalModel, flip: false });
    expect(priors.width).toBe(S);
    expect(priors.mask.every((m) => m === 1)).toBe(true);
    for (let y = 0; y < S; y++) for (let x = 0; x < S; x++) {
      const p = y * S + x;
      const p0 = (10 * x + y) / 255 + 0.1 * x - 0.2;
      const p1 = (5 * y) / 255 - 0.3;
      expect(priors.uv[2 * p]).toBeCloseTo(Math.min(1, Math.max(0, 0.5 * p0 + 0.5)), 5);
      expect(priors.uv[2 * p + 1]).toBeCloseTo(0.5 - 0.5 * p1, 5);
      const c = [0.2 + 0.05 * x, -0.9, 0.3];
      const len = Math.hypot(...c);
      expect(priors.normals[3 * p]).toBeCloseTo(c[0] / len, 5);
      expect(priors.normals[3 * p + 1]).toBeCloseTo(c[2] / len, 5);
      expect(priors.normals[3 * p + 2]).toBeCloseTo(c[1] / len, 5);
      // a raw normal pointing back at the viewer (c1 < 0) faces the camera in OpenCV: n_z < 0
      expect(priors.normals[3 * p + 2]).toBeLessThan(0);
    }
  });

  it('flip TTA averages the prediction with the mirrored image\'s, mirrored back, u and x negated (+0.015 on u)', async () => {
    const img = testImage();
    const priors = await onnxPriors(img, { ...plain, uvModel, normalModel });
    const red = (x: number, y: number) => (10 * x + y) / 255;
    for (let y = 0; y < S; y++) for (let x = 0; x < S; x++) {
      const p = y * S + x;
      const m = S - 1 - x;
      // the mirrored run sees column m's colours at column x; its output at column m is red(x) + 0.1·m − 0.2
      const direct0 = red(x, y) + 0.1 * x - 0.2;
      const back0 = red(x, y) + 0.1 * m - 0.2;
      const p0 = (direct0 + (-back0 + 0.015)) / 2;
      const p1 = (5 * y) / 255 - 0.3;
      expect(priors.uv[2 * p]).toBeCloseTo(0.5 * p0 + 0.5, 5);
      expect(priors.uv[2 * p + 1]).toBeCloseTo(0.5 - 0.5 * p1, 5);
      const c0 = ((0.2 + 0.05 * x) - (0.2 + 0.05 * m)) / 2;
      const len = Math.hypot(c0, -0.9, 0.3);
      expect(priors.normals[3 * p]).toBeCloseTo(c0 / len, 5);
      expect(priors.normals[3 * p + 1]).toBeCloseTo(0.3 / len, 5);
      expect(priors.normals[3 * p + 2]).toBeCloseTo(-0.9 / len, 5);
    }
  });

  it('normalises the input with mean/std, resizes to the image and applies the mask', async () => {
    // a constant image of value 51 (0.2): the UV net gives p0 = (0.2 − 0.1)/0.5 + 0.1·x − 0.2 at the network's size
    const big = 2 * S;
    const img: RgbImage = { width: big, height: big, data: new Uint8Array(3 * big * big).fill(51) };
    const mask = new Uint8Array(big * big);
    for (let p = 0; p < big * big; p += 3) mask[p] = 1;
    const runner = await loadOnnxPriors({ uvModel, normalModel, inputSize: S, mean: [0.1, 0.1, 0.1], std: [0.5, 0.5, 0.5], flip: false });
    const priors = await runner.run(img, mask);
    await runner.release();
    expect(priors.width).toBe(big);
    for (let y = 0; y < big; y++) for (let x = 0; x < big; x++) {
      const p = y * big + x;
      expect(priors.mask[p]).toBe(mask[p]);
      if (!mask[p]) {
        expect(Number.isNaN(priors.uv[2 * p])).toBe(true);
        expect(Number.isNaN(priors.normals[3 * p])).toBe(true);
        continue;
      }
      // output column x samples the network's column (x + 0.5)/2 − 0.5, clamped to [0, S−1]
      const fx = Math.min(Math.max((x + 0.5) / 2 - 0.5, 0), S - 1);
      const p0 = 0.2 + 0.1 * fx - 0.2;
      expect(priors.uv[2 * p]).toBeCloseTo(0.5 * p0 + 0.5, 5);
    }
  });

  it('a mask from a label map keeps the listed labels', () => {
    expect([...maskFromLabels({ width: 3, height: 1, data: Uint8Array.from([0, 2, 5]) }, [2, 5])]).toEqual([0, 1, 1]);
  });

  it('the schema fills the documented defaults', () => {
    const cfg = OnnxPriorsConfigSchema.parse({ uvModel: 'a.onnx', normalModel: 'b.onnx' });
    expect(cfg).toMatchObject({ inputSize: 512, mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225], flip: true, flipUOffset: 0.015, uvScale: [0.5, -0.5], uvOffset: [0.5, 0.5], normalAxes: ['+0', '+2', '+1'] });
    expect(() => OnnxPriorsConfigSchema.parse({ uvModel: 'a', normalModel: 'b', normalAxes: ['x', '+1', '+2'] })).toThrow();
  });

  it('refuses a missing file, a non-ONNX file, a wrong input size and wrong output channels with one line naming the file', async () => {
    const missing = join(dir, 'missing.onnx');
    const garbage = join(dir, 'garbage.onnx');
    writeFileSync(garbage, 'not a model');
    const small = pixelNet('small.onnx', [[1, 0, 0], [0, 1, 0]], [0, 0], [0, 0], { size: 4 });
    const threeChannel = pixelNet('three.onnx', [[1, 0, 0], [0, 1, 0], [0, 0, 1]], [0, 0, 0], [0, 0, 0]);
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ uvModel: missing, normalModel }, /missing\.onnx: ONNX model file not found \(UV network\)$/],
      [{ uvModel, normalModel: garbage }, /garbage\.onnx: not a loadable ONNX model/],
      [{ uvModel: small, normalModel }, /small\.onnx: the UV network's input 'image' is float32 \[1, 3, 4, 4\]; expected float32 \[1, 3, 8, 8\]$/],
      [{ uvModel: threeChannel, normalModel }, /three\.onnx: the UV network's output 'out' is \[1, 3, 8, 8\]; expected \[1, 2, h, w\]$/],
      [{ uvModel, normalModel: uvModel }, /uv\.onnx: the normal network's output 'out' is \[1, 2, 8, 8\]; expected \[1, 3, h, w\]$/],
    ];
    for (const [config, message] of cases) {
      const error = await onnxPriors(testImage(), { ...plain, ...config } as never).catch((e: unknown) => e as Error);
      expect(error).toBeInstanceOf(Error);
      expect((error as Error).name).toBe('InputError');
      expect((error as Error).message).toMatch(message);
      expect((error as Error).message).not.toContain('\n');
    }
    // a symbolic-size input that fails at run time is refused the same way
    const dynamic = pixelNet('dynamic.onnx', [[1, 0, 0], [0, 1, 0]], [0, 0], [0, 0], { inShape: [1, 3, 'H', 'W'], size: 4 });
    const error = await onnxPriors(testImage(), { ...plain, uvModel: dynamic, normalModel }).catch((e: unknown) => e as Error);
    expect((error as Error).message).toMatch(/dynamic\.onnx: inference failed: /);
    expect((error as Error).message).not.toContain('\n');
  });
});
