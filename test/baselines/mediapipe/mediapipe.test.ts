/**
 * Real MediaPipe Face Mesh inference (no mocks) on renders of an ICT-FaceKit head from the
 * colmap-ict fixture, checked against independent truth: the fixture's label maps, and the
 * GT mesh's iBUG-68 landmark vertices (ict-facekit/landmarks68.json) projected with the
 * fixture's cameras.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readLabelMap, readRgbImage, writeRgbPng, type RgbImage } from '../../../evaluators/image/index.js';
import { loadCanonicalFaceMesh, MEDIAPIPE_TO_IBUG68 } from '../../../data/index.js';
import { SEVEN_LANDMARKS } from '../../../evaluators/protocols/index.js';
import { InputError } from '../../../evaluators/errors.js';
import { validateMesh } from '../../../evaluators/geometry/validate.js';
import { applyTransform, umeyama } from '../../../evaluators/alignment/index.js';
import { readMesh } from '../../../evaluators/io/index.js';
import type { PredictItem } from '../../../baselines/adapter.js';
import {
  canonicalRmsRadius, detectFaceMesh, detectIbug68, ibug68FromFaceMesh, loadFaceMesh, mediapipeAdapter, metricFaceMesh,
  MESH_POINTS, sevenLandmarksFromFaceMesh, type FaceMeshDetection,
} from '../../../baselines/mediapipe/index.js';
import { FIXTURES } from '../../helpers/faces.js';

const SCENE = join(FIXTURES, 'colmap-ict');
/** Cameras at azimuth −10°, +10° (near frontal) and +50° (three-quarter), elevation +10°. */
const SERIALS = ['222200002', '222200003', '222200005'] as const;
const NOSE_TIP = 1;
const LABEL_NOSE = 2;
const INNER = Array.from({ length: 51 }, (_, i) => i + 17);

const gtMesh = readMesh(join(SCENE, 'gt_mesh.ply'));
const ibugVertices = (JSON.parse(readFileSync(join(FIXTURES, 'ict-facekit', 'landmarks68.json'), 'utf8')) as { vertex_indices: number[] }).vertex_indices;
const cameras = JSON.parse(readFileSync(join(SCENE, 'camera_params.json'), 'utf8')) as {
  world_2_cam: Record<string, number[][]>;
  intrinsics: Record<string, number[][]>;
};

/** GT iBUG-68 landmarks projected into a view: 68×2 pixels, pixel centres on integers. */
function projectedGroundTruth(serial: string): Float64Array {
  const e = cameras.world_2_cam[serial];
  const k = cameras.intrinsics[serial];
  const out = new Float64Array(136);
  ibugVertices.forEach((v, i) => {
    const x = [0, 1, 2].map((c) => gtMesh.positions[3 * v + c]);
    const cam = [0, 1, 2].map((r) => e[r][0] * x[0] + e[r][1] * x[1] + e[r][2] * x[2] + e[r][3]);
    // K follows COLMAP's convention (pixel (0,0) centred at (0.5, 0.5)).
    out[2 * i] = (k[0][0] * cam[0]) / cam[2] + k[0][2] - 0.5;
    out[2 * i + 1] = (k[1][1] * cam[1]) / cam[2] + k[1][2] - 0.5;
  });
  return out;
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[s.length >> 1];
}

const images = new Map<string, RgbImage>();
const detections = new Map<string, FaceMeshDetection>();

beforeAll(async () => {
  await loadFaceMesh();
  for (const serial of SERIALS) {
    const image = readRgbImage(join(SCENE, 'images', `cam_${serial}.png`));
    images.set(serial, image);
    detections.set(serial, await detectFaceMesh(image));
  }
});

