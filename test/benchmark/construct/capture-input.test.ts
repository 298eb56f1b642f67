import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import jpeg from 'jpeg-js';
import pngjs from 'pngjs';
import { describe, expect, it } from 'vitest';
import { readCapture, readFrameLandmarks, readLabelSpec } from '../../../benchmark/construct/index.js';
import { readDepthMap, readRgbImage } from '../../../evaluators/image/index.js';
import { InputError } from '../../../evaluators/errors.js';
import { writeNpy } from '../../../evaluators/io/index.js';
import { tempDir } from '../cli-helpers.js';

const dir = tempDir('capture-input');

function expectInputError(fn: () => unknown, file: string, message: RegExp): void {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).file).toBe(file);
    expect((error as InputError).detail).toMatch(message);
    expect((error as InputError).message).not.toContain('\n');
    return;
  }
  throw new Error('expected an InputError');
}

describe('capture input', () => {
  it('reads JPEG and PNG images as RGB', () => {
    const width = 16, height = 8;
    const rgba = new Uint8Array(width * height * 4);
    for (let i = 0; i < width * height; i++) rgba.set([200, 100, 50, 255], 4 * i);
    const jpg = join(dir, 'a.jpg');
    writeFileSync(jpg, jpeg.encode({ width, height, data: rgba }, 95).data);
    const image = readRgbImage(jpg);
    expect([image.width, image.height, image.data.length]).toEqual([16, 8, 16 * 8 * 3]);
    expect(Math.abs(image.data[0] - 200) + Math.abs(image.data[1] - 100) + Math.abs(image.data[2] - 50)).toBeLessThan(8);
    const png = join(dir, 'a.png');
    const p = new pngjs.PNG({ width, height });
    p.data = Buffer.from(rgba);
    writeFileSync(png, pngjs.PNG.sync.write(p));
    expect(Array.from(readRgbImage(png).data.subarray(0, 3))).toEqual([200, 100, 50]);
    expectInputError(() => readRgbImage(join(dir, 'a.bmp')), join(dir, 'a.bmp'), /file not found/);
  });

  it('decodes NeRSemble compressed depth (0 = none, (q − 1)·2/65534 m) and refuses 8-bit depth', () => {
    const p = new pngjs.PNG({ width: 3, height: 1, colorType: 0, inputColorType: 0, bitDepth: 16, inputHasAlpha: false });
    p.data = Buffer.from(new Uint16Array([0, 1, 32768]).buffer);
    const path = join(dir, 'depth.png');
    writeFileSync(path, pngjs.PNG.sync.write(p, { colorType: 0, inputColorType: 0, bitDepth: 16, inputHasAlpha: false }));
    const depth = readDepthMap(path);
    expect(depth.data[0]).toBe(0);
    expect(depth.data[1]).toBe(0);
    expect(depth.data[2]).toBeCloseTo((32767 * 2) / 65534, 6);
    const eight = join(dir, 'depth8.png');
    const q = new pngjs.PNG({ width: 2, height: 1 });
    writeFileSync(eight, pngjs.PNG.sync.write(q));
    expectInputError(() => readDepthMap(eight), eight, /16-bit/);
  });

  it('refuses inconsistent captures with one line naming the file', () => {
    const root = join(dir, 'capture');
    mkdirSync(join(root, '001', 'sequences', 'S', 'frame_00000'), { recursive: true });
    expectInputError(() => readCapture(root), join(root, '001', 'camera_params.json'), /file not found/);
    writeFileSync(join(root, '001', 'camera_params.json'), JSON.stringify({ world_2_cam: { a: [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0]] }, intrinsics: [[1, 0, 0], [0, 1, 0], [0, 0, 1]] }));
    expectInputError(() => readCapture(root), join(root, '001', 'camera_params.json'), /world_2_cam\["a"\] must be a 4x4/);
    writeFileSync(
      join(root, '001', 'camera_params.json'),
      JSON.stringify({ world_2_cam: { a: [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]] }, intrinsics: { b: [[1, 0, 0], [0, 1, 0], [0, 0, 1]] } }),
    );
    expectInputError(() => readCapture(root), join(root, '001', 'camera_params.json'), /camera a has a pose but no intrinsics/);
    writeFileSync(join(root, '001', 'camera_params.json'), JSON.stringify({ world_2_cam: { a: [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]] }, intrinsics: [[1, 0, 0], [0, 1, 0], [0, 0, 1]] }));
    const capture = readCapture(root);
    expect(capture.persons[0].cameras.get('a')!.t[2]).toBe(0);
    const frame = capture.persons[0].frames[0];
    expectInputError(() => readFrameLandmarks(frame, 'm'), frame.dir, /has no landmarks3d/);
    const lm = join(frame.dir, 'landmarks3d.npy');
    writeNpy(lm, new Float32Array(5 * 3), [5, 3]);
    expectInputError(() => readFrameLandmarks(readCapture(root).persons[0].frames[0], 'm'), lm, /expected landmarks of shape \(68,3\), got \(5,3\)/);
    writeNpy(lm, Float32Array.from({ length: 204 }, (_v, i) => i / 1000), [68, 3]);
    expect(readFrameLandmarks(readCapture(root).persons[0].frames[0], 'm')[5]).toBeCloseTo(5, 4); // metres → mm
  });

  it('reads labels.json and its default kept classes', () => {
    const path = join(dir, 'labels.json');
    writeFileSync(path, JSON.stringify({ labels: { 0: 'background', 1: 'skin', 2: 'nose', 3: 'hair' } }));
    expect([...readLabelSpec(path).kept].sort()).toEqual([1, 2]);
    writeFileSync(path, JSON.stringify({ labels: { 0: 'background', 1: 'skin' }, face_kept: [7] }));
    expectInputError(() => readLabelSpec(path), path, /face_kept/);
  });
});
