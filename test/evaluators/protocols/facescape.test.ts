import { describe, expect, it } from 'vitest';
import type { TriangleMesh } from '../../../evaluators/geometry/types.js';
import { InputError } from '../../../evaluators/errors.js';
import {
  FACESCAPE_CYLINDER, cylinderSurface, depthShift, meanNormalError, scoreFacescape, type FacescapeView,
} from '../../../evaluators/protocols/index.js';
import { cylinderMap, cylinderRowHeights, type CylinderGrid } from '../../../evaluators/render/index.js';
import { ellipsoid, mapPositions } from '../../helpers/facescape-layout.js';

const IDENTITY = [1, 0, 0, 0, 1, 0, 0, 0, 1];

describe('depth shift', () => {
  it('is the L1-optimal offset: no other value lowers Σ|a − z − b|', () => {
    const n = 501;
    const a = new Float64Array(n), b = new Float64Array(n);
    let seed = 7;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    for (let i = 0; i < n; i++) {
      a[i] = i % 17 === 0 ? 0 : 100 + 50 * rand();
      b[i] = i % 13 === 0 ? 0 : 100 + 50 * rand() + (rand() < 0.1 ? 30 : 0);
    }
    const { deltaZ, overlap } = depthShift(a, b);
    const cost = (z: number) => {
      let s = 0;
      for (let i = 0; i < n; i++) if (a[i] !== 0 && b[i] !== 0) s += Math.abs(a[i] - z - b[i]);
      return s;
    };
    expect(overlap).toBe([...a].filter((v, i) => v !== 0 && b[i] !== 0).length);
    for (let z = -40; z <= 40; z += 0.01) expect(cost(deltaZ)).toBeLessThanOrEqual(cost(z) + 1e-9);
    expect(depthShift(new Float64Array(4), b.subarray(0, 4)).overlap).toBe(0);
  });
});

describe('mean normal error', () => {
  it("uses FaceScape's (n + 1)/‖n + 1‖ normalisation, not the angle between the normals", () => {
    // Two walls facing the axis from φ = 0 (the −z side): the GT's normal is +z; the
    // prediction's is tilted by 40° about y.
    const wall = (tilt: number): TriangleMesh => {
      const c = Math.cos(tilt), s = Math.sin(tilt);
      const pts = [[-30, -30], [30, -30], [30, 30], [-30, 30]].map(([x, y]) => [x * c, y, -60 - x * s]);
      return { positions: Float64Array.from(pts.flat()), faces: Uint32Array.from([0, 1, 2, 0, 2, 3]) };
    };
    const gt = wall(0), pred = wall((40 * Math.PI) / 180);
    const grid: CylinderGrid = { rows: 64, cols: 256, yTop: 150, yBottom: -150 };
    const gtMap = cylinderMap(gt.positions, gt.faces, grid), predMap = cylinderMap(pred.positions, pred.faces, grid);
    const mne = meanNormalError(gt.positions, gt.faces, gtMap, pred.positions, pred.faces, predMap);
    const nGt = [0, 0, 1];
    const nPred = [Math.sin((40 * Math.PI) / 180), 0, Math.cos((40 * Math.PI) / 180)];
    const quirk = (n: number[]) => {
      const v = n.map((x) => x + 1);
      const l = Math.hypot(...v);
      return v.map((x) => x / l);
    };
    const [g, p] = [quirk(nGt), quirk(nPred)];
    const expected = Math.acos(g[0] * p[0] + g[1] * p[1] + g[2] * p[2]);
    expect(mne).toBeCloseTo(expected, 12);
    expect(Math.abs(mne - (40 * Math.PI) / 180)).toBeGreaterThan(0.3); // the quirk is not the true angle
  });
});

