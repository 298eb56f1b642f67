import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  colmapWorldToCam, parseColmapCamerasBin, parseColmapImagesBin, parseColmapPoints3DBin, parseColmapPoints3DTxt,
  readColmapCameras, readColmapImages, readColmapModel, readColmapPoints3D, readPointCloud, type ColmapPoints3D,
} from '../../../evaluators/io/index.js';
import { FIXTURES, expectInputError, scratchDir } from './support.js';

const DIR = `${FIXTURES}colmap-ict/`;
const bin = readColmapPoints3D(`${DIR}sparse/points3D.bin`);
const txt = readColmapPoints3D(`${DIR}sparse_txt/points3D.txt`);

function byId(points: ColmapPoints3D): Map<number, number> {
  return new Map(Array.from(points.ids, (id, i) => [id, i]));
}

describe('COLMAP points3D', () => {
  it('bin and txt hold the same 1725 points (matched by id)', () => {
    expect(bin.ids.length).toBe(1725);
    expect(txt.ids.length).toBe(1725);
    const t = byId(txt);
    expect(t.size).toBe(1725);
    let worst = 0;
    for (let i = 0; i < 1725; i++) {
      const j = t.get(bin.ids[i]) as number;
      expect(j).toBeDefined();
      for (let a = 0; a < 3; a++) {
        // COLMAP prints 17 significant digits: the text reads back as the same double.
        worst = Math.max(worst, Math.abs(bin.positions[3 * i + a] - txt.positions[3 * j + a]));
        expect(bin.colors[3 * i + a]).toBe(txt.colors[3 * j + a]);
      }
      expect(bin.errors[i]).toBe(txt.errors[j]);
      const trackBin = Array.from(bin.trackImageIds.subarray(bin.trackOffsets[i], bin.trackOffsets[i + 1]));
      const trackTxt = Array.from(txt.trackImageIds.subarray(txt.trackOffsets[j], txt.trackOffsets[j + 1]));
      expect(trackBin).toEqual(trackTxt);
    }
    expect(worst).toBe(0);
    // Figures from the fixture README / points3D.txt header.
    const observations = bin.trackLengths.reduce((a, b) => a + b, 0);
    expect(observations).toBe(9301);
    expect(observations / 1725).toBeCloseTo(5.3918840579710148, 12);
    expect(Math.min(...bin.trackLengths)).toBe(2);
    expect(Math.max(...bin.trackLengths)).toBe(14);
    expect(bin.trackOffsets[1725]).toBe(9301);
    // The first record of the text file.
    const first = t.get(1109) as number;
    expect(Array.from(txt.positions.subarray(3 * first, 3 * first + 3))).toEqual([12.967426806005422, -182.88290791316427, 40.005915579337916]);
    expect(Array.from(txt.colors.subarray(3 * first, 3 * first + 3))).toEqual([37, 28, 21]);
  });

  it('tracks agree with the POINTS2D of images.bin', () => {
    const images = new Map(readColmapImages(`${DIR}sparse/images.bin`).map((im) => [im.id, im]));
    let triangulated = 0;
    for (const im of images.values()) for (const id of im.point3DIds) if (id !== -1) triangulated++;
    expect(triangulated).toBe(9301);
    for (let i = 0; i < 1725; i++) {
      for (let k = bin.trackOffsets[i]; k < bin.trackOffsets[i + 1]; k++) {
        const im = images.get(bin.trackImageIds[k]);
        expect(im?.point3DIds[bin.trackPoint2DIndices[k]]).toBe(bin.ids[i]);
      }
    }
  });

  it('readPointCloud picks the right file in COLMAP folders', () => {
    expect(readPointCloud(DIR).positions.length).toBe(3 * 22579); // dense/fused.ply
    const sparse = readPointCloud(`${DIR}sparse`);
    expect(sparse.positions).toEqual(bin.positions);
    expect(sparse.colors).toEqual(bin.colors);
    expect(readPointCloud(`${DIR}sparse_txt`).positions).toEqual(txt.positions);
    expect(readPointCloud(`${DIR}sparse/points3D.bin`, { unit: 'cm' }).positions).toEqual(bin.positions.map((v) => v * 10));
    const dir = scratchDir('colmap-empty');
    expectInputError(() => readPointCloud(dir), dir, /is a folder without a COLMAP point cloud/);
    const known = `${DIR}known_poses_txt`;
    expectInputError(() => readPointCloud(known), `${known}/points3D.txt`, /the point cloud is empty/);
    expectInputError(() => readPointCloud(`${DIR}sparse/images.bin`), `${DIR}sparse/images.bin`, /is a COLMAP cameras\/images file, not a point cloud/);
  });
});

