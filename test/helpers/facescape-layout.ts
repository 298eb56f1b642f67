/**
 * A small FaceScape benchmark folder (zhuhao-nju/facescape `benchmark/` after data.zip was
 * extracted into `data/`; see evaluators/formats/facescape-data.ts) with synthetic heads:
 * closed ellipsoids (75 mm wide, 100 mm tall, 90 mm deep, ~4.7k triangles, counter-clockwise
 * seen from outside). Returns the truth: per sample the view written to the predef arrays and
 * the GT mesh in its protocol's input frame.
 *
 * Frames. The head's canonical frame (the one the predef rotation unwraps into) has x right,
 * y up and the face looking towards +z.
 * - In-the-wild: GT file = R·(canonical head in cube units) + centre, with pupil distance
 *   0.4 (+0.002·(index mod 10)) cube units, so pupilScale = 62.85 / that (≈ 157); centre at
 *   z ≈ −2 (in front of the camera), R a rotation about y by the middle of the sample's
 *   angle bin (2.5°, 17.5°, 45°, 75°; sign alternating with the index); headCentre = the
 *   vertex mean; rotation = R.
 * - In-the-lab: GT file = the subject's head in pupil-distance units at the origin, in a
 *   model frame with y down and the face looking towards −z (canonical = F·model, F = diag(1,−1,−1)).
 *   The camera JSON holds K = [[f,0,128],[0,f,128],[0,0,1]] (f = 1200/600/300) and Rt with
 *   R = the view's rotation (view 0: none; 1–8: 30° about the axis at (v−1)·45° in the image
 *   plane; 9, 10: ∓60° about y) and t = (0, 0, f·100/(0.6·256)) / 62.85 (the head fills ~60 % of
 *   the image). lab_head_centers[f] = (0, 0, f·100/(0.6·256)) mm; lab_rotations[v] = R_v·F.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { labIndex, facescapeSampleName, type FacescapeLabTriple } from '../../evaluators/formats/facescape-samples.js';
import type { TriangleMesh } from '../../evaluators/geometry/types.js';
import { encodeRgbPng } from '../../evaluators/image/encode.js';
import { writeNpy, writeObj } from '../../evaluators/io/index.js';
import { FACESCAPE_PUPIL_DISTANCE_MM, type FacescapeSet, type FacescapeView } from '../../evaluators/protocols/facescape-view.js';

export const LAYOUT_FOCALS = [1200, 600, 300] as const;
/** Head size in mm: semi-axes (width/2, height/2, depth/2). */
export const HEAD_SEMI_AXES_MM = [37.5, 50, 45] as const;
const IMAGE_SIZE = 256;

export interface FacescapeLayoutOptions {
  /** In-the-wild sample indices to write (0…399). */
  wild?: readonly number[];
  /** In-the-lab samples to write. */
  lab?: readonly FacescapeLabTriple[];
  /** Write tiny PNG input images in data/wild_img/ and data/lab_img/ (default false). */
  images?: boolean;
  /** Latitude × longitude resolution of the ellipsoid (default 40 × 60: 4680 triangles). */
  resolution?: [number, number];
}

export interface FacescapeLayoutSample {
  set: FacescapeSet;
  name: string;
  index: number;
  lab?: FacescapeLabTriple;
  view: FacescapeView;
  /** The GT mesh in the protocol's input frame (wild: cube units; lab: mm, camera frame). */
  gt: TriangleMesh;
  gtFile: string;
  camera?: string;
  image?: string;
  /** In-the-lab: what the camera JSON holds, K and Rt (3×3 and 3×4 nested lists). */
  cam?: { K: number[][]; Rt: number[][] };
}

export interface FacescapeLayout {
  /** The `benchmark/` folder (= dir). */
  root: string;
  data: string;
  predef: string;
  wild: FacescapeLayoutSample[];
  lab: FacescapeLayoutSample[];
}

type Mat3 = number[];

function matMul(a: Mat3, b: Mat3): Mat3 {
  const out: number[] = [];
  for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) out.push(a[3 * i] * b[j] + a[3 * i + 1] * b[3 + j] + a[3 * i + 2] * b[6 + j]);
  return out;
}

/** Rotation (row-major) about a unit axis by `deg` degrees. */
export function axisRotation(axis: [number, number, number], deg: number): Mat3 {
  const n = Math.hypot(...axis);
  const [x, y, z] = axis.map((v) => v / n);
  const a = (deg * Math.PI) / 180;
  const c = Math.cos(a), s = Math.sin(a), t = 1 - c;
  return [
    t * x * x + c, t * x * y - s * z, t * x * z + s * y,
    t * x * y + s * z, t * y * y + c, t * y * z - s * x,
    t * x * z - s * y, t * y * z + s * x, t * z * z + c,
  ];
}

const FLIP: Mat3 = [1, 0, 0, 0, -1, 0, 0, 0, -1];

