/**
 * The FaceScape protocols (`facescape-wild`, `facescape-lab`): FaceScape's single-view
 * reconstruction benchmark (Zhu et al., "FacesCape: 3D Facial Dataset and Benchmark for
 * Single-View 3D Face Reconstruction", TPAMI 2023, §6), reimplemented from the facts of its
 * code (zhuhao-nju/facescape, `benchmark/code/evaluator.py`, `mesh_util.py`) on facebench's
 * rasteriser, cylindrical unwrapping and BVH. docs/protocols.md#facescape states every rule
 * and where facebench differs.
 *
 * Steps: (1) both meshes × the pupil scale (in-the-wild) → mm; (2) depth alignment: render
 * both 256² depth maps with the sample's camera, Δz = the L1-optimal depth offset over the
 * pixels both cover; in-the-wild the prediction moves by Δz along the view axis, in-the-lab
 * it is scaled about the camera centre by mean_z/(mean_z − Δz); (3) both into the unwrapping
 * frame Rᵀ·(v − c·s) and unwrapped onto a 256×256 cylinder (rows y = 150 … −150 mm);
 * (4) CR = shared pixels / GT pixels; CD = mean of both directions' point-to-surface
 * distances between the meshes rebuilt from the shared pixels; MNE = mean angle between
 * the hit triangles' normals after FaceScape's (n + 1)/‖n + 1‖ normalisation.
 */
import { InputError } from '../errors.js';
import type { TriangleMesh } from '../geometry/types.js';
import { cylinderMap, cylinderRowHeights, rasterize, type Camera, type CylinderGrid, type CylinderMap } from '../render/index.js';
import { TriangleBVH } from '../spatial/index.js';
import { FACESCAPE_RENDER_SIZE, type FacescapeView } from './facescape-view.js';

/** FaceScape's cylinder: 256 rows from y = +150 mm to −150 mm around the head centre. */
export const FACESCAPE_CYLINDER: CylinderGrid = { rows: FACESCAPE_RENDER_SIZE, cols: FACESCAPE_RENDER_SIZE, yTop: 150, yBottom: -150 };
/** `cylinder2mesh`'s threshold: a pixel makes faces only if its radius differs by less than this from its neighbours (mm). */
export const FACESCAPE_EDGE_THRESHOLD_MM = 15;

/** The inputs of one FaceScape scoring. Meshes in the view's frame (facescape-view.ts). */
export interface FacescapeInputs {
  gt: TriangleMesh;
  pred: TriangleMesh;
  view: FacescapeView;
  /** Names used in error messages. */
  names?: { gt?: string; pred?: string };
}

/** The maps behind the figures, for pictures of the error (row-major 256×256). */
export interface FacescapeMaps {
  rows: number;
  cols: number;
  gtRadius: Float64Array;
  predRadius: Float64Array;
  /** Distance of each shared pixel's prediction vertex to the GT surface (mm), NaN elsewhere: FaceScape's heat-mesh values. */
  predError: Float32Array;
}

export interface FacescapeResult {
  /** Chamfer distance, mm. */
  cd: number;
  /** Mean normal error, radians (FaceScape's normalisation). */
  mne: number;
  /** Completeness rate: shared pixels / GT pixels of the unwrapping, 0..1. */
  cr: number;
  /** Depth offset found by the alignment, mm (GT depth − prediction depth, L1-optimal). */
  deltaZ: number;
  /** In-the-lab: the scale applied about the camera centre; in-the-wild 1. */
  scale: number;
  /** Pixels of the depth maps both meshes cover. */
  depthOverlap: number;
  /** Pixels of the unwrapping the GT covers, and those both cover. */
  gtPixels: number;
  sharedPixels: number;
  /** Point-to-surface distances of both directions, concatenated (GT vertices first), mm. */
  distances: Float64Array;
  maps: FacescapeMaps;
}

/** The sample's camera for the 256² depth maps (in mm: the pupil scale is applied to the magnification). */
export function facescapeCamera(view: FacescapeView): Camera {
  const size = FACESCAPE_RENDER_SIZE;
  if (view.set === 'fswild') return { kind: 'orthographic', xmag: view.pupilScale, ymag: view.pupilScale, width: size, height: size };
  if (!view.K) throw new Error('an in-the-lab FaceScape view needs its intrinsics K');
  return { K: view.K, world2cam: [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1], width: size, height: size };
}

