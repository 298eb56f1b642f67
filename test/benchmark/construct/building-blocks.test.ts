import { describe, expect, it } from 'vitest';
import {
  backProject,
  cropAndResize,
  fuseDepthMaps,
  landmarkDistance,
  maskByLabels,
  poseNormalised,
  projectPoint,
  selectExpressions,
  type Camera,
  type CameraDepth,
} from '../../../benchmark/construct/index.js';
import { axisAngle, gaussian, rng, similarity } from '../../helpers/random.js';

/** A camera at `centre` looking along +z (world), OpenCV axes aligned with the world's. */
function camera(serial: string, centre: [number, number, number], f = 500, cx = 99.5, cy = 79.5, R: Float64Array = Float64Array.of(1, 0, 0, 0, 1, 0, 0, 0, 1)): Camera {
  // t = −R·C
  const t = Float64Array.of(
    -(R[0] * centre[0] + R[1] * centre[1] + R[2] * centre[2]),
    -(R[3] * centre[0] + R[4] * centre[1] + R[5] * centre[2]),
    -(R[6] * centre[0] + R[7] * centre[1] + R[8] * centre[2]),
  );
  return { serial, K: Float64Array.of(f, 0, cx, 0, f, cy, 0, 0, 1), R, t };
}

/** Depth map of the plane z = planeZ (world) as seen by a camera looking along +z. */
function planeDepth(cam: Camera, planeZ: number, width = 200, height = 160, hole?: (u: number, v: number) => boolean): CameraDepth {
  const depth = new Float32Array(width * height);
  const camZ = -cam.t[2];
  for (let v = 0; v < height; v++) for (let u = 0; u < width; u++) depth[v * width + u] = hole?.(u, v) ? 0 : planeZ - camZ;
  return { camera: cam, width, height, depth };
}

describe('camera model', () => {
  it('back-projection inverts projection', () => {
    const cam = camera('a', [10, -20, -400], 600, 101.3, 77.9, axisAngle([0.2, 1, 0.1], 0.4));
    const q = new Float64Array(3);
    const p = new Float64Array(3);
    projectPoint(cam, 12, 34, 56, q);
    backProject(cam, q[0], q[1], q[2], p);
    expect(Array.from(p).map((v) => Number(v.toFixed(9)))).toEqual([12, 34, 56]);
  });
});

describe('depth fusion', () => {
  it('fuses two views of a plane onto the plane, normals facing the cameras, voxel-merged', () => {
    const a = camera('a', [-30, 0, -500]);
    const b = camera('b', [30, 0, -500]);
    const cloud = fuseDepthMaps([planeDepth(a, 0), planeDepth(b, 0)]);
    const n = cloud.positions.length / 3;
    expect(n).toBeGreaterThan(1000);
    let worst = 0;
    for (let i = 0; i < n; i++) {
      worst = Math.max(worst, Math.abs(cloud.positions[3 * i + 2]));
      expect(cloud.normals![3 * i + 2]).toBeCloseTo(-1, 6);
    }
    expect(worst).toBeLessThan(1e-3);
    // One point per 1 mm voxel at most: the overlap of the two views is not doubled.
    const keys = new Set<string>();
    for (let i = 0; i < n; i++) keys.add([0, 1, 2].map((j) => Math.floor(cloud.positions[3 * i + j])).join(','));
    expect(keys.size).toBe(n);
  });

  it('drops what only one camera sees', () => {
    const a = camera('a', [-30, 0, -500]);
    const b = camera('b', [30, 0, -500]);
    // Camera b has no depth on the left half of its image: those plane points are seen by a alone.
    const onlyA = fuseDepthMaps([planeDepth(a, 0), planeDepth(b, 0, 200, 160, (u) => u < 100)]);
    const both = fuseDepthMaps([planeDepth(a, 0), planeDepth(b, 0)]);
    expect(onlyA.positions.length).toBeLessThan(both.positions.length * 0.8);
    // Every kept point projects into b's valid half.
    const q = new Float64Array(3);
    for (let i = 0; i < onlyA.positions.length; i += 3) {
      projectPoint(b, onlyA.positions[i], onlyA.positions[i + 1], onlyA.positions[i + 2], q);
      expect(Math.round(q[0])).toBeGreaterThanOrEqual(100);
    }
  });
});