/** The generator's rotation of an in-the-lab view (camera frame ← model frame). */
export function labViewRotation(view: number): Mat3 {
  if (view === 0) return [1, 0, 0, 0, 1, 0, 0, 0, 1];
  if (view <= 8) {
    const a = ((view - 1) * Math.PI) / 4;
    return axisRotation([Math.cos(a), Math.sin(a), 0], 30);
  }
  return axisRotation([0, 1, 0], view === 9 ? -60 : 60);
}

/** Distance of the in-the-lab head centre from the camera for a focal length, mm. */
export function labHeadDistance(focal: number): number {
  return (focal * 2 * HEAD_SEMI_AXES_MM[1]) / (0.6 * IMAGE_SIZE);
}

/** The wild sample's rotation angle about y, degrees. */
export function wildYaw(index: number): number {
  return [2.5, 17.5, 45, 75][Math.floor(index / 100)] * (index % 2 === 0 ? 1 : -1);
}

/**
 * A closed ellipsoid with semi-axes (a, b, c) at the origin: a UV sphere of `lat` rings and
 * `lon` segments plus two poles, triangles counter-clockwise seen from outside.
 */
export function ellipsoid(a: number, b: number, c: number, lat = 40, lon = 60): TriangleMesh {
  const positions: number[] = [0, b, 0];
  for (let i = 1; i < lat; i++) {
    const theta = (Math.PI * i) / lat;
    for (let j = 0; j < lon; j++) {
      const phi = (2 * Math.PI * j) / lon;
      positions.push(a * Math.sin(theta) * Math.sin(phi), b * Math.cos(theta), c * Math.sin(theta) * Math.cos(phi));
    }
  }
  positions.push(0, -b, 0);
  const bottom = positions.length / 3 - 1;
  const ring = (i: number, j: number) => 1 + (i - 1) * lon + (j % lon);
  const faces: number[] = [];
  for (let j = 0; j < lon; j++) faces.push(0, ring(1, j), ring(1, j + 1));
  for (let i = 1; i < lat - 1; i++) {
    for (let j = 0; j < lon; j++) {
      faces.push(ring(i, j), ring(i + 1, j), ring(i + 1, j + 1));
      faces.push(ring(i, j), ring(i + 1, j + 1), ring(i, j + 1));
    }
  }
  for (let j = 0; j < lon; j++) faces.push(bottom, ring(lat - 1, j + 1), ring(lat - 1, j));
  return { positions: Float64Array.from(positions), faces: Uint32Array.from(faces) };
}

/** The mesh with every vertex mapped by `f` (same faces). */
export function mapPositions(mesh: TriangleMesh, f: (x: number, y: number, z: number) => [number, number, number]): TriangleMesh {
  const positions = new Float64Array(mesh.positions.length);
  for (let i = 0; i < positions.length; i += 3) [positions[i], positions[i + 1], positions[i + 2]] = f(mesh.positions[i], mesh.positions[i + 1], mesh.positions[i + 2]);
  return { positions, faces: mesh.faces };
}

function transformed(mesh: TriangleMesh, scale: number, R: Mat3, t: readonly number[]): TriangleMesh {
  const p = mesh.positions;
  const out = new Float64Array(p.length);
  for (let i = 0; i < p.length; i += 3) {
    const x = scale * p[i], y = scale * p[i + 1], z = scale * p[i + 2];
    out[i] = R[0] * x + R[1] * y + R[2] * z + t[0];
    out[i + 1] = R[3] * x + R[4] * y + R[5] * z + t[1];
    out[i + 2] = R[6] * x + R[7] * y + R[8] * z + t[2];
  }
  return { positions: out, faces: mesh.faces };
}

function vertexMean(p: Float64Array): number[] {
  const m = [0, 0, 0];
  for (let i = 0; i < p.length; i += 3) for (let k = 0; k < 3; k++) m[k] += p[i + k];
  return m.map((v) => v / (p.length / 3));
}

function writeImage(path: string, seed: number): void {
  const rgb = new Uint8Array(3 * 8 * 8);
  for (let i = 0; i < rgb.length; i++) rgb[i] = (seed * 37 + i * 11) & 255;
  writeFileSync(path, encodeRgbPng(rgb, 8, 8));
}

