/**
 * A small linear face model for the demo capture, built at run time from the MediaPipe
 * canonical face mesh (data/mediapipe-mesh.ts): the 468-vertex face subdivided by midpoint
 * subdivision, plus simple non-face parts (a hair cap over the skull, a neck, two ears) so
 * segmentation masking has something to remove. Every vertex carries a region label (docs/formats.md#label-file)
 * label. Shape = template + identityBasisᵀ·identity + expressionBasisᵀ·expression, then an
 * optional rigid pose. Model frame: mm, +x subject's left, +y up, +z out of the face.
 *
 * Region contours are MediaPipe's published landmark index groups (face_mesh_connections:
 * FACEMESH_LIPS, FACEMESH_LEFT/RIGHT_EYE, FACEMESH_LEFT/RIGHT_EYEBROW, FACEMESH_NOSE),
 * applied by point-in-polygon tests in the frontal (x, y) plane of the template.
 *
 * The 68 landmarks in iBUG-68 order use the MediaPipe-468 → dlib-68 correspondence of
 * Peizhi Yan, github.com/PeizhiYan/Mediapipe_2_Dlib_Landmarks (mp2dlib_correspondence,
 * the original version used by flame-head-tracker); where it averages two MediaPipe
 * points, both are joined by a mesh edge, so the average is the edge's midpoint, a vertex
 * of the subdivided mesh.
 */
import { LABEL, LABEL_NAMES } from './labels.js';
import { loadCanonicalFaceMesh } from './mediapipe-mesh.js';
import { deriveSeed, normal, seededRandom } from '../evaluators/util/index.js';

/** MediaPipe indices of iBUG-68 landmarks 0..67 (one or two points; two = their midpoint). */
export const MEDIAPIPE_TO_IBUG68: readonly (readonly number[])[] = [
  [127], [234], [93], [132, 58], [58, 172], [136], [150], [176], [152], [400], [379], [365], [397, 288], [361], [323], [454], [356],
  [70], [63], [105], [66], [107],
  [336], [296], [334], [293], [300],
  [168, 6], [197, 195], [5], [4], [75], [97], [2], [326], [305],
  [33], [160], [158], [133], [153], [144],
  [362], [385], [387], [263], [373], [380],
  [61], [39], [37], [0], [267], [269], [291], [321], [314], [17], [84], [91],
  [78], [82], [13], [312], [308], [317], [14], [87],
];


// MediaPipe contour loops (face_mesh_connections), as closed polygons.
const LIPS_OUTER = [61, 146, 91, 181, 84, 17, 314, 405, 321, 375, 291, 409, 270, 269, 267, 0, 37, 39, 40, 185];
const LIPS_INNER = [78, 95, 88, 178, 87, 14, 317, 402, 318, 324, 308, 415, 310, 311, 312, 13, 82, 81, 80, 191];
const RIGHT_EYE = [33, 7, 163, 144, 145, 153, 154, 155, 133, 173, 157, 158, 159, 160, 161, 246];
const LEFT_EYE = [263, 249, 390, 373, 374, 380, 381, 382, 362, 398, 384, 385, 386, 387, 388, 466];
const RIGHT_BROW = [70, 63, 105, 66, 107, 55, 65, 52, 53, 46];
const LEFT_BROW = [300, 293, 334, 296, 336, 285, 295, 282, 283, 276];
const NOSE_POINTS = [168, 6, 197, 195, 5, 4, 1, 19, 94, 2, 98, 97, 326, 327, 294, 278, 344, 440, 275, 45, 220, 115, 48, 64];
const UPPER_LID_RIGHT = [246, 161, 160, 159, 158, 157, 173];
const UPPER_LID_LEFT = [466, 388, 387, 386, 385, 384, 398];

/** Landmarks as points on triangles: face index and barycentric weights (3 per landmark). */
export interface SurfaceLandmarks {
  faces: Uint32Array;
  barycentrics: Float64Array;
}

/** Rigid pose applied after the linear model: x ↦ R·x + t (R row-major 3x3, t in mm). */
export interface Pose {
  rotation: ArrayLike<number>;
  translation: ArrayLike<number>;
}