function scaled(positions: Float64Array, s: number): Float64Array {
  if (s === 1) return positions;
  const out = new Float64Array(positions.length);
  for (let i = 0; i < positions.length; i++) out[i] = positions[i] * s;
  return out;
}

/**
 * The value minimising Σ|a_p − z − b_p| over the pixels both depth maps cover: a median of
 * the differences (the midpoint of the two middle ones for an even count). FaceScape finds
 * it with SLSQP started at 0, which approximates this minimiser.
 */
export function depthShift(depthGt: Float64Array, depthPred: Float64Array): { deltaZ: number; overlap: number; meanGt: number } {
  let n = 0;
  for (let p = 0; p < depthGt.length; p++) if (depthGt[p] !== 0 && depthPred[p] !== 0) n++;
  const diff = new Float64Array(n);
  let k = 0, sumGt = 0;
  for (let p = 0; p < depthGt.length; p++) {
    if (depthGt[p] !== 0 && depthPred[p] !== 0) {
      diff[k++] = depthGt[p] - depthPred[p];
      sumGt += depthGt[p];
    }
  }
  if (n === 0) return { deltaZ: Number.NaN, overlap: 0, meanGt: Number.NaN };
  diff.sort();
  const deltaZ = n % 2 === 1 ? diff[(n - 1) / 2] : (diff[n / 2 - 1] + diff[n / 2]) / 2;
  return { deltaZ, overlap: n, meanGt: sumGt / n };
}

/** Rᵀ·(v − c) for every vertex (R row-major). */
function toUnwrapFrame(positions: Float64Array, R: readonly number[], c: readonly number[]): Float64Array {
  const out = new Float64Array(positions.length);
  for (let i = 0; i < positions.length; i += 3) {
    const x = positions[i] - c[0], y = positions[i + 1] - c[1], z = positions[i + 2] - c[2];
    out[i] = R[0] * x + R[3] * y + R[6] * z;
    out[i + 1] = R[1] * x + R[4] * y + R[7] * z;
    out[i + 2] = R[2] * x + R[5] * y + R[8] * z;
  }
  return out;
}

/**
 * The mesh FaceScape's `cylinder2mesh` rebuilds from a radius map: a vertex per pixel at
 * radius r on its ray; pixel (i, j) adds the triangles (i,j)(i,j+1)(i+1,j) and
 * (i+1,j+1)(i+1,j)(i,j+1) when its radius is non-zero and differs by less than 15 mm from
 * those of (i+1, j), (i, j+1) and (i+1, j+1), neighbours taken cyclically (numpy's roll).
 * Vertex indices follow FaceScape's i·cols + j + 1 arithmetic, so in the last column
 * "(i, j+1)" is pixel (i+1, 0); the last row makes no triangles (FaceScape's would index
 * past its vertices). Returns the referenced pixels and the triangles on them.
 */
export function cylinderSurface(radius: Float64Array, grid: CylinderGrid, threshold = FACESCAPE_EDGE_THRESHOLD_MM): { mesh: TriangleMesh; pixels: Uint32Array } {
  const { rows, cols } = grid;
  const total = rows * cols;
  const tris = new Uint32Array(6 * total);
  let nt = 0;
  for (let i = 0; i < rows - 1; i++) {
    for (let j = 0; j < cols; j++) {
      const p = i * cols + j;
      const r = radius[p];
      if (r === 0) continue;
      const down = radius[p + cols];
      const right = radius[i * cols + ((j + 1) % cols)];
      const diag = radius[(i + 1) * cols + ((j + 1) % cols)];
      if (!(Math.abs(r - down) < threshold && Math.abs(r - right) < threshold && Math.abs(r - diag) < threshold)) continue;
      const pRight = p + 1, pDown = p + cols, pDiag = p + cols + 1;
      tris[nt++] = p; tris[nt++] = pRight; tris[nt++] = pDown;
      tris[nt++] = pDiag; tris[nt++] = pDown; tris[nt++] = pRight;
    }
  }
  // Keep the referenced vertices, in pixel order (trimesh's remove_unreferenced_vertices).
  const used = new Uint8Array(total + cols + 1);
  for (let t = 0; t < nt; t++) used[tris[t]] = 1;
  const remap = new Int32Array(used.length).fill(-1);
  let count = 0;
  for (let p = 0; p < used.length; p++) if (used[p]) remap[p] = count++;
  const pixels = new Uint32Array(count);
  for (let p = 0; p < used.length; p++) if (used[p]) pixels[remap[p]] = p;
  const y = cylinderRowHeights(grid);
  const positions = new Float64Array(3 * count);
  for (let k = 0; k < count; k++) {
    const p = pixels[k];
    const i = Math.floor(p / cols), j = p % cols;
    const phi = (j * 2 * Math.PI) / (cols - 1);
    // A pixel index past the grid (FaceScape's arithmetic at the very last pixel) has radius 0.
    const r = p < total ? radius[p] : 0;
    positions[3 * k] = -r * Math.sin(phi);
    positions[3 * k + 1] = i < rows ? y[i] : grid.yBottom - (grid.yTop - grid.yBottom) / (rows - 1);
    positions[3 * k + 2] = -r * Math.cos(phi);
  }
  const faces = new Uint32Array(nt);
  for (let t = 0; t < nt; t++) faces[t] = remap[tris[t]];
  return { mesh: { positions, faces }, pixels };
}

