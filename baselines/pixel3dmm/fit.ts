/**
 * Pixel3DMM's fitting stage (Giebenhain et al., "Pixel3DMM: Versatile Screen-Space Priors for
 * Single-Image 3D Face Reconstruction", 2025, §3.3) on flat arrays: a linear face model with
 * per-vertex UVs fitted to screen-space UV and normal priors (priors.ts) by Levenberg–Marquardt
 * with analytic Jacobians, over rotation, translation, focal length, principal point, identity
 * and expression:
 *
 *   E = λ_uv·L_uv + λ_n·L_n + λ_id‖a − a₀‖² + λ_ex‖e‖² + λ_f·log²(f/f₀) + λ_c‖c − c₀‖²
 *
 * - L_uv, the 2D vertex loss: each vertex v with template UV T_v is paired with the sub-pixel
 *   position p*_v where the predicted UV map takes the value T_v (nearest masked pixel in UV
 *   through a uniform grid, then one Newton step on the locally linear UV map). A pair counts
 *   when the nearest pixel's squared UV distance is below `uvThreshold`, the vertex faces the
 *   camera and |π(v) − p*_v| < `pixelThreshold`; it contributes its pixel distance d,
 *   averaged over the counted pairs, minimised by iteratively reweighted least squares
 *   (weight 1/max(d, 0.25 px at 512 px)): an L1-like robust form, so the few wrong pairs where
 *   the UV map folds (the lip line of an open mouth, silhouettes) pull little.
 * - L_n: for each vertex facing the camera whose projection lands on a masked pixel, the
 *   Euclidean distance between the predicted normal at that pixel (nearest pixel) and the
 *   model's area-weighted vertex normal rotated into the camera frame, averaged; distances
 *   ≥ `normalCutoff` are dropped as outliers. The L1-like distance is minimised by iteratively
 *   reweighted least squares (weight 1/max(d, 0.02), refreshed at every re-association). The
 *   predicted normal is read per vertex at its projected pixel, not through a differentiable
 *   renderer, and is held fixed within a Gauss–Newton step.
 * - Both thresholds are given for a 512-px crop (the public implementation's resolution) and
 *   scaled to the crop's width: pixels linearly, squared UV distances quadratically.
 *
 * Pairs, visibility and IRLS weights are re-found every `associateEvery` iterations. Stage 1
 * fits the rigid pose of the prior identity to the UV pairs (weak-perspective start from all
 * pairs, then LM with a widened pixel gate), stage 2 fits everything. Rotations are updated
 * multiplicatively, R ← exp([δω]×)·R.
 */
import { accumulateNormalEquations, mat3Multiply, rotationFromRotationVector, solveLDLT } from '../../evaluators/alignment/index.js';
import { weakPerspectivePose } from '../landmark-fit/camera-init.js';
import type { LandmarkEmbedding, LinearFaceModel } from '../models/index.js';
import { sampleShading, shade, shadeGradient, SH_COUNT, solveLighting, type ShadingImage } from './photometric.js';
import type { ScreenPriors } from './priors.js';

/** The crop resolution the thresholds are given for. */
export const REFERENCE_SIZE = 512;

export interface Pixel3dmmFitOptions {
  lambdaUv?: number;
  lambdaNormal?: number;
  lambdaIdentity?: number;
  lambdaExpression?: number;
  /** Weight of log²(f/f₀) (default 10). */
  lambdaFocal?: number;
  /** Weight of ‖c − c₀‖², per px² (default 0.1). */
  lambdaPrincipalPoint?: number;
  /** Identity prior a₀ (default zero). */
  identityPrior?: ArrayLike<number>;
  /** Squared UV distance below which a vertex's nearest prior pixel counts, at a 512-px crop (default 5e-5). */
  uvThreshold?: number;
  /** Pixel distance below which a UV pair counts, at a 512-px crop (default 20). */
  pixelThreshold?: number;
  /** Normal distance at and above which a vertex is dropped from L_n (default 0.33). */
  normalCutoff?: number;
  /** Start focal length, px (default 4 × crop width); the prior's centre. */
  focal?: number;
  /** Start principal point, px (default the crop centre); the prior's centre. */
  principalPoint?: [number, number];
  fitFocal?: boolean;
  fitPrincipalPoint?: boolean;
  /** Identity and expression modes fitted (capped at the model's; default 100 and 50). */
  identityCount?: number;
  expressionCount?: number;
  /** Project expressions onto [0, 1] (blendshape models). */
  expressionBox?: boolean;
  /** LM iterations of the joint stage (default 18) and the rigid stage (default 6). */
  maxIterations?: number;
  rigidIterations?: number;
  /** Iterations between re-associations (default 3). */
  associateEvery?: number;
  /** Weight of the mean landmark pixel distance (default 20). */
  lambdaLandmark?: number;
  /** Weight of the mean photometric colour distance (RGB in [0, 1]; default 100). */
  lambdaPhotometric?: number;
  /** Colour distance from which a vertex is an outlier of the photometric term (default 0.15). */
  photometricCutoff?: number;
}

/**
 * What a fit is fitted to: screen priors (UV and normal maps), 2D landmarks of a landmark
 * embedding of the model, and the crop for the photometric term; each term needs its data.
 */
export interface FitData {
  priors?: ScreenPriors;
  landmarks?: { embedding: LandmarkEmbedding; observed: Float64Array };
  image?: ShadingImage;
}

/** The data terms of the joint stage. */
export interface FitTermSelection {
  uv?: boolean;
  normals?: boolean;
  landmarks?: boolean;
  photometric?: boolean;
}

export interface Pixel3dmmFit {
  identity: Float64Array;
  expression: Float64Array;
  rotation: Float64Array;
  translation: Float64Array;
  focal: number;
  principalPoint: [number, number];
  /** UV pairs, normal, landmark and photometric terms counted at the last association. */
  uvPairs: number;
  normalTerms: number;
  landmarkTerms: number;
  photometricTerms: number;
  /** The photometric term's lighting (27 SH coefficients; zero without that term). */
  lighting: Float64Array;
  /** RMS pixel distance of the counted UV pairs at the end. */
  rmsPixels: number;
  cost: number;
  iterations: number;
}

/** A model prepared for fitting: the vertices with UVs and their incident triangles. */
export interface FitModel {
  model: LinearFaceModel;
  /** Vertices with a UV. */
  active: Int32Array;
  /** Incident triangles of each active vertex (CSR over `active`). */
  adjStart: Int32Array;
  adjFaces: Int32Array;
  /** The vertices of each active vertex's incident triangles, itself included (CSR over `active`). */
  ringStart: Int32Array;
  ringVerts: Int32Array;
  /** Per entry of `adjFaces`, the positions in its vertex's ring (from ringStart) of the triangle's corners a, b, c. */
  adjCorners: Int32Array;
  /** The first K identity and E expression modes vertex by vertex (see {@link vertexModes}), made on first use. */
  modes?: { K: number; E: number; table: Float64Array };
}

/**
 * Prepare a model for fitting: the vertices with a UV are fitted (all vertices when the model
 * has no UVs, for the landmark and photometric terms only).
 */