/** The linear face model (all lengths in mm, model frame described in the file comment). */
export interface FaceModel {
  /** 3n template positions. */
  template: Float64Array;
  /** 3m triangle indices, counter-clockwise seen from outside. */
  faces: Uint32Array;
  /** k×3n identity modes (mm per unit coefficient; coefficients ~ N(0, 1)). */
  identityBasis: Float64Array;
  identityNames: string[];
  /** e×3n expression modes (mm per unit coefficient; coefficients in [0, 1]). */
  expressionBasis: Float64Array;
  expressionNames: string[];
  /** The 68 iBUG landmarks as surface points. */
  landmarks68: SurfaceLandmarks;
  /** The vertex of each of the 68 landmarks (each landmark lies exactly on a vertex). */
  landmarkVertices: Uint32Array;
  /** Region label id per vertex (see labelNames). */
  vertexLabels: Uint8Array;
  /** Region label id per triangle: the majority of its vertices' labels (first vertex on a three-way tie). */
  faceLabels: Uint8Array;
  /** Label id → name (docs/formats.md#label-file names). */
  labelNames: readonly string[];
  /** Number of leading vertices that belong to the (subdivided) MediaPipe face surface. */
  faceVertexCount: number;
  /**
   * Texture coordinates (u, v) per vertex, 2n values: the MediaPipe canonical mesh's UVs,
   * carried through the subdivision (edge midpoints get the mean of their ends); NaN for the
   * vertices beyond faceVertexCount (hair cap, neck, ears), which have none.
   */
  uvs: Float64Array;
}

/** Options of buildFaceModel. */
export interface FaceModelOptions {
  /** Midpoint-subdivision levels of the face surface (default 2: 898 → 14368 triangles). */
  subdivisions?: number;
}

const MODEL_SEED = 0x5eed_fac3;

/** One level of midpoint subdivision: every triangle split into four; old vertices keep their indices. */
export function subdivideMidpoint(positions: Float64Array, faces: Uint32Array, extra?: { uvs: Float64Array }): { positions: Float64Array; faces: Uint32Array; uvs?: Float64Array } {
  const n = positions.length / 3;
  const m = faces.length / 3;
  const edgeIndex = new Map<number, number>();
  const pos: number[] = Array.from(positions);
  const uv: number[] | undefined = extra ? Array.from(extra.uvs) : undefined;
  const out = new Uint32Array(12 * m);
  const mid = (a: number, b: number): number => {
    const key = a < b ? a * n + b : b * n + a;
    let v = edgeIndex.get(key);
    if (v === undefined) {
      v = pos.length / 3;
      pos.push((positions[3 * a] + positions[3 * b]) / 2, (positions[3 * a + 1] + positions[3 * b + 1]) / 2, (positions[3 * a + 2] + positions[3 * b + 2]) / 2);
      if (uv && extra) uv.push((extra.uvs[2 * a] + extra.uvs[2 * b]) / 2, (extra.uvs[2 * a + 1] + extra.uvs[2 * b + 1]) / 2);
      edgeIndex.set(key, v);
    }
    return v;
  };
  for (let f = 0; f < m; f++) {
    const a = faces[3 * f], b = faces[3 * f + 1], c = faces[3 * f + 2];
    const ab = mid(a, b), bc = mid(b, c), ca = mid(c, a);
    out.set([a, ab, ca, ab, b, bc, ca, bc, c, ab, bc, ca], 12 * f);
  }
  return { positions: Float64Array.from(pos), faces: out, uvs: uv ? Float64Array.from(uv) : undefined };
}