describe('detectFaceMesh on rendered heads', () => {
  it('finds one face with 468 finite points inside the image', () => {
    for (const serial of SERIALS) {
      const { landmarks, score, cropSize } = detections.get(serial)!;
      expect(landmarks, serial).not.toBeNull();
      expect(landmarks!.length).toBe(3 * MESH_POINTS);
      expect(score).toBeGreaterThan(0.9);
      expect(cropSize).toBeGreaterThan(200);
      for (let i = 0; i < MESH_POINTS; i++) {
        expect(landmarks![3 * i]).toBeGreaterThan(0);
        expect(landmarks![3 * i]).toBeLessThan(640);
        expect(landmarks![3 * i + 1]).toBeGreaterThan(0);
        expect(landmarks![3 * i + 1]).toBeLessThan(480);
        expect(Number.isFinite(landmarks![3 * i + 2])).toBe(true);
      }
    }
  });

  it('puts the nose tip on the nose of the label map, nearer the camera than the face outline', () => {
    for (const serial of SERIALS) {
      const labels = readLabelMap(join(SCENE, 'labels', `cam_${serial}.png`));
      const p = detections.get(serial)!.landmarks!;
      const x = Math.round(p[3 * NOSE_TIP]);
      const y = Math.round(p[3 * NOSE_TIP + 1]);
      expect(labels.data[y * labels.width + x], `${serial} nose tip at (${x}, ${y})`).toBe(LABEL_NOSE);
      // Smaller z = nearer: the nose tip is in front of the cheek/jaw outline points (MediaPipe 234, 454).
      expect(p[3 * NOSE_TIP + 2]).toBeLessThan(Math.min(p[3 * 234 + 2], p[3 * 454 + 2]));
    }
  });

  it('gives iBUG-68 points near the projected ground-truth landmarks', () => {
    for (const serial of SERIALS) {
      const det = ibug68FromFaceMesh(detections.get(serial)!.landmarks!, 2);
      const gt = projectedGroundTruth(serial);
      const errors = INNER.map((k) => Math.hypot(det[2 * k] - gt[2 * k], det[2 * k + 1] - gt[2 * k + 1]));
      // The eyes are ~100 px apart: measured median 3.5–5.6 px, worst point 10–20 px
      // (brow and nose-bridge definitions differ between MediaPipe and ICT-FaceKit).
      expect(median(errors), serial).toBeLessThan(8);
      expect(Math.max(...errors), serial).toBeLessThan(30);
    }
  });

  it('is deterministic, and detectIbug68 maps the same detection', async () => {
    const again = await detectFaceMesh(images.get(SERIALS[0])!);
    expect(Array.from(again.landmarks!)).toEqual(Array.from(detections.get(SERIALS[0])!.landmarks!));
    const ibug = await detectIbug68(images.get(SERIALS[0])!);
    expect(Array.from(ibug!)).toEqual(Array.from(ibug68FromFaceMesh(again.landmarks!, 2)));
  });

  it('returns null landmarks for an image without a face, and rejects malformed images', async () => {
    const blank = { width: 320, height: 240, data: new Uint8Array(320 * 240 * 3).fill(40) };
    expect((await detectFaceMesh(blank)).landmarks).toBeNull();
    await expect(detectFaceMesh({ width: 10, height: 10, data: new Uint8Array(299) })).rejects.toThrow(/needs 300/);
  });
});

describe('landmark mapping', () => {
  it('averages the MediaPipe points listed for each iBUG point, in 2D and 3D', () => {
    const points = new Float64Array(3 * MESH_POINTS).map((_, i) => Math.sin(i * 0.37) * 100);
    const two = ibug68FromFaceMesh(points, 2);
    const three = ibug68FromFaceMesh(points, 3);
    MEDIAPIPE_TO_IBUG68.forEach((src, k) => {
      for (let c = 0; c < 3; c++) {
        const expected = src.reduce((s, i) => s + points[3 * i + c], 0) / src.length;
        expect(three[3 * k + c]).toBeCloseTo(expected, 12);
        if (c < 2) expect(two[2 * k + c]).toBeCloseTo(expected, 12);
      }
    });
    const seven = sevenLandmarksFromFaceMesh(points);
    SEVEN_LANDMARKS.forEach((k, j) => {
      for (let c = 0; c < 3; c++) expect(seven[3 * j + c]).toBe(three[3 * k + c]);
    });
    expect(() => ibug68FromFaceMesh(new Float64Array(30))).toThrow(/468×3/);
  });
});

describe('metricFaceMesh', () => {
  it('has the canonical RMS radius, the canonical triangles and a camera-facing surface', () => {
    const { mesh, mmPerPixel } = metricFaceMesh(detections.get('222200003')!.landmarks!);
    const canonical = loadCanonicalFaceMesh();
    expect(Array.from(mesh.faces)).toEqual(Array.from(canonical.faces));
    let sum = 0;
    for (let i = 0; i < mesh.positions.length; i++) sum += mesh.positions[i] ** 2;
    expect(Math.sqrt(sum / MESH_POINTS)).toBeCloseTo(canonicalRmsRadius(), 9);
    // Camera 1000 mm away with f ≈ 1120 px: ≈ 0.89 mm per pixel at the face.
    expect(mmPerPixel).toBeGreaterThan(0.75);
    expect(mmPerPixel).toBeLessThan(1.05);
    // Near-frontal view: the area-weighted normal points towards the camera (+z).
    const n = [0, 0, 0];
    const p = mesh.positions;
    for (let f = 0; f < mesh.faces.length; f += 3) {
      const [a, b, c] = [mesh.faces[f], mesh.faces[f + 1], mesh.faces[f + 2]];
      const u = [0, 1, 2].map((k) => p[3 * b + k] - p[3 * a + k]);
      const v = [0, 1, 2].map((k) => p[3 * c + k] - p[3 * a + k]);
      n[0] += u[1] * v[2] - u[2] * v[1];
      n[1] += u[2] * v[0] - u[0] * v[2];
      n[2] += u[0] * v[1] - u[1] * v[0];
    }
    expect(n[2]).toBeGreaterThan(0.8 * Math.hypot(n[0], n[1], n[2]));
  });

  it('matches the GT head in 3D after a rigid fit of the inner iBUG landmarks', () => {
    const gt = new Float64Array(3 * INNER.length);
    INNER.forEach((k, j) => {
      for (let c = 0; c < 3; c++) gt[3 * j + c] = gtMesh.positions[3 * ibugVertices[k] + c];
    });
    for (const serial of SERIALS) {
      const { mesh } = metricFaceMesh(detections.get(serial)!.landmarks!);
      const all = ibug68FromFaceMesh(mesh.positions, 3);
      const pred = new Float64Array(3 * INNER.length);
      INNER.forEach((k, j) => {
        for (let c = 0; c < 3; c++) pred[3 * j + c] = all[3 * k + c];
      });
      const rms = (source: Float64Array): number => {
        const fit = umeyama(source, gt, { withScale: false });
        const moved = applyTransform(fit.transform, source);
        let s = 0;
        for (let i = 0; i < moved.length; i++) s += (moved[i] - gt[i]) ** 2;
        return Math.sqrt(s / INNER.length);
      };
      // Measured 4.0–5.0 mm; a depth-mirrored copy (wrong z sign or frame) gives ≈ 20 mm.
      expect(rms(pred), serial).toBeLessThan(7);
      const mirrored = pred.map((v, i) => (i % 3 === 2 ? -v : v));
      expect(rms(mirrored)).toBeGreaterThan(12);
      // Metric size from the canonical-face assumption: within 10 % of the GT head.
      const scaled = umeyama(pred, gt, { withScale: true });
      expect(scaled.transform.scale).toBeGreaterThan(0.9);
      expect(scaled.transform.scale).toBeLessThan(1.1);
    }
  });
});

