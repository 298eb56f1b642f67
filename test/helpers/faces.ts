import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { TriangleMesh } from '../../evaluators/geometry/types.js';
import { npyToFloat64, readNpy } from '../../evaluators/io/index.js';

/** The test fixtures folder, test/fixtures/ (with a trailing slash; see its README.md). */
export const FIXTURES = fileURLToPath(new URL('../fixtures/', import.meta.url));

let ict: { mesh: TriangleMesh; landmarks68: number[] } | undefined;

/**
 * The ICT-FaceKit neutral face (11248 vertices, 22288 triangles, mm; see the fixture's
 * README.md) and its 68 landmark vertices. Loaded once and shared: do not modify it.
 */
export function ictFace(): { mesh: TriangleMesh; landmarks68: number[] } {
  if (!ict) {
    const template = readNpy(`${FIXTURES}ict-facekit/template.npy`);
    const faces = readNpy(`${FIXTURES}ict-facekit/faces.npy`);
    if (template.shape.join() !== '11248,3' || faces.shape.join() !== '22288,3') throw new Error('unexpected ICT-FaceKit fixture shapes');
    const lm = JSON.parse(readFileSync(`${FIXTURES}ict-facekit/landmarks68.json`, 'utf8')) as { vertex_indices: number[] };
    ict = {
      mesh: { positions: Float64Array.from(npyToFloat64(template)), faces: Uint32Array.from(faces.data as ArrayLike<number>) },
      landmarks68: lm.vertex_indices,
    };
  }
  return ict;
}

/** Vertices 0..6705 of the ICT face are its narrow face region (fixture README). */
const FACE_REGION_VERTICES = 6706;

/** Whether triangle f of the ICT face lies in its narrow face region (all three vertices). */
export function ictFaceRegion(f: number): boolean {
  const faces = ictFace().mesh.faces;
  return faces[3 * f] < FACE_REGION_VERTICES && faces[3 * f + 1] < FACE_REGION_VERTICES && faces[3 * f + 2] < FACE_REGION_VERTICES;
}

/** iBUG-68 indices of the 7 alignment landmarks (docs/conventions.md#alignment-landmarks). */
const SEVEN = [36, 39, 42, 45, 33, 48, 54];

/** The 7 alignment landmarks of the ICT face, from its 68 landmark vertices. */
export function ictSevenLandmarks(positions: Float64Array = ictFace().mesh.positions): Float64Array {
  const out = new Float64Array(21);
  SEVEN.forEach((k, i) => {
    const v = ictFace().landmarks68[k];
    out.set(positions.subarray(3 * v, 3 * v + 3), 3 * i);
  });
  return out;
}

/** (b − a) × (c − a) of triangle f: its normal with length twice its area. */
function faceCross(mesh: TriangleMesh, f: number): [number, number, number] {
  const p = mesh.positions;
  const [a, b, c] = [mesh.faces[3 * f], mesh.faces[3 * f + 1], mesh.faces[3 * f + 2]].map((v) => 3 * v);
  const e1 = [p[b] - p[a], p[b + 1] - p[a + 1], p[b + 2] - p[a + 2]];
  const e2 = [p[c] - p[a], p[c + 1] - p[a + 1], p[c + 2] - p[a + 2]];
  return [e1[1] * e2[2] - e1[2] * e2[1], e1[2] * e2[0] - e1[0] * e2[2], e1[0] * e2[1] - e1[1] * e2[0]];
}

/** Unit face normal of triangle f (zero for a degenerate face). */
export function faceNormal(mesh: TriangleMesh, f: number): [number, number, number] {
  const n = faceCross(mesh, f);
  const l = Math.hypot(n[0], n[1], n[2]);
  return l > 0 ? [n[0] / l, n[1] / l, n[2] / l] : [0, 0, 0];
}

/**
 * n points uniformly distributed over the surface: a face drawn with probability ∝ area,
 * then uniform barycentrics (a point of the unit square, folded into the triangle), with
 * the face each lies on and its unit normal. Draws three numbers from `random` per point
 * (face, u, v). `faceFilter` restricts the faces sampled.
 */
export function sampleSurface(
  mesh: TriangleMesh,
  n: number,
  random: () => number,
  faceFilter: (f: number) => boolean = () => true,
): { positions: Float64Array; normals: Float64Array; faces: Int32Array } {
  const m = mesh.faces.length / 3;
  const cumulative = new Float64Array(m);
  let total = 0;
  for (let f = 0; f < m; f++) {
    if (faceFilter(f)) total += 0.5 * Math.hypot(...faceCross(mesh, f));
    cumulative[f] = total;
  }
  const positions = new Float64Array(3 * n);
  const normals = new Float64Array(3 * n);
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
    const f = lo;
    let u = random();
    let v = random();
    if (u + v > 1) {
      u = 1 - u;
      v = 1 - v;
    }
    const w = 1 - u - v;
    const p = mesh.positions;
    const [a, b, c] = [mesh.faces[3 * f], mesh.faces[3 * f + 1], mesh.faces[3 * f + 2]].map((k) => 3 * k);
    for (let j = 0; j < 3; j++) positions[3 * i + j] = w * p[a + j] + u * p[b + j] + v * p[c + j];
    normals.set(faceNormal(mesh, f), 3 * i);
    faces[i] = f;
  }
  return { positions, normals, faces };
}