/** Even–odd point-in-polygon test in the plane (polygon as x,y pairs). */
function insidePolygon(x: number, y: number, poly: Float64Array): boolean {
  let inside = false;
  const k = poly.length / 2;
  for (let i = 0, j = k - 1; i < k; j = i++) {
    const xi = poly[2 * i], yi = poly[2 * i + 1], xj = poly[2 * j], yj = poly[2 * j + 1];
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

/** (x, y) polygon of MediaPipe vertices, optionally grown by `grow` mm away from its centroid. */
function polygonOf(base: Float64Array, loop: readonly number[], grow = 0): Float64Array {
  let cx = 0, cy = 0;
  for (const v of loop) {
    cx += base[3 * v] / loop.length;
    cy += base[3 * v + 1] / loop.length;
  }
  const out = new Float64Array(2 * loop.length);
  loop.forEach((v, i) => {
    const dx = base[3 * v] - cx, dy = base[3 * v + 1] - cy;
    const r = Math.hypot(dx, dy) || 1;
    out[2 * i] = base[3 * v] + (grow * dx) / r;
    out[2 * i + 1] = base[3 * v + 1] + (grow * dy) / r;
  });
  return out;
}

/** Convex hull (x, y pairs, counter-clockwise) of MediaPipe vertices: Andrew's monotone chain. */
function hullOf(base: Float64Array, points: readonly number[], grow: number): Float64Array {
  const pts = points.map((v) => [base[3 * v], base[3 * v + 1]]).sort((p, q) => p[0] - q[0] || p[1] - q[1]);
  const cross = (o: number[], a: number[], b: number[]): number => (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0]);
  const lower: number[][] = [];
  for (const p of pts) {
    while (lower.length >= 2 && cross(lower[lower.length - 2], lower[lower.length - 1], p) <= 0) lower.pop();
    lower.push(p);
  }
  const upper: number[][] = [];
  for (let i = pts.length - 1; i >= 0; i--) {
    const p = pts[i];
    while (upper.length >= 2 && cross(upper[upper.length - 2], upper[upper.length - 1], p) <= 0) upper.pop();
    upper.push(p);
  }
  const hull = lower.slice(0, -1).concat(upper.slice(0, -1));
  let cx = 0, cy = 0;
  for (const p of hull) {
    cx += p[0] / hull.length;
    cy += p[1] / hull.length;
  }
  const out = new Float64Array(2 * hull.length);
  hull.forEach((p, i) => {
    const dx = p[0] - cx, dy = p[1] - cy;
    const r = Math.hypot(dx, dy) || 1;
    out[2 * i] = p[0] + (grow * dx) / r;
    out[2 * i + 1] = p[1] + (grow * dy) / r;
  });
  return out;
}

/** Region labels of the face-surface vertices (first `count` vertices of `positions`). */
function labelFaceVertices(positions: Float64Array, count: number, base: Float64Array): Uint8Array {
  const labels = new Uint8Array(count);
  const inner = polygonOf(base, LIPS_INNER, -0.3);
  const outer = polygonOf(base, LIPS_OUTER, 0.3);
  const eyes = [polygonOf(base, RIGHT_EYE, -0.3), polygonOf(base, LEFT_EYE, -0.3)];
  const brows = [polygonOf(base, RIGHT_BROW, 0.5), polygonOf(base, LEFT_BROW, 0.5)];
  const nose = hullOf(base, NOSE_POINTS, 0.5);
  for (let i = 0; i < count; i++) {
    const x = positions[3 * i], y = positions[3 * i + 1];
    let l: number = LABEL.skin;
    if (insidePolygon(x, y, inner)) l = LABEL.mouth_interior;
    else if (insidePolygon(x, y, outer)) l = LABEL.lips;
    else if (eyes.some((p) => insidePolygon(x, y, p))) l = LABEL.eyes;
    else if (brows.some((p) => insidePolygon(x, y, p))) l = LABEL.brows;
    else if (insidePolygon(x, y, nose)) l = LABEL.nose;
    labels[i] = l;
  }
  return labels;
}

/** Growing triangle-mesh buffers for the non-face parts. */
class MeshBuilder {
  positions: number[] = [];
  faces: number[] = [];
  labels: number[] = [];
  constructor(readonly offset: number) {}
  get count(): number {
    return this.positions.length / 3;
  }
  /**
   * Add a (rows+1)×(cols+1) grid surface p(i/rows, j/cols) with label `label`, keeping the
   * quads for which `keep` holds at all four corners, oriented so that normals point away
   * from `centre` (closed rings in j when `wrap`).
   */
  grid(rows: number, cols: number, p: (s: number, t: number) => [number, number, number], label: number, centre: [number, number, number], keep: (q: number[]) => boolean = () => true, wrap = true): void {
    const start = this.count;
    const colCount = wrap ? cols : cols + 1;
    for (let i = 0; i <= rows; i++) {
      for (let j = 0; j < colCount; j++) {
        this.positions.push(...p(i / rows, j / cols));
        this.labels.push(label);
      }
    }
    const idx = (i: number, j: number): number => start + i * colCount + (j % colCount);
    const at = (v: number): number[] => this.positions.slice(3 * v, 3 * v + 3);
    for (let i = 0; i < rows; i++) {
      for (let j = 0; j < cols; j++) {
        const a = idx(i, j), b = idx(i, j + 1), c = idx(i + 1, j + 1), d = idx(i + 1, j);
        if (![a, b, c, d].every((v) => keep(at(v)))) continue;
        for (const [u, v, w] of [[a, b, c], [a, c, d]]) {
          const P = at(u), Q = at(v), R = at(w);
          const e1 = [Q[0] - P[0], Q[1] - P[1], Q[2] - P[2]], e2 = [R[0] - P[0], R[1] - P[1], R[2] - P[2]];
          const nrm = [e1[1] * e2[2] - e1[2] * e2[1], e1[2] * e2[0] - e1[0] * e2[2], e1[0] * e2[1] - e1[1] * e2[0]];
          const out = nrm[0] * (P[0] - centre[0]) + nrm[1] * (P[1] - centre[1]) + nrm[2] * (P[2] - centre[2]);
          if (out >= 0) this.faces.push(u + this.offset, v + this.offset, w + this.offset);
          else this.faces.push(u + this.offset, w + this.offset, v + this.offset);
        }
      }
    }
  }
}

/** Smallest ellipsoid value Σ((p−c)/r)² over the face vertices selected by `use`. */
function minEllipsoidValue(pos: Float64Array, count: number, c: number[], r: number[], use: (i: number) => boolean): number {
  let best = Infinity;
  for (let i = 0; i < count; i++) {
    if (!use(i)) continue;
    let s = 0;
    for (let k = 0; k < 3; k++) {
      if (r[k] === Infinity) continue;
      const d = (pos[3 * i + k] - c[k]) / r[k];
      s += d * d;
    }
    best = Math.min(best, s);
  }
  return best;
}

/** Hair cap, neck and ears around the face surface (label-tagged), positioned clear of the face. */
function buildHeadParts(face: Float64Array, count: number): MeshBuilder {
  const parts = new MeshBuilder(count);
  // Skull: an ellipsoid shrunk until every face vertex above the mouth lies outside it.
  const skullC = [0, 25, -55];
  const skullR = [82, 100, 102];
  const e = minEllipsoidValue(face, count, skullC, skullR, (i) => face[3 * i + 1] > -35);
  const shrink = e < 1.03 ? Math.sqrt(e / 1.03) : 1;
  const [rx, ry, rz] = skullR.map((r) => r * shrink);
  const [cx, cy, cz] = skullC;
  parts.grid(36, 64, (s, t) => {
    const polar = s * Math.PI * 0.85; // from the crown down to below the ears at the back
    const az = t * 2 * Math.PI;
    return [cx + rx * Math.sin(polar) * Math.sin(az), cy + ry * Math.cos(polar), cz + rz * Math.sin(polar) * Math.cos(az)];
  }, LABEL.hair, [cx, cy, cz], (q) => q[1] > cy - 10 || q[2] < cz - 25);
  // Neck: an elliptic tube under the skull, shrunk clear of the jaw.
  const neckC = [0, 0, -35];
  const neckR = [52, Infinity, 48];
  const en = minEllipsoidValue(face, count, neckC, neckR, (i) => face[3 * i + 1] < -40);
  const ns = en < 1.05 ? Math.sqrt(en / 1.05) : 1;
  const nrx = neckR[0] * ns, nrz = neckR[2] * ns;
  parts.grid(12, 48, (s, t) => {
    const az = t * 2 * Math.PI;
    return [nrx * Math.sin(az), -40 - 150 * s, neckC[2] + nrz * Math.cos(az)];
  }, LABEL.neck, [0, NaN, neckC[2]].map((v) => (Number.isNaN(v) ? 0 : v)) as [number, number, number]);
  // The neck's orientation test above uses a point on the axis at y = 0; fine for a tube (radial normals dominate).
  // Ears: flattened ellipsoids at the sides of the skull.
  for (const side of [-1, 1]) {
    const c: [number, number, number] = [side * (rx - 1), 5, cz + 12];
    parts.grid(12, 20, (s, t) => {
      const polar = s * Math.PI;
      const az = t * 2 * Math.PI;
      return [c[0] + 9 * Math.sin(polar) * Math.cos(az), c[1] + 30 * Math.cos(polar), c[2] + 17 * Math.sin(polar) * Math.sin(az)];
    }, LABEL.ears, c);
  }
  return parts;
}

/** exp(−|p − c|² / (2σ²)). */
function gauss(p: Float64Array, i: number, cx: number, cy: number, cz: number, sigma: number): number {
  const dx = p[3 * i] - cx, dy = p[3 * i + 1] - cy, dz = p[3 * i + 2] - cz;
  return Math.exp(-(dx * dx + dy * dy + dz * dz) / (2 * sigma * sigma));
}

function smoothstep(e0: number, e1: number, x: number): number {
  const t = Math.min(1, Math.max(0, (x - e0) / (e1 - e0)));
  return t * t * (3 - 2 * t);
}

/** The i-th vertex of the base mesh (a MediaPipe index) as [x, y, z]. */
function baseVertex(base: Float64Array, v: number): [number, number, number] {
  return [base[3 * v], base[3 * v + 1], base[3 * v + 2]];
}

/** Identity modes: global proportions, nose, jaw, eye spacing and seeded low-frequency fields. */
function identityModes(pos: Float64Array, faceCount: number, base: Float64Array): { names: string[]; basis: Float64Array } {
  const n = pos.length / 3;
  const names = ['face_width', 'face_height', 'face_depth', 'nose_size', 'jaw_width', 'eye_spacing', 'field_1', 'field_2', 'field_3', 'field_4'];
  const basis = new Float64Array(names.length * 3 * n);
  const nose = baseVertex(base, 4);
  const eyeR = baseVertex(base, 468 > 159 ? 159 : 0), eyeL = baseVertex(base, 386);
  const random = seededRandom(MODEL_SEED);
  const fields = [0, 1, 2, 3].map(() =>
    [0, 1, 2].map(() => {
      const v = Math.floor(random() * faceCount);
      const d = [normal(random), normal(random), normal(random)];
      const len = Math.hypot(d[0], d[1], d[2]);
      return { c: [pos[3 * v], pos[3 * v + 1], pos[3 * v + 2]], d: d.map((x) => (3 * x) / len), sigma: 30 + 20 * random() };
    }),
  );
  for (let i = 0; i < n; i++) {
    const x = pos[3 * i], y = pos[3 * i + 1], z = pos[3 * i + 2];
    const set = (mode: number, dx: number, dy: number, dz: number): void => {
      const o = mode * 3 * n + 3 * i;
      basis[o] = dx;
      basis[o + 1] = dy;
      basis[o + 2] = dz;
    };
    set(0, 0.05 * x, 0, 0);
    set(1, 0, 0.045 * (y - 5), 0);
    set(2, 0, 0, 0.06 * (z + 20));
    const gn = gauss(pos, i, nose[0], nose[1] - 10, nose[2] - 10, 16);
    set(3, 0.22 * gn * (x - nose[0]), 0.12 * gn * (y - nose[1] + 10), 0.25 * gn * (z - nose[2] + 25));
    set(4, 0.09 * x * smoothstep(-25, -75, y) * (z > -60 ? 1 : 0.3), 0, 0);
    const ge = Math.max(gauss(pos, i, eyeR[0], eyeR[1], eyeR[2], 16), gauss(pos, i, eyeL[0], eyeL[1], eyeL[2], 16));
    set(5, 2.5 * Math.sign(x) * ge, 0, 0);
    fields.forEach((bumps, k) => {
      let dx = 0, dy = 0, dz = 0;
      for (const b of bumps) {
        const g = gauss(pos, i, b.c[0], b.c[1], b.c[2], b.sigma);
        dx += g * b.d[0];
        dy += g * b.d[1];
        dz += g * b.d[2];
      }
      set(6 + k, dx, dy, dz);
    });
  }
  return { names, basis };
}

/** Expression modes (coefficients in [0, 1]; 1 is a strong expression). */
function expressionModes(pos: Float64Array, labels: Uint8Array, faceCount: number, base: Float64Array): { names: string[]; basis: Float64Array } {
  const n = pos.length / 3;
  const names = ['jaw_open', 'smile', 'brow_raise', 'eye_close', 'eye_squint', 'lip_pucker', 'cheek_puff', 'mouth_left', 'frown', 'brow_furrow'];
  const basis = new Float64Array(names.length * 3 * n);
  const cornerR = baseVertex(base, 61), cornerL = baseVertex(base, 291);
  const upperIn = baseVertex(base, 13), lowerIn = baseVertex(base, 14);
  const yMouth = (cornerR[1] + cornerL[1] + upperIn[1] + lowerIn[1]) / 4;
  const browR = baseVertex(base, 105), browL = baseVertex(base, 334);
  const browInR = baseVertex(base, 107), browInL = baseVertex(base, 336);
  const eyes = [
    { lid: UPPER_LID_RIGHT, corners: [33, 133] },
    { lid: UPPER_LID_LEFT, corners: [263, 362] },
  ].map((e) => {
    const a = baseVertex(base, e.corners[0]), b = baseVertex(base, e.corners[1]);
    const lidTop = Math.max(...e.lid.map((v) => base[3 * v + 1]));
    return { c: [(a[0] + b[0]) / 2, (a[1] + b[1]) / 2, (a[2] + b[2]) / 2], yCorner: (a[1] + b[1]) / 2, lidTop, halfWidth: Math.abs(a[0] - b[0]) / 2 };
  });
  // Jaw rotation about a horizontal hinge near the ears.
  const hinge = [0, 0, -30];
  const theta = (16 * Math.PI) / 180;
  const ct = Math.cos(theta), st = Math.sin(theta);
  const mouthCentre = [(cornerR[0] + cornerL[0]) / 2, yMouth, (upperIn[2] + lowerIn[2]) / 2];
  for (let i = 0; i < n; i++) {
    const x = pos[3 * i], y = pos[3 * i + 1], z = pos[3 * i + 2];
    const face = i < faceCount;
    const lab = labels[i];
    const add = (mode: number, dx: number, dy: number, dz: number): void => {
      const o = mode * 3 * n + 3 * i;
      basis[o] += dx;
      basis[o + 1] += dy;
      basis[o + 2] += dz;
    };
    // jaw_open: lower lip, chin and jaw rotate down (x-axis rotation opening downwards).
    if (face) {
      let w: number;
      if (lab === LABEL.mouth_interior) w = 0.5;
      else if (lab === LABEL.lips) w = y < yMouth ? 1 : 0;
      else w = smoothstep(yMouth + 4, yMouth - 14, y);
      const ry = y - hinge[1], rz = z - hinge[2];
      const ny = ct * ry - st * rz, nz = st * ry + ct * rz;
      add(0, 0, w * (ny - ry), w * (nz - rz));
      if (lab === LABEL.mouth_interior) add(0, 0, 0, -12);
    }
    if (face) {
      // smile: corners up, out and back.
      const gR = gauss(pos, i, cornerR[0], cornerR[1], cornerR[2], 13), gL = gauss(pos, i, cornerL[0], cornerL[1], cornerL[2], 13);
      add(1, -5 * gR + 5 * gL, 5 * (gR + gL), -3 * (gR + gL));
      // frown: corners down.
      add(8, 1.5 * gR - 1.5 * gL, -4.5 * (gR + gL), 0);
      // brow_raise.
      const gb = gauss(pos, i, browR[0], browR[1], browR[2], 18) + gauss(pos, i, browL[0], browL[1], browL[2], 18);
      add(2, 0, 6 * Math.min(1, gb), 0.5 * Math.min(1, gb));
      // brow_furrow: inner brows towards the middle and down.
      const gfR = gauss(pos, i, browInR[0], browInR[1], browInR[2], 12), gfL = gauss(pos, i, browInL[0], browInL[1], browInL[2], 12);
      add(9, 3 * gfR - 3 * gfL, -3 * (gfR + gfL), 1 * (gfR + gfL));
      // eye_close / eye_squint: upper lid down to the corner line, lower lid up a little.
      for (const e of eyes) {
        const dx = Math.abs(x - e.c[0]);
        if (dx > e.halfWidth + 6 || Math.abs(y - e.c[1]) > 16 || z < e.c[2] - 15) continue;
        const across = 1 - smoothstep(e.halfWidth - 2, e.halfWidth + 6, dx);
        if (y >= e.yCorner) {
          const fall = 1 - smoothstep(e.lidTop, e.lidTop + 8, y);
          // Closed lids meet 1.2 mm below the corner line.
          const drop = (Math.min(y, e.lidTop) - e.yCorner) * across * fall;
          add(3, 0, -(drop + 1.2 * across * fall), 0);
          add(4, 0, -0.5 * drop, 0);
        } else {
          const lift = (e.yCorner - Math.max(y, e.yCorner - 6)) * across;
          const fall = 1 - smoothstep(e.yCorner - 6, e.yCorner - 14, y);
          add(3, 0, 0.6 * lift * fall, 0);
          add(4, 0, 0.4 * lift * fall, 0);
        }
      }
      // eye_squint also lifts the cheeks.
      const gcR = gauss(pos, i, -40, 0, 35, 16), gcL = gauss(pos, i, 40, 0, 35, 16);
      add(4, 0, 2.5 * (gcR + gcL), 0);
      // lip_pucker: lips gather towards the mouth centre and push forward.
      const gm = gauss(pos, i, mouthCentre[0], mouthCentre[1], mouthCentre[2], 20);
      add(5, -0.45 * gm * (x - mouthCentre[0]), -0.15 * gm * (y - mouthCentre[1]), 7 * gm);
      // cheek_puff: cheeks outward.
      const pR = gauss(pos, i, -48, -30, 25, 17), pL = gauss(pos, i, 48, -30, 25, 17);
      add(6, -5 * pR + 5 * pL, 0, 3 * (pR + pL));
      // mouth_left: mouth and chin shift to the subject's left.
      add(7, 5 * gauss(pos, i, mouthCentre[0], mouthCentre[1] - 5, mouthCentre[2], 20), 0, 0);
    }
  }
  return { names, basis };
}

let cachedModel: FaceModel | undefined;
let cachedLevels = -1;

/**
 * Build (once per subdivision level, then cached) the demo face model from the MediaPipe
 * canonical mesh. Deterministic: the model's random fields use a fixed seed.
 */
export function buildFaceModel(options: FaceModelOptions = {}): FaceModel {
  const levels = options.subdivisions ?? 2;
  if (cachedModel && cachedLevels === levels) return cachedModel;
  const canonical = loadCanonicalFaceMesh();
  const base = canonical.positions;
  let surf: { positions: Float64Array; faces: Uint32Array; uvs?: Float64Array } = { positions: base, faces: canonical.faces, uvs: canonical.uvs };
  for (let l = 0; l < levels; l++) surf = subdivideMidpoint(surf.positions, surf.faces, { uvs: surf.uvs! });
  const faceCount = surf.positions.length / 3;
  const faceLabels = labelFaceVertices(surf.positions, faceCount, base);
  const parts = buildHeadParts(surf.positions, faceCount);
  const n = faceCount + parts.count;
  const template = new Float64Array(3 * n);
  template.set(surf.positions);
  template.set(parts.positions, 3 * faceCount);
  const faces = new Uint32Array(surf.faces.length + parts.faces.length);
  faces.set(surf.faces);
  faces.set(parts.faces, surf.faces.length);
  const uvs = new Float64Array(2 * n).fill(Number.NaN);
  uvs.set(surf.uvs!);
  const vertexLabels = new Uint8Array(n);
  vertexLabels.set(faceLabels);
  vertexLabels.set(parts.labels, faceCount);
  const id = identityModes(template, faceCount, base);
  const ex = expressionModes(template, vertexLabels, faceCount, base);
  const lm = landmarksOnMesh(template, faces, faceCount, base);
  cachedModel = {
    template,
    faces,
    identityBasis: id.basis,
    identityNames: id.names,
    expressionBasis: ex.basis,
    expressionNames: ex.names,
    landmarks68: lm.surface,
    landmarkVertices: lm.vertices,
    vertexLabels,
    faceLabels: majorityFaceLabels(faces, vertexLabels),
    labelNames: LABEL_NAMES,
    faceVertexCount: faceCount,
    uvs,
  };
  cachedLevels = levels;
  return cachedModel;
}

/** Per-triangle label: the label shared by at least two of its vertices, else the first vertex's. */
export function majorityFaceLabels(faces: Uint32Array, vertexLabels: Uint8Array): Uint8Array {
  const m = faces.length / 3;
  const out = new Uint8Array(m);
  for (let f = 0; f < m; f++) {
    const a = vertexLabels[faces[3 * f]], b = vertexLabels[faces[3 * f + 1]], c = vertexLabels[faces[3 * f + 2]];
    out[f] = a === b || a === c ? a : b === c ? b : a;
  }
  return out;
}

/** Locate the 68 landmarks on the subdivided face: each is an original vertex or an edge midpoint. */
function landmarksOnMesh(pos: Float64Array, faces: Uint32Array, faceCount: number, base: Float64Array): { surface: SurfaceLandmarks; vertices: Uint32Array } {
  const vertices = new Uint32Array(68);
  MEDIAPIPE_TO_IBUG68.forEach((src, k) => {
    if (src.length === 1) {
      vertices[k] = src[0];
      return;
    }
    const t = [0, 1, 2].map((c) => (base[3 * src[0] + c] + base[3 * src[1] + c]) / 2);
    let best = -1, bestD = Infinity;
    for (let i = 0; i < faceCount; i++) {
      const d = (pos[3 * i] - t[0]) ** 2 + (pos[3 * i + 1] - t[1]) ** 2 + (pos[3 * i + 2] - t[2]) ** 2;
      if (d < bestD) {
        bestD = d;
        best = i;
      }
    }
    if (bestD > 1e-12) throw new Error(`landmark ${k}: MediaPipe points ${src.join(', ')} are not joined by an edge`);
    vertices[k] = best;
  });
  const lmFaces = new Uint32Array(68);
  const bary = new Float64Array(204);
  vertices.forEach((v, k) => {
    for (let f = 0; f < faces.length / 3; f++) {
      const c = [faces[3 * f], faces[3 * f + 1], faces[3 * f + 2]].indexOf(v);
      if (c < 0) continue;
      lmFaces[k] = f;
      bary[3 * k + c] = 1;
      return;
    }
    throw new Error(`landmark ${k}: vertex ${v} has no triangle`);
  });
  return { surface: { faces: lmFaces, barycentrics: bary }, vertices };
}

/**
 * Shape for the given coefficients (missing trailing coefficients are 0), then the rigid
 * pose if given. Returns a new Float64Array of 3n positions in mm.
 */
export function evaluate(model: FaceModel, identity: ArrayLike<number>, expression: ArrayLike<number>, pose?: Pose): Float64Array {
  const out = Float64Array.from(model.template);
  const len = out.length;
  const addModes = (basis: Float64Array, coeffs: ArrayLike<number>, count: number): void => {
    if (coeffs.length > count) throw new Error(`${coeffs.length} coefficients for ${count} modes`);
    for (let k = 0; k < coeffs.length; k++) {
      const c = coeffs[k];
      if (c === 0) continue;
      const o = k * len;
      for (let i = 0; i < len; i++) out[i] += c * basis[o + i];
    }
  };
  addModes(model.identityBasis, identity, model.identityNames.length);
  addModes(model.expressionBasis, expression, model.expressionNames.length);
  if (pose) applyPose(out, pose);
  return out;
}

/** x ↦ R·x + t in place on xyz-interleaved points. */
export function applyPose(points: Float64Array, pose: Pose): void {
  const R = pose.rotation, t = pose.translation;
  for (let i = 0; i < points.length; i += 3) {
    const x = points[i], y = points[i + 1], z = points[i + 2];
    points[i] = R[0] * x + R[1] * y + R[2] * z + t[0];
    points[i + 1] = R[3] * x + R[4] * y + R[5] * z + t[1];
    points[i + 2] = R[6] * x + R[7] * y + R[8] * z + t[2];
  }
}

/** The 68 landmark positions (68×3) of a shape evaluated with this model. */
export function landmarkPositions(model: FaceModel, positions: Float64Array): Float64Array {
  const out = new Float64Array(204);
  const { faces, barycentrics } = model.landmarks68;
  for (let k = 0; k < 68; k++) {
    const f = faces[k];
    for (let c = 0; c < 3; c++) {
      const w = barycentrics[3 * k + c];
      if (w === 0) continue;
      const v = model.faces[3 * f + c];
      out[3 * k] += w * positions[3 * v];
      out[3 * k + 1] += w * positions[3 * v + 1];
      out[3 * k + 2] += w * positions[3 * v + 2];
    }
  }
  return out;
}

/** A seeded identity coefficient vector (standard normal, scaled by `spread`). */
export function sampleIdentity(model: FaceModel, seed: number, spread = 1): Float64Array {
  const random = seededRandom(deriveSeed(seed, 0x1d));
  return Float64Array.from(model.identityNames, () => spread * normal(random));
}