/** Unit face normal of triangle f (zero for a degenerate one, as trimesh's face_normals). */
function faceNormal(positions: Float64Array, faces: Uint32Array, f: number, out: Float64Array): void {
  const a = 3 * faces[3 * f], b = 3 * faces[3 * f + 1], c = 3 * faces[3 * f + 2];
  const ex = positions[b] - positions[a], ey = positions[b + 1] - positions[a + 1], ez = positions[b + 2] - positions[a + 2];
  const fx = positions[c] - positions[a], fy = positions[c + 1] - positions[a + 1], fz = positions[c + 2] - positions[a + 2];
  const nx = ey * fz - ez * fy, ny = ez * fx - ex * fz, nz = ex * fy - ey * fx;
  const len = Math.sqrt(nx * nx + ny * ny + nz * nz);
  if (len > 0 && Number.isFinite(len)) {
    out[0] = nx / len;
    out[1] = ny / len;
    out[2] = nz / len;
  } else out[0] = out[1] = out[2] = 0;
}

/**
 * FaceScape's MNE: over the pixels where both unwrappings hit a triangle with a non-zero
 * normal, the mean of arccos(n̂_gt·n̂_pred) with n̂ = (n + 1)/‖n + 1‖ — one added to each
 * component of the unit face normal before normalising (its `compute_mne_full`; not the
 * angle between the normals: a normal along +z against its opposite gives 0.96 rad, not π). The dot product is
 * clamped to [−1, 1] (numpy's arccos gives NaN for a rounding just above 1).
 */
export function meanNormalError(gtPositions: Float64Array, gtFaces: Uint32Array, gtMap: CylinderMap, predPositions: Float64Array, predFaces: Uint32Array, predMap: CylinderMap): number {
  const ng = new Float64Array(3), np = new Float64Array(3);
  let sum = 0, count = 0;
  for (let p = 0; p < gtMap.triangle.length; p++) {
    const fg = gtMap.triangle[p], fp = predMap.triangle[p];
    if (fg < 0 || fp < 0) continue;
    faceNormal(gtPositions, gtFaces, fg, ng);
    faceNormal(predPositions, predFaces, fp, np);
    if ((ng[0] === 0 && ng[1] === 0 && ng[2] === 0) || (np[0] === 0 && np[1] === 0 && np[2] === 0)) continue;
    const gx = ng[0] + 1, gy = ng[1] + 1, gz = ng[2] + 1;
    const px = np[0] + 1, py = np[1] + 1, pz = np[2] + 1;
    const lg = Math.sqrt(gx * gx + gy * gy + gz * gz), lp = Math.sqrt(px * px + py * py + pz * pz);
    let d = (gx * px + gy * py + gz * pz) / (lg * lp);
    d = d > 1 ? 1 : d < -1 ? -1 : d;
    sum += Math.acos(d);
    count++;
  }
  return count > 0 ? sum / count : Number.NaN;
}

/** Distances of `queries` to the surface of `target`; a one-off BVH, so Morton splits (4× faster to build). */
function bvhDistances(target: TriangleMesh, queries: Float64Array): Float64Array {
  const bvh = TriangleBVH.build(target.positions, target.faces, { strategy: 'morton' });
  return bvh.closestPoints(queries).distances;
}

/**
 * Score one FaceScape sample (see the module comment). Refuses, with an InputError naming
 * the file: a GT that the cylinder does not see, a prediction whose depth map does not
 * overlap the GT's, and unwrappings with no shared pixel.
 */
