import { describe, expect, it } from 'vitest';
import { builtinMethods } from '../../../baselines/builtin.js';
import { describeOptions, parseMethodOptions } from '../../../baselines/method-options.js';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pixel3dmmAdapter, readIdentityFile } from '../../../baselines/pixel3dmm/index.js';
import { writeNpy } from '../../../evaluators/io/index.js';
import type { Manifest } from '../../../evaluators/formats/index.js';
import { isInputError } from '../../../evaluators/errors.js';

const manifest = (capture: string): Manifest => ({ source: { capture, unit: 'm', demo: false } }) as unknown as Manifest;

describe('pixel3dmm options', () => {
  it('is built in and lists the paper defaults', () => {
    expect(builtinMethods().map((m) => m.name)).toContain('pixel3dmm');
    const options = new Map(describeOptions(pixel3dmmAdapter).map((o) => [o.name, o]));
    expect(options.get('lambdaUv')?.default).toBe(2000);
    expect(options.get('lambdaNormal')?.default).toBe(200);
    expect(options.get('lambdaIdentity')?.default).toBe(0.15);
    expect(options.get('lambdaExpression')?.default).toBe(0.01);
    expect(options.get('uvThreshold')?.default).toBe(5e-5);
    expect(options.get('normalCutoff')?.default).toBe(0.33);
    expect(options.get('priors')?.type).toBe('"truth" | "onnx"');
  });

  it('refuses bad options, truth landmarks without a demo capture and onnx priors without a config, each in one line', async () => {
    expect(() => parseMethodOptions(pixel3dmmAdapter, { variant: 'photo' })).toThrow(/variant/);
    const refusals: [unknown, RegExp][] = [
      [{ variant: 'landmarks-photometric' }, /no _truth/],
      [{ variant: 'landmarks-photometric', priors: 'onnx', onnx: {} }, /landmarkSource "truth" works with demo truth only/],
      [{ priors: 'onnx' }, /needs "onnx"/],
      [{ identityPrior: 'file' }, /identityPriorPath/],
      [{ model: { ict: '/nowhere' } }, /demo model's UV layout/],
      [{}, /no _truth/],
    ];
    for (const [raw, message] of refusals) {
      const options = parseMethodOptions(pixel3dmmAdapter, raw);
      let error: unknown;
      try {
        await pixel3dmmAdapter.prepare!({ bench: '/tmp/none', manifest: manifest('/tmp/no-capture-here'), options });
      } catch (e) {
        error = e;
      }
      expect(isInputError(error), JSON.stringify(raw)).toBe(true);
      expect((error as Error).message).toMatch(message);
      expect((error as Error).message).not.toContain('\n');
    }
  });

  it('reads per-person identity prior files (JSON list, {identity}, .npy) and names a bad one', () => {
    const dir = mkdtempSync(join(tmpdir(), 'facebench-p3dmm-id-'));
    try {
      writeFileSync(join(dir, '001.json'), '[0.5, -1, 2]');
      writeFileSync(join(dir, '002.json'), '{"identity": [1.5]}');
      writeNpy(join(dir, '003.npy'), Float64Array.of(0.25, 0.75), [2], '<f8');
      writeFileSync(join(dir, '004.json'), '{"identity": ["x"]}');
      expect(Array.from(readIdentityFile(dir, '001'))).toEqual([0.5, -1, 2]);
      expect(Array.from(readIdentityFile(dir, '002'))).toEqual([1.5]);
      expect(Array.from(readIdentityFile(dir, '003'))).toEqual([0.25, 0.75]);
      expect(() => readIdentityFile(dir, '004')).toThrow(/004\.json/);
      expect(() => readIdentityFile(dir, '005')).toThrow(/005\.json.*no identity prior/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