describe('scoreFacescape', () => {
  const head = ellipsoid(75, 100, 90, 120, 240);
  const K = [1200, 0, 128, 0, 1200, 128, 0, 0, 1];
  const labGt = mapPositions(head, (x, y, z) => [x, y, z + 1500]);
  // Camera frame: the face (+z side of the ellipsoid) must look at the camera, i.e. towards −z.
  const labView: FacescapeView = { set: 'fslab', pupilScale: 1, K, headCentre: [0, 0, 1500], rotation: [-1, 0, 0, 0, 1, 0, 0, 0, -1] };
  const scale = 150;
  const wildGt = mapPositions(head, (x, y, z) => [x / scale, y / scale, (z - 300) / scale]);
  const wildView: FacescapeView = { set: 'fswild', pupilScale: scale, headCentre: [0, 0, -300 / scale], rotation: IDENTITY };

  it('gives CD ≈ 0, MNE ≈ 0, CR = 1 for a prediction equal to the GT', () => {
    for (const [gt, view] of [[labGt, labView], [wildGt, wildView]] as const) {
      const r = scoreFacescape({ gt, pred: gt, view });
      expect(r.cd).toBe(0);
      expect(r.mne).toBeLessThan(1e-6);
      expect(r.cr).toBe(1);
      expect(r.deltaZ).toBe(0);
      expect(r.scale).toBe(1);
      expect(r.gtPixels).toBeGreaterThan(40_000);
    }
  });

  it('recovers a prediction shifted in depth only (in-the-wild: a shift along the view axis)', () => {
    const shift = 0.4; // cube units = 60 mm
    const pred = mapPositions(wildGt, (x, y, z) => [x, y, z + shift]);
    const r = scoreFacescape({ gt: wildGt, pred, view: wildView });
    expect(r.deltaZ).toBeCloseTo(shift * scale, 9); // GT depth − prediction depth, mm
    expect(r.cd).toBeLessThan(1e-9);
    expect(r.mne).toBeLessThan(1e-6);
    expect(r.cr).toBe(1);
  });

  it('recovers an in-the-lab prediction placed deeper along the camera rays (scaled about the camera centre)', () => {
    for (const k of [0.9, 1.08]) {
      const pred = mapPositions(labGt, (x, y, z) => [k * x, k * y, k * z]);
      const r = scoreFacescape({ gt: labGt, pred, view: labView });
      // Δz is the median depth difference and the scale uses the mean depth: exact up to their gap.
      expect(Math.abs(r.scale * k - 1)).toBeLessThan(5e-4);
      expect(r.cd).toBeLessThan(0.2);
      expect(r.cr).toBe(1);
    }
  });

  it('lowers CR by the share of the GT a prediction misses', () => {
    // Remove the prediction's triangles whose centroid lies in the sector φ ∈ [60°, 120°] of the unwrapping frame.
    const inSector = (x: number, z: number) => {
      let phi = Math.atan2(-x, -z);
      if (phi < 0) phi += 2 * Math.PI;
      return phi >= Math.PI / 3 && phi <= (2 * Math.PI) / 3;
    };
    const P = wildGt.positions;
    const kept: number[] = [];
    for (let f = 0; f < wildGt.faces.length / 3; f++) {
      let cx = 0, cz = 0;
      for (let k = 0; k < 3; k++) {
        cx += P[3 * wildGt.faces[3 * f + k]];
        cz += P[3 * wildGt.faces[3 * f + k] + 2] + 300 / scale;
      }
      if (!inSector(cx, cz)) kept.push(wildGt.faces[3 * f], wildGt.faces[3 * f + 1], wildGt.faces[3 * f + 2]);
    }
    const pred = { positions: wildGt.positions, faces: Uint32Array.from(kept) };
    const r = scoreFacescape({ gt: wildGt, pred, view: wildView });
    // The GT is seen on every column of its rows: the sector's share of the columns, within
    // one column each side for triangles cut by the sector's border.
    const columns = Array.from({ length: 256 }, (_, j) => (2 * Math.PI * j) / 255).filter((phi) => phi >= Math.PI / 3 && phi <= (2 * Math.PI) / 3).length;
    expect(Math.abs(1 - r.cr - columns / 256)).toBeLessThan(2 / 256);
    expect(r.cd).toBeLessThan(0.05); // what remains still matches
  });

  it('measures a uniform radial offset as CD ≈ offset on the rebuilt surfaces', () => {
    const grid = FACESCAPE_CYLINDER;
    const rows = cylinderRowHeights(grid);
    const inner = new Float64Array(256 * 256), outer = new Float64Array(256 * 256);
    for (let i = 0; i < 256; i++) {
      if (Math.abs(rows[i]) > 100) continue;
      for (let j = 0; j < 256; j++) {
        inner[i * 256 + j] = 80;
        outer[i * 256 + j] = 83;
      }
    }
    const a = cylinderSurface(inner, grid), b = cylinderSurface(outer, grid);
    expect(a.mesh.faces.length).toBe(b.mesh.faces.length);
    expect(a.pixels.length).toBeGreaterThan(170 * 256);
    // Every rebuilt vertex lies on its cylinder at its pixel's height and angle.
    for (let k = 0; k < a.pixels.length; k += 97) {
      const p = a.pixels[k];
      const [x, y, z] = [a.mesh.positions[3 * k], a.mesh.positions[3 * k + 1], a.mesh.positions[3 * k + 2]];
      expect(Math.hypot(x, z)).toBeCloseTo(80, 9);
      expect(y).toBeCloseTo(rows[Math.floor(p / 256)], 9);
    }
    // A 15-mm jump stops the triangles: a pixel next to a 20-mm step makes none.
    const stepped = inner.slice();
    for (let i = 0; i < 256; i++) if (stepped[i * 256 + 100] !== 0) stepped[i * 256 + 100] = 100;
    expect(cylinderSurface(stepped, grid).mesh.faces.length).toBeLessThan(a.mesh.faces.length - 4 * 150);
  });

  it('refuses a prediction that does not overlap the GT in the image, naming it', () => {
    const away = mapPositions(wildGt, (x, y, z) => [x + 5, y, z]);
    expect(() => scoreFacescape({ gt: wildGt, pred: away, view: wildView, names: { pred: 'p.ply', gt: 'g.obj' } })).toThrow(InputError);
    expect(() => scoreFacescape({ gt: wildGt, pred: away, view: wildView, names: { pred: 'p.ply', gt: 'g.obj' } })).toThrow(/^p\.ply: its depth map does not overlap/);
    const farCentre = { ...wildView, headCentre: [0, 10, -300 / scale] }; // 1.5 m above: beyond the cylinder's ±150 mm
    expect(() => scoreFacescape({ gt: wildGt, pred: wildGt, view: farCentre, names: { gt: 'g.obj' } })).toThrow(/^g\.obj: the cylindrical unwrapping sees none/);
  });
});
