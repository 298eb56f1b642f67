/**
 * The ICT-FaceKit neutral face from the shared fixtures (see its README.md) and seeded
 * surface sampling, for the ICP tests.
 */
import { fileURLToPath } from 'node:url';
import type { TriangleMesh } from '../../../evaluators/geometry/types.js';
import { npyToFloat64, readNpy } from '../../../evaluators/io/index.js';
import { seededRandom } from './helpers.js';

const ICT = fileURLToPath(new URL('../../../../shared/fixtures/ict-facekit/', import.meta.url));

let cached: TriangleMesh | undefined;

/** The ICT-FaceKit neutral template: 11248 vertices, 22288 triangles, millimetres. */
export function ictTemplate(): TriangleMesh {
  if (!cached) {
    const template = readNpy(`${ICT}template.npy`);
    const faces = readNpy(`${ICT}faces.npy`);
    if (template.shape.join() !== '11248,3' || faces.shape.join() !== '22288,3') throw new Error('unexpected ICT-FaceKit fixture shapes');
    cached = { positions: Float64Array.from(npyToFloat64(template)), faces: Uint32Array.from(faces.data as ArrayLike<number>) };
  }
  return { positions: Float64Array.from(cached.positions), faces: cached.faces };
}

/** Unit normal of face f (zero for a degenerate face). */
export function faceNormalOf(mesh: TriangleMesh, f: number): [number, number, number] {
  const p = mesh.positions;
  const a = 3 * mesh.faces[3 * f], b = 3 * mesh.faces[3 * f + 1], c = 3 * mesh.faces[3 * f + 2];
  const e1 = [p[b] - p[a], p[b + 1] - p[a + 1], p[b + 2] - p[a + 2]];
  const e2 = [p[c] - p[a], p[c + 1] - p[a + 1], p[c + 2] - p[a + 2]];
  const n: [number, number, number] = [e1[1] * e2[2] - e1[2] * e2[1], e1[2] * e2[0] - e1[0] * e2[2], e1[0] * e2[1] - e1[1] * e2[0]];
  const len = Math.hypot(...n);
  return len > 0 ? [n[0] / len, n[1] / len, n[2] / len] : [0, 0, 0];
}

/**
 * n points uniformly distributed over the surface: a face drawn with probability ∝ area,
 * then uniform barycentrics (√r₁ construction). Returns the points and their faces.
 */
export function sampleSurfacePoints(mesh: TriangleMesh, n: number, seed: number): { points: Float64Array; faces: Int32Array } {
  const random = seededRandom(seed);
  const p = mesh.positions;
  const m = mesh.faces.length / 3;
  const cumulative = new Float64Array(m);
  let total = 0;
  for (let f = 0; f < m; f++) {
    const a = 3 * mesh.faces[3 * f], b = 3 * mesh.faces[3 * f + 1], c = 3 * mesh.faces[3 * f + 2];
    const e1 = [p[b] - p[a], p[b + 1] - p[a + 1], p[b + 2] - p[a + 2]];
    const e2 = [p[c] - p[a], p[c + 1] - p[a + 1], p[c + 2] - p[a + 2]];
    total += 0.5 * Math.hypot(e1[1] * e2[2] - e1[2] * e2[1], e1[2] * e2[0] - e1[0] * e2[2], e1[0] * e2[1] - e1[1] * e2[0]);
    cumulative[f] = total;
  }
  const points = new Float64Array(3 * n);
  const faces = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const target = random() * total;
    let lo = 0;
    let hi = m - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cumulative[mid] < target) lo = mid + 1;
      else hi = mid;
    }
    const r1 = Math.sqrt(random());
    const r2 = random();
    const u = 1 - r1, v = r1 * (1 - r2), w = r1 * r2;
    const a = 3 * mesh.faces[3 * lo], b = 3 * mesh.faces[3 * lo + 1], c = 3 * mesh.faces[3 * lo + 2];
    for (let k = 0; k < 3; k++) points[3 * i + k] = u * p[a + k] + v * p[b + k] + w * p[c + k];
    faces[i] = lo;
  }
  return { points, faces };
}
