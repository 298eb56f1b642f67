/**
 * Reference geometry for the spatial suites, written independently of evaluators/spatial
 * (seeded RNG: test/helpers/random.ts; ICT face and surface sampling: test/helpers/faces.ts).
 */
import type { TriangleMesh } from '../../../evaluators/geometry/types.js';
import { sampleSurface } from '../../helpers/faces.js';
import { gaussian } from '../../helpers/random.js';

/** `count` separate triangles of spread ~0.3·scale around centres of spread ~3·scale (a triangle soup). */
export function randomSoup(count: number, random: () => number, scale = 10): { positions: Float64Array; faces: Uint32Array } {
  const positions = new Float64Array(9 * count);
  const faces = new Uint32Array(3 * count);
  for (let t = 0; t < count; t++) {
    const cx = gaussian(random) * scale * 3, cy = gaussian(random) * scale * 3, cz = gaussian(random) * scale * 3;
    for (let k = 0; k < 3; k++) {
      positions[9 * t + 3 * k] = cx + gaussian(random) * scale * 0.3;
      positions[9 * t + 3 * k + 1] = cy + gaussian(random) * scale * 0.3;
      positions[9 * t + 3 * k + 2] = cz + gaussian(random) * scale * 0.3;
      faces[3 * t + k] = 3 * t + k;
    }
  }
  return { positions, faces };
}

/**
 * A soup of degenerate triangles: `copies` coincident copies of one triangle, `points`
 * triangles collapsed to a point, `collinear` ones with collinear corners, `pairs` with two
 * equal corners and `slivers` of height ~1e-9 mm, in that order.
 */
export function degenerateSoup(
  random: () => number,
  counts: { copies: number; points: number; collinear: number; pairs: number; slivers: number },
): { positions: Float64Array; faces: Uint32Array } {
  const pts: number[] = [];
  const tris: number[] = [];
  const add = (a: number[], b: number[], c: number[]) => {
    const base = pts.length / 3;
    pts.push(...a, ...b, ...c);
    tris.push(base, base + 1, base + 2);
  };
  for (let i = 0; i < counts.copies; i++) add([0, 0, 0], [5, 0, 0], [0, 5, 0]);
  for (let i = 0; i < counts.points; i++) add([3, 3, 3], [3, 3, 3], [3, 3, 3]);
  for (let i = 0; i < counts.collinear; i++) add([-5, 0, 1], [5 * random(), 0, 1], [5, 0, 1]);
  for (let i = 0; i < counts.pairs; i++) {
    const a = [gaussian(random) * 4, gaussian(random) * 4, gaussian(random) * 4];
    add(a, a, [a[0] + 1, a[1], a[2]]);
  }
  for (let i = 0; i < counts.slivers; i++) add([0, 0, 2], [4, 0, 2], [2, 1e-9 * random(), 2]);
  return { positions: Float64Array.from(pts), faces: Uint32Array.from(tris) };
}

/** `count` surface samples of `mesh`, each pushed off by a random direction times a length in [lo, hi]. */
export function nearSurface(mesh: TriangleMesh, count: number, random: () => number, lo: number, hi: number): Float64Array {
  const s = sampleSurface(mesh, count, random);
  for (let i = 0; i < count; i++) {
    const d = [gaussian(random), gaussian(random), gaussian(random)];
    const len = Math.hypot(d[0], d[1], d[2]);
    const r = lo + (hi - lo) * random();
    for (let k = 0; k < 3; k++) s.positions[3 * i + k] += (d[k] / len) * r;
  }
  return s.positions;
}

export interface RefHit {
  distSq: number;
  x: number;
  y: number;
  z: number;
}

/**
 * Reference point–triangle distance, written independently of the library: the minimum
 * over the three clamped segment projections and, when it lies inside, the orthogonal
 * projection onto the plane solved from the 2×2 normal equations by Cramer's rule.
 */