export function scoreFacescape(inputs: FacescapeInputs): FacescapeResult {
  const { view } = inputs;
  const gtName = inputs.names?.gt ?? 'ground truth';
  const predName = inputs.names?.pred ?? 'prediction';
  const s = view.pupilScale;
  if (!(s > 0 && Number.isFinite(s))) throw new InputError(gtName, `pupil scale ${s} is not a positive number`);
  const gtPos = scaled(inputs.gt.positions, s);
  let predPos = scaled(inputs.pred.positions, s);
  if (predPos === inputs.pred.positions) predPos = Float64Array.from(predPos);

  // (2) Depth alignment.
  const camera = facescapeCamera(view);
  const gtDepth = rasterize(gtPos, inputs.gt.faces, camera).depth.slice();
  const predDepth = rasterize(predPos, inputs.pred.faces, camera).depth;
  const shift = depthShift(gtDepth, predDepth);
  if (shift.overlap === 0) throw new InputError(predName, 'its depth map does not overlap the ground truth\'s in the sample\'s camera: is it in the image-aligned frame the protocol expects (docs/protocols.md#facescape)?');
  let scale = 1;
  if (view.set === 'fswild') {
    // Depth is −z: a larger depth means a smaller z.
    for (let i = 2; i < predPos.length; i += 3) predPos[i] -= shift.deltaZ;
  } else {
    scale = shift.meanGt / (shift.meanGt - shift.deltaZ);
    if (!(scale > 0 && Number.isFinite(scale))) throw new InputError(predName, `depth alignment failed (scale ${scale}): the prediction lies far behind or in front of the ground truth`);
    for (let i = 0; i < predPos.length; i++) predPos[i] *= scale;
  }

  // (3) Unwrapping.
  const centre = [view.headCentre[0] * s, view.headCentre[1] * s, view.headCentre[2] * s];
  const gtStd = toUnwrapFrame(gtPos, view.rotation, centre);
  const predStd = toUnwrapFrame(predPos, view.rotation, centre);
  const grid = FACESCAPE_CYLINDER;
  const gtMap = cylinderMap(gtStd, inputs.gt.faces, grid);
  const predMap = cylinderMap(predStd, inputs.pred.faces, grid);

  // (4) Metrics.
  const total = grid.rows * grid.cols;
  let gtPixels = 0, sharedPixels = 0;
  const gtShared = new Float64Array(total), predShared = new Float64Array(total);
  for (let p = 0; p < total; p++) {
    if (gtMap.radius[p] === 0) continue;
    gtPixels++;
    if (predMap.radius[p] === 0) continue;
    sharedPixels++;
    gtShared[p] = gtMap.radius[p];
    predShared[p] = predMap.radius[p];
  }
  if (gtPixels === 0) throw new InputError(gtName, 'the cylindrical unwrapping sees none of the ground truth: check the head centre and rotation of the sample');
  const cr = sharedPixels / gtPixels;
  const gtSurface = cylinderSurface(gtShared, grid);
  const predSurface = cylinderSurface(predShared, grid);
  if (gtSurface.mesh.faces.length === 0 || predSurface.mesh.faces.length === 0) {
    throw new InputError(predName, `no surface is shared with the ground truth on the cylinder (${sharedPixels} shared pixels): nothing to measure`);
  }
  const gtToPred = bvhDistances(predSurface.mesh, gtSurface.mesh.positions);
  const predToGt = bvhDistances(gtSurface.mesh, predSurface.mesh.positions);
  const distances = new Float64Array(gtToPred.length + predToGt.length);
  distances.set(gtToPred, 0);
  distances.set(predToGt, gtToPred.length);
  let sum = 0, n = 0;
  for (const d of distances) if (!Number.isNaN(d)) { sum += d; n++; }
  const cd = sum / n;
  const mne = meanNormalError(gtStd, inputs.gt.faces, gtMap, predStd, inputs.pred.faces, predMap);
  const predError = new Float32Array(total).fill(Number.NaN);
  for (let k = 0; k < predSurface.pixels.length; k++) if (predSurface.pixels[k] < total) predError[predSurface.pixels[k]] = predToGt[k];
  return {
    cd,
    mne,
    cr,
    deltaZ: shift.deltaZ,
    scale,
    depthOverlap: shift.overlap,
    gtPixels,
    sharedPixels,
    distances,
    maps: { rows: grid.rows, cols: grid.cols, gtRadius: gtMap.radius, predRadius: predMap.radius, predError },
  };
}
