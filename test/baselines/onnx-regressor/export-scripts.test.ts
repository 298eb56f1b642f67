import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findTorchPython } from '../../helpers/python.js';
import { afterAll, describe, expect, it } from 'vitest';
import { RegressorConfigSchema } from '../../../baselines/onnx-regressor/config.js';
import { loadRegressor } from '../../../baselines/onnx-regressor/regressor.js';
import type { RgbImage } from '../../../evaluators/image/index.js';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const STANDINS = join(ROOT, 'test/python/regressor_standins.py');
const EXPORT = join(ROOT, 'baselines/onnx-regressor/export');

const { python, reason } = findTorchPython();
if (!python) console.warn(`skipping the regressor export-script tests: ${reason}`);

const dir = mkdtempSync(join(tmpdir(), 'facebench-regressor-export-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const S = 16;
/** No __pycache__ folders in the tree from the imports. */
const ENV = { ...process.env, PYTHONDONTWRITEBYTECODE: '1' };

/** A deterministic S×S RGB image with different means per channel. */
function testImage(): RgbImage {
  const data = new Uint8Array(3 * S * S);
  for (let p = 0; p < S * S; p++) {
    data[3 * p] = (p * 7) % 256;
    data[3 * p + 1] = 200 - (p % 50);
    data[3 * p + 2] = (p * 13 + 40) % 256;
  }
  return { width: S, height: S, data };
}

/** Per-channel means of the normalised network input, (v/255 − mean)/std. */
function channelMeans(image: RgbImage, mean: number, std: number): number[] {
  const sums = [0, 0, 0];
  for (let p = 0; p < S * S; p++) for (let c = 0; c < 3; c++) sums[c] += (image.data[3 * p + c] / 255 - mean) / std;
  return sums.map((s) => s / (S * S));
}

// the stand-ins' formulas (test/python/regressor_standins.py), b = the method's bias
const shapeOf = (m: number[], b: number, k: number) => (k + 1) * 0.01 * m[k % 3] + 0.001 * k + 0.1 * b;
const expOf = (m: number[], b: number, k: number) => 0.02 * m[(k + 1) % 3] - 0.003 * k + 0.1 * b;
const jawOf = (m: number[], b: number, k: number) => 0.1 * m[k] + 0.05 * (k + 1) + 0.1 * b;

function expectClose(actual: Float64Array, expected: (k: number) => number, length: number): void {
  expect(actual.length).toBe(length);
  for (let k = 0; k < length; k++) expect(actual[k], `coefficient ${k}`).toBeCloseTo(expected(k), 5);
}

describe.skipIf(!python)('baselines/onnx-regressor/export scripts', () => {
  let exported = false;
  it('export stand-in networks in the named-regressor contract', () => {
    const r = spawnSync(python!, [STANDINS, dir, String(S)], { encoding: 'utf8', env: ENV });
    expect(r.stderr.split('\n').filter((l) => /Error|Traceback/.test(l))).toEqual([]);
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toBe('ok');
    exported = true;
  });

  const flame = [
    { name: 'deca', file: 'deca.onnx', bias: 0, nShape: 100 },
    { name: 'emoca-v2', file: 'emoca-v2.onnx', bias: 1, nShape: 100 },
    { name: 'smirk', file: 'smirk.onnx', bias: 2, nShape: 300 },
  ];
  for (const { name, file, bias, nShape } of flame) {
    it(`${name}: the loader reads shape/exp/jaw as the stand-in computed them`, async () => {
      expect(exported).toBe(true);
      const config = RegressorConfigSchema.parse({
        model: join(dir, file),
        input: { size: [S, S], mean: [0, 0, 0], std: [1, 1, 1], layout: 'NCHW' },
        outputs: { identity: 'shape', expression: 'exp', jaw: 'jaw' },
        target: 'demo',
      });
      const regressor = await loadRegressor(config, `${name}.json`);
      try {
        const image = testImage();
        const out = await regressor.predict(image);
        const m = channelMeans(image, 0, 1);
        expectClose(out.identity, (k) => shapeOf(m, bias, k), nShape);
        expectClose(out.expression, (k) => expOf(m, bias, k), 50);
        expect(out.jaw).toBeDefined();
        expectClose(out.jaw!, (k) => jawOf(m, bias, k), 3);
      } finally {
        await regressor.release();
      }
    });
  }

  it('mica: the loader reads the 300 shape coefficients of the normalised ArcFace blob', async () => {
    expect(exported).toBe(true);
    const config = RegressorConfigSchema.parse({
      model: join(dir, 'mica.onnx'),
      input: { size: [S, S], mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5], layout: 'NCHW' },
      outputs: { identity: 'shape' },
      target: 'demo',
    });
    const regressor = await loadRegressor(config, 'mica.json');
    try {
      const image = testImage();
      const out = await regressor.predict(image);
      const [m0, m1, m2] = channelMeans(image, 0.5, 0.5);
      const norm = Math.hypot(m0, m1, m2, 1);
      const z = [m0 / norm, m1 / norm, m2 / norm, 1 / norm];
      expectClose(out.identity, (k) => (k + 1) * 0.01 * z[k % 3] + 0.001 * k * z[3] + 0.3, 300);
      expect(out.expression.length).toBe(0);
      expect(out.jaw).toBeUndefined();
    } finally {
      await regressor.release();
    }
  });

  it('a script run without the official code stops with one line naming the missing repo', () => {
    const r = spawnSync(python!, [join(EXPORT, 'deca.py'), '--repo', '/nonexistent', '--out', join(dir, 'never.onnx')], { encoding: 'utf8', env: ENV });
    expect(r.status).not.toBe(0);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('/nonexistent');
    expect(lines[0]).toContain('https://github.com/yfeng95/DECA');
  });
});
