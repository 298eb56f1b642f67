/** Synthetic scoring inputs for the benchmarks, built from the ICT-FaceKit fixture (deterministic). */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TriangleMesh } from '../evaluators/geometry/types.js';
import { readNpy, writeLandmarksJson, writeNpy, writePly } from '../evaluators/io/index.js';
import { SEVEN_LANDMARKS } from '../evaluators/protocols/index.js';

/**
 * The repository's ICT-FaceKit test fixture, test/fixtures/ict-facekit. The repository root is
 * the nearest folder above this module holding package.json, so this works both from bench/
 * (sources) and from dist/bench/ (the compiled benches).
 */
function ictFixture(): string {
  const here = fileURLToPath(import.meta.url);
  let dir = dirname(here);
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error(`${here}: no package.json above it, so the repository's test/fixtures cannot be found`);
    dir = up;
  }
  return join(dir, 'test', 'fixtures', 'ict-facekit');
}

/**
 * The benchmarks' seeded generator, uniform in [0, 1): the 32-bit linear congruential
 * generator x ↦ 1664525·x + 1013904223 mod 2³² (Numerical Recipes, ch. 7.1).
 */
export function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

/** Standard normal sample (Box–Muller), the suite's own. */
export { normal as gaussian } from '../evaluators/util/index.js';

/** The ICT neutral face (11248 vertices, mm) and its 68 landmark vertex ids. */
export function ictFace(): { mesh: TriangleMesh; landmarks68: number[] } {
  const dir = ictFixture();
  const template = readNpy(join(dir, 'template.npy'));
  const faces = readNpy(join(dir, 'faces.npy'));
  const landmarks68 = (JSON.parse(readFileSync(join(dir, 'landmarks68.json'), 'utf8')) as { vertex_indices: number[] }).vertex_indices;
  return { mesh: { positions: Float64Array.from(template.data as ArrayLike<number>), faces: Uint32Array.from(faces.data as ArrayLike<number>) }, landmarks68 };
}

/** The 7 alignment landmarks (docs/conventions.md#alignment-landmarks) read off vertex positions. */
export function sevenLandmarks(positions: Float64Array, landmarks68: number[]): Float64Array {
  return Float64Array.from(SEVEN_LANDMARKS.flatMap((k) => Array.from(positions.subarray(3 * landmarks68[k], 3 * landmarks68[k] + 3))));
}

/** The mesh cut to its first `maxVertex` vertices (ICT orders the face first): 5023 gives a FLAME-size face. */
export function cropMesh(mesh: TriangleMesh, maxVertex: number): TriangleMesh {
  const faces: number[] = [];
  for (let f = 0; f < mesh.faces.length; f += 3) {
    if (mesh.faces[f] < maxVertex && mesh.faces[f + 1] < maxVertex && mesh.faces[f + 2] < maxVertex) faces.push(mesh.faces[f], mesh.faces[f + 1], mesh.faces[f + 2]);
  }
  return { positions: mesh.positions.slice(0, 3 * maxVertex), faces: Uint32Array.from(faces) };
}

/** Uniform random points on a mesh surface. */
export interface SurfaceSampler {
  /** Unit normal of each face, xyz-interleaved (zero for a degenerate face). */
  faceNormals: Float64Array;
  /**
   * Writes a uniform random surface point to out[3i..3i+2] and returns its face: a face
   * drawn with probability ∝ area, then uniform barycentrics (a point of the unit square
   * folded into the triangle). Draws three numbers from `random`.
   */
  sample(random: () => number, out: Float64Array, i: number): number;
}

/** Area-weighted surface sampling of `mesh` (face areas and normals computed once). */
export function surfaceSampler(mesh: TriangleMesh): SurfaceSampler {
  const m = mesh.faces.length / 3;
  const cum = new Float64Array(m);
  const faceNormals = new Float64Array(3 * m);
  const p = mesh.positions;
  let total = 0;
  for (let f = 0; f < m; f++) {
    const a = 3 * mesh.faces[3 * f], b = 3 * mesh.faces[3 * f + 1], c = 3 * mesh.faces[3 * f + 2];
    const e1 = [p[b] - p[a], p[b + 1] - p[a + 1], p[b + 2] - p[a + 2]];
    const e2 = [p[c] - p[a], p[c + 1] - p[a + 1], p[c + 2] - p[a + 2]];
    const nx = e1[1] * e2[2] - e1[2] * e2[1], ny = e1[2] * e2[0] - e1[0] * e2[2], nz = e1[0] * e2[1] - e1[1] * e2[0];
    const l = Math.hypot(nx, ny, nz) || 1;
    faceNormals.set([nx / l, ny / l, nz / l], 3 * f);
    total += l / 2;
    cum[f] = total;
  }
  const sample = (random: () => number, out: Float64Array, i: number): number => {
    const t = random() * total;
    let lo = 0, hi = m - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cum[mid] < t) lo = mid + 1;
      else hi = mid;
    }
    let u = random(), v = random();
    if (u + v > 1) { u = 1 - u; v = 1 - v; }
    const w = 1 - u - v;
    const a = 3 * mesh.faces[3 * lo], b = 3 * mesh.faces[3 * lo + 1], c = 3 * mesh.faces[3 * lo + 2];
    for (let j = 0; j < 3; j++) out[3 * i + j] = w * p[a + j] + u * p[b + j] + v * p[c + j];
    return lo;
  };
  return { faceNormals, sample };
}

