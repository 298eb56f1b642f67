import { describe, expect, it } from 'vitest';
import type { TriangleMesh } from '../../../evaluators/geometry/types.js';
import { FACESCAPE_CYLINDER } from '../../../evaluators/protocols/index.js';
import { cylinderMap, cylinderRowHeights, type CylinderGrid } from '../../../evaluators/render/index.js';
import { ellipsoid, mapPositions } from '../../helpers/facescape-layout.js';

function concat(a: TriangleMesh, b: TriangleMesh): TriangleMesh {
  const positions = new Float64Array(a.positions.length + b.positions.length);
  positions.set(a.positions);
  positions.set(b.positions, a.positions.length);
  const faces = new Uint32Array(a.faces.length + b.faces.length);
  faces.set(a.faces);
  const offset = a.positions.length / 3;
  for (let i = 0; i < b.faces.length; i++) faces[a.faces.length + i] = b.faces[i] + offset;
  return { positions, faces };
}

/** Every hit of a ray with every triangle (Möller–Trumbore), the farthest kept: an independent oracle. */
function bruteForceOutermost(mesh: TriangleMesh, origin: number[], dir: number[]): { t: number; face: number } {
  let best = { t: 0, face: -1 };
  const P = mesh.positions;
  for (let f = 0; f < mesh.faces.length / 3; f++) {
    const a = 3 * mesh.faces[3 * f], b = 3 * mesh.faces[3 * f + 1], c = 3 * mesh.faces[3 * f + 2];
    const e1 = [P[b] - P[a], P[b + 1] - P[a + 1], P[b + 2] - P[a + 2]];
    const e2 = [P[c] - P[a], P[c + 1] - P[a + 1], P[c + 2] - P[a + 2]];
    const p = [dir[1] * e2[2] - dir[2] * e2[1], dir[2] * e2[0] - dir[0] * e2[2], dir[0] * e2[1] - dir[1] * e2[0]];
    const det = e1[0] * p[0] + e1[1] * p[1] + e1[2] * p[2];
    if (Math.abs(det) < 1e-15) continue;
    const s = [origin[0] - P[a], origin[1] - P[a + 1], origin[2] - P[a + 2]];
    const u = (s[0] * p[0] + s[1] * p[1] + s[2] * p[2]) / det;
    if (u < 0 || u > 1) continue;
    const q = [s[1] * e1[2] - s[2] * e1[1], s[2] * e1[0] - s[0] * e1[2], s[0] * e1[1] - s[1] * e1[0]];
    const v = (dir[0] * q[0] + dir[1] * q[1] + dir[2] * q[2]) / det;
    if (v < 0 || u + v > 1) continue;
    const t = (e2[0] * q[0] + e2[1] * q[1] + e2[2] * q[2]) / det;
    if (t > best.t) best = { t, face: f };
  }
  return best;
}

describe('cylindrical unwrapping', () => {
  it('matches the sphere it unwraps: radius √(r² − y²) on every column', () => {
    const r = 90;
    const sphere = ellipsoid(r, r, r, 240, 480);
    const map = cylinderMap(sphere.positions, sphere.faces, FACESCAPE_CYLINDER);
    const ys = cylinderRowHeights(FACESCAPE_CYLINDER);
    // A facet lies inside the sphere by at most its sagitta: r·(1 − cos(π/240)) plus the polar step.
    const sagitta = r * (1 - Math.cos(Math.PI / 240));
    let checked = 0;
    for (let i = 0; i < 256; i++) {
      const y = ys[i];
      if (Math.abs(y) > r - 3) {
        if (Math.abs(y) > r) for (let j = 0; j < 256; j++) expect(map.radius[i * 256 + j]).toBe(0);
        continue;
      }
      const expected = Math.sqrt(r * r - y * y);
      for (let j = 0; j < 256; j++) {
        const got = map.radius[i * 256 + j];
        expect(got).toBeLessThanOrEqual(expected + 1e-9);
        expect(expected - got).toBeLessThan(4 * sagitta * (r / expected) ** 2 + 1e-6);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(140 * 256);
    // The first and the last column look the same way.
    for (let i = 0; i < 256; i++) expect(map.radius[i * 256 + 255]).toBeCloseTo(map.radius[i * 256], 9);
  });

  it('keeps the outermost of several hits, as brute-force ray casting does', () => {
    // Two shells, a bumpy off-centre outer one and an inner one: most rays hit four times.
    const outer = mapPositions(ellipsoid(70, 95, 85, 30, 60), (x, y, z) => [x + 8 + 3 * Math.sin(y / 7), y, z - 5 + 2 * Math.cos(x / 9)]);
    const inner = mapPositions(ellipsoid(40, 60, 45, 20, 40), (x, y, z) => [x + 3, y, z + 2]);
    const mesh = concat(inner, outer);
    const grid: CylinderGrid = { rows: 40, cols: 64, yTop: 110, yBottom: -110 };
    const map = cylinderMap(mesh.positions, mesh.faces, grid);
    const ys = cylinderRowHeights(grid);
    let hits = 0;
    for (let i = 0; i < grid.rows; i++) {
      for (let j = 0; j < grid.cols; j++) {
        const phi = (2 * Math.PI * j) / (grid.cols - 1);
        const truth = bruteForceOutermost(mesh, [0, ys[i], 0], [-Math.sin(phi), 0, -Math.cos(phi)]);
        const p = i * grid.cols + j;
        expect(map.radius[p]).toBeCloseTo(truth.t, 9);
        if (truth.face >= 0) {
          hits++;
          expect(map.triangle[p]).toBe(truth.face);
        } else expect(map.triangle[p]).toBe(-1);
      }
    }
    expect(hits).toBeGreaterThan(1000);
  });
});
