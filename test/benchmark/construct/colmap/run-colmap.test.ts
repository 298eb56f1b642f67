import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  COLMAP_INSTALL_HINT, ColmapMissingError, findColmap, parseColmapBanner, prepareCamera, requireColmap, rotationToQuaternion,
  runColmap, type ColmapResult, type KnownCamera,
} from '../../../../benchmark/construct/colmap/index.js';
import { InputError } from '../../../../evaluators/errors.js';
import { readColmapModel, readMesh } from '../../../../evaluators/io/index.js';
import { TriangleBVH } from '../../../../evaluators/spatial/index.js';
import { FIXTURES } from '../../../helpers/faces.js';

const FIXTURE = join(FIXTURES, 'colmap-ict');
const colmap = findColmap();
const scratch: string[] = [];
afterAll(() => {
  for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
});

/** The fixture's cameras in the suite's OpenCV convention (its K is COLMAP's: subtract 0.5, README). */
function fixtureCameras(): { images: { name: string; path: string }[]; cameras: KnownCamera[] } {
  const params = JSON.parse(readFileSync(join(FIXTURE, 'camera_params.json'), 'utf8')) as {
    world_2_cam: Record<string, number[][]>; intrinsics: Record<string, number[][]>;
  };
  const serials = Object.keys(params.world_2_cam).sort();
  return {
    images: serials.map((s) => ({ name: `cam_${s}.png`, path: join(FIXTURE, 'images', `cam_${s}.png`) })),
    cameras: serials.map((s) => {
      const K = params.intrinsics[s].map((row) => [...row]);
      K[0][2] -= 0.5;
      K[1][2] -= 0.5;
      return { name: `cam_${s}.png`, K, worldToCam: params.world_2_cam[s], width: 640, height: 480 };
    }),
  };
}

function quantile(sorted: Float64Array, q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * (sorted.length - 1)))];
}

describe('findColmap / requireColmap', () => {
  it('reads version and CUDA flag from the COLMAP banner', () => {
    expect(parseColmapBanner('COLMAP 3.8 -- Structure-from-Motion and Multi-View Stereo\n (Commit Unknown on Unknown without CUDA)'))
      .toEqual({ version: '3.8', cuda: false });
    expect(parseColmapBanner('COLMAP 3.9.1 -- Structure-from-Motion (Commit 1234 on 2023-01-01 with CUDA)'))
      .toEqual({ version: '3.9.1', cuda: true });
    expect(parseColmapBanner('usage: something else')).toBeNull();
  });

  it('without COLMAP, the error names the file and the install command (always runs)', async () => {
    const missing = '/nonexistent/facebench/colmap';
    expect(findColmap(missing)).toBeNull();
    expect(() => requireColmap(missing)).toThrow(ColmapMissingError);
    let message = '';
    try {
      requireColmap(missing);
    } catch (error) {
      expect(error).toBeInstanceOf(InputError);
      message = (error as Error).message;
    }
    expect(message.startsWith(`${missing}: `)).toBe(true);
    expect(message).toContain('apt-get install colmap');
    expect(message).not.toContain('\n');
    expect(COLMAP_INSTALL_HINT).toContain('apt-get install colmap');
    const { images, cameras } = fixtureCameras();
    await expect(runColmap({ workDir: join(tmpdir(), 'facebench-never-created'), images, cameras, unitToMm: 1 }, { colmapBinary: missing }))
      .rejects.toThrow(/apt-get install colmap/);
  });
});