export function prepareFitModel(model: LinearFaceModel): FitModel {
  const uvs = model.uvs;
  const n = model.template.length / 3;
  const slot = new Int32Array(n).fill(-1);
  const list: number[] = [];
  for (let v = 0; v < n; v++) if (!uvs || (Number.isFinite(uvs[2 * v]) && Number.isFinite(uvs[2 * v + 1]))) slot[v] = list.push(v) - 1;
  if (list.length < 10) throw new Error(`model ${model.name} has UVs on only ${list.length} vertices`);
  const count = new Int32Array(list.length + 1);
  const F = model.faces;
  for (let i = 0; i < F.length; i++) if (slot[F[i]] >= 0) count[slot[F[i]] + 1]++;
  for (let i = 0; i < list.length; i++) count[i + 1] += count[i];
  const adjFaces = new Int32Array(count[list.length]);
  const fill = count.slice(0, list.length);
  for (let i = 0; i < F.length; i++) {
    const s = slot[F[i]];
    if (s >= 0) adjFaces[fill[s]++] = (i / 3) | 0;
  }
  // Rings: the distinct corners of each active vertex's triangles, in order of first appearance.
  const ringStart = new Int32Array(list.length + 1);
  const ringList: number[] = [];
  const adjCorners = new Int32Array(3 * adjFaces.length);
  for (let i = 0; i < list.length; i++) {
    ringStart[i] = ringList.length;
    for (let q = count[i]; q < count[i + 1]; q++) {
      for (let j = 0; j < 3; j++) {
        const v = F[3 * adjFaces[q] + j];
        let at = ringStart[i];
        while (at < ringList.length && ringList[at] !== v) at++;
        if (at === ringList.length) ringList.push(v);
        adjCorners[3 * q + j] = at - ringStart[i];
      }
    }
  }
  ringStart[list.length] = ringList.length;
  return { model, active: Int32Array.from(list), adjStart: count, adjFaces, ringStart, ringVerts: Int32Array.from(ringList), adjCorners };
}

/**
 * The displacements of the first K identity and E expression modes, vertex by vertex: entry
 * (3·(K + E)·v + 3·col + axis), col < K an identity mode, else expression mode col − K (the
 * order of the Jacobian's shape columns). A vertex's Jacobian rows then read one contiguous
 * run instead of one entry per mode-major basis row. Cached on `fm` for the last (K, E).
 */
export function vertexModes(fm: FitModel, K: number, E: number): Float64Array {
  if (fm.modes && fm.modes.K === K && fm.modes.E === E) return fm.modes.table;
  const m = fm.model, len = m.template.length, stride = 3 * (K + E);
  const table = new Float64Array((len / 3) * stride);
  for (let col = 0; col < K + E; col++) {
    const B = col < K ? m.identityBasis : m.expressionBasis, o = (col < K ? col : col - K) * len;
    for (let v = 0, t = 3 * col; v < len; v += 3, t += stride) {
      table[t] = B[o + v];
      table[t + 1] = B[o + v + 1];
      table[t + 2] = B[o + v + 2];
    }
  }
  fm.modes = { K, E, table };
  return table;
}

/** Parameter state. */
export interface FitState {
  R: Float64Array;
  t: Float64Array;
  logFocal: number;
  cx: number;
  cy: number;
  a: Float64Array;
  e: Float64Array;
}

/** Column layout of the free parameters: ω (3), t (3), then optional log f, c (2), identity, expression. */
export interface Columns {
  n: number;
  focal: number;
  pp: number;
  a: number;
  e: number;
}

export function fitColumns(K: number, E: number, fitFocal: boolean, fitPP: boolean, shape: boolean): Columns {
  let n = 6;
  const focal = fitFocal ? n++ : -1;
  const pp = fitPP ? n : -1;
  if (fitPP) n += 2;
  const a = shape ? n : -1;
  if (shape) n += K;
  const e = shape ? n : -1;
  if (shape) n += E;
  return { n, focal, pp, a, e };
}

/**
 * The fitting problem for fixed pairs: `uvIndex` (active slots) with targets `uvTarget` and
 * weight `uvWeight` (√ of the per-pair weight), `nIndex` with targets `nTarget` and per-term
 * weights `nWeight` (√).
 */
export interface Terms {
  uvCount: number;
  uvIndex: Int32Array;
  uvTarget: Float64Array;
  /** √ of each pair's weight. */
  uvWeight: Float64Array;
  nCount: number;
  nIndex: Int32Array;
  nTarget: Float64Array;
  nWeight: Float64Array;
  /** Landmark terms: landmark index, observed pixel position, √ weight. */
  lmCount: number;
  lmIndex: Int32Array;
  lmTarget: Float64Array;
  lmWeight: Float64Array;
  /** Photometric terms: active slot, √ weight (3 residuals each, RGB). */
  phCount: number;
  phIndex: Int32Array;
  phWeight: Float64Array;
}

/** Offset of term q's first residual (UV pairs, normals, landmarks, photometric, in that order). */
export function residualOffset(terms: Terms, q: number): number {
  const U = terms.uvCount, N = terms.nCount, L = terms.lmCount;
  if (q < U) return 2 * q;
  if (q < U + N) return 2 * U + 3 * (q - U);
  if (q < U + N + L) return 2 * U + 3 * N + 2 * (q - U - N);
  return 2 * U + 3 * N + 2 * L + 3 * (q - U - N - L);
}

/** Landmarks as surface points: three vertices and barycentric weights each. */
export interface LandmarkPoints {
  verts: Int32Array;
  bary: Float64Array;
  /** Observed pixel positions, 2 per landmark (NaN: not observed). */
  observed: Float64Array;
}

/** The landmark points of an embedding on a model's faces. */
export function landmarkPoints(model: LinearFaceModel, embedding: LandmarkEmbedding, observed: Float64Array): LandmarkPoints {
  const L = embedding.faces.length;
  if (observed.length !== 2 * L) throw new RangeError(`${observed.length / 2} observed landmarks for an embedding of ${L}`);
  const verts = new Int32Array(3 * L);
  for (let l = 0; l < L; l++) for (let j = 0; j < 3; j++) verts[3 * l + j] = model.faces[3 * embedding.faces[l] + j];
  return { verts, bary: Float64Array.from(embedding.barycentrics), observed };
}

export interface Problem {
  fm: FitModel;
  K: number;
  E: number;
  lambdaId: number;
  lambdaEx: number;
  lambdaFocal: number;
  lambdaPP: number;
  a0: Float64Array;
  logFocal0: number;
  cx0: number;
  cy0: number;
  box: boolean;
  /** Landmark points (for landmark terms). */
  landmarks?: LandmarkPoints;
  /** The crop and its lighting (27 SH coefficients, re-solved at each association) for photometric terms. */
  shading?: ShadingImage;
  light?: Float64Array;
}

/** Shape of the first K identity and E expression modes, all vertices (3n) into X. */
export function evaluateShape(p: Problem, s: FitState, X: Float64Array): void {
  const m = p.fm.model;
  const len = m.template.length;
  X.set(m.template);
  for (let k = 0; k < p.K; k++) {
    const c = s.a[k];
    if (c === 0) continue;
    const B = m.identityBasis, o = k * len;
    for (let i = 0; i < len; i++) X[i] += c * B[o + i];
  }
  for (let j = 0; j < p.E; j++) {
    const c = s.e[j];
    if (c === 0) continue;
    const B = m.expressionBasis, o = j * len;
    for (let i = 0; i < len; i++) X[i] += c * B[o + i];
  }
}

/** Unnormalised area-weighted normal of active slot i (2 × the incident triangles' area vectors), into out[o..o+2]. */
function rawNormal(fm: FitModel, X: Float64Array, i: number, out: Float64Array, o: number): void {
  const F = fm.model.faces;
  let mx = 0, my = 0, mz = 0;
  for (let q = fm.adjStart[i]; q < fm.adjStart[i + 1]; q++) {
    const f = fm.adjFaces[q];
    const a = 3 * F[3 * f], b = 3 * F[3 * f + 1], c = 3 * F[3 * f + 2];
    const e1x = X[b] - X[a], e1y = X[b + 1] - X[a + 1], e1z = X[b + 2] - X[a + 2];
    const e2x = X[c] - X[a], e2y = X[c + 1] - X[a + 1], e2z = X[c + 2] - X[a + 2];
    mx += e1y * e2z - e1z * e2y;
    my += e1z * e2x - e1x * e2z;
    mz += e1x * e2y - e1y * e2x;
  }
  out[o] = mx;
  out[o + 1] = my;
  out[o + 2] = mz;
}

