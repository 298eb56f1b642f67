import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readMesh, readNpy } from '../../evaluators/io/index.js';
import { TriangleBVH } from '../../evaluators/spatial/index.js';
import { DEMO_NEUTRAL, generateDemoCapture, generateDemoCaptureParallel, type DemoCaptureInfo } from '../../data/demo-capture.js';
import { buildFaceModel, majorityFaceLabels } from '../../data/face-model.js';
import { labelsDocument, LABEL } from '../../data/labels.js';
import { decodeDepthValue, DEPTH_STEP_M } from '../../evaluators/image/index.js';
import { decodePngSamples } from '../evaluators/image/png-reference.js';

const root = mkdtempSync(join(tmpdir(), 'facebench-demo-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const OPTIONS = { seed: 5, persons: 1, framesPerPerson: 21, cameras: 3, imageSize: [72, 96] as [number, number] };
const W = 72, H = 96;

function listFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out.push(relative(dir, p));
    }
  };
  walk(dir);
  return out;
}

let first: DemoCaptureInfo | undefined;
const progress: number[][] = [];
function capture(): { dir: string; info: DemoCaptureInfo } {
  const dir = join(root, 'a');
  if (!first) first = generateDemoCapture(dir, { ...OPTIONS, onProgress: (d, t) => progress.push([d, t]) });
  return { dir, info: first };
}