describe('known cameras', () => {
  it('converts an OpenCV camera to COLMAP PINHOLE params (+0.5 px) and a pose in mm', () => {
    const a = 0.3;
    const R = [[Math.cos(a), -Math.sin(a), 0], [Math.sin(a), Math.cos(a), 0], [0, 0, 1]];
    const cam: KnownCamera = {
      name: 'x.png', K: [[1000, 0, 319.5], [0, 1001, 239.5], [0, 0, 1]],
      worldToCam: [[...R[0], 0.1], [...R[1], -0.2], [...R[2], 1], [0, 0, 0, 1]], width: 640, height: 480,
    };
    const p = prepareCamera(cam, 1000, 'opencv', 'cams.json');
    expect(p.params).toEqual([1000, 1001, 320, 240]);
    expect(p.tvec).toEqual([100, -200, 1000]);
    // rotation about z by a: q = (cos a/2, 0, 0, sin a/2)
    expect(p.qvec[0]).toBeCloseTo(Math.cos(a / 2), 14);
    expect(p.qvec[3]).toBeCloseTo(Math.sin(a / 2), 14);
    expect(prepareCamera(cam, 1, 'colmap', 'cams.json').params).toEqual([1000, 1001, 319.5, 239.5]);
    const skewed = { ...cam, K: [[1000, 2, 319.5], [0, 1001, 239.5], [0, 0, 1]] };
    expect(() => prepareCamera(skewed, 1, 'opencv', 'cams.json')).toThrow(/^cams\.json: camera 'x\.png' K has skew/);
    const scaled = { ...cam, worldToCam: [[2, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]] };
    expect(() => prepareCamera(scaled, 1, 'opencv', 'cams.json')).toThrow(/not a rotation/);
  });

  it('refuses inconsistent inputs before running anything, with one-line errors naming the file', async () => {
    const { images, cameras } = fixtureCameras();
    const workDir = join(tmpdir(), 'facebench-never-created');
    const cameraFile = '/capture/camera_params.json';
    await expect(runColmap({ workDir, images, cameras: cameras.slice(1), unitToMm: 1, cameraFile }))
      .rejects.toThrow(/^\/capture\/camera_params\.json: no camera for image 'cam_222200000\.png'/);
    await expect(runColmap({ workDir, images: [...images, { name: 'extra.png', path: join(FIXTURE, 'nope.png') }], cameras, unitToMm: 1 }))
      .rejects.toThrow(/nope\.png: image file not found/);
    await expect(runColmap({ workDir, images: [{ ...images[0], name: 'a b.png' }, images[1]], cameras, unitToMm: 1 }))
      .rejects.toThrow(/image name 'a b\.png' must use only/);
    const occupied = mkdtempSync(join(tmpdir(), 'facebench-occupied-'));
    scratch.push(occupied);
    writeFileSync(join(occupied, 'precious.txt'), 'keep');
    await expect(runColmap({ workDir: occupied, images, cameras, unitToMm: 1 }))
      .rejects.toThrow(/is not empty and was not made by facebench/);
    expect(readFileSync(join(occupied, 'precious.txt'), 'utf8')).toBe('keep');
  });

  it('quaternions round-trip through every branch of the conversion', () => {
    for (const [axis, angle] of [[[1, 0, 0], 3.0], [[0, 1, 0], 3.0], [[0, 0, 1], 3.1], [[1, 2, 3], 0.7], [[-1, 0.5, 2], 2.9]] as const) {
      const n = Math.hypot(...axis);
      const [x, y, z] = axis.map((v) => (v / n) * Math.sin(angle / 2));
      const w = Math.cos(angle / 2);
      const R = [
        [1 - 2 * (y * y + z * z), 2 * (x * y - w * z), 2 * (x * z + w * y)],
        [2 * (x * y + w * z), 1 - 2 * (x * x + z * z), 2 * (y * z - w * x)],
        [2 * (x * z - w * y), 2 * (y * z + w * x), 1 - 2 * (x * x + y * y)],
      ];
      const q = rotationToQuaternion(R);
      [w, x, y, z].forEach((v, k) => expect(q[k]).toBeCloseTo(v, 12));
    }
  });
});

/** Real COLMAP runs: skipped, with this reason in the test names, when `colmap` is not installed. */
const withColmap = it.skipIf(colmap === null);