/** Scratch of the objective (one fit runs at a time per thread). */
const POINT = new Float64Array(3);
const SAMPLE = new Float64Array(9);

/** Camera-frame position R·P + t of landmark l (a barycentric point of the shape X), into out. */
function landmarkCamera(L: LandmarkPoints, l: number, R: Float64Array, t: Float64Array, X: Float64Array, out: Float64Array): void {
  let x = 0, y = 0, z = 0;
  for (let j = 0; j < 3; j++) {
    const b = L.bary[3 * l + j], v = 3 * L.verts[3 * l + j];
    x += b * X[v];
    y += b * X[v + 1];
    z += b * X[v + 2];
  }
  out[0] = R[0] * x + R[1] * y + R[2] * z + t[0];
  out[1] = R[3] * x + R[4] * y + R[5] * z + t[1];
  out[2] = R[6] * x + R[7] * y + R[8] * z + t[2];
}

/** Unit camera-frame normal R·m/|m| of active slot i, into out. */
function cameraNormal(fm: FitModel, X: Float64Array, i: number, R: Float64Array, out: Float64Array): void {
  rawNormal(fm, X, i, out, 0);
  const len = Math.sqrt(out[0] * out[0] + out[1] * out[1] + out[2] * out[2]) || 1;
  const nx = out[0] / len, ny = out[1] / len, nz = out[2] / len;
  out[0] = R[0] * nx + R[1] * ny + R[2] * nz;
  out[1] = R[3] * nx + R[4] * ny + R[5] * nz;
  out[2] = R[6] * nx + R[7] * ny + R[8] * nz;
}

/**
 * Objective for fixed terms; residuals written to r in term order: 2 per UV pair, 3 per
 * normal term, 2 per landmark, 3 per photometric term (residualOffset).
 */
export function objective(p: Problem, terms: Terms, s: FitState, X: Float64Array, r: Float64Array): number {
  evaluateShape(p, s, X);
  const R = s.R, t = s.t, f = Math.exp(s.logFocal);
  const active = p.fm.active;
  let cost = 0;
  for (let q = 0; q < terms.uvCount; q++) {
    const w = terms.uvWeight[q];
    const v = 3 * active[terms.uvIndex[q]];
    const x = X[v], y = X[v + 1], z = X[v + 2];
    const Yx = R[0] * x + R[1] * y + R[2] * z + t[0];
    const Yy = R[3] * x + R[4] * y + R[5] * z + t[1];
    const Yz = R[6] * x + R[7] * y + R[8] * z + t[2];
    const ru = w * ((f * Yx) / Yz + s.cx - terms.uvTarget[2 * q]);
    const rv = w * ((f * Yy) / Yz + s.cy - terms.uvTarget[2 * q + 1]);
    r[2 * q] = ru;
    r[2 * q + 1] = rv;
    cost += ru * ru + rv * rv;
  }
  const o = 2 * terms.uvCount;
  const m = r; // the raw normal is written into r's slot, then replaced by the residual
  for (let q = 0; q < terms.nCount; q++) {
    const ro = o + 3 * q;
    rawNormal(p.fm, X, terms.nIndex[q], m, ro);
    const len = Math.sqrt(m[ro] * m[ro] + m[ro + 1] * m[ro + 1] + m[ro + 2] * m[ro + 2]) || 1;
    const nx = m[ro] / len, ny = m[ro + 1] / len, nz = m[ro + 2] / len;
    const wn = terms.nWeight[q];
    for (let c = 0; c < 3; c++) {
      const rc = wn * (R[3 * c] * nx + R[3 * c + 1] * ny + R[3 * c + 2] * nz - terms.nTarget[3 * q + c]);
      r[ro + c] = rc;
      cost += rc * rc;
    }
  }
  let ro = o + 3 * terms.nCount;
  const P = POINT;
  for (let q = 0; q < terms.lmCount; q++) {
    const l = terms.lmIndex[q], w = terms.lmWeight[q];
    landmarkCamera(p.landmarks!, l, R, t, X, P);
    const ru = w * ((f * P[0]) / P[2] + s.cx - terms.lmTarget[2 * q]);
    const rv = w * ((f * P[1]) / P[2] + s.cy - terms.lmTarget[2 * q + 1]);
    r[ro++] = ru;
    r[ro++] = rv;
    cost += ru * ru + rv * rv;
  }
  for (let q = 0; q < terms.phCount; q++) {
    const slot = terms.phIndex[q], w = terms.phWeight[q];
    const v = 3 * active[slot];
    const x = X[v], y = X[v + 1], z = X[v + 2];
    const Yx = R[0] * x + R[1] * y + R[2] * z + t[0];
    const Yy = R[3] * x + R[4] * y + R[5] * z + t[1];
    const Yz = R[6] * x + R[7] * y + R[8] * z + t[2];
    sampleShading(p.shading!, (f * Yx) / Yz + s.cx, (f * Yy) / Yz + s.cy, SAMPLE);
    cameraNormal(p.fm, X, slot, R, P);
    for (let ch = 0; ch < 3; ch++) {
      const rc = w * (SAMPLE[ch] - shade(p.light!, ch, P[0], P[1], P[2]));
      r[ro++] = rc;
      cost += rc * rc;
    }
  }
  for (let k = 0; k < p.K; k++) cost += p.lambdaId * (s.a[k] - p.a0[k]) ** 2;
  for (let j = 0; j < p.E; j++) cost += p.lambdaEx * s.e[j] * s.e[j];
  cost += p.lambdaFocal * (s.logFocal - p.logFocal0) ** 2;
  cost += p.lambdaPP * ((s.cx - p.cx0) ** 2 + (s.cy - p.cy0) ** 2);
  return cost;
}

/** Scratch buffers of the Jacobian rows. */
export interface RowScratch {
  rows: Float64Array;
  /** The fitted modes vertex by vertex ({@link vertexModes}), set by prepareRows. */
  modes: Float64Array;
  /** Per ring vertex of a normal term: its weight W_u (3), and the offset of its modes. */
  ring: Float64Array;
  ringBase: Int32Array;
  /** The raw normal. */
  m: Float64Array;
  /** Projection and normal rows of a photometric term (5 rows). */
  tmp: Float64Array;
  /** Image sample and shading gradient of a photometric term. */
  sample: Float64Array;
  grad: Float64Array;
}

export function rowScratch(n: number): RowScratch {
  return {
    rows: new Float64Array(3 * n), modes: new Float64Array(0), ring: new Float64Array(0), ringBase: new Int32Array(0), m: new Float64Array(3),
    tmp: new Float64Array(5 * n), sample: new Float64Array(9), grad: new Float64Array(3),
  };
}

/** Ready the shape columns' rows for problem p (the vertex-major modes); needed before termRows when the shape is fitted. */
export function prepareRows(p: Problem, c: Columns, scratch: RowScratch): void {
  if (c.a < 0) return;
  const modes = vertexModes(p.fm, p.K, p.E);
  if (scratch.modes === modes) return;
  scratch.modes = modes;
  let ring = 0;
  const rs = p.fm.ringStart;
  for (let i = 0; i + 1 < rs.length; i++) ring = Math.max(ring, rs[i + 1] - rs[i]);
  if (scratch.ringBase.length < ring) {
    scratch.ring = new Float64Array(3 * ring);
    scratch.ringBase = new Int32Array(ring);
  }
}

/**
 * The Jacobian rows of the projection of the surface point Σ_j b_j X[v_j] (vertex indices
 * v0..v2, weights b0..b2; one vertex: b0 = 1, b1 = b2 = 0), scaled by w: 2 rows of n columns
 * into J at offset o, with respect to δω, t, log f, c, identity and expression.
 */
