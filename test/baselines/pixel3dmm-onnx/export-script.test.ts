import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findTorchPython } from '../../helpers/python.js';
import { afterAll, describe, expect, it } from 'vitest';
import { onnxPriors } from '../../../baselines/pixel3dmm/onnx-priors.js';
import type { RgbImage } from '../../../evaluators/image/index.js';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const STANDIN = join(ROOT, 'test/python/p3dmm_standin.py');

const { python, reason } = findTorchPython();
if (!python) console.warn(`skipping the export-script test: ${reason}`);

const dir = mkdtempSync(join(tmpdir(), 'facebench-p3dmm-export-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const MEAN = [0.485, 0.456, 0.406];
const STD = [0.229, 0.224, 0.225];

describe.skipIf(!python)('baselines/pixel3dmm/export_onnx.py', () => {
  it('exports a stand-in network in the priors contract, which the ONNX loader runs', async () => {
    const S = 16;
    const r = spawnSync(python!, [STANDIN, dir, String(S)], { encoding: 'utf8' });
    expect(r.stderr.split('\n').filter((l) => /Error/.test(l))).toEqual([]);
    expect(r.status).toBe(0);
    const data = new Uint8Array(3 * S * S);
    for (let p = 0; p < S * S; p++) {
      data[3 * p] = (p * 7) % 256;
      data[3 * p + 1] = 200 - (p % 50);
      data[3 * p + 2] = 90;
    }
    const image: RgbImage = { width: S, height: S, data };
    const config = { uvModel: join(dir, 'uv.onnx'), normalModel: join(dir, 'normals.onnx'), inputSize: S };
    const priors = await onnxPriors(image, { ...config, flip: false });
    for (let p = 0; p < S * S; p++) {
      // the stand-in sees the normalised input (its own ×1000 normalisation was removed by the export)
      const [r0, g0, b0] = [0, 1, 2].map((c) => (data[3 * p + c] / 255 - MEAN[c]) / STD[c]);
      const p0 = 2 * r0 - 1;
      const p1 = g0 - b0;
      expect(priors.uv[2 * p]).toBeCloseTo(Math.min(1, Math.max(0, 0.5 * p0 + 0.5)), 4);
      expect(priors.uv[2 * p + 1]).toBeCloseTo(Math.min(1, Math.max(0, 0.5 - 0.5 * p1)), 4);
      const len = Math.hypot(r0, -1, 0.5);
      expect(priors.normals[3 * p]).toBeCloseTo(r0 / len, 4);
      expect(priors.normals[3 * p + 1]).toBeCloseTo(0.5 / len, 4);
      expect(priors.normals[3 * p + 2]).toBeCloseTo(-1 / len, 4);
    }
    // with the flip: a pixelwise network's u averages to 0.015 / 2, its normal's x to 0
    const flipped = await onnxPriors(image, config);
    for (let p = 0; p < S * S; p++) {
      expect(flipped.uv[2 * p]).toBeCloseTo(0.5 * 0.0075 + 0.5, 4);
      expect(flipped.normals[3 * p]).toBeCloseTo(0, 4);
    }
  });

  it('refuses a checkpoint that does not exist with one line', () => {
    const r = spawnSync(python!, [join(ROOT, 'baselines/pixel3dmm/export_onnx.py'), '--uv-ckpt', join(dir, 'nope.ckpt'), '--normal-ckpt', 'x', '--out', dir], { encoding: 'utf8' });
    expect(r.status).not.toBe(0);
    expect(r.stderr.trim()).toBe(`${join(dir, 'nope.ckpt')}: no such checkpoint file`);
  });
});
