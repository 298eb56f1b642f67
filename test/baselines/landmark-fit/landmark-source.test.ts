import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { landmarkFileFor, pngSize, readLandmarks2d } from '../../../baselines/landmark-fit/index.js';
import { writeRgbPng } from '../../../evaluators/image/index.js';
import { writeNpy } from '../../../evaluators/io/index.js';

const dir = mkdtempSync(join(tmpdir(), 'facebench-lmk2d-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const points = Array.from({ length: 68 }, (_, i) => [10 + i, 200 - 0.5 * i]);

describe('2D landmark files', () => {
  it('reads JSON (null = missing point) and .npy (68,2) and (1,68,2) alike', () => {
    const withGap = points.map((p, i) => (i === 5 ? [null, null] : p));
    writeFileSync(join(dir, 'a.json'), JSON.stringify(withGap));
    const json = readLandmarks2d(join(dir, 'a.json'));
    expect(json.length).toBe(136);
    expect(Number.isNaN(json[10]) && Number.isNaN(json[11])).toBe(true);
    expect([json[0], json[1], json[134], json[135]]).toEqual([10, 200, 77, 166.5]);
    const flat = Float64Array.from(points.flat());
    writeNpy(join(dir, 'a.npy'), flat, [68, 2]);
    writeNpy(join(dir, 'b.npy'), Float32Array.from(flat), [1, 68, 2]);
    expect(Array.from(readLandmarks2d(join(dir, 'a.npy')))).toEqual(Array.from(flat));
    expect(Array.from(readLandmarks2d(join(dir, 'b.npy')))).toEqual(Array.from(flat));
  });

  it('refuses wrong shapes with one-line errors naming the file', () => {
    writeFileSync(join(dir, 'short.json'), JSON.stringify(points.slice(0, 67)));
    expect(() => readLandmarks2d(join(dir, 'short.json'))).toThrow(/short\.json: expected a JSON list of 68 \[x, y\] pixel pairs, got 67 entries/);
    writeNpy(join(dir, 'c.npy'), new Float64Array(204), [68, 3]);
    expect(() => readLandmarks2d(join(dir, 'c.npy'))).toThrow(/c\.npy: expected shape \(68, 2\).*got \(68, 3\)/);
    writeFileSync(join(dir, 'bad.json'), '[1,');
    expect(() => readLandmarks2d(join(dir, 'bad.json'))).toThrow(/bad\.json: not valid JSON/);
  });

  it('finds <folder>/<pid>/<item>/landmarks2d.json or .npy', () => {
    mkdirSync(join(dir, 'lm', '001', 'A_000_1'), { recursive: true });
    writeNpy(join(dir, 'lm', '001', 'A_000_1', 'landmarks2d.npy'), Float64Array.from(points.flat()), [68, 2]);
    expect(landmarkFileFor(join(dir, 'lm'), '001', 'A_000_1')).toBe(join(dir, 'lm', '001', 'A_000_1', 'landmarks2d.npy'));
    expect(() => landmarkFileFor(join(dir, 'lm'), '001', 'B_000_1')).toThrow(/B_000_1\/landmarks2d\.json: missing/);
  });

  it('reads a PNG size from its header', () => {
    writeRgbPng(join(dir, 'i.png'), { width: 7, height: 5, data: new Uint8Array(105) });
    expect(pngSize(join(dir, 'i.png'))).toEqual({ width: 7, height: 5 });
  });
});