function projectionRows(p: Problem, s: FitState, X: Float64Array, c: Columns, v0: number, v1: number, v2: number, b0: number, b1: number, b2: number, w: number, modes: Float64Array, J: Float64Array, o: number): void {
  const n = c.n;
  J.fill(0, o, o + 2 * n);
  const R = s.R, t = s.t, f = Math.exp(s.logFocal);
  const i0 = 3 * v0, i1 = 3 * v1, i2 = 3 * v2;
  const x = b0 * X[i0] + b1 * X[i1] + b2 * X[i2], y = b0 * X[i0 + 1] + b1 * X[i1 + 1] + b2 * X[i2 + 1], z = b0 * X[i0 + 2] + b1 * X[i1 + 2] + b2 * X[i2 + 2];
  const wx = R[0] * x + R[1] * y + R[2] * z, wy = R[3] * x + R[4] * y + R[5] * z, wz = R[6] * x + R[7] * y + R[8] * z;
  const Yx = wx + t[0], Yy = wy + t[1], Yz = wz + t[2];
  const iz = 1 / Yz;
  for (let row = 0; row < 2; row++) {
    const Ya = row === 0 ? Yx : Yy;
    const P0 = row === 0 ? w * f * iz : 0;
    const P1 = row === 0 ? 0 : w * f * iz;
    const P2 = -w * f * Ya * iz * iz;
    const r0 = o + row * n;
    J[r0] = wy * P2 - wz * P1;
    J[r0 + 1] = wz * P0 - wx * P2;
    J[r0 + 2] = wx * P1 - wy * P0;
    J[r0 + 3] = P0;
    J[r0 + 4] = P1;
    J[r0 + 5] = P2;
    if (c.focal >= 0) J[r0 + c.focal] = w * f * Ya * iz;
    if (c.pp >= 0) J[r0 + c.pp + row] = w;
    if (c.a < 0) continue;
    const q0 = R[0] * P0 + R[3] * P1 + R[6] * P2;
    const q1 = R[1] * P0 + R[4] * P1 + R[7] * P2;
    const q2 = R[2] * P0 + R[5] * P1 + R[8] * P2;
    // Shape columns (identity then expression, contiguous from c.a): the modes of the three vertices.
    const total = p.K + p.E, stride = 3 * total, ja = r0 + c.a;
    const m0 = v0 * stride, m1 = v1 * stride, m2 = v2 * stride;
    if (b1 === 0 && b2 === 0) {
      for (let col = 0, b = m0; col < total; col++, b += 3) J[ja + col] = b0 * (q0 * modes[b] + q1 * modes[b + 1] + q2 * modes[b + 2]);
      continue;
    }
    for (let col = 0, b = 0; col < total; col++, b += 3) {
      J[ja + col] = b0 * (q0 * modes[m0 + b] + q1 * modes[m0 + b + 1] + q2 * modes[m0 + b + 2]) + b1 * (q0 * modes[m1 + b] + q1 * modes[m1 + b + 1] + q2 * modes[m1 + b + 2]) + b2 * (q0 * modes[m2 + b] + q1 * modes[m2 + b + 1] + q2 * modes[m2 + b + 2]);
    }
  }
}

/**
 * The Jacobian rows of the unit camera-frame normal R·m/|m| of active slot `slot`, scaled by
 * wn: 3 rows of n columns into J at offset o; the normal itself into scratch.m. Needs
 * prepareRows first when the shape is fitted.
 */
function normalRows(p: Problem, s: FitState, X: Float64Array, c: Columns, slot: number, wn: number, scratch: RowScratch, J: Float64Array, o: number): void {
  const n = c.n, R = s.R;
  J.fill(0, o, o + 3 * n);
  const dm = scratch.m;
  rawNormal(p.fm, X, slot, dm, 0);
  const mlen = Math.sqrt(dm[0] * dm[0] + dm[1] * dm[1] + dm[2] * dm[2]) || 1;
  const nx = dm[0] / mlen, ny = dm[1] / mlen, nz = dm[2] / mlen;
  const cx = R[0] * nx + R[1] * ny + R[2] * nz, cy = R[3] * nx + R[4] * ny + R[5] * nz, cz = R[6] * nx + R[7] * ny + R[8] * nz;
  dm[0] = cx;
  dm[1] = cy;
  dm[2] = cz;
  // ∂(R n)/∂δω_j = e_j × (R n).
  J[o + 1] = wn * cz; J[o + 2] = -wn * cy;
  J[o + n] = -wn * cz; J[o + n + 2] = wn * cx;
  J[o + 2 * n] = wn * cy; J[o + 2 * n + 1] = -wn * cx;
  if (c.a < 0) return;
  // dm/dcoef. A triangle's (b−a)×(c−a) moves by (c−b)×δa + (a−c)×δb + (b−a)×δc when its
  // corners move by δ, so dm = Σ_u W_u × δ_u over the ring vertices u, with W_u the sum of
  // those edge vectors over the incident triangles; δ_u of each mode comes from the
  // vertex-major modes (prepareRows).
  const fm = p.fm, F = fm.model.faces;
  const ringStart = fm.ringStart[slot], ringSize = fm.ringStart[slot + 1] - ringStart;
  const W = scratch.ring;
  W.fill(0, 0, 3 * ringSize);
  for (let k = fm.adjStart[slot], end = fm.adjStart[slot + 1]; k < end; k++) {
    const f = fm.adjFaces[k];
    const a = 3 * F[3 * f], b = 3 * F[3 * f + 1], cc = 3 * F[3 * f + 2];
    const wa = 3 * fm.adjCorners[3 * k], wb = 3 * fm.adjCorners[3 * k + 1], wc = 3 * fm.adjCorners[3 * k + 2];
    for (let axis = 0; axis < 3; axis++) {
      W[wa + axis] += X[cc + axis] - X[b + axis];
      W[wb + axis] += X[a + axis] - X[cc + axis];
      W[wc + axis] += X[b + axis] - X[a + axis];
    }
  }
  const total = p.K + p.E, stride = 3 * total;
  const modes = scratch.modes, base = scratch.ringBase;
  for (let u = 0; u < ringSize; u++) base[u] = fm.ringVerts[ringStart + u] * stride;
  for (let col = 0; col < total; col++) {
    let dx = 0, dy = 0, dz = 0;
    for (let u = 0, k = 0; u < ringSize; u++, k += 3) {
      const wx = W[k], wy = W[k + 1], wz = W[k + 2], b = base[u] + 3 * col;
      const ux = modes[b], uy = modes[b + 1], uz = modes[b + 2];
      dx += wy * uz - wz * uy;
      dy += wz * ux - wx * uz;
      dz += wx * uy - wy * ux;
    }
    // dn = (I − n nᵀ)·dm/|m|, then rotated.
    const dot = nx * dx + ny * dy + nz * dz;
    const gx = (dx - dot * nx) / mlen, gy = (dy - dot * ny) / mlen, gz = (dz - dot * nz) / mlen;
    const jc = o + c.a + col;
    J[jc] = wn * (R[0] * gx + R[1] * gy + R[2] * gz);
    J[n + jc] = wn * (R[3] * gx + R[4] * gy + R[5] * gz);
    J[2 * n + jc] = wn * (R[6] * gx + R[7] * gy + R[8] * gz);
  }
}

/**
 * The Jacobian rows of term `q` (in objective order: UV pairs, normal terms, landmarks,
 * photometric terms) at state s with shape X: 2 or 3 rows of n columns into scratch.rows.
 * Returns the number of rows. Needs prepareRows first when the shape is fitted.
 */
