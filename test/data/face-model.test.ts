import { describe, expect, it } from 'vitest';
import { buildFaceModel, evaluate, landmarkPositions, majorityFaceLabels, subdivideMidpoint } from '../../data/face-model.js';
import { SEVEN_LANDMARKS } from '../../evaluators/protocols/index.js';
import { demoCameras } from '../../data/demo-capture.js';
import { LABEL, LABEL_NAMES } from '../../data/labels.js';
import { labelImage, rasterize, type PinholeCamera } from '../../evaluators/render/index.js';

const model = buildFaceModel();
const n = model.template.length / 3;
const dist = (p: Float64Array, a: number, b: number): number => Math.hypot(p[3 * a] - p[3 * b], p[3 * a + 1] - p[3 * b + 1], p[3 * a + 2] - p[3 * b + 2]);

/** A frontal camera (yaw 0) with translation in mm, as the generator renders. */
function frontalCamera(): PinholeCamera {
  const c = demoCameras(1, 240, 320, 1)[0];
  return { K: c.K, world2cam: c.world2cam.map((v, i) => (i === 3 || i === 7 || i === 11 ? 1000 * v : v)), width: 240, height: 320 };
}

function project(cam: PinholeCamera, p: Float64Array, k: number): [number, number] {
  const E = cam.world2cam, K = cam.K;
  const x = p[3 * k], y = p[3 * k + 1], z = p[3 * k + 2];
  const cx = E[0] * x + E[1] * y + E[2] * z + E[3], cy = E[4] * x + E[5] * y + E[6] * z + E[7], cz = E[8] * x + E[9] * y + E[10] * z + E[11];
  return [K[0] * (cx / cz) + K[1] * (cy / cz) + K[2], K[4] * (cy / cz) + K[5]];
}