export function refTriangle(p: ArrayLike<number>, a: ArrayLike<number>, b: ArrayLike<number>, c: ArrayLike<number>): RefHit {
  let best: RefHit = { distSq: Infinity, x: NaN, y: NaN, z: NaN };
  const consider = (x: number, y: number, z: number) => {
    const d = (p[0] - x) ** 2 + (p[1] - y) ** 2 + (p[2] - z) ** 2;
    if (d < best.distSq) best = { distSq: d, x, y, z };
  };
  const seg = (s: ArrayLike<number>, e: ArrayLike<number>) => {
    const d = [e[0] - s[0], e[1] - s[1], e[2] - s[2]];
    const len2 = d[0] ** 2 + d[1] ** 2 + d[2] ** 2;
    let t = len2 === 0 ? 0 : ((p[0] - s[0]) * d[0] + (p[1] - s[1]) * d[1] + (p[2] - s[2]) * d[2]) / len2;
    t = Math.min(1, Math.max(0, t));
    consider(s[0] + t * d[0], s[1] + t * d[1], s[2] + t * d[2]);
  };
  seg(a, b);
  seg(b, c);
  seg(c, a);
  const e1 = [b[0] - a[0], b[1] - a[1], b[2] - a[2]];
  const e2 = [c[0] - a[0], c[1] - a[1], c[2] - a[2]];
  const r = [p[0] - a[0], p[1] - a[1], p[2] - a[2]];
  const dot = (u: number[], v: number[]) => u[0] * v[0] + u[1] * v[1] + u[2] * v[2];
  const g11 = dot(e1, e1), g12 = dot(e1, e2), g22 = dot(e2, e2);
  const det = g11 * g22 - g12 * g12;
  if (det > 1e-14 * g11 * g22) {
    const r1 = dot(r, e1), r2 = dot(r, e2);
    const s = (r1 * g22 - r2 * g12) / det;
    const t = (g11 * r2 - g12 * r1) / det;
    if (s >= 0 && t >= 0 && s + t <= 1) {
      consider(a[0] + s * e1[0] + t * e2[0], a[1] + s * e1[1] + t * e2[1], a[2] + s * e1[2] + t * e2[2]);
    }
  }
  return best;
}

/** Brute-force closest face of a mesh with {@link refTriangle}. */
export function refMesh(positions: Float64Array, faces: Uint32Array, p: ArrayLike<number>, maxDistSq = Infinity): { distSq: number; face: number } {
  let best = Infinity;
  let face = -1;
  const a = [0, 0, 0], b = [0, 0, 0], c = [0, 0, 0];
  for (let f = 0; f < faces.length / 3; f++) {
    for (let k = 0; k < 3; k++) {
      a[k] = positions[3 * faces[3 * f] + k];
      b[k] = positions[3 * faces[3 * f + 1] + k];
      c[k] = positions[3 * faces[3 * f + 2] + k];
    }
    // Cheap box test to keep the brute force affordable; exact, not a heuristic.
    let boxD = 0;
    for (let k = 0; k < 3; k++) {
      const lo = Math.min(a[k], b[k], c[k]), hi = Math.max(a[k], b[k], c[k]);
      const t = p[k] < lo ? lo - p[k] : p[k] > hi ? p[k] - hi : 0;
      boxD += t * t;
    }
    if (boxD > best) continue;
    const d = refTriangle(p, a, b, c).distSq;
    if (d < best) {
      best = d;
      face = f;
    }
  }
  if (!(best <= maxDistSq)) return { distSq: Infinity, face: -1 };
  return { distSq: best, face };
}

/**
 * Brute-force closest point of a mesh with {@link refTriangle}, with every face whose
 * squared distance is within the relative tolerance `tie` of the minimum (a point closest
 * to an edge or vertex is equally close to all the faces sharing it, and which of them a
 * search returns is decided by rounding).
 */
export function refClosest(
  positions: Float64Array,
  faces: Uint32Array,
  p: ArrayLike<number>,
  tie = 1e-9,
): RefHit & { face: number; tied: number[] } {
  const { face } = refMesh(positions, faces, p);
  const corners = (f: number) => [0, 1, 2].map((j) => Array.from(positions.subarray(3 * faces[3 * f + j], 3 * faces[3 * f + j] + 3)));
  const [a, b, c] = corners(face);
  const best = refTriangle(p, a, b, c);
  const bound = best.distSq * (1 + tie) + 1e-24;
  const tied: number[] = [];
  for (let f = 0; f < faces.length / 3; f++) {
    let boxD = 0;
    for (let k = 0; k < 3; k++) {
      const va = positions[3 * faces[3 * f] + k], vb = positions[3 * faces[3 * f + 1] + k], vc = positions[3 * faces[3 * f + 2] + k];
      const lo = Math.min(va, vb, vc), hi = Math.max(va, vb, vc);
      const t = p[k] < lo ? lo - p[k] : p[k] > hi ? p[k] - hi : 0;
      boxD += t * t;
    }
    if (boxD > bound) continue;
    const [fa, fb, fc] = corners(f);
    if (refTriangle(p, fa, fb, fc).distSq <= bound) tied.push(f);
  }
  return { ...best, face, tied };
}