export function termRows(p: Problem, terms: Terms, s: FitState, X: Float64Array, c: Columns, q: number, scratch: RowScratch): number {
  const J = scratch.rows, n = c.n;
  if (q < terms.uvCount) {
    const v = p.fm.active[terms.uvIndex[q]];
    projectionRows(p, s, X, c, v, v, v, 1, 0, 0, terms.uvWeight[q], scratch.modes, J, 0);
    return 2;
  }
  q -= terms.uvCount;
  if (q < terms.nCount) {
    // Normal term: r = w·(R·m/|m| − N).
    normalRows(p, s, X, c, terms.nIndex[q], terms.nWeight[q], scratch, J, 0);
    return 3;
  }
  q -= terms.nCount;
  if (q < terms.lmCount) {
    const L = p.landmarks!, l = terms.lmIndex[q];
    projectionRows(p, s, X, c, L.verts[3 * l], L.verts[3 * l + 1], L.verts[3 * l + 2], L.bary[3 * l], L.bary[3 * l + 1], L.bary[3 * l + 2], terms.lmWeight[q], scratch.modes, J, 0);
    return 2;
  }
  q -= terms.lmCount;
  // Photometric term: r_ch = w·(I_ch(π(v)) − shade_ch(R·m/|m|)), so
  // ∂r_ch = w·(∇I_ch·∂π − ∇shade_ch·∂(R n)), the image gradient held at the sampled pixel.
  const slot = terms.phIndex[q], w = terms.phWeight[q];
  const v = p.fm.active[slot];
  const T = scratch.tmp;
  projectionRows(p, s, X, c, v, v, v, 1, 0, 0, 1, scratch.modes, T, 0);
  normalRows(p, s, X, c, slot, 1, scratch, T, 2 * n);
  const f = Math.exp(s.logFocal), R = s.R, t = s.t, i = 3 * v;
  const Yx = R[0] * X[i] + R[1] * X[i + 1] + R[2] * X[i + 2] + t[0];
  const Yy = R[3] * X[i] + R[4] * X[i + 1] + R[5] * X[i + 2] + t[1];
  const Yz = R[6] * X[i] + R[7] * X[i + 1] + R[8] * X[i + 2] + t[2];
  const S = scratch.sample, G = scratch.grad, N = scratch.m;
  sampleShading(p.shading!, (f * Yx) / Yz + s.cx, (f * Yy) / Yz + s.cy, S);
  for (let ch = 0; ch < 3; ch++) {
    shadeGradient(p.light!, ch, N[0], N[1], N[2], G);
    const gu = S[3 + ch], gv = S[6 + ch], o = ch * n;
    for (let col = 0; col < n; col++) {
      J[o + col] = w * (gu * T[col] + gv * T[n + col] - G[0] * T[2 * n + col] - G[1] * T[3 * n + col] - G[2] * T[4 * n + col]);
    }
  }
  return 3;
}

export function cloneState(s: FitState): FitState {
  return { R: Float64Array.from(s.R), t: Float64Array.from(s.t), logFocal: s.logFocal, cx: s.cx, cy: s.cy, a: Float64Array.from(s.a), e: Float64Array.from(s.e) };
}

function copyState(from: FitState, to: FitState): void {
  to.R.set(from.R);
  to.t.set(from.t);
  to.logFocal = from.logFocal;
  to.cx = from.cx;
  to.cy = from.cy;
  to.a.set(from.a);
  to.e.set(from.e);
}

/** s ⊕ δ into out. */
export function stepState(p: Problem, s: FitState, delta: Float64Array, c: Columns, out: FitState, scratch: Float64Array): void {
  rotationFromRotationVector(delta[0], delta[1], delta[2], scratch);
  mat3Multiply(scratch, s.R, out.R);
  for (let i = 0; i < 3; i++) out.t[i] = s.t[i] + delta[3 + i];
  out.logFocal = c.focal >= 0 ? s.logFocal + delta[c.focal] : s.logFocal;
  out.cx = c.pp >= 0 ? s.cx + delta[c.pp] : s.cx;
  out.cy = c.pp >= 0 ? s.cy + delta[c.pp + 1] : s.cy;
  for (let k = 0; k < p.K; k++) out.a[k] = c.a >= 0 ? s.a[k] + delta[c.a + k] : s.a[k];
  for (let j = 0; j < p.E; j++) {
    let v = c.e >= 0 ? s.e[j] + delta[c.e + j] : s.e[j];
    if (p.box) v = Math.min(1, Math.max(0, v));
    out.e[j] = v;
  }
}

/** Work buffers of one fit. */
interface Work {
  X: Float64Array;
  r: Float64Array;
  H: Float64Array;
  A: Float64Array;
  g: Float64Array;
  delta: Float64Array;
  scratch: Float64Array;
  rows: RowScratch;
  trial: FitState;
}

/** Levenberg–Marquardt iterations on fixed terms; returns the final cost. */
function levenbergMarquardt(p: Problem, terms: Terms, state: FitState, c: Columns, iterations: number, work: Work, mu: { value: number }): number {
  const n = c.n;
  const { X, r, H, A, g, delta, scratch, rows, trial } = work;
  // X and r hold the shape and residuals of `state` at the top of every iteration: from here,
  // then from the accepted trial (a step that is not accepted ends the iterations).
  let cost = objective(p, terms, state, X, r);
  const termCount = terms.uvCount + terms.nCount + terms.lmCount + terms.phCount;
  for (let it = 0; it < iterations; it++) {
    H.fill(0, 0, n * n);
    g.fill(0, 0, n);
    prepareRows(p, c, rows);
    // Term by term: larger blocks of rows would be faster, but they round the normal
    // equations differently, and on the demo that moves some fits by millimetres.
    for (let q = 0; q < termCount; q++) {
      const count = termRows(p, terms, state, X, c, q, rows);
      accumulateNormalEquations(rows.rows, r, residualOffset(terms, q), count, n, H, g);
    }
    if (c.focal >= 0) {
      H[c.focal * n + c.focal] += p.lambdaFocal;
      g[c.focal] += p.lambdaFocal * (state.logFocal - p.logFocal0);
    }
    if (c.pp >= 0) {
      H[c.pp * n + c.pp] += p.lambdaPP;
      H[(c.pp + 1) * n + c.pp + 1] += p.lambdaPP;
      g[c.pp] += p.lambdaPP * (state.cx - p.cx0);
      g[c.pp + 1] += p.lambdaPP * (state.cy - p.cy0);
    }
    if (c.a >= 0) {
      for (let k = 0; k < p.K; k++) {
        H[(c.a + k) * n + c.a + k] += p.lambdaId;
        g[c.a + k] += p.lambdaId * (state.a[k] - p.a0[k]);
      }
      for (let j = 0; j < p.E; j++) {
        H[(c.e + j) * n + c.e + j] += p.lambdaEx;
        g[c.e + j] += p.lambdaEx * state.e[j];
      }
    }
    for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) H[i * n + j] = H[j * n + i];
    // Expressions held at a bound by a gradient pointing out of the box are fixed for this step.
    if (p.box && c.e >= 0) {
      for (let j = 0; j < p.E; j++) {
        const col = c.e + j, v = state.e[j];
        if (!((v <= 0 && g[col] > 0) || (v >= 1 && g[col] < 0))) continue;
        for (let i = 0; i < n; i++) {
          H[i * n + col] = 0;
          H[col * n + i] = 0;
        }
        H[col * n + col] = 1;
        g[col] = 0;
      }
    }
    // Marquardt's scaling, floored so that parameters the active terms do not see (translation
    // and focal length under normals alone) get a damping of their own instead of a singular system.
    let maxDiag = 0;
    for (let i = 0; i < n; i++) maxDiag = Math.max(maxDiag, H[i * n + i]);
    const floor = 1e-6 * maxDiag + 1e-12;
    let accepted = false;
    for (let attempt = 0; attempt < 10 && !accepted; attempt++) {
      A.set(H.subarray(0, n * n));
      for (let i = 0; i < n; i++) A[i * n + i] += mu.value * Math.max(H[i * n + i], floor) + (H[i * n + i] < floor ? floor : 0);
      for (let i = 0; i < n; i++) delta[i] = -g[i];
      if (!solveLDLT(A, delta, n, delta)) {
        mu.value *= 10;
        continue;
      }
      stepState(p, state, delta, c, trial, scratch);
      const trialCost = objective(p, terms, trial, X, r);
      if (Number.isFinite(trialCost) && trialCost <= cost) {
        const decrease = cost - trialCost;
        copyState(trial, state);
        cost = trialCost;
        mu.value = Math.max(mu.value / 10, 1e-9);
        accepted = true;
        if (decrease <= 1e-10 * cost) return cost;
      } else mu.value *= 10;
    }
    if (!accepted) return cost;
  }
  return cost;
}