describe('demo face model', () => {
  it('has the documented shape and every documented label', () => {
    expect(model.faceVertexCount).toBeGreaterThan(7000);
    expect(model.faces.length / 3).toBeGreaterThan(14368);
    expect(model.identityBasis.length).toBe(model.identityNames.length * 3 * n);
    expect(model.expressionBasis.length).toBe(model.expressionNames.length * 3 * n);
    expect(model.vertexLabels.length).toBe(n);
    expect(model.labelNames).toEqual(LABEL_NAMES);
    for (let id = 1; id < LABEL_NAMES.length; id++) expect(model.vertexLabels.includes(id)).toBe(true);
    for (const v of model.faces) expect(v).toBeLessThan(n);
    expect(model.template.every(Number.isFinite)).toBe(true);
    expect(model.faceLabels).toEqual(majorityFaceLabels(model.faces, model.vertexLabels));
  });

  it('is linear in its coefficients and applies the pose after the modes', () => {
    expect(evaluate(model, [], [])).toEqual(model.template);
    const a = evaluate(model, [1, 0, -0.5], [0.3, 0, 0, 1]);
    const b = evaluate(model, [0, 2], [0, 0.5]);
    const ab = evaluate(model, [1, 2, -0.5], [0.3, 0.5, 0, 1]);
    for (let i = 0; i < ab.length; i += 97) expect(ab[i]).toBeCloseTo(a[i] + b[i] - model.template[i], 9);
    const posed = evaluate(model, [1], [0.2], { rotation: [0, -1, 0, 1, 0, 0, 0, 0, 1], translation: [5, 6, 7] });
    const unposed = evaluate(model, [1], [0.2]);
    expect(posed[30]).toBeCloseTo(-unposed[31] + 5, 9);
    expect(posed[31]).toBeCloseTo(unposed[30] + 6, 9);
    expect(posed[32]).toBeCloseTo(unposed[32] + 7, 9);
    expect(() => evaluate(model, new Array(20).fill(0), [])).toThrow(/coefficients/);
  });

  it('places the 7 alignment landmarks in the documented order in a frontal image', () => {
    const cam = frontalCamera();
    const lm = landmarkPositions(model, model.template);
    const u = (k: number): number => project(cam, lm, k)[0];
    const v = (k: number): number => project(cam, lm, k)[1];
    const [e0, e1, e2, e3, nose, m0, m1] = SEVEN_LANDMARKS;
    // Eye on the image's left: outer (36) left of inner (39); other eye inner (42) then outer (45).
    expect(u(e0)).toBeLessThan(u(e1));
    expect(u(e1)).toBeLessThan(u(nose));
    expect(u(nose)).toBeLessThan(u(e2));
    expect(u(e2)).toBeLessThan(u(e3));
    expect(u(m0)).toBeLessThan(u(m1));
    expect(v(e0)).toBeLessThan(v(nose));
    expect(v(nose)).toBeLessThan(v(m0));
    // Landmarks lie on the model surface: each is a mesh vertex.
    for (let k = 0; k < 68; k++) expect(lm.subarray(3 * k, 3 * k + 3)).toEqual(model.template.subarray(3 * model.landmarkVertices[k], 3 * model.landmarkVertices[k] + 3));
  });

  it('renders the landmark regions with the right labels in a frontal view', () => {
    const cam = frontalCamera();
    const labels = labelImage(rasterize(model.template, model.faces, cam), model.faceLabels);
    const lm = landmarkPositions(model, model.template);
    const labelAt = (k: number): number => {
      const [x, y] = project(cam, lm, k);
      return labels[Math.floor(y) * cam.width + Math.floor(x)];
    };
    expect(labelAt(30)).toBe(LABEL.nose); // nose tip
    expect(labelAt(33)).toBe(LABEL.nose); // subnasale
    expect([LABEL.skin, LABEL.neck]).toContain(labelAt(8)); // chin: a silhouette vertex, the neck may show behind
    expect(labelAt(29)).toBe(LABEL.nose);
    expect(labelAt(51)).toBe(LABEL.lips); // upper lip top
    expect(labelAt(57)).toBe(LABEL.lips); // lower lip bottom
    expect(labelAt(19)).toBe(LABEL.brows);
    expect(labelAt(24)).toBe(LABEL.brows);
    expect(labels[5 * cam.width + 120]).not.toBe(LABEL.skin); // above the forehead: hair or background
    expect(labels[0]).toBe(LABEL.background);
  });

  it('has expression modes that do what their names say', () => {
    const ex = (name: string, c = 1): number[] => model.expressionNames.map((m) => (m === name ? c : 0));
    const neutral = landmarkPositions(model, model.template);
    const open = landmarkPositions(model, evaluate(model, [], ex('jaw_open')));
    expect(dist(open, 62, 66) - dist(neutral, 62, 66)).toBeGreaterThan(8);
    expect(open[3 * 8 + 1]).toBeLessThan(neutral[3 * 8 + 1] - 8); // chin down
    const closed = landmarkPositions(model, evaluate(model, [], ex('eye_close')));
    expect(dist(closed, 37, 41)).toBeLessThan(0.35 * dist(neutral, 37, 41));
    expect(dist(closed, 44, 46)).toBeLessThan(0.35 * dist(neutral, 44, 46));
    const smile = landmarkPositions(model, evaluate(model, [], ex('smile')));
    expect(smile[3 * 48 + 1]).toBeGreaterThan(neutral[3 * 48 + 1] + 2);
    expect(dist(smile, 48, 54)).toBeGreaterThan(dist(neutral, 48, 54) + 4);
    const brow = landmarkPositions(model, evaluate(model, [], ex('brow_raise')));
    expect(brow[3 * 19 + 1]).toBeGreaterThan(neutral[3 * 19 + 1] + 3);
    const pucker = landmarkPositions(model, evaluate(model, [], ex('lip_pucker')));
    expect(dist(pucker, 48, 54)).toBeLessThan(dist(neutral, 48, 54) - 5);
    // Modes are smooth, bounded displacements (mm).
    for (let k = 0; k < model.expressionNames.length; k++) {
      let max = 0;
      for (let i = 0; i < 3 * n; i++) max = Math.max(max, Math.abs(model.expressionBasis[k * 3 * n + i]));
      expect(max).toBeGreaterThan(1);
      expect(max).toBeLessThan(30);
    }
    const wide = landmarkPositions(model, evaluate(model, [1], []));
    expect(dist(wide, 0, 16)).toBeGreaterThan(dist(neutral, 0, 16) + 4);
  });

  it('subdivides by midpoints: four triangles per triangle, same area', () => {
    const P = Float64Array.of(0, 0, 0, 2, 0, 0, 0, 2, 0);
    const s = subdivideMidpoint(P, Uint32Array.of(0, 1, 2));
    expect(s.positions.length).toBe(18);
    expect(Array.from(s.positions.subarray(0, 9))).toEqual(Array.from(P));
    expect(s.faces.length).toBe(12);
    let area = 0;
    for (let f = 0; f < 4; f++) {
      const [a, b, c] = [s.faces[3 * f], s.faces[3 * f + 1], s.faces[3 * f + 2]];
      const cross = (s.positions[3 * b] - s.positions[3 * a]) * (s.positions[3 * c + 1] - s.positions[3 * a + 1]) - (s.positions[3 * b + 1] - s.positions[3 * a + 1]) * (s.positions[3 * c] - s.positions[3 * a]);
      expect(cross).toBeGreaterThan(0); // orientation kept
      area += cross / 2;
    }
    expect(area).toBeCloseTo(2, 12);
  });
});