describe('segmentation masking', () => {
  it('keeps points whose visible views mostly say face, using depth for visibility', () => {
    const a = camera('a', [-30, 0, -500]);
    const b = camera('b', [30, 0, -500]);
    const da = planeDepth(a, 0);
    const db = planeDepth(b, 0);
    const cloud = fuseDepthMaps([da, db]);
    // Label 1 (face) where world x < 0, label 9 (hair) elsewhere, in both cameras.
    const labelsFor = (d: CameraDepth) => {
      const labels = new Uint8Array(d.width * d.height);
      const p = new Float64Array(3);
      for (let v = 0; v < d.height; v++) for (let u = 0; u < d.width; u++) {
        backProject(d.camera, u, v, d.depth[v * d.width + u], p);
        labels[v * d.width + u] = p[0] < 0 ? 1 : 9;
      }
      return labels;
    };
    const views = [da, db].map((d) => ({ camera: d.camera, width: d.width, height: d.height, labels: labelsFor(d), depth: d }));
    const result = maskByLabels(cloud, views, new Set([1]));
    expect(result.kept.length).toBeGreaterThan(0);
    for (const i of result.kept) expect(cloud.positions[3 * i]).toBeLessThan(0.6);
    const faceSide = Array.from({ length: cloud.positions.length / 3 }, (_v, i) => i).filter((i) => cloud.positions[3 * i] < -0.6);
    expect(result.kept.length).toBeGreaterThanOrEqual(faceSide.length);
    // Without depth maps the cloud's own splatted z-buffer decides visibility: same answer here.
    const splatted = maskByLabels(cloud, views.map((v) => ({ ...v, depth: undefined })), new Set([1]));
    expect(Math.abs(splatted.kept.length - result.kept.length)).toBeLessThan(0.02 * result.kept.length);
  });
});

describe('expression selection', () => {
  const random = rng(21);
  const neutral: Float64Array = Float64Array.from({ length: 204 }, () => gaussian(random) * 30);
  const expressions = Array.from({ length: 12 }, (_v, k) => neutral.map((x, i) => x + (i % 7 === k % 7 ? gaussian(random) * (1 + k) : 0)));

  it('removes head pose: a moved, scaled copy of neutral is at distance ~0', () => {
    const moved = similarity(neutral, 1.1, axisAngle([1, 2, 3], 0.3), [5, 6, 7]);
    expect(landmarkDistance(poseNormalised(moved, neutral), neutral)).toBeLessThan(1e-9);
  });

  it('is furthest point sampling, starting from the frame farthest from neutral (brute-force reference)', () => {
    const posed = expressions.map((e, k) => similarity(e, 0.9 + 0.02 * k, axisAngle([k, 1, 2], 0.05 * k), [k, -k, 2 * k]));
    const selection = selectExpressions(posed, neutral, 5);
    // Independent greedy reference on the pose-normalised configurations.
    const norm = posed.map((p) => poseNormalised(p, neutral));
    const picked: number[] = [];
    const pool = [neutral];
    for (let s = 0; s < 5; s++) {
      let best = -1;
      let bestD = -1;
      norm.forEach((c, i) => {
        if (picked.includes(i)) return;
        const d = Math.min(...pool.map((q) => landmarkDistance(c, q)));
        if (d > bestD) {
          bestD = d;
          best = i;
        }
      });
      picked.push(best);
      pool.push(norm[best]);
      expect(selection.distances[s]).toBeCloseTo(bestD, 9);
    }
    expect(selection.order).toEqual(picked);
    const far = selection.toNeutral.indexOf(Math.max(...selection.toNeutral));
    expect(selection.order[0]).toBe(far);
  });
});

describe('crop', () => {
  it('resamples a box exactly when it is pixel-aligned and scale 1', () => {
    const width = 8, height = 6;
    const data = Uint8Array.from({ length: width * height * 3 }, (_v, i) => (i * 7) % 251);
    const out = cropAndResize({ width, height, data }, { x: 1.5, y: 0.5, size: 4 }, 4);
    for (let j = 0; j < 4; j++) for (let i = 0; i < 4; i++) for (let c = 0; c < 3; c++) {
      expect(out.data[3 * (j * 4 + i) + c]).toBe(data[3 * ((j + 1) * width + (i + 2)) + c]);
    }
  });
});