/** Per-vertex UV correspondences: sub-pixel prior positions p*_v (NaN where none counts). */
export function uvCorrespondences(fm: FitModel, priors: ScreenPriors, uvThreshold: number): Float64Array {
  const { width: w, height: h, uv, mask } = priors;
  const cell = Math.sqrt(uvThreshold);
  // Uniform grid over the bounding box of the masked pixels' UVs (UV layouts may span several
  // unit tiles), cells at least the threshold distance wide, filled by counting sort.
  let uMin = Infinity, vMin = Infinity, uMax = -Infinity, vMax = -Infinity;
  for (let p = 0; p < w * h; p++) {
    if (!mask[p] || !Number.isFinite(uv[2 * p]) || !Number.isFinite(uv[2 * p + 1])) continue;
    uMin = Math.min(uMin, uv[2 * p]);
    uMax = Math.max(uMax, uv[2 * p]);
    vMin = Math.min(vMin, uv[2 * p + 1]);
    vMax = Math.max(vMax, uv[2 * p + 1]);
  }
  if (!(uMax >= uMin)) return new Float64Array(2 * fm.active.length).fill(Number.NaN);
  const G = Math.max(1, Math.min(2048, Math.ceil(Math.max(uMax - uMin, vMax - vMin) / cell)));
  const size = Math.max(uMax - uMin, vMax - vMin, 1e-9) / G;
  const cellU = (u: number): number => Math.min(G - 1, Math.max(0, Math.floor((u - uMin) / size)));
  const cellV = (v: number): number => Math.min(G - 1, Math.max(0, Math.floor((v - vMin) / size)));
  const start = new Int32Array(G * G + 1);
  for (let p = 0; p < w * h; p++) {
    if (!mask[p] || !Number.isFinite(uv[2 * p]) || !Number.isFinite(uv[2 * p + 1])) continue;
    start[cellU(uv[2 * p]) * G + cellV(uv[2 * p + 1]) + 1]++;
  }
  for (let i = 0; i < G * G; i++) start[i + 1] += start[i];
  const pix = new Int32Array(start[G * G]);
  const fill = start.slice(0, G * G);
  for (let p = 0; p < w * h; p++) {
    if (!mask[p] || !Number.isFinite(uv[2 * p]) || !Number.isFinite(uv[2 * p + 1])) continue;
    pix[fill[cellU(uv[2 * p]) * G + cellV(uv[2 * p + 1])]++] = p;
  }
  const uvs = fm.model.uvs!;
  const out = new Float64Array(2 * fm.active.length).fill(Number.NaN);
  const valid = (q: number): boolean => q >= 0 && q < w * h && mask[q] === 1 && Number.isFinite(uv[2 * q]);
  for (let i = 0; i < fm.active.length; i++) {
    const v = fm.active[i];
    const tu = uvs[2 * v], tv = uvs[2 * v + 1];
    if (tu < uMin - cell || tu > uMax + cell || tv < vMin - cell || tv > vMax + cell) continue;
    const gu = cellU(tu), gv = cellV(tv);
    let best = -1, bestD = uvThreshold;
    for (let a = Math.max(0, gu - 1); a <= Math.min(G - 1, gu + 1); a++) {
      for (let b = Math.max(0, gv - 1); b <= Math.min(G - 1, gv + 1); b++) {
        const cIdx = a * G + b;
        for (let k = start[cIdx]; k < start[cIdx + 1]; k++) {
          const p = pix[k];
          const d = (uv[2 * p] - tu) ** 2 + (uv[2 * p + 1] - tv) ** 2;
          if (d < bestD) {
            bestD = d;
            best = p;
          }
        }
      }
    }
    if (best < 0) continue;
    const x = best % w, y = (best - x) / w;
    let px = x, py = y;
    // One Newton step on the UV map, linear around the pixel (central or one-sided differences).
    const l = x > 0 && valid(best - 1) ? best - 1 : best, rr = x < w - 1 && valid(best + 1) ? best + 1 : best;
    const u0 = y > 0 && valid(best - w) ? best - w : best, d0 = y < h - 1 && valid(best + w) ? best + w : best;
    const sx = (rr % w) - (l % w), sy = ((d0 - (d0 % w)) - (u0 - (u0 % w))) / w;
    // A pair whose UV is not matched within one pixel of the nearest pixel (a silhouette, an
    // occluded vertex, a seam) is dropped.
    if (!(sx > 0 && sy > 0)) continue;
    {
      const a11 = (uv[2 * rr] - uv[2 * l]) / sx, a21 = (uv[2 * rr + 1] - uv[2 * l + 1]) / sx;
      const a12 = (uv[2 * d0] - uv[2 * u0]) / sy, a22 = (uv[2 * d0 + 1] - uv[2 * u0 + 1]) / sy;
      const det = a11 * a22 - a12 * a21;
      if (Math.abs(det) > 1e-12) {
        const du = tu - uv[2 * best], dv = tv - uv[2 * best + 1];
        const sxp = (a22 * du - a12 * dv) / det, syp = (-a21 * du + a11 * dv) / det;
        if (!(Math.abs(sxp) <= 1 && Math.abs(syp) <= 1)) continue;
        px += sxp;
        py += syp;
      } else continue;
    }
    out[2 * i] = px;
    out[2 * i + 1] = py;
  }
  return out;
}

/** Settings of one association pass. */
export interface Gates {
  pixelGate: number;
  normalCutoff: number;
  useUv: boolean;
  useNormals: boolean;
  lambdaUv: number;
  lambdaNormal: number;
  /** Pixel distance below which a UV pair's (and a landmark's) robust weight stops growing. */
  uvFloor: number;
  useLandmarks?: boolean;
  lambdaLandmark?: number;
  usePhotometric?: boolean;
  lambdaPhotometric?: number;
  photometricCutoff?: number;
}

/** Colour distance below which a photometric term's robust weight stops growing. */
const COLOUR_FLOOR = 0.02;

/**
 * Re-find the counted terms at state s (visibility, pixel gate, normal cut-off, IRLS weights;
 * for photometric terms also the lighting, into p.light). `priors` and `corr` are needed for
 * UV and normal terms only.
 */
