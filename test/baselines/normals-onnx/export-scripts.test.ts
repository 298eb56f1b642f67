import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as ort from 'onnxruntime-node';
import { afterAll, describe, expect, it } from 'vitest';
import { estimateNormals, normalsConfigOf, type PresetName } from '../../../baselines/normals-onnx/index.js';
import { findTorchPython } from '../../helpers/python.js';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const STANDINS = join(ROOT, 'test/python/normals_standins.py');
const EXPORT = join(ROOT, 'baselines/normals-onnx/export');

const { python, reason } = findTorchPython();
if (!python) console.warn(`skipping the normals export-script tests: ${reason}`);

const dir = mkdtempSync(join(tmpdir(), 'facebench-normals-export-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
/** No __pycache__ folders in the tree from the imports. */
const ENV = { ...process.env, PYTHONDONTWRITEBYTECODE: '1' };
const W = 8, H = 6;
// the stand-ins' formulas (test/python/normals_standins.py)
const WEIGHTS = [[0.8, -0.3, 0.1], [0.2, 0.5, -0.4], [0.1, 0.2, 0.9], [0.3, 0.3, 0.3]];
const BIAS = [0.1, -0.2, -1.5, 0.5];

/** out[k] = W_k · x + b_k per pixel of a [3, H, W] input. */
function conv(x: Float32Array, channels: number): number[][] {
  return Array.from({ length: channels }, (_, k) => Array.from({ length: W * H }, (_, p) => WEIGHTS[k][0] * x[p] + WEIGHTS[k][1] * x[W * H + p] + WEIGHTS[k][2] * x[2 * W * H + p] + BIAS[k]));
}

describe.skipIf(!python)('baselines/normals-onnx/export scripts', () => {
  let options: Record<string, unknown>[] = [];
  it('export stand-ins of Sapiens (TorchScript) and Metric3D (torch.hub inference) and print the facebench options', () => {
    const r = spawnSync(python!, [STANDINS, dir, String(W), String(H)], { encoding: 'utf8', env: ENV });
    expect(r.stderr.split('\n').filter((l) => /Error|Traceback/.test(l))).toEqual([]);
    expect(r.status).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines.at(-1)).toBe('ok');
    options = lines.slice(0, -1).map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(options).toEqual([
      { preset: 'sapiens', model: join(dir, 'sapiens.onnx'), input: { size: [W, H] } },
      { preset: 'metric3d', model: join(dir, 'metric3d.onnx'), input: { size: [W, H] } },
    ]);
  });

  const input = Float32Array.from({ length: 3 * W * H }, (_, i) => Math.sin(i * 0.7) * 2);
  for (const [preset, channels, pooled] of [['sapiens', 3, true], ['metric3d', 4, false]] as const) {
    it(`${preset}: input 'image' [1, 3, H, W] → output 'normals' as the official call computes it; the method runs it with its preset`, async () => {
      const session = await ort.InferenceSession.create(join(dir, `${preset}.onnx`));
      try {
        expect(session.inputNames).toEqual(['image']);
        expect(session.outputNames).toEqual(['normals']);
        const out = (await session.run({ image: new ort.Tensor('float32', input, [1, 3, H, W]) })).normals;
        const full = conv(input, channels);
        if (pooled) {
          expect(out.dims).toEqual([1, channels, H / 2, W / 2]);
          const data = out.data as Float32Array;
          for (let k = 0; k < channels; k++) {
            for (let y = 0; y < H / 2; y++) {
              for (let x = 0; x < W / 2; x++) {
                const at = (xx: number, yy: number) => full[k][yy * W + xx];
                const mean = (at(2 * x, 2 * y) + at(2 * x + 1, 2 * y) + at(2 * x, 2 * y + 1) + at(2 * x + 1, 2 * y + 1)) / 4;
                expect(data[k * (H / 2) * (W / 2) + y * (W / 2) + x]).toBeCloseTo(mean, 5);
              }
            }
          }
        } else {
          expect(out.dims).toEqual([1, channels, H, W]);
          const data = out.data as Float32Array;
          for (let k = 0; k < channels; k++) for (let p = 0; p < W * H; p++) expect(data[k * W * H + p]).toBeCloseTo(full[k][p], 5);
        }
      } finally {
        await session.release();
      }
      // The printed options run as they are.
      const config = normalsConfigOf(options.find((o) => o.preset === (preset as PresetName))!);
      const image = { width: 10, height: 7, data: Uint8Array.from({ length: 210 }, (_, i) => (i * 37) % 256) };
      const map = await estimateNormals(image, config);
      for (let p = 0; p < 70; p++) expect(Math.hypot(map.normals[3 * p], map.normals[3 * p + 1], map.normals[3 * p + 2])).toBeCloseTo(1, 5);
    });
  }

  it('missing inputs are refused in one line', () => {
    const sapiens = spawnSync(python!, [join(EXPORT, 'sapiens.py'), '--checkpoint', join(dir, 'none.pt2'), '--out', join(dir, 'x.onnx')], { encoding: 'utf8', env: ENV });
    expect(sapiens.status).toBe(1);
    expect(sapiens.stderr.trim().split('\n')).toEqual([`${join(dir, 'none.pt2')}: no such file (Sapiens' TorchScript normal checkpoint (*_torchscript.pt2))`]);
    const notScript = spawnSync(python!, [join(EXPORT, 'sapiens.py'), '--checkpoint', join(dir, 'sapiens.onnx'), '--out', join(dir, 'x.onnx')], { encoding: 'utf8', env: ENV });
    expect(notScript.status).toBe(1);
    expect(notScript.stderr.trim().split('\n')).toHaveLength(1);
    expect(notScript.stderr).toMatch(/sapiens\.onnx: not a TorchScript checkpoint/);
    const metric3d = spawnSync(python!, [join(EXPORT, 'metric3d.py'), '--repo', dir, '--device', 'cpu', '--out', join(dir, 'x.onnx')], { encoding: 'utf8', env: ENV });
    expect(metric3d.status).toBe(1);
    expect(metric3d.stderr.trim()).toBe(`${dir}: not a Metric3D checkout (no hubconf.py); clone https://github.com/YvanYin/Metric3D and pass its folder as --repo`);
  });
});