describe('generateDemoCapture', () => {
  it('writes exactly the NeRSemble raw capture layout', () => {
    const { dir, info } = capture();
    const serials = info.cameras.map((c) => c.serial);
    expect(serials).toEqual(['222200036', '222200037', '222200038']);
    const expected = ['labels.json', '001/camera_params.json'];
    const frames = info.persons[0].frames;
    expect(frames.length).toBe(21);
    for (const f of frames) {
      const fd = `001/sequences/${f.sequence}/frame_${String(f.frame).padStart(5, '0')}`;
      expected.push(`${fd}/landmarks3d.npy`);
      for (const s of serials) expected.push(`${fd}/images-2x-73fps/cam_${s}.png`, `${fd}/colmap-73fps/depth_maps_compressed/cam_${s}.png`, `${fd}/segmentation/cam_${s}.png`);
    }
    const written = listFiles(dir).filter((p) => !p.startsWith('_truth/'));
    expect(written.sort()).toEqual(expected.sort());
    expect(info.fileCount).toBe(expected.length);
    expect(new Set(frames.map((f) => f.sequence)).size).toBeGreaterThanOrEqual(5);
    expect(progress.at(-1)).toEqual([21, 21]);

    const params = JSON.parse(readFileSync(join(dir, '001/camera_params.json'), 'utf8')) as { world_2_cam: Record<string, number[][]>; intrinsics: Record<string, number[][]> };
    expect(Object.keys(params.world_2_cam)).toEqual(serials);
    expect(Object.keys(params.intrinsics)).toEqual(serials);
    for (const s of serials) {
      const E = params.world_2_cam[s];
      expect(E.map((r) => r.length)).toEqual([4, 4, 4, 4]);
      expect(E[3]).toEqual([0, 0, 0, 1]);
      // Metres: cameras 1 m from the head.
      const t = [E[0][3], E[1][3], E[2][3]];
      expect(Math.hypot(...t)).toBeGreaterThan(0.9);
      expect(Math.hypot(...t)).toBeLessThan(1.1);
      expect(params.intrinsics[s].map((r) => r.length)).toEqual([3, 3, 3]);
    }
    expect(JSON.parse(readFileSync(join(dir, 'labels.json'), 'utf8'))).toEqual(labelsDocument());
    expect(labelsDocument().face_kept).toEqual([1, 2, 3, 4]);
    const neutral = frames.find((f) => f.sequence === DEMO_NEUTRAL.sequence && f.frame === DEMO_NEUTRAL.frame)!;
    expect(neutral.expression.every((v) => v === 0)).toBe(true);
    expect(info.persons[0].neutral).toBe('EXP-1-head/frame_00000');
    const lm = readNpy(join(dir, '001/sequences/EXP-1-head/frame_00000/landmarks3d.npy'));
    expect(lm.shape).toEqual([68, 3]);
    expect(lm.data).toBeInstanceOf(Float32Array);
    const truth = ['model.json', 'model/template.npy', '001/person.json', '001/vertex_labels.npy', '001/EXP-1-head/frame_00000/mesh.ply', '001/EXP-1-head/frame_00000/coefficients.json'];
    for (const t of truth) expect(statSync(join(dir, '_truth', t)).isFile()).toBe(true);
  });

  it('is byte-identical for the same seed and differs for another seed', () => {
    const { dir } = capture();
    const again = join(root, 'b');
    generateDemoCapture(again, OPTIONS);
    const files = listFiles(dir);
    expect(listFiles(again)).toEqual(files);
    for (const f of files) expect(readFileSync(join(again, f)).equals(readFileSync(join(dir, f))), f).toBe(true);
    const other = join(root, 'c');
    generateDemoCapture(other, { ...OPTIONS, seed: 6 });
    const img = '001/sequences/EXP-2-eyes/frame_00000/images-2x-73fps/cam_222200037.png';
    expect(readFileSync(join(other, img)).equals(readFileSync(join(dir, img)))).toBe(false);
  });

  it('writes exactly the same bytes with frames rendered in worker threads', async () => {
    const { dir, info } = capture();
    const one = join(root, 'w1');
    const two = join(root, 'w2');
    const seen: number[][] = [];
    const infoOne = await generateDemoCaptureParallel(one, { ...OPTIONS, workers: 1 });
    const infoTwo = await generateDemoCaptureParallel(two, { ...OPTIONS, workers: 2, onProgress: (d, t) => seen.push([d, t]) });
    expect({ ...infoOne, outDir: dir }).toEqual(info);
    expect({ ...infoTwo, outDir: dir }).toEqual(info);
    expect(seen.at(-1)).toEqual([21, 21]);
    const files = listFiles(dir);
    expect(listFiles(one)).toEqual(files);
    expect(listFiles(two)).toEqual(files);
    for (const f of files) {
      expect(readFileSync(join(one, f)).equals(readFileSync(join(dir, f))), f).toBe(true);
      expect(readFileSync(join(two, f)).equals(readFileSync(join(dir, f))), f).toBe(true);
    }
  });

  it('back-projects its depth maps onto the truth mesh within the quantisation error, labels matching', () => {
    const { dir, info } = capture();
    const model = buildFaceModel();
    const vertexLabels = readNpy(join(dir, '_truth/001/vertex_labels.npy')).data as Uint8Array;
    expect(Array.from(vertexLabels)).toEqual(Array.from(model.vertexLabels));
    const params = JSON.parse(readFileSync(join(dir, '001/camera_params.json'), 'utf8')) as { world_2_cam: Record<string, number[][]>; intrinsics: Record<string, number[][]> };
    const frames = info.persons[0].frames.filter((_, i) => i % 7 === 0);
    let points = 0, agree = 0, maxErr = 0;
    for (const f of frames) {
      const fd = `${f.sequence}/frame_${String(f.frame).padStart(5, '0')}`;
      const mesh = readMesh(join(dir, '_truth/001', fd, 'mesh.ply'));
      const faceLabels = majorityFaceLabels(mesh.faces, vertexLabels);
      const bvh = TriangleBVH.build(mesh.positions, mesh.faces);
      for (const s of Object.keys(params.world_2_cam)) {
        const E = params.world_2_cam[s], K = params.intrinsics[s];
        const depth = decodePngSamples(readFileSync(join(dir, '001/sequences', fd, 'colmap-73fps/depth_maps_compressed', `cam_${s}.png`)));
        const seg = decodePngSamples(readFileSync(join(dir, '001/sequences', fd, 'segmentation', `cam_${s}.png`)));
        expect([depth.width, depth.height, depth.bitDepth]).toEqual([W, H, 16]);
        const queries: number[] = [];
        const labels: number[] = [];
        for (let p = 0; p < W * H; p++) {
          const q = depth.samples[p];
          expect(q === 0).toBe(seg.samples[p] === LABEL.background);
          if (q === 0) continue;
          const z = decodeDepthValue(q);
          // OpenCV intrinsics: pixel (col, row) → camera ray K⁻¹·(col, row, 1) with z = 1 (zero skew).
          const y1 = ((p - (p % W)) / W - K[1][2]) / K[1][1];
          const x1 = ((p % W) - K[0][2] - K[0][1] * y1) / K[0][0];
          const c = [x1 * z - E[0][3], y1 * z - E[1][3], z - E[2][3]];
          // world = Rᵀ (cam − t), in mm.
          for (let k = 0; k < 3; k++) queries.push(1000 * (E[0][k] * c[0] + E[1][k] * c[1] + E[2][k] * c[2]));
          labels.push(seg.samples[p]);
        }
        const hits = bvh.closestPoints(Float64Array.from(queries));
        for (let i = 0; i < labels.length; i++) {
          maxErr = Math.max(maxErr, hits.distances[i]);
          if (faceLabels[hits.faces[i]] === labels[i]) agree++;
        }
        points += labels.length;
      }
    }
    expect(points).toBeGreaterThan(5000);
    // Half a depth step along the ray (≤ 1.02 × along z at these view angles), float32 PLY rounding.
    expect(maxErr).toBeLessThan(1000 * (DEPTH_STEP_M / 2) * 1.02 + 1e-4);
    // Nearest triangle's label equals the pixel's, except where the closest triangle is a neighbour across a region border.
    expect(agree / points).toBeGreaterThan(0.995);
  });

  it('writes landmarks3d in metres matching the truth mesh, nose tip seen as nose', () => {
    const { dir, info } = capture();
    const model = buildFaceModel();
    const params = JSON.parse(readFileSync(join(dir, '001/camera_params.json'), 'utf8')) as { world_2_cam: Record<string, number[][]>; intrinsics: Record<string, number[][]> };
    for (const f of info.persons[0].frames.slice(0, 4)) {
      const fd = `${f.sequence}/frame_${String(f.frame).padStart(5, '0')}`;
      const mesh = readMesh(join(dir, '_truth/001', fd, 'mesh.ply'));
      const lm = readNpy(join(dir, '001/sequences', fd, 'landmarks3d.npy')).data as Float32Array;
      for (let k = 0; k < 68; k++) {
        const v = model.landmarkVertices[k];
        for (let c = 0; c < 3; c++) expect(Math.abs(lm[3 * k + c] * 1000 - mesh.positions[3 * v + c])).toBeLessThan(1e-3);
      }
      // Middle camera (frontal): the nose tip (iBUG 30) projects onto a 'nose' pixel.
      const s = info.cameras[1].serial;
      const E = params.world_2_cam[s], K = params.intrinsics[s];
      const X = [lm[90], lm[91], lm[92]];
      const c = [0, 1, 2].map((r) => E[r][0] * X[0] + E[r][1] * X[1] + E[r][2] * X[2] + E[r][3]);
      const u = K[0][0] * (c[0] / c[2]) + K[0][1] * (c[1] / c[2]) + K[0][2];
      const v = K[1][1] * (c[1] / c[2]) + K[1][2];
      const seg = decodePngSamples(readFileSync(join(dir, '001/sequences', fd, 'segmentation', `cam_${s}.png`)));
      expect(seg.samples[Math.round(v) * W + Math.round(u)]).toBe(LABEL.nose);
    }
  });

  it('rejects options a benchmark cannot use', () => {
    expect(() => generateDemoCapture(join(root, 'x'), { framesPerPerson: 20 })).toThrow(/≥ 21/);
    expect(() => generateDemoCapture(join(root, 'x'), { cameras: 0 })).toThrow(/cameras/);
    expect(() => generateDemoCapture(join(root, 'x'), { imageSize: [8, 8] })).toThrow(/imageSize/);
  });
});