describe('mediapipeAdapter', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'facebench-mediapipe-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  function item(imagePath: string): PredictItem {
    return { bench: dir, imagePath, meta: {}, item: {} as PredictItem['item'], person: {} as PredictItem['person'] };
  }

  it('parses its default options', () => {
    expect(mediapipeAdapter.name).toBe('mediapipe');
    expect(mediapipeAdapter.options.parse({})).toEqual({ minConfidence: 0.2 });
    expect(mediapipeAdapter.options.safeParse({ minConfidence: 2 }).success).toBe(false);
  });

  it('predicts a 468-vertex posed mesh, the same neutral mesh and 7 landmarks on the mesh', async () => {
    const opts = mediapipeAdapter.options.parse({});
    const path = join(SCENE, 'images', 'cam_222200003.png');
    const prediction = await mediapipeAdapter.predict(item(path), opts);
    const { landmarksPosed, landmarksNeutral } = prediction;
    const neutral = prediction.neutral!;
    const posed = prediction.posed!;
    validateMesh(posed, 'posed');
    validateMesh(neutral, 'neutral');
    expect(posed.positions.length).toBe(3 * MESH_POINTS);
    expect(posed.faces.length).toBe(loadCanonicalFaceMesh().faces.length);
    expect(Array.from(neutral.positions)).toEqual(Array.from(posed.positions));
    expect(neutral.positions).not.toBe(posed.positions);
    expect(landmarksPosed!.length).toBe(21);
    expect(Array.from(landmarksNeutral!)).toEqual(Array.from(landmarksPosed!));
    expect(Array.from(landmarksPosed!)).toEqual(Array.from(sevenLandmarksFromFaceMesh(posed.positions)));
    // Same answer as the library calls it wraps.
    const expected = metricFaceMesh(detections.get('222200003')!.landmarks!).mesh.positions;
    expect(Array.from(posed.positions)).toEqual(Array.from(expected));
    // Landmark order 36, 39, 42, 45 (eye corners), 33 (nose), 48, 54 (mouth corners):
    // the subject's right (iBUG 36) is on the image left (−x); eyes above nose above mouth (+y up).
    const l = landmarksPosed!;
    expect(l[0]).toBeLessThan(l[3]);
    expect(l[3]).toBeLessThan(l[6]);
    expect(l[6]).toBeLessThan(l[9]);
    expect(l[15]).toBeLessThan(l[18]);
    expect(Math.min(l[1], l[4], l[7], l[10])).toBeGreaterThan(l[13]);
    expect(l[13]).toBeGreaterThan(Math.max(l[16], l[19]));
    const outerEyes = Math.hypot(l[9] - l[0], l[10] - l[1], l[11] - l[2]);
    expect(outerEyes).toBeGreaterThan(75);
    expect(outerEyes).toBeLessThan(115);
  });

  it('fails the item with an InputError naming the image when there is no face', async () => {
    const path = join(dir, 'blank.png');
    writeRgbPng(path, { width: 256, height: 256, data: new Uint8Array(256 * 256 * 3).fill(40) });
    const error = await mediapipeAdapter.predict(item(path), mediapipeAdapter.options.parse({})).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    expect((error as Error).message).toContain(path);
    expect((error as Error).message).toMatch(/no face/);
  });
});