export function associate(p: Problem, priors: ScreenPriors | undefined, corr: Float64Array | undefined, s: FitState, gates: Gates, X: Float64Array, terms: Terms): void {
  evaluateShape(p, s, X);
  const R = s.R, t = s.t, f = Math.exp(s.logFocal);
  const fm = p.fm;
  const gate2 = gates.pixelGate * gates.pixelGate;
  const useUv = gates.useUv && priors !== undefined && corr !== undefined;
  const useNormals = gates.useNormals && priors !== undefined;
  const img = gates.usePhotometric ? p.shading : undefined;
  const m = new Float64Array(3);
  // Photometric candidates: slot, camera normal, colour.
  const phNormals = img ? new Float64Array(3 * fm.active.length) : undefined;
  const phColours = img ? new Float64Array(3 * fm.active.length) : undefined;
  const sample = new Float64Array(9);
  let nu = 0, nn = 0, np = 0;
  for (let i = 0; i < fm.active.length; i++) {
    const v = 3 * fm.active[i];
    const x = X[v], y = X[v + 1], z = X[v + 2];
    const Yx = R[0] * x + R[1] * y + R[2] * z + t[0];
    const Yy = R[3] * x + R[4] * y + R[5] * z + t[1];
    const Yz = R[6] * x + R[7] * y + R[8] * z + t[2];
    if (!(Yz > 0)) continue;
    rawNormal(fm, X, i, m, 0);
    const cx = R[0] * m[0] + R[1] * m[1] + R[2] * m[2], cy = R[3] * m[0] + R[4] * m[1] + R[5] * m[2], cz = R[6] * m[0] + R[7] * m[1] + R[8] * m[2];
    if (!(cx * Yx + cy * Yy + cz * Yz < 0)) continue; // faces away from the camera
    const u = (f * Yx) / Yz + s.cx, vv = (f * Yy) / Yz + s.cy;
    const len = Math.sqrt(cx * cx + cy * cy + cz * cz) || 1;
    if (useUv && Number.isFinite(corr[2 * i])) {
      const du = u - corr[2 * i], dv = vv - corr[2 * i + 1];
      if (du * du + dv * dv < gate2) {
        terms.uvIndex[nu] = i;
        terms.uvTarget[2 * nu] = corr[2 * i];
        terms.uvTarget[2 * nu + 1] = corr[2 * i + 1];
        terms.uvWeight[nu] = 1 / Math.max(Math.sqrt(du * du + dv * dv), gates.uvFloor); // IRLS weight (√ taken below)
        nu++;
      }
    }
    if (img && u >= 0 && vv >= 0 && u <= img.width - 1 && vv <= img.height - 1 && (!img.mask || img.mask[Math.round(vv) * img.width + Math.round(u)])) {
      terms.phIndex[np] = i;
      phNormals![3 * np] = cx / len;
      phNormals![3 * np + 1] = cy / len;
      phNormals![3 * np + 2] = cz / len;
      sampleShading(img, u, vv, sample);
      phColours!.set(sample.subarray(0, 3), 3 * np);
      np++;
    }
    if (!useNormals) continue;
    const { width: w, height: h } = priors;
    const pxi = Math.round(u), pyi = Math.round(vv);
    if (pxi < 0 || pyi < 0 || pxi >= w || pyi >= h) continue;
    const pix = pyi * w + pxi;
    if (!priors.mask[pix]) continue;
    const Nx = priors.normals[3 * pix], Ny = priors.normals[3 * pix + 1], Nz = priors.normals[3 * pix + 2];
    if (!Number.isFinite(Nx + Ny + Nz)) continue;
    const d = Math.hypot(cx / len - Nx, cy / len - Ny, cz / len - Nz);
    if (!(d < gates.normalCutoff)) continue;
    terms.nIndex[nn] = i;
    terms.nTarget[3 * nn] = Nx;
    terms.nTarget[3 * nn + 1] = Ny;
    terms.nTarget[3 * nn + 2] = Nz;
    terms.nWeight[nn] = 1 / Math.max(d, 0.02); // IRLS weight of the L1-like distance (√ taken below)
    nn++;
  }
  let nl = 0;
  if (gates.useLandmarks && p.landmarks) {
    const L = p.landmarks, P = m;
    for (let l = 0; l < L.verts.length / 3; l++) {
      const ox = L.observed[2 * l], oy = L.observed[2 * l + 1];
      if (!Number.isFinite(ox) || !Number.isFinite(oy)) continue;
      landmarkCamera(L, l, R, t, X, P);
      if (!(P[2] > 0)) continue;
      const d = Math.hypot((f * P[0]) / P[2] + s.cx - ox, (f * P[1]) / P[2] + s.cy - oy);
      terms.lmIndex[nl] = l;
      terms.lmTarget[2 * nl] = ox;
      terms.lmTarget[2 * nl + 1] = oy;
      terms.lmWeight[nl] = 1 / Math.max(d, gates.uvFloor);
      nl++;
    }
  }
  if (img) np = photometricTerms(p, terms, np, phNormals!, phColours!, gates.photometricCutoff ?? 0.15);
  terms.uvCount = nu;
  terms.nCount = nn;
  terms.lmCount = nl;
  terms.phCount = np;
  for (let q = 0; q < nu; q++) terms.uvWeight[q] = Math.sqrt((gates.lambdaUv / nu) * terms.uvWeight[q]);
  for (let q = 0; q < nn; q++) terms.nWeight[q] = Math.sqrt((gates.lambdaNormal / nn) * terms.nWeight[q]);
  for (let q = 0; q < nl; q++) terms.lmWeight[q] = Math.sqrt(((gates.lambdaLandmark ?? 0) / nl) * terms.lmWeight[q]);
  for (let q = 0; q < np; q++) terms.phWeight[q] = Math.sqrt(((gates.lambdaPhotometric ?? 0) / np) * terms.phWeight[q]);
}

/**
 * The lighting and the photometric terms of `count` candidates (terms.phIndex, their unit
 * camera normals and sampled colours): lighting by least squares over every candidate, robust
 * weights 1/max(e, 0.02) of the colour distances e with e ≥ cutoff dropped, the lighting again
 * with those weights, then the final weights. Writes p.light; returns the terms kept
 * (compacted in terms.phIndex, IRLS weights in terms.phWeight before normalisation).
 */
function photometricTerms(p: Problem, terms: Terms, count: number, normals: Float64Array, colours: Float64Array, cutoff: number): number {
  const light = p.light!;
  const weights = new Float64Array(count).fill(1);
  const distances = new Float64Array(count);
  const refresh = (): void => {
    for (let i = 0; i < count; i++) {
      const nx = normals[3 * i], ny = normals[3 * i + 1], nz = normals[3 * i + 2];
      let e2 = 0;
      for (let ch = 0; ch < 3; ch++) e2 += (colours[3 * i + ch] - shade(light, ch, nx, ny, nz)) ** 2;
      distances[i] = Math.sqrt(e2);
      weights[i] = distances[i] < cutoff ? 1 / Math.max(distances[i], COLOUR_FLOOR) : 0;
    }
  };
  if (count < SH_COUNT || !solveLighting(normals, colours, weights, count, light)) return 0;
  refresh();
  if (!solveLighting(normals, colours, weights, count, light)) return 0;
  refresh();
  let kept = 0;
  for (let i = 0; i < count; i++) {
    if (!(weights[i] > 0)) continue;
    terms.phIndex[kept] = terms.phIndex[i];
    terms.phWeight[kept] = weights[i];
    kept++;
  }
  return kept;
}

export function emptyTerms(activeCount: number, landmarkCount = 0): Terms {
  return {
    uvCount: 0, uvIndex: new Int32Array(activeCount), uvTarget: new Float64Array(2 * activeCount), uvWeight: new Float64Array(activeCount),
    nCount: 0, nIndex: new Int32Array(activeCount), nTarget: new Float64Array(3 * activeCount), nWeight: new Float64Array(activeCount),
    lmCount: 0, lmIndex: new Int32Array(landmarkCount), lmTarget: new Float64Array(2 * landmarkCount), lmWeight: new Float64Array(landmarkCount),
    phCount: 0, phIndex: new Int32Array(activeCount), phWeight: new Float64Array(activeCount),
  };
}

/**
 * Fit the model to the data. `use` selects the data terms of the joint stage (default: UV
 * pairs and normals). The rigid stage fits the pose of the prior identity to the UV pairs when
 * there are priors, else to the landmarks. Throws when fewer than 10 pairs or landmarks are
 * found for the rigid stage, or when a selected term has no data.
 */
