import { copyFileSync, cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { readMesh, readNpy, readPointCloud, readLandmarks } from '../../../evaluators/io/index.js';
import { KdTree } from '../../../evaluators/spatial/index.js';
import { runBuild } from '../../../benchmark/construct/index.js';
import { checkBenchmark, readManifest } from '../../../evaluators/formats/index.js';
import { findColmap } from '../../../benchmark/construct/colmap/index.js';
import { FIXTURES } from '../../helpers/faces.js';
import { facebench, tempDir } from '../cli-helpers.js';
import { encodeModel } from './parser/onnx-builder.js';

/**
 * A one-person capture in the NeRSemble layout assembled from the colmap-ict fixture: real
 * renders, real label maps, COLMAP's fused.ply as the frame's point cloud, and 68 landmarks
 * read off the generating mesh. Two sequences hold the same frame (the fixture has one).
 * The fixture's K follows COLMAP's pixel-centre convention; the capture gets the OpenCV one
 * (cx, cy − 0.5) that the builder expects.
 */
function makeCapture(root: string, withCloud = true, withLabels = true): void {
  const src = `${FIXTURES}colmap-ict/`;
  const params = JSON.parse(readFileSync(`${src}camera_params.json`, 'utf8')) as { world_2_cam: Record<string, number[][]>; intrinsics: Record<string, number[][]> };
  for (const K of Object.values(params.intrinsics)) {
    K[0][2] -= 0.5;
    K[1][2] -= 0.5;
  }
  mkdirSync(join(root, '001'), { recursive: true });
  writeFileSync(join(root, '001', 'camera_params.json'), JSON.stringify(params));
  copyFileSync(`${src}labels.json`, join(root, 'labels.json'));
  const mesh = readMesh(`${src}gt_mesh.ply`);
  const lm68 = (JSON.parse(readFileSync(`${FIXTURES}ict-facekit/landmarks68.json`, 'utf8')) as { vertex_indices: number[] }).vertex_indices;
  const landmarks = lm68.map((v) => Array.from(mesh.positions.subarray(3 * v, 3 * v + 3)));
  for (const sequence of ['NEUTRAL', 'EXP-1-smile']) {
    const frame = join(root, '001', 'sequences', sequence, 'frame_00000');
    cpSync(`${src}images`, join(frame, 'images-2x-73fps'), { recursive: true });
    if (withLabels) cpSync(`${src}labels`, join(frame, 'segmentation'), { recursive: true });
    if (withCloud) copyFileSync(`${src}dense/fused.ply`, join(frame, 'pointcloud.ply'));
    writeFileSync(join(frame, 'landmarks3d.json'), JSON.stringify(landmarks));
  }
}

describe('facebench build on real COLMAP output (colmap-ict fixture)', () => {
  const root = tempDir('build');
  const capture = join(root, 'capture');
  const bench = join(root, 'bench');

  beforeAll(() => makeCapture(capture));

  it('builds the layout, masks non-face points, and its manifest checks out', async () => {
    const summary = await runBuild({ capture, out: bench, unit: 'mm', expressions: 1, imageSize: 256, visibilityToleranceMm: 2, progress: 'silent' });
    const m = readManifest(bench);
    expect(m.persons).toHaveLength(1);
    expect(m.persons[0].neutral.rule).toBe('sequence named neutral');
    expect(m.items).toHaveLength(1);
    const item = m.items[0];
    expect(item.sequence).toBe('EXP-1-smile');
    expect(item.id).toBe(`EXP-1-smile_000_${item.camera}`);
    expect(summary.built).toEqual(['001']);
    expect(checkBenchmark(bench).problems).toEqual([]);

    // Masking accuracy against the generating mesh's own vertex labels (1 skin, 2 nose, 3 lips kept).
    const scan = readPointCloud(join(bench, item.dir, 'scan.ply'));
    const fused = readPointCloud(`${FIXTURES}colmap-ict/dense/fused.ply`);
    const mesh = readMesh(`${FIXTURES}colmap-ict/gt_mesh.ply`);
    const labels = readNpy(`${FIXTURES}colmap-ict/vertex_labels.npy`).data as Uint8Array;
    const tree = KdTree.build(mesh.positions);
    const faceLabel = (p: Float64Array, i: number) => [1, 2, 3].includes(labels[tree.nearest(p[3 * i], p[3 * i + 1], p[3 * i + 2])]);
    let onFace = 0;
    for (let i = 0; i < scan.positions.length / 3; i++) if (faceLabel(scan.positions, i)) onFace++;
    let faceInFused = 0;
    for (let i = 0; i < fused.positions.length / 3; i++) if (faceLabel(fused.positions, i)) faceInFused++;
    const precision = onFace / (scan.positions.length / 3);
    const recall = onFace / faceInFused;
    console.log(`colmap-ict masking: kept ${scan.positions.length / 3} of ${fused.positions.length / 3} fused points; precision ${precision.toFixed(4)}, recall ${recall.toFixed(4)}`);
    expect(precision).toBeGreaterThan(0.99);
    expect(recall).toBeGreaterThan(0.98);
    expect(scan.normals).toBeDefined();

    // 7 GT landmarks in mm, the crop, and meta.json.
    const lm = readLandmarks(join(bench, item.dir, 'landmarks.json'));
    expect(lm.length).toBe(21);
    const meta = JSON.parse(readFileSync(join(bench, item.dir, 'meta.json'), 'utf8'));
    expect(meta.cloud_source).toBe('point-cloud');
    expect(meta.crop_box.size).toBeGreaterThan(50);
  });

  it('resumes: a second build reuses the finished person', async () => {
    const again = await runBuild({ capture, out: bench, unit: 'mm', expressions: 1, imageSize: 256, visibilityToleranceMm: 2, progress: 'silent' });
    expect(again.reused).toEqual(['001']);
    expect(again.built).toEqual([]);
  });

  it('check lists a corrupted file and exits non-zero', () => {
    const m = readManifest(bench);
    const target = join(bench, m.items[0].dir, 'landmarks.json');
    writeFileSync(target, '[[0,0,0]]');
    writeFileSync(join(bench, 'stray.txt'), 'x');
    const r = facebench(['check', '--bench', bench]);
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/landmarks\.json: sha256 differs/);
    expect(r.stdout).toMatch(/stray\.txt: not listed/);
  });

  it('refuses a capture whose images name an uncalibrated camera', () => {
    const bad = join(root, 'bad');
    makeCapture(bad);
    copyFileSync(`${FIXTURES}colmap-ict/images/cam_222200000.png`, join(bad, '001', 'sequences', 'NEUTRAL', 'frame_00000', 'images-2x-73fps', 'cam_999.png'));
    const r = facebench(['build', '--capture', bad, '--out', join(root, 'bad-bench'), '--capture-unit', 'mm', '--quiet']);
    expect(r.status).not.toBe(0);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/camera_params\.json: camera 999 appears in .* but has no calibration/);
  });

  it.skipIf(!findColmap())('reconstructs with COLMAP when a frame ships no geometry (a person in under 30 s)', () => {
    const plain = join(root, 'plain');
    makeCapture(plain, false);
    const out = join(root, 'colmap-bench');
    const started = performance.now();
    const r = facebench(['build', '--capture', plain, '--out', out, '--capture-unit', 'mm', '--expressions', '1', '--image-size', '128', '--quiet']);
    const seconds = (performance.now() - started) / 1000;
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const m = readManifest(out);
    const meta = JSON.parse(readFileSync(join(out, m.items[0].dir, 'meta.json'), 'utf8'));
    expect(meta.cloud_source).toBe('colmap');
    const scan = readPointCloud(join(out, m.items[0].dir, 'scan.ply'));
    const mesh = readMesh(`${FIXTURES}colmap-ict/gt_mesh.ply`);
    const labels = readNpy(`${FIXTURES}colmap-ict/vertex_labels.npy`).data as Uint8Array;
    const tree = KdTree.build(mesh.positions);
    let onFace = 0;
    for (let i = 0; i < scan.positions.length; i += 3) if ([1, 2, 3].includes(labels[tree.nearest(scan.positions[i], scan.positions[i + 1], scan.positions[i + 2])])) onFace++;
    console.log(`colmap-ict build with COLMAP: ${seconds.toFixed(1)} s for 2 frames, ${scan.positions.length / 3} masked sparse points, ${((100 * onFace) / (scan.positions.length / 3)).toFixed(1)}% on face-region vertices`);
    expect(scan.positions.length / 3).toBeGreaterThan(300);
    expect(onFace / (scan.positions.length / 3)).toBeGreaterThan(0.95);
    expect(seconds).toBeLessThan(90); // generous bound against a hung COLMAP; the measured time is printed
  });

  it('labels frames without segmentation maps with an ONNX face parser (--parser)', () => {
    const plain = join(root, 'unlabelled');
    makeCapture(plain, true, false);
    // A real 1x1-conv ONNX model: channel 1 ("skin") wins where the mean of R, G, B is above 0.1,
    // so the dark background (RGB 15) is class 0 and the lit head is kept.
    const model = join(root, 'bright.onnx');
    writeFileSync(model, encodeModel({
      nodes: [{ op: 'Conv', inputs: ['image', 'W', 'B'], outputs: ['scores'] }],
      initializers: [
        { name: 'W', dims: [2, 3, 1, 1], floats: [-1 / 3, -1 / 3, -1 / 3, 1 / 3, 1 / 3, 1 / 3] },
        { name: 'B', dims: [2], floats: [0.1, -0.1] },
      ],
      inputs: [{ name: 'image', shape: [1, 3, 'H', 'W'] }],
      outputs: [{ name: 'scores', shape: [1, 2, 'h', 'w'] }],
    }));
    const labels = join(root, 'bright-labels.json');
    writeFileSync(labels, JSON.stringify({ labels: { 0: 'background', 1: 'skin' }, face_kept: [1] }));
    const out = join(root, 'parser-bench');
    const r = facebench(['build', '--capture', plain, '--out', out, '--capture-unit', 'mm', '--expressions', '1', '--image-size', '128', '--parser', model, '--parser-labels', labels, '--quiet']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const m = readManifest(out);
    const meta = JSON.parse(readFileSync(join(out, m.items[0].dir, 'meta.json'), 'utf8'));
    expect(meta.label_source).toBe('parser');
    // Brightness keeps the whole lit head (hair and neck too), far more than the face-only segmentation (9560 points).
    console.log(`colmap-ict with the brightness parser: ${m.items[0].points} of 22579 fused points kept`);
    expect(m.items[0].points).toBeGreaterThan(12000);
    const without = facebench(['build', '--capture', plain, '--out', join(root, 'no-parser'), '--capture-unit', 'mm', '--expressions', '1', '--quiet']);
    expect(without.status).not.toBe(0);
    expect(without.stderr).toMatch(/has no segmentation\/ label maps; give a face parser with --parser/);
  });
});