describe('runColmap on colmap-ict (needs `colmap` on PATH; install: apt-get install colmap)', () => {
  let result: ColmapResult;

  withColmap('triangulates the 12 fixture views with the known cameras', async () => {
    const workDir = mkdtempSync(join(tmpdir(), 'facebench-colmap-'));
    scratch.push(workDir);
    const { images, cameras } = fixtureCameras();
    const lines: string[] = [];
    result = await runColmap(
      { workDir, images, cameras, unitToMm: 1, cameraFile: join(FIXTURE, 'camera_params.json') },
      { onLog: (line) => lines.push(line) },
    );
    console.log(`[colmap-ict] COLMAP ${result.colmap.version} (cuda ${result.colmap.cuda}) wall ${result.seconds.toFixed(1)} s: `
      + [...result.steps.reduce((acc, s) => acc.set(s.command, (acc.get(s.command) ?? 0) + s.seconds), new Map<string, number>())]
        .map(([c, s]) => `${c} ${s.toFixed(1)} s`).join(', '));
    expect(lines.some((l) => l.startsWith('feature_extractor: '))).toBe(true);
    expect(result.stats.points).toBeGreaterThanOrEqual(500);
    expect(result.stats.meanReprojectionError).toBeLessThan(1);
    expect(result.stats.trackLength.min).toBeGreaterThanOrEqual(2);
    expect(result.cloud.positions.length).toBe(3 * result.stats.points);
    if (!result.colmap.cuda) {
      expect(result.source).toBe('sparse');
      expect(result.denseSkipped).toMatch(/CUDA/);
    }
  });

  withColmap('refuses an image whose size differs from its camera', async () => {
    const workDir = mkdtempSync(join(tmpdir(), 'facebench-colmap-size-'));
    scratch.push(workDir);
    const { images, cameras } = fixtureCameras();
    cameras[0] = { ...cameras[0], width: 320, height: 240 };
    await expect(runColmap({ workDir, images: images.slice(0, 2), cameras: cameras.slice(0, 2), unitToMm: 1 }))
      .rejects.toThrow(/cam_222200000\.png: image is 640x480 but its camera says 320x240/);
  });

  withColmap('keeps the known poses and intrinsics in the model', () => {
    const model = readColmapModel(result.modelDir);
    const txt = readColmapModel(result.modelTxtDir);
    const { cameras } = fixtureCameras();
    expect(model.images.length).toBe(12);
    expect(txt.points.positions.length).toBe(model.points.positions.length);
    for (const image of model.images) {
      const expected = prepareCamera(cameras[image.id - 1], 1, 'opencv', 'x');
      expect(image.name).toBe(expected.name);
      const cam = model.cameras.find((c) => c.id === image.cameraId);
      expect(Array.from(cam?.params ?? [])).toEqual(expected.params);
      for (let k = 0; k < 3; k++) expect(image.tvec[k]).toBeCloseTo(expected.tvec[k], 6);
      const sign = Math.sign(image.qvec[0]) || 1;
      for (let k = 0; k < 4; k++) expect(sign * image.qvec[k]).toBeCloseTo(expected.qvec[k], 9);
    }
  });

  withColmap('puts the points on the GT surface (mm): median < 0.5 mm, p90 < 2 mm', () => {
    const mesh = readMesh(join(FIXTURE, 'gt_mesh.ply'));
    const bvh = TriangleBVH.build(mesh.positions, mesh.faces);
    const d = bvh.closestPoints(result.sparse.positions).distances.slice().sort();
    const median = quantile(d, 0.5);
    const p90 = quantile(d, 0.9);
    console.log(`[colmap-ict] ${d.length} points, mean reprojection error ${result.stats.meanReprojectionError.toFixed(3)} px, `
      + `track ${result.stats.trackLength.min}..${result.stats.trackLength.max} (mean ${result.stats.trackLength.mean.toFixed(2)}), `
      + `distance to GT median ${median.toFixed(3)} mm, p90 ${p90.toFixed(3)} mm, p99 ${quantile(d, 0.99).toFixed(3)} mm`);
    expect(median).toBeLessThan(0.5);
    expect(p90).toBeLessThan(2);
  });
});