export function fitPixel3dmm(fm: FitModel, data: FitData, options: Pixel3dmmFitOptions = {}, use: FitTermSelection = { uv: true, normals: true }): Pixel3dmmFit {
  const model = fm.model;
  const { priors, image } = data;
  if ((use.uv || use.normals) && !priors) throw new Error('UV and normal terms need screen priors');
  if (priors && !model.uvs) throw new Error(`model ${model.name} has no per-vertex UVs to fit screen priors with`);
  if (use.landmarks && !data.landmarks) throw new Error('landmark terms need observed landmarks');
  if (use.photometric && !image) throw new Error('the photometric term needs the image');
  const W = priors?.width ?? image?.width;
  const H = priors?.height ?? image?.height;
  if (W === undefined || H === undefined) throw new Error('a fit needs screen priors or the image (for its size)');
  const scale = W / REFERENCE_SIZE;
  const K = Math.min(options.identityCount ?? 100, model.identityCount);
  const E = Math.min(options.expressionCount ?? 50, model.expressionCount);
  const focal0 = options.focal ?? 4 * W;
  const [cx0, cy0] = options.principalPoint ?? [(W - 1) / 2, (H - 1) / 2];
  const a0 = new Float64Array(K);
  if (options.identityPrior) for (let k = 0; k < Math.min(K, options.identityPrior.length); k++) a0[k] = options.identityPrior[k];
  const landmarks = data.landmarks ? landmarkPoints(model, data.landmarks.embedding, data.landmarks.observed) : undefined;
  const p: Problem = {
    fm, K, E,
    lambdaId: options.lambdaIdentity ?? 0.15,
    lambdaEx: options.lambdaExpression ?? 0.01,
    lambdaFocal: options.lambdaFocal ?? 10,
    lambdaPP: options.lambdaPrincipalPoint ?? 0.1,
    a0, logFocal0: Math.log(focal0), cx0, cy0,
    box: options.expressionBox ?? false,
    landmarks, shading: image, light: new Float64Array(3 * SH_COUNT),
  };
  const uvThreshold = (options.uvThreshold ?? 5e-5) / (scale * scale);
  const corr = priors ? uvCorrespondences(fm, priors, uvThreshold) : undefined;
  // Weak-perspective start of the prior identity from every UV pair, or from the landmarks.
  const state: FitState = { R: new Float64Array(9), t: new Float64Array(3), logFocal: p.logFocal0, cx: cx0, cy: cy0, a: Float64Array.from(a0), e: new Float64Array(E) };
  const X = new Float64Array(model.template.length);
  evaluateShape(p, state, X);
  const pts: number[] = [], obs: number[] = [];
  if (corr) {
    for (let i = 0; i < fm.active.length; i++) {
      if (!Number.isFinite(corr[2 * i])) continue;
      const v = 3 * fm.active[i];
      pts.push(X[v], X[v + 1], X[v + 2]);
      obs.push(corr[2 * i], corr[2 * i + 1]);
    }
    if (pts.length / 3 < 10) throw new Error(`only ${pts.length / 3} model vertices found their UV in the priors (need 10)`);
  } else if (landmarks) {
    const identityPose: FitState = { ...state, R: Float64Array.of(1, 0, 0, 0, 1, 0, 0, 0, 1), t: new Float64Array(3) };
    const P = new Float64Array(3);
    for (let l = 0; l < landmarks.verts.length / 3; l++) {
      if (!Number.isFinite(landmarks.observed[2 * l]) || !Number.isFinite(landmarks.observed[2 * l + 1])) continue;
      landmarkCamera(landmarks, l, identityPose.R, identityPose.t, X, P);
      pts.push(P[0], P[1], P[2]);
      obs.push(landmarks.observed[2 * l], landmarks.observed[2 * l + 1]);
    }
    if (pts.length / 3 < 6) throw new Error(`only ${pts.length / 3} landmarks observed (need 6)`);
  } else throw new Error('a fit needs screen priors or landmarks for its rigid start');
  const pose = weakPerspectivePose(Float64Array.from(pts), Float64Array.from(obs), { focal: focal0, cx: cx0, cy: cy0 });
  state.R.set(pose.rotation);
  state.t.set(pose.translation);
  const n = fitColumns(K, E, options.fitFocal ?? true, options.fitPrincipalPoint ?? true, true).n;
  const landmarkCount = landmarks ? landmarks.verts.length / 3 : 0;
  const work: Work = {
    X, r: new Float64Array(8 * fm.active.length + 2 * landmarkCount), H: new Float64Array(n * n), A: new Float64Array(n * n), g: new Float64Array(n), delta: new Float64Array(n),
    scratch: new Float64Array(9), rows: rowScratch(n), trial: cloneState(state),
  };
  const terms = emptyTerms(fm.active.length, landmarkCount);
  const gate = (options.pixelThreshold ?? 20) * scale;
  const every = Math.max(1, options.associateEvery ?? 3);
  const lambdaUv = options.lambdaUv ?? 2000, lambdaNormal = options.lambdaNormal ?? 200;
  const lambdaLandmark = options.lambdaLandmark ?? 20, lambdaPhotometric = options.lambdaPhotometric ?? 100;
  const cutoff = options.normalCutoff ?? 0.33;
  const uvFloor = 0.25 * Math.max(scale, 0.25);
  const base: Gates = {
    pixelGate: gate, normalCutoff: cutoff, useUv: false, useNormals: false, lambdaUv, lambdaNormal, uvFloor,
    useLandmarks: false, lambdaLandmark, usePhotometric: false, lambdaPhotometric, photometricCutoff: options.photometricCutoff ?? 0.15,
  };
  // Stage 1: rigid pose of the prior identity to the UV pairs (widened gate) or the landmarks.
  const rigid = fitColumns(K, E, false, false, false);
  const rigidGates: Gates = corr ? { ...base, pixelGate: 4 * gate, useUv: true } : { ...base, useLandmarks: true };
  const mu = { value: 1e-3 };
  let cost = 0;
  for (let done = 0; done < (options.rigidIterations ?? 6); done += every) {
    associate(p, priors, corr, state, rigidGates, X, terms);
    cost = levenbergMarquardt(p, terms, state, rigid, every, work, mu);
  }
  // Stage 2: everything.
  const joint = fitColumns(K, E, options.fitFocal ?? true, options.fitPrincipalPoint ?? true, true);
  const gates: Gates = { ...base, useUv: use.uv ?? false, useNormals: use.normals ?? false, useLandmarks: use.landmarks ?? false, usePhotometric: use.photometric ?? false };
  const maxIterations = options.maxIterations ?? 18;
  let iterations = 0;
  mu.value = 1e-3;
  while (iterations < maxIterations) {
    associate(p, priors, corr, state, gates, X, terms);
    if (terms.uvCount + terms.nCount + terms.lmCount + terms.phCount === 0) break;
    const steps = Math.min(every, maxIterations - iterations);
    cost = levenbergMarquardt(p, terms, state, joint, steps, work, mu);
    iterations += steps;
  }
  // The final report counts the UV pairs (when there are priors) whatever the joint stage used.
  associate(p, priors, corr, state, { ...gates, useUv: corr !== undefined }, X, terms);
  cost = objective(p, terms, state, X, work.r);
  let sq = 0;
  for (let q = 0; q < terms.uvCount; q++) sq += (work.r[2 * q] ** 2 + work.r[2 * q + 1] ** 2) / terms.uvWeight[q] ** 2;
  const rmsPixels = terms.uvCount > 0 ? Math.sqrt(sq / terms.uvCount) : Number.NaN;
  return {
    identity: state.a, expression: state.e, rotation: state.R, translation: state.t,
    focal: Math.exp(state.logFocal), principalPoint: [state.cx, state.cy],
    uvPairs: terms.uvCount, normalTerms: terms.nCount, landmarkTerms: terms.lmCount, photometricTerms: terms.phCount,
    lighting: p.light!, rmsPixels, cost, iterations,
  };
}
