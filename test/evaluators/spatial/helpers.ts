/**
 * Test helpers for the spatial suites: a seeded RNG, a tiny .npy reader for the ICT
 * fixture, and reference geometry written independently of evaluators/spatial.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Mulberry32: small deterministic PRNG, uniform in [0, 1). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Standard normal deviate (Box–Muller). */
export function gaussian(random: () => number): number {
  const u = 1 - random();
  const v = random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

const FIXTURES = fileURLToPath(new URL('../../../../shared/fixtures/', import.meta.url));

/** Minimal NPY v1/v2 reader (little-endian f4/f8/i4/u4, C order) for the fixtures. */
function readNpyArray(path: string): { data: Float64Array; shape: number[]; descr: string } {
  const buf = readFileSync(path);
  const major = buf[6];
  const headerLen = major === 1 ? buf.readUInt16LE(8) : buf.readUInt32LE(8);
  const offset = major === 1 ? 10 : 12;
  const header = buf.subarray(offset, offset + headerLen).toString('latin1');
  const descr = /'descr':\s*'([^']+)'/.exec(header)![1];
  const shape = /'shape':\s*\(([^)]*)\)/.exec(header)![1].split(',').map((s) => s.trim()).filter(Boolean).map(Number);
  const count = shape.reduce((a, b) => a * b, 1);
  const body = buf.subarray(offset + headerLen);
  const data = new Float64Array(count);
  const view = new DataView(body.buffer, body.byteOffset, body.byteLength);
  for (let i = 0; i < count; i++) {
    if (descr === '<f4') data[i] = view.getFloat32(4 * i, true);
    else if (descr === '<f8') data[i] = view.getFloat64(8 * i, true);
    else if (descr === '<i4') data[i] = view.getInt32(4 * i, true);
    else if (descr === '<u4') data[i] = view.getUint32(4 * i, true);
    else throw new Error(`unsupported dtype ${descr}`);
  }
  return { data, shape, descr };
}

/** The ICT-FaceKit neutral template (11248 vertices, 22288 triangles), mm. */
export function loadIctMesh(): { positions: Float64Array; faces: Uint32Array } {
  const t = readNpyArray(`${FIXTURES}ict-facekit/template.npy`);
  const f = readNpyArray(`${FIXTURES}ict-facekit/faces.npy`);
  return { positions: t.data, faces: Uint32Array.from(f.data) };
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

/** Area-weighted random samples on a mesh surface: positions, the face of each, and the unit face normal. */
export function sampleSurface(positions: Float64Array, faces: Uint32Array, count: number, random: () => number): { points: Float64Array; faceOf: Int32Array; normals: Float64Array } {
  const m = faces.length / 3;
  const cdf = new Float64Array(m);
  const fn = new Float64Array(3 * m);
  let total = 0;
  for (let f = 0; f < m; f++) {
    const ia = 3 * faces[3 * f], ib = 3 * faces[3 * f + 1], ic = 3 * faces[3 * f + 2];
    const e1 = [positions[ib] - positions[ia], positions[ib + 1] - positions[ia + 1], positions[ib + 2] - positions[ia + 2]];
    const e2 = [positions[ic] - positions[ia], positions[ic + 1] - positions[ia + 1], positions[ic + 2] - positions[ia + 2]];
    const n = [e1[1] * e2[2] - e1[2] * e2[1], e1[2] * e2[0] - e1[0] * e2[2], e1[0] * e2[1] - e1[1] * e2[0]];
    const len = Math.hypot(n[0], n[1], n[2]);
    total += len / 2;
    cdf[f] = total;
    if (len > 0) {
      fn[3 * f] = n[0] / len; fn[3 * f + 1] = n[1] / len; fn[3 * f + 2] = n[2] / len;
    }
  }
  const points = new Float64Array(3 * count);
  const normals = new Float64Array(3 * count);
  const faceOf = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    const target = random() * total;
    let lo = 0, hi = m - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cdf[mid] < target) lo = mid + 1;
      else hi = mid;
    }
    let s = random(), t = random();
    if (s + t > 1) { s = 1 - s; t = 1 - t; }
    const ia = 3 * faces[3 * lo], ib = 3 * faces[3 * lo + 1], ic = 3 * faces[3 * lo + 2];
    for (let k = 0; k < 3; k++) {
      points[3 * i + k] = positions[ia + k] + s * (positions[ib + k] - positions[ia + k]) + t * (positions[ic + k] - positions[ia + k]);
      normals[3 * i + k] = fn[3 * lo + k];
    }
    faceOf[i] = lo;
  }
  return { points, faceOf, normals };
}