describe('COLMAP cameras and images', () => {
  const manifest = JSON.parse(readFileSync(`${DIR}manifest.json`, 'utf8')) as { cameras: { serial: string; colmap_image_id: number; colmap_camera_id: number; fx: number; fy: number; cx: number; cy: number }[] };
  const cameraParams = JSON.parse(readFileSync(`${DIR}camera_params.json`, 'utf8')) as { world_2_cam: Record<string, number[][]> };

  it('cameras.bin equals cameras.txt and the manifest', () => {
    const a = readColmapCameras(`${DIR}sparse/cameras.bin`);
    const b = readColmapCameras(`${DIR}sparse_txt/cameras.txt`);
    expect(a).toEqual(b);
    expect(a.length).toBe(12);
    for (const cam of manifest.cameras) {
      const c = a.find((x) => x.id === cam.colmap_camera_id);
      expect(c?.model).toBe('PINHOLE');
      expect([c?.width, c?.height]).toEqual([640, 480]);
      expect(Array.from(c?.params ?? [])).toEqual([cam.fx, cam.fy, cam.cx, cam.cy]);
    }
  });

  it('images.bin equals images.txt; poses equal camera_params.json world_2_cam', () => {
    const a = readColmapImages(`${DIR}sparse/images.bin`);
    const b = readColmapImages(`${DIR}sparse_txt/images.txt`);
    expect(a.length).toBe(12);
    expect(b).toEqual(a);
    const mean = a.reduce((s, im) => s + im.point3DIds.length, 0) / 12;
    expect(mean).toBeGreaterThan(700);
    for (const cam of manifest.cameras) {
      const im = a.find((x) => x.id === cam.colmap_image_id);
      expect(im?.name).toBe(`cam_${cam.serial}.png`);
      expect(im?.cameraId).toBe(cam.colmap_camera_id);
      const m = colmapWorldToCam(im as (typeof a)[number]);
      const ref = cameraParams.world_2_cam[cam.serial].flat();
      for (let k = 0; k < 16; k++) expect(Math.abs(m[k] - ref[k])).toBeLessThan(1e-9);
    }
    // The known-poses input model: empty POINTS2D lines.
    const known = readColmapModel(`${DIR}known_poses_txt`);
    expect(known.images.map((im) => im.points2D.length)).toEqual(new Array(12).fill(0));
    expect(known.cameras).toEqual(readColmapCameras(`${DIR}sparse/cameras.bin`));
    expect(known.points.ids.length).toBe(0);
    for (const im of known.images) {
      const same = a.find((x) => x.id === im.id);
      for (let k = 0; k < 4; k++) expect(Math.abs(im.qvec[k] - (same?.qvec[k] ?? NaN))).toBeLessThan(1e-15);
    }
  });

  it('readColmapModel reads bin and txt models alike', () => {
    const m = readColmapModel(`${DIR}sparse`);
    expect(m.cameras.length).toBe(12);
    expect(m.images.length).toBe(12);
    expect(m.points.ids.length).toBe(1725);
    expectInputError(() => readColmapModel(`${DIR}dense`), `${DIR}dense`, /not a COLMAP model folder: no cameras\.bin\/\.txt, images\.bin\/\.txt, points3D\.bin\/\.txt/);
  });
});

describe('COLMAP bad input', () => {
  const dir = scratchDir('colmap-bad');
  const full = readFileSync(`${DIR}sparse/points3D.bin`);

  it('truncated binary files say how many records were complete', () => {
    // Offset of the end of record k, from the parsed track lengths.
    const endOf = (k: number): number => 8 + Array.from(bin.trackLengths.subarray(0, k + 1)).reduce((s, len) => s + 51 + 8 * len, 0);
    for (const [cut, done] of [[endOf(99) + 10, 100], [endOf(1723) + 60, 1724], [full.length - 1, 1724]] as const) {
      const path = join(dir, `points3D-${cut}.bin`);
      writeFileSync(path, full.subarray(0, cut));
      expectInputError(() => readPointCloud(path), path, new RegExp(`^truncated binary data: expected 1725 points, file ends after ${done}$`));
    }
    expectInputError(() => parseColmapPoints3DBin(full.subarray(0, 5), 'p.bin'), 'p.bin', /the points count \(8 bytes\) is missing/);
    const cams = readFileSync(`${DIR}sparse/cameras.bin`);
    expectInputError(() => parseColmapCamerasBin(cams.subarray(0, 8 + 56 * 3 + 30), 'c.bin'), 'c.bin', /expected 12 cameras, file ends after 3/);
    const images = readFileSync(`${DIR}sparse/images.bin`);
    expectInputError(() => parseColmapImagesBin(images.subarray(0, 20000), 'i.bin'), 'i.bin', /expected 12 images, file ends after 0/);
  });

  it('bad text lines', () => {
    const bytes = (s: string) => new Uint8Array(Buffer.from(s));
    expectInputError(() => parseColmapPoints3DTxt(bytes('# c\n1 0 0 0 10 20 30 0.5 1 2 3\n'), 'p.txt'), 'p.txt', /line 2: missing POINT2D_IDX of a track entry/);
    expectInputError(() => parseColmapPoints3DTxt(bytes('1 0 0 0\n'), 'p.txt'), 'p.txt', /line 1: missing R/);
    expectInputError(() => parseColmapPoints3DTxt(bytes('1 0 x 0 1 2 3 0.5\n'), 'p.txt'), 'p.txt', /line 1: Y 'x' is not a number/);
    expectInputError(() => parseColmapPoints3DTxt(bytes('1 0 0 0 300 2 3 0.5\n'), 'p.txt'), 'p.txt', /colour R '300' must be an integer 0\.\.255/);
    const nan = join(dir, 'points3D.txt');
    writeFileSync(nan, '1 nan 0 0 1 2 3 0.5\n');
    expectInputError(() => readPointCloud(nan), nan, /point 0 has a non-finite coordinate \(NaN\)/);
  });
});