/** Write the layout below `dir` (which becomes the `benchmark/` folder) and return the truth. */
export function writeFacescapeLayout(dir: string, options: FacescapeLayoutOptions = {}): FacescapeLayout {
  const data = join(dir, 'data');
  const predef = join(dir, 'code', 'predef');
  mkdirSync(data, { recursive: true });
  mkdirSync(predef, { recursive: true });
  const [lat, lon] = options.resolution ?? [40, 60];
  const s = FACESCAPE_PUPIL_DISTANCE_MM;
  const [ha, hb, hc] = HEAD_SEMI_AXES_MM;
  const out: FacescapeLayout = { root: dir, data, predef, wild: [], lab: [] };

  if (options.wild && options.wild.length > 0) {
    const gtDir = join(data, 'wild_gt_mesh');
    const imgDir = join(data, 'wild_img');
    mkdirSync(gtDir, { recursive: true });
    if (options.images) mkdirSync(imgDir, { recursive: true });
    const scales = new Float64Array(400).fill(s / 0.4);
    const centres = new Float64Array(400 * 3);
    const rotations = new Float64Array(400 * 9);
    for (let i = 0; i < 400; i++) {
      centres.set([0, 0, -2], 3 * i);
      rotations.set([1, 0, 0, 0, 1, 0, 0, 0, 1], 9 * i);
    }
    for (const index of [...options.wild].sort((a, b) => a - b)) {
      const name = facescapeSampleName('fswild', index);
      const pupilScale = s / (0.4 + 0.002 * (index % 10));
      const R = axisRotation([0, 1, 0], wildYaw(index));
      const centre = [0.05 * Math.sin(index), 0.03 * Math.cos(index), -2 + 0.01 * (index % 7)];
      // Canonical head in cube units (mm / pupilScale), rotated and placed at the centre.
      const gt = transformed(ellipsoid(ha / pupilScale, hb / pupilScale, hc / pupilScale, lat, lon), 1, R, centre);
      const headCentre = vertexMean(gt.positions);
      scales[index] = pupilScale;
      centres.set(headCentre, 3 * index);
      rotations.set(R, 9 * index);
      const gtFile = join(gtDir, `${name}.obj`);
      writeObj(gtFile, gt);
      let image: string | undefined;
      if (options.images) writeImage((image = join(imgDir, `${name}.png`)), index);
      out.wild.push({ set: 'fswild', name, index, view: { set: 'fswild', pupilScale, headCentre, rotation: R }, gt, gtFile, ...(image ? { image } : {}) });
    }
    writeNpy(join(predef, 'wild_pupil_scales.npy'), scales, [400]);
    writeNpy(join(predef, 'wild_head_centers.npy'), centres, [400, 3]);
    writeNpy(join(predef, 'wild_rotations.npy'), rotations, [400, 3, 3]);
  }

  if (options.lab && options.lab.length > 0) {
    const gtDir = join(data, 'lab_gt_mesh');
    const camDir = join(data, 'lab_cam');
    const imgDir = join(data, 'lab_img');
    mkdirSync(gtDir, { recursive: true });
    mkdirSync(camDir, { recursive: true });
    if (options.images) mkdirSync(imgDir, { recursive: true });
    const centres = LAYOUT_FOCALS.flatMap((f) => [0, 0, labHeadDistance(f)]);
    const rotations = Array.from({ length: 11 }, (_, v) => matMul(labViewRotation(v), FLIP)).flat();
    writeNpy(join(predef, 'lab_head_centers.npy'), centres, [3, 3]);
    writeNpy(join(predef, 'lab_rotations.npy'), rotations, [11, 3, 3]);
    const subjects = new Map<number, TriangleMesh>();
    const triples = [...options.lab].sort((a, b) => labIndex(a) - labIndex(b));
    for (const triple of triples) {
      const { subject, focal, view } = triple;
      let modelMm = subjects.get(subject);
      const gtFile = join(gtDir, `${String(subject).padStart(2, '0')}.obj`);
      if (!modelMm) {
        const k = 1 + 0.02 * subject;
        // Model frame: y down, face towards −z (the canonical head flipped by F).
        modelMm = transformed(ellipsoid(ha * k, hb * k, hc * k, lat, lon), 1, FLIP, [0, 0, 0]);
        subjects.set(subject, modelMm);
        writeObj(gtFile, transformed(modelMm, 1 / s, [1, 0, 0, 0, 1, 0, 0, 0, 1], [0, 0, 0]));
      }
      const f = LAYOUT_FOCALS[focal];
      const R = labViewRotation(view);
      const T = [0, 0, labHeadDistance(f)];
      const t = T.map((v) => v / s);
      const K = [[f, 0, 128], [0, f, 128], [0, 0, 1]];
      const Rt = [0, 1, 2].map((r) => [R[3 * r], R[3 * r + 1], R[3 * r + 2], t[r]]);
      const index = labIndex(triple);
      const name = facescapeSampleName('fslab', index);
      const camera = join(camDir, `${name}.json`);
      writeFileSync(camera, JSON.stringify([K, Rt]));
      let image: string | undefined;
      if (options.images) writeImage((image = join(imgDir, `${name}.png`)), index);
      out.lab.push({
        set: 'fslab', name, index, lab: { ...triple },
        view: { set: 'fslab', pupilScale: 1, K: K.flat(), headCentre: centres.slice(3 * focal, 3 * focal + 3), rotation: rotations.slice(9 * view, 9 * view + 9) },
        gt: transformed(modelMm, 1, R, T), gtFile, camera, cam: { K, Rt }, ...(image ? { image } : {}),
      });
    }
  }
  return out;
}