/** n area-weighted surface samples with their face normals, moved along the normal by noise·U(−1.5, 1.5)-ish. */
export function sampleSurface(mesh: TriangleMesh, n: number, noise: number, random: () => number): { positions: Float64Array; normals: Float64Array } {
  const { faceNormals, sample } = surfaceSampler(mesh);
  const positions = new Float64Array(3 * n);
  const normals = new Float64Array(3 * n);
  for (let i = 0; i < n; i++) {
    const f = sample(random, positions, i);
    const offset = noise * (random() + random() + random() - 1.5);
    for (let j = 0; j < 3; j++) {
      positions[3 * i + j] += offset * faceNormals[3 * f + j];
      normals[3 * i + j] = faceNormals[3 * f + j];
    }
  }
  return { positions, normals };
}

/**
 * A prediction: `mesh` turned by `angle` about y, scaled and moved, with its 7 landmarks
 * perturbed by ±landmarkNoise/2 per coordinate.
 */
export function movedPrediction(
  mesh: TriangleMesh,
  landmarks68: number[],
  random: () => number,
  { angle = 0.35, scale = 0.93, translation = [12, -30, 45], landmarkNoise = 3 } = {},
): { mesh: TriangleMesh; landmarks: Float64Array } {
  const [c, s] = [Math.cos(angle), Math.sin(angle)];
  const p = mesh.positions;
  const moved = new Float64Array(p.length);
  for (let i = 0; i < p.length; i += 3) {
    moved[i] = scale * (c * p[i] + s * p[i + 2]) + translation[0];
    moved[i + 1] = scale * p[i + 1] + translation[1];
    moved[i + 2] = scale * (-s * p[i] + c * p[i + 2]) + translation[2];
  }
  const landmarks = sevenLandmarks(moved, landmarks68).map((v) => v + (random() - 0.5) * landmarkNoise);
  return { mesh: { positions: moved, faces: mesh.faces }, landmarks };
}

/**
 * `positions` displaced by a smooth field of amplitude `amplitude` mm per axis (sines of
 * wavelength 94–157 mm, phases from `phase`): a shape error like a reconstruction method's,
 * of millimetres over the face rather than noise.
 */
export function smoothShapeError(positions: Float64Array, amplitude: number, phase: number): Float64Array {
  const out = Float64Array.from(positions);
  for (let i = 0; i < out.length; i += 3) {
    const x = positions[i], y = positions[i + 1], z = positions[i + 2];
    out[i] += amplitude * Math.sin(y / 20 + 0.7 * phase);
    out[i + 1] += amplitude * Math.sin(z / 25 + 1.3 * phase);
    out[i + 2] += amplitude * Math.sin(x / 15 + 2.1 * phase);
  }
  return out;
}

/**
 * A generated benchmark for `facebench eval` benches, in `root`: `persons` × `itemsPerPerson`
 * items of `points`-point GT clouds sampled on the ICT face (neutral scans too), and for each
 * task a moved, rescaled FLAME-size prediction with its 7 landmarks. With `shapeError` > 0
 * each prediction also carries a smooth shape error of that amplitude (mm; 1.5 gives L1 about
 * 2 mm and a median distance about 0.9 mm, like the paper's baselines); without it the
 * predictions are the GT's own surface (median distance about 0.16 mm, the 0.2 mm scan
 * noise). Returns the folders.
 */
export function writeEvalBenchmark(
  root: string, persons: number, itemsPerPerson: number, points: number, seed: number, shapeError = 0,
): { bench: string; preds: string } {
  const { mesh, landmarks68 } = ictFace();
  const face = cropMesh(mesh, 6706);
  const lm = sevenLandmarks(mesh.positions, landmarks68);
  const random = lcg(seed);
  const bench = join(root, 'bench');
  const preds = join(root, 'pred');
  let tasks = 0;
  for (let p = 0; p < persons; p++) {
    const pid = String(p + 1).padStart(3, '0');
    const neutral = sampleSurface(face, points, 0.2, random);
    writePly(join(bench, 'persons', pid, 'neutral', 'scan.ply'), { ...neutral, faces: new Uint32Array(0) }, { format: 'binary_little_endian' });
    writeLandmarksJson(join(bench, 'persons', pid, 'neutral', 'landmarks.json'), lm);
    for (let k = 0; k < itemsPerPerson; k++) {
      const item = `EXP-${k}_000_222200000`;
      const scan = sampleSurface(face, points, 0.2, random);
      writePly(join(bench, 'items', pid, item, 'scan.ply'), { ...scan, faces: new Uint32Array(0) }, { format: 'binary_little_endian' });
      writeLandmarksJson(join(bench, 'items', pid, item, 'landmarks.json'), lm);
      for (const task of ['posed', 'neutral']) {
        const shape = shapeError > 0 ? { positions: smoothShapeError(mesh.positions, shapeError, tasks++), faces: mesh.faces } : mesh;
        const moved = movedPrediction(shape, landmarks68, random, { angle: random() - 0.5, scale: 0.9 + 0.2 * random() });
        writePly(join(preds, pid, item, `mesh_${task}.ply`), cropMesh(moved.mesh, 5023), { format: 'binary_little_endian' });
        writeNpy(join(preds, pid, item, `landmarks_${task}.npy`), moved.landmarks, [7, 3]);
      }
    }
  }
  return { bench, preds };
}
