/**
 * Iterative closest point refinement of a similarity (or rigid) transform of a triangle
 * mesh onto a ground-truth point set, minimising the mean squared distance from the GT
 * points to the transformed surface.
 *
 * Method: point-to-plane Gauss–Newton (Y. Chen & G. Medioni, "Object modelling by
 * registration of multiple range images", Image and Vision Computing 10(3), 1992), with
 * the small-angle linearisation of K.-L. Low, "Linear least-squares optimization for
 * point-to-plane ICP surface registration", UNC TR04-004, 2004, extended by a scale term.
 */
import { InputError } from '../errors.js';
import type { TriangleMesh } from '../geometry/types.js';
import { boundingDiagonal, gatherPoints } from '../geometry/points.js';
import { firstNonFinite, validateMesh } from '../geometry/validate.js';
import { createClosestPointResult, mortonOrder, TriangleBVH, type ClosestPointResult } from '../spatial/index.js';
import { mat3Determinant, mat3Multiply, mat3Transpose, projectToOrthogonal, rotationFromRotationVector, solveSymmetric } from './linalg.js';
import { cloneTransform, type SimilarityTransform } from './similarity.js';

/** `similarity` estimates scale, rotation and translation; `rigid` keeps the initial scale. */
export type ICPMode = 'similarity' | 'rigid';

export interface ICPOptions {
  /** Default `similarity`. */
  mode?: ICPMode;
  /** Cap on Gauss–Newton steps (default 100). 0 only evaluates the initial transform. */
  maxIterations?: number;
  /**
   * Stop when a step lowers the objective by less than this fraction of the inliers' share
   * of it — the relative change of the inlier mean squared distance (default 1e-6).
   */
  relativeTolerance?: number;
  /** GT points farther than this from the surface (mm) are ignored; default 10, Infinity keeps all. */
  maxCorrespondenceDistance?: number;
  /** Name used in error messages (default `ICP alignment`). */
  name?: string;
  /**
   * Also return every GT point's closest point on the surface under the final transform
   * ({@link ICPSolution.correspondences}), from the iteration's own last pass: scoring then
   * needs no second BVH and no second closest-point pass. Default false.
   */
  correspondences?: boolean;
  /**
   * Coarse-to-fine ICP: when > 0 and the cloud has more points, the steps are fitted on
   * evenly strided subsets of the GT points in Morton order (spatially even), first
   * ⌈subsample/8⌉ points with a 100x looser tolerance, then `subsample` points with
   * `relativeTolerance`; then one pass over every GT point at the fitted transform, which
   * gives `rmse`, `inlierFraction` and the correspondences. 0 (default) fits
   * on every point. A level whose subset has fewer than 100 points within the
   * correspondence distance at its start is skipped when it is the coarse one; when it is
   * the fine one, every point is fitted instead.
   */
  subsample?: number;
  /**
   * The Morton order of `gtPoints` (`mortonOrder(gtPoints)`), for a caller that aligns many
   * surfaces to the same points (a person's neutral scan); computed when absent. Must be a
   * permutation of the point indices.
   */
  order?: Uint32Array;
}

/**
 * Closest points of the GT points on the aligned surface T(M), in input order and in the GT
 * frame, for every point (those beyond maxCorrespondenceDistance included).
 */
export interface ICPCorrespondences {
  /** Closest point T(c) per GT point, 3 per point, mm. */
  points: Float64Array;
  /** Mesh face holding the closest point. */
  faces: Int32Array;
  /** Euclidean distance from the GT point to T(M), mm. */
  distances: Float64Array;
}

export interface ICPSolution {
  /** Takes the mesh onto the GT points: apply it to the mesh vertices. */
  transform: SimilarityTransform;
  /** Gauss–Newton steps taken (accepted). */
  iterations: number;
  /**
   * False only when `maxIterations` stopped the refinement before a stopping test was met
   * (tolerance, no descent step left, or an exact fit).
   */
  converged: boolean;
  /** √meanSquaredDistance, mm. */
  rmse: number;
  /** Mean squared distance of the inlier GT points to the transformed surface, mm². */
  meanSquaredDistance: number;
  /** Fraction of GT points within maxCorrespondenceDistance of the transformed surface. */
  inlierFraction: number;
  /**
   * The objective — mean over all GT points of min(d², D²), mm² — at the initial transform
   * and after every step (length iterations + 1); never increases. Equals the mean squared
   * distance whenever every point is an inlier. With {@link ICPOptions.subsample}, each
   * entry is the objective over the points that step was fitted on, except the last, which
   * is over every point; non-increasing within each level.
   */
  history: number[];
  /** Set when {@link ICPOptions.correspondences} asks for it. */
  correspondences?: ICPCorrespondences;
}

/** A mesh, or a mesh with a BVH already built on its (untransformed) vertices. */
export type ICPSurface = TriangleMesh | { mesh: TriangleMesh; bvh: TriangleBVH };

/** Step halvings tried before a Gauss–Newton direction is declared to give no descent. */
const MAX_HALVINGS = 10;
/** RMS distance, relative to the GT extent, below which the fit is exact to working precision. */
const EXACT_FIT_RATIO = 1e-10;

/** Per-point correspondences against one transform (mesh-frame closest points). */
interface Correspondences {
  /** Closest points on the untransformed mesh, 3 per GT point. */
  closest: Float64Array;
  /** Closest face per GT point, −1 when farther than the correspondence distance. */
  face: Int32Array;
  /** Squared distance in the GT frame (inliers only). */
  distanceSq: Float64Array;
  inliers: number;
  /** Sum of the inlier squared distances. */
  inlierSum: number;
  /** Mean over all points of min(d², D²): the trimmed objective the iteration decreases. */
  objective: number;
}

function allocateCorrespondences(n: number): Correspondences {
  return {
    closest: new Float64Array(3 * n),
    face: new Int32Array(n).fill(-1),
    distanceSq: new Float64Array(n),
    inliers: 0,
    inlierSum: 0,
    objective: Infinity,
  };
}

/**
 * Refine `init` (e.g. the landmark similarity from `umeyama`) so that the transformed mesh
 * T(M) fits the GT points: minimise the trimmed mean squared distance
 * (1/N)·Σ_p min(d(p, T(M))², D²), D = maxCorrespondenceDistance, i.e. the mean squared
 * distance of the points within D of the surface with the farther points ignored.
 *
 * Each iteration finds, for every GT point p, the closest point c on T(M); the BVH is built
 * once on the untransformed mesh and p is mapped into the mesh frame with T⁻¹ instead
 * (distances scale by s, directions rotate by R). With u the unit direction from c to p
 * (± the face normal inside a face; the face normal when p lies on the surface) the
 * residual u·(c′ − p) is linearised in
 * c′ = (1+σ)(I + [ω]×)(c − g) + g + τ around the inlier centroid g (coordinates divided by
 * their RMS radius for conditioning) and the 7x7 (rigid: 6x6) normal equations give the
 * Gauss–Newton step. A step that does not decrease the trimmed objective is halved until
 * it does, so the objective is monotone. The rotation is re-projected onto the orthogonal
 * matrices after every update.
 *
 * Stops when a step lowers the objective by less than `relativeTolerance` times the
 * inliers' share of it (Σ_inliers d²/N; with a fixed inlier set this is the relative change
 * of the inlier mean squared distance), when no descent step exists (a minimum to working
 * precision), when the fit is exact to working precision, or after `maxIterations` steps.
 * The objective rather than the inlier mean drives the iteration: as the fit improves,
 * points cross into the inlier set at distances near D and can raise the inlier mean while
 * the fit gets better.
 */
export function icp(gtPoints: Float64Array, surface: ICPSurface, init: SimilarityTransform, options: ICPOptions = {}): ICPSolution {
  const name = options.name ?? 'ICP alignment';
  const mode = options.mode ?? 'similarity';
  const maxIterations = options.maxIterations ?? 100;
  const relativeTolerance = options.relativeTolerance ?? 1e-6;
  const maxDistance = options.maxCorrespondenceDistance ?? 10;
  const subsample = options.subsample ?? 0;
  if (mode !== 'similarity' && mode !== 'rigid') throw new InputError(name, `unknown ICP mode '${String(mode)}'; use 'similarity' or 'rigid'`);
  if (!Number.isInteger(maxIterations) || maxIterations < 0) throw new InputError(name, `maxIterations must be a non-negative integer, got ${maxIterations}`);
  if (!(relativeTolerance >= 0) || !Number.isFinite(relativeTolerance)) throw new InputError(name, `relativeTolerance must be a finite number ≥ 0, got ${relativeTolerance}`);
  if (!(maxDistance > 0)) throw new InputError(name, `maxCorrespondenceDistance must be > 0 mm (Infinity disables trimming), got ${maxDistance}`);
  if (!Number.isInteger(subsample) || subsample < 0) throw new InputError(name, `subsample must be a non-negative integer (0 = every point), got ${subsample}`);

  const mesh = 'bvh' in surface ? surface.mesh : surface;
  validateMesh(mesh, name);
  if ('bvh' in surface && surface.bvh.faceCount !== mesh.faces.length / 3) {
    throw new InputError(name, `the BVH indexes ${surface.bvh.faceCount} faces but the mesh has ${mesh.faces.length / 3}; build the BVH on this mesh's untransformed vertices`);
  }
  if (gtPoints.length % 3 !== 0) throw new InputError(name, `GT point array length ${gtPoints.length} is not a multiple of 3`);
  const n = gtPoints.length / 3;
  if (n === 0) throw new InputError(name, 'there are no GT points to align to');
  const bad = firstNonFinite(gtPoints);
  if (bad >= 0) throw new InputError(name, `GT point ${Math.floor(bad / 3)} has a non-finite coordinate (${gtPoints[bad]})`);
  validateInitialTransform(init, name);
  const bvh = 'bvh' in surface ? surface.bvh : TriangleBVH.build(mesh.positions, mesh.faces);
  const faceNormals = unitFaceNormals(mesh);
  // Queries in Morton order hit the same BVH nodes one after another (≈1.5x faster passes);
  // the per-point correspondences, when asked for, are returned in input order.
  const order = options.order ?? mortonOrder(gtPoints);
  if (options.order) checkPermutation(order, n, name);
  const points = gatherPoints(gtPoints, order);
  const settings: LoopSettings = {
    rigid: mode === 'rigid',
    maxIterations,
    relativeTolerance,
    maxDistance,
    exactFitMsd: (EXACT_FIT_RATIO * boundingDiagonal(points)) ** 2,
    minInliers: 1,
  };
  let transform = cloneTransform(init);
  transform.rotation = projectToOrthogonal(transform.rotation);

  const levels = subsample > 0 && n > subsample ? subsampleLevels(n, subsample) : [];
  // Announce the passes' queries, so that the BVH builds its candidate grid when they are many.
  bvh.expectQueries(levels.length > 0 ? n + EXPECTED_PASSES * levels.reduce((sum, count) => sum + count, 0) : EXPECTED_PASSES * n);
  if (levels.length > 0) {
    const history: number[] = [];
    let iterations = 0;
    let converged = false;
    let fitted = true;
    let subsetHints: Int32Array = new Int32Array(0);
    let fineLevel: Correspondences | undefined;
    for (let l = 0; l < levels.length; l++) {
      const last = l === levels.length - 1;
      const level = stridedPoints(points, levels[l]);
      const run = refine(level, bvh, faceNormals, transform, {
        ...settings,
        maxIterations: maxIterations - iterations,
        relativeTolerance: last ? relativeTolerance : COARSE_TOLERANCE_FACTOR * relativeTolerance,
        minInliers: MIN_SUBSET_INLIERS,
      });
      if (!run) {
        // Too few of the subset's points near the surface to fit on: a coarse level is
        // skipped (the next subset is larger); at the fine level, every point is fitted.
        if (!last) continue;
        fitted = false;
        break;
      }
      transform = run.transform;
      subsetHints = run.hints;
      fineLevel = run.current;
      iterations += run.iterations;
      converged = run.converged;
      for (let k = history.length === 0 ? 0 : 1; k < run.history.length; k++) history.push(run.history[k]);
    }
    if (fitted && fineLevel) {
      // The final pass over every point, at the fine level's transform: rmse, the inliers
      // and the metrics' closest points. The fine level's own points were just evaluated at
      // this very transform, so their correspondences are copied rather than searched again.
      const current = allocateCorrespondences(n);
      const hints = spreadHints(subsetHints, n);
      evaluatePass(points, bvh, transform, maxDistance, hints, createClosestPointResult(), new Float64Array(12), current, fineLevel);
      if (current.inliers > 0) {
        // The last entry is the objective over every point.
        history[history.length - 1] = current.objective;
        const meanSquaredDistance = current.inlierSum / current.inliers;
        const solution: ICPSolution = {
          transform,
          iterations,
          converged,
          rmse: Math.sqrt(meanSquaredDistance),
          meanSquaredDistance,
          inlierFraction: current.inliers / n,
          history,
        };
        if (options.correspondences) solution.correspondences = finalCorrespondences(points, order, current, transform, bvh, hints, new Float64Array(12));
        return solution;
      }
    }
    transform = cloneTransform(init);
    transform.rotation = projectToOrthogonal(transform.rotation);
  }

  const run = refine(points, bvh, faceNormals, transform, settings);
  if (!run) {
    const nearest = nearestDistance(points, bvh, transform);
    throw new InputError(
      name,
      `no GT point lies within ${maxDistance} mm of the initially aligned mesh (the nearest is ${nearest.toFixed(1)} mm away): ` +
        'the initial alignment is off by more than maxCorrespondenceDistance; check the landmarks and the length units of both inputs',
    );
  }
  const current = run.current;
  const meanSquaredDistance = current.inlierSum / current.inliers;
  const solution: ICPSolution = {
    transform: run.transform,
    iterations: run.iterations,
    converged: run.converged,
    rmse: Math.sqrt(meanSquaredDistance),
    meanSquaredDistance,
    inlierFraction: current.inliers / n,
    history: run.history,
  };
  if (options.correspondences) solution.correspondences = finalCorrespondences(points, order, current, run.transform, bvh, run.hints, new Float64Array(12));
  return solution;
}


/** Per-point search hints for all n points (Morton order) from those of the strided subset. */
function spreadHints(subsetHints: Int32Array, n: number): Int32Array {
  const subset = subsetHints.length;
  const hints = new Int32Array(n);
  for (let j = 0; j < n; j++) hints[j] = subsetHints[Math.floor((j * subset) / n)];
  return hints;
}

/**
 * Closest-point passes per point set that ICP announces to the BVH ({@link TriangleBVH.expectQueries}):
 * a low estimate (the NeRSemble bench takes 5–7 per level), plus the final pass over every point.
 */
const EXPECTED_PASSES = 4;
/** The coarse levels' stopping tolerance, relative to `relativeTolerance`. */
const COARSE_TOLERANCE_FACTOR = 100;
/** Coarse level size relative to the fine subsample. */
const COARSE_FRACTION = 8;
/** Fewest inliers a subset needs to be fitted on; with fewer, every point is used. */
const MIN_SUBSET_INLIERS = 100;

/** Point counts of the coarse-to-fine levels for n > subsample points: ⌈subsample/8⌉ (when ≥ 100), then subsample. */
function subsampleLevels(n: number, subsample: number): number[] {
  const coarse = Math.ceil(subsample / COARSE_FRACTION);
  return coarse >= MIN_SUBSET_INLIERS && coarse < subsample ? [coarse, subsample] : [Math.min(n, subsample)];
}

/** Index among n points of entry k of the strided subset of `count` points: ⌊k·n/count⌋ (distinct for count ≤ n). */
function stridedIndex(k: number, n: number, count: number): number {
  return Math.floor((k * n) / count);
}

/** `count` points taken at the even stride n/count from xyz-interleaved `points` (Morton order: spatially even). */
function stridedPoints(points: Float64Array, count: number): Float64Array {
  const n = points.length / 3;
  const out = new Float64Array(3 * count);
  for (let k = 0; k < count; k++) {
    const j = 3 * stridedIndex(k, n, count);
    out[3 * k] = points[j];
    out[3 * k + 1] = points[j + 1];
    out[3 * k + 2] = points[j + 2];
  }
  return out;
}

/** What the iteration needs besides the points, the surface and the start. */
interface LoopSettings {
  rigid: boolean;
  maxIterations: number;
  relativeTolerance: number;
  maxDistance: number;
  /** Inlier mean squared distance at or below which the fit is exact, mm². */
  exactFitMsd: number;
  /** Fewest inliers at the start to iterate at all (1 on every point; MIN_SUBSET_INLIERS on a subset). */
  minInliers: number;
}

/** The outcome of {@link refine} on one point set. */
interface LoopResult {
  transform: SimilarityTransform;
  iterations: number;
  converged: boolean;
  history: number[];
  /** Correspondences at `transform`. */
  current: Correspondences;
  /** Last face found per point. */
  hints: Int32Array;
}

/**
 * Closest points of all `points` (GT frame) against T(M), written into `out`: the BVH is on
 * the untransformed mesh, so each point is mapped by T⁻¹ (`toMesh`, scratch) instead.
 * `known`: the correspondences of the strided subset of `points` (see {@link stridedPoints})
 * at this same transform, copied instead of searched again.
 */
function evaluatePass(
  points: Float64Array, bvh: TriangleBVH, t: SimilarityTransform, maxDistance: number,
  hints: Int32Array, hit: ClosestPointResult, toMesh: Float64Array, out: Correspondences,
  known?: Correspondences,
): void {
  const n = points.length / 3;
  inverseMap(t, toMesh);
  const m00 = toMesh[0], m01 = toMesh[1], m02 = toMesh[2];
  const m10 = toMesh[3], m11 = toMesh[4], m12 = toMesh[5];
  const m20 = toMesh[6], m21 = toMesh[7], m22 = toMesh[8];
  const b0 = toMesh[9], b1 = toMesh[10], b2 = toMesh[11];
  const inv = 1 / t.scale;
  const meshMaxSq = maxDistance === Infinity ? Infinity : (maxDistance * inv) ** 2;
  const s2 = t.scale * t.scale;
  const closest = out.closest;
  const face = out.face;
  const distanceSq = out.distanceSq;
  let inliers = 0;
  let sum = 0;
  // The next known point: subset entry k sits at stridedIndex(k, n, count).
  const knownCount = known ? known.face.length : 0;
  let k = 0;
  let nextKnown = knownCount > 0 ? 0 : -1;
  for (let i = 0; i < n; i++) {
    if (i === nextKnown) {
      const f = known!.face[k];
      face[i] = f;
      if (f >= 0) {
        hints[i] = f;
        closest[3 * i] = known!.closest[3 * k];
        closest[3 * i + 1] = known!.closest[3 * k + 1];
        closest[3 * i + 2] = known!.closest[3 * k + 2];
        const d2 = known!.distanceSq[k];
        distanceSq[i] = d2;
        sum += d2;
        inliers++;
      }
      k++;
      nextKnown = k < knownCount ? stridedIndex(k, n, knownCount) : -1;
      continue;
    }
    const px = points[3 * i], py = points[3 * i + 1], pz = points[3 * i + 2];
    const qx = m00 * px + m01 * py + m02 * pz + b0;
    const qy = m10 * px + m11 * py + m12 * pz + b1;
    const qz = m20 * px + m21 * py + m22 * pz + b2;
    if (bvh.closestPoint(qx, qy, qz, hit, meshMaxSq, hints[i]) && hit.distanceSq <= meshMaxSq) {
      hints[i] = hit.face;
      face[i] = hit.face;
      closest[3 * i] = hit.x;
      closest[3 * i + 1] = hit.y;
      closest[3 * i + 2] = hit.z;
      const d2 = hit.distanceSq * s2;
      distanceSq[i] = d2;
      sum += d2;
      inliers++;
    } else {
      face[i] = -1;
    }
  }
  out.inliers = inliers;
  out.inlierSum = sum;
  out.objective = maxDistance === Infinity ? sum / n : (sum + (n - inliers) * maxDistance * maxDistance) / n;
}

/** Scratch of the Gauss–Newton system, allocated once per {@link refine}. */
interface NormalSystem {
  dims: number;
  normal: Float64Array;
  rhs: Float64Array;
  step: Float64Array;
  row: Float64Array;
  /** Inlier centroid (x, y, z) and 1/RMS radius of the linearisation. */
  frame: Float64Array;
}

/**
 * The Gauss–Newton step at `transform` from the correspondences `current` of `points`,
 * written to `system.step` (and the linearisation's centroid and 1/radius to `system.frame`).
 */
function gaussNewtonStep(points: Float64Array, current: Correspondences, transform: SimilarityTransform, faceNormals: Float64Array, rigid: boolean, system: NormalSystem): void {
  const n = points.length / 3;
  const { dims, normal, rhs, row } = system;
  const s = transform.scale;
  const r = transform.rotation;
  const t = transform.translation;
  const closest = current.closest;
  const face = current.face;
  const distanceSq = current.distanceSq;
  let gx = 0, gy = 0, gz = 0;
  for (let i = 0; i < n; i++) {
    if (face[i] < 0) continue;
    const cx = closest[3 * i], cy = closest[3 * i + 1], cz = closest[3 * i + 2];
    gx += s * (r[0] * cx + r[1] * cy + r[2] * cz) + t[0];
    gy += s * (r[3] * cx + r[4] * cy + r[5] * cz) + t[1];
    gz += s * (r[6] * cx + r[7] * cy + r[8] * cz) + t[2];
  }
  const count = current.inliers;
  gx /= count;
  gy /= count;
  gz /= count;
  let radiusSq = 0;
  for (let i = 0; i < n; i++) {
    if (face[i] < 0) continue;
    const cx = closest[3 * i], cy = closest[3 * i + 1], cz = closest[3 * i + 2];
    const wx = s * (r[0] * cx + r[1] * cy + r[2] * cz) + t[0] - gx;
    const wy = s * (r[3] * cx + r[4] * cy + r[5] * cz) + t[1] - gy;
    const wz = s * (r[6] * cx + r[7] * cy + r[8] * cz) + t[2] - gz;
    radiusSq += wx * wx + wy * wy + wz * wz;
  }
  const radius = radiusSq > 0 ? Math.sqrt(radiusSq / count) : 1;
  const invRadius = 1 / radius;
  // Directions shorter than this are rounding noise: use the face normal instead.
  const directionFloorSq = (1e-9 * radius) ** 2;

  normal.fill(0);
  rhs.fill(0);
  for (let i = 0; i < n; i++) {
    const f = face[i];
    if (f < 0) continue;
    const cmx = closest[3 * i], cmy = closest[3 * i + 1], cmz = closest[3 * i + 2];
    const cx = s * (r[0] * cmx + r[1] * cmy + r[2] * cmz) + t[0];
    const cy = s * (r[3] * cmx + r[4] * cmy + r[5] * cmz) + t[1];
    const cz = s * (r[6] * cmx + r[7] * cmy + r[8] * cmz) + t[2];
    const px = points[3 * i], py = points[3 * i + 1], pz = points[3 * i + 2];
    let ux: number, uy: number, uz: number;
    let residual: number;
    const d2 = distanceSq[i];
    if (d2 > directionFloorSq) {
      // Direction of the distance gradient: ± the face normal inside a face, the
      // edge/vertex direction otherwise, so the step follows the true distance. (Face
      // normals for points beyond the mesh border model a different objective and
      // stall the monotone iteration early.)
      const d = Math.sqrt(d2);
      ux = (px - cx) / d;
      uy = (py - cy) / d;
      uz = (pz - cz) / d;
      residual = -d;
    } else {
      const nx = faceNormals[3 * f], ny = faceNormals[3 * f + 1], nz = faceNormals[3 * f + 2];
      ux = r[0] * nx + r[1] * ny + r[2] * nz;
      uy = r[3] * nx + r[4] * ny + r[5] * nz;
      uz = r[6] * nx + r[7] * ny + r[8] * nz;
      residual = ux * (cx - px) + uy * (cy - py) + uz * (cz - pz);
    }
    const ax = (cx - gx) * invRadius, ay = (cy - gy) * invRadius, az = (cz - gz) * invRadius;
    // ∂residual/∂(ω·radius, τ, σ·radius).
    row[0] = ay * uz - az * uy;
    row[1] = az * ux - ax * uz;
    row[2] = ax * uy - ay * ux;
    row[3] = ux;
    row[4] = uy;
    row[5] = uz;
    if (!rigid) row[6] = ax * ux + ay * uy + az * uz;
    for (let a = 0; a < dims; a++) {
      const ra = row[a];
      rhs[a] -= ra * residual;
      for (let b = a; b < dims; b++) normal[a * dims + b] += ra * row[b];
    }
  }
  solveSymmetric(normal, rhs, dims, system.step);
  system.frame[0] = gx;
  system.frame[1] = gy;
  system.frame[2] = gz;
  system.frame[3] = invRadius;
}

/**
 * The monotone Gauss–Newton iteration on one point set (see {@link icp}) from `init`; null
 * when no point lies within the correspondence distance of the initially aligned mesh.
 */
function refine(
  points: Float64Array, bvh: TriangleBVH, faceNormals: Float64Array, init: SimilarityTransform, settings: LoopSettings,
): LoopResult | null {
  const n = points.length / 3;
  const hints = new Int32Array(n).fill(-1);
  const { rigid, maxIterations, relativeTolerance, maxDistance, exactFitMsd } = settings;
  const dims = rigid ? 6 : 7;
  let transform = init;
  let current = allocateCorrespondences(n);
  // Allocated on the first step (a pass-only call, maxIterations 0, never needs it).
  let trial: Correspondences | undefined;
  const hit = createClosestPointResult();
  const toMesh = new Float64Array(12);

  evaluatePass(points, bvh, transform, maxDistance, hints, hit, toMesh, current);
  if (current.inliers < settings.minInliers) return null;
  const history = [current.objective];
  const system: NormalSystem = {
    dims,
    normal: new Float64Array(dims * dims),
    rhs: new Float64Array(dims),
    step: new Float64Array(dims),
    row: new Float64Array(dims),
    frame: new Float64Array(4),
  };
  const deltaR = new Float64Array(9);

  let iterations = 0;
  let converged = false;
  if (current.inlierSum / current.inliers <= exactFitMsd) converged = true;

  while (!converged && iterations < maxIterations) {
    gaussNewtonStep(points, current, transform, faceNormals, rigid, system);
    const gx = system.frame[0], gy = system.frame[1], gz = system.frame[2], invRadius = system.frame[3];

    // Step with halving until the trimmed objective does not increase.
    let accepted: SimilarityTransform | null = null;
    let lambda = 1;
    for (let attempt = 0; attempt <= MAX_HALVINGS; attempt++, lambda *= 0.5) {
      const candidate = stepTransform(transform, system.step, lambda, invRadius, rigid, gx, gy, gz, deltaR);
      trial ??= allocateCorrespondences(n);
      evaluatePass(points, bvh, candidate, maxDistance, hints, hit, toMesh, trial);
      if (trial.inliers > 0 && trial.objective <= current.objective) {
        accepted = candidate;
        break;
      }
    }
    if (!accepted) {
      // No descent along the Gauss–Newton direction: a minimum to working precision.
      converged = true;
      break;
    }
    transform = accepted;
    const previousInlierSum = current.inlierSum;
    const swap = current;
    current = trial!;
    trial = swap;
    iterations++;
    const decrease = history[history.length - 1] - current.objective;
    history.push(current.objective);
    // Relative to the inliers' share of the objective, so that the constant D² of the
    // outliers does not dilute the test; without outliers this is the relative change of
    // the mean squared distance.
    const inlierShare = previousInlierSum / n;
    if (current.inlierSum / current.inliers <= exactFitMsd || decrease <= relativeTolerance * inlierShare) converged = true;
  }
  return { transform, iterations, converged, history, current, hints };
}

/** T⁻¹(p) = (1/s)·Rᵀ·(p − t) as M·p + b: `out` = M (3x3 rows), then b. */
function inverseMap(t: SimilarityTransform, out: Float64Array): void {
  const inv = 1 / t.scale;
  const r = t.rotation;
  const m00 = inv * r[0], m01 = inv * r[3], m02 = inv * r[6];
  const m10 = inv * r[1], m11 = inv * r[4], m12 = inv * r[7];
  const m20 = inv * r[2], m21 = inv * r[5], m22 = inv * r[8];
  const tx = t.translation[0], ty = t.translation[1], tz = t.translation[2];
  out[0] = m00; out[1] = m01; out[2] = m02;
  out[3] = m10; out[4] = m11; out[5] = m12;
  out[6] = m20; out[7] = m21; out[8] = m22;
  out[9] = -(m00 * tx + m01 * ty + m02 * tz);
  out[10] = -(m10 * tx + m11 * ty + m12 * tz);
  out[11] = -(m20 * tx + m21 * ty + m22 * tz);
}

/**
 * The correspondences of the last pass (`current`, evaluated at `t`), completed and taken to
 * the GT frame in input order: the inliers' closest points are already exact; the points
 * beyond the correspondence distance are queried once more without a limit. Distances in
 * the mesh frame are 1/s times those in the GT frame.
 */
function finalCorrespondences(
  points: Float64Array,
  order: Uint32Array,
  current: Correspondences,
  t: SimilarityTransform,
  bvh: TriangleBVH,
  hints: Int32Array,
  toMesh: Float64Array,
): ICPCorrespondences {
  const n = order.length;
  const out: ICPCorrespondences = { points: new Float64Array(3 * n), faces: new Int32Array(n), distances: new Float64Array(n) };
  inverseMap(t, toMesh);
  const m00 = toMesh[0], m01 = toMesh[1], m02 = toMesh[2];
  const m10 = toMesh[3], m11 = toMesh[4], m12 = toMesh[5];
  const m20 = toMesh[6], m21 = toMesh[7], m22 = toMesh[8];
  const b0 = toMesh[9], b1 = toMesh[10], b2 = toMesh[11];
  const s = t.scale;
  const r = t.rotation;
  const r00 = s * r[0], r01 = s * r[1], r02 = s * r[2];
  const r10 = s * r[3], r11 = s * r[4], r12 = s * r[5];
  const r20 = s * r[6], r21 = s * r[7], r22 = s * r[8];
  const tx = t.translation[0], ty = t.translation[1], tz = t.translation[2];
  const closest = current.closest;
  const face = current.face;
  const distanceSq = current.distanceSq;
  const hit = createClosestPointResult();
  const gtClosest = out.points;
  for (let j = 0; j < n; j++) {
    let cx: number, cy: number, cz: number, f: number, d: number;
    if (face[j] >= 0) {
      cx = closest[3 * j]; cy = closest[3 * j + 1]; cz = closest[3 * j + 2];
      f = face[j];
      d = Math.sqrt(distanceSq[j]);
    } else {
      const px = points[3 * j], py = points[3 * j + 1], pz = points[3 * j + 2];
      bvh.closestPoint(
        m00 * px + m01 * py + m02 * pz + b0,
        m10 * px + m11 * py + m12 * pz + b1,
        m20 * px + m21 * py + m22 * pz + b2,
        hit, Infinity, hints[j],
      );
      cx = hit.x; cy = hit.y; cz = hit.z;
      f = hit.face;
      d = Math.sqrt(hit.distanceSq) * s;
    }
    const i = order[j];
    gtClosest[3 * i] = r00 * cx + r01 * cy + r02 * cz + tx;
    gtClosest[3 * i + 1] = r10 * cx + r11 * cy + r12 * cz + ty;
    gtClosest[3 * i + 2] = r20 * cx + r21 * cy + r22 * cz + tz;
    out.faces[i] = f;
    out.distances[i] = d;
  }
  return out;
}

/**
 * Δ∘T with Δ(x) = e^{λσ}·exp([λω]×)·(x − g) + g + λτ, the update of the Gauss–Newton
 * solution `step` = (ω·radius, τ, σ·radius) scaled by λ. The exponential and Rodrigues'
 * formula agree with the linearisation to first order and keep s > 0 and R orthogonal.
 */
function stepTransform(
  transform: SimilarityTransform,
  step: Float64Array,
  lambda: number,
  invRadius: number,
  rigid: boolean,
  gx: number,
  gy: number,
  gz: number,
  deltaR: Float64Array,
): SimilarityTransform {
  const k = lambda * invRadius;
  rotationFromRotationVector(k * step[0], k * step[1], k * step[2], deltaR);
  const a = rigid ? 1 : Math.exp(k * step[6]);
  const rotation = projectToOrthogonal(mat3Multiply(deltaR, transform.rotation));
  const t = transform.translation;
  const dx = t[0] - gx, dy = t[1] - gy, dz = t[2] - gz;
  const translation = Float64Array.of(
    a * (deltaR[0] * dx + deltaR[1] * dy + deltaR[2] * dz) + gx + lambda * step[3],
    a * (deltaR[3] * dx + deltaR[4] * dy + deltaR[5] * dz) + gy + lambda * step[4],
    a * (deltaR[6] * dx + deltaR[7] * dy + deltaR[8] * dz) + gz + lambda * step[5],
  );
  return { scale: a * transform.scale, rotation, translation };
}

/** Unit normal of every face ((b − a) × (c − a), normalised; zero for degenerate faces). */
function unitFaceNormals(mesh: TriangleMesh): Float64Array {
  const pos = mesh.positions;
  const faces = mesh.faces;
  const out = new Float64Array(faces.length);
  for (let f = 0; f < faces.length; f += 3) {
    const a = 3 * faces[f], b = 3 * faces[f + 1], c = 3 * faces[f + 2];
    const e1x = pos[b] - pos[a], e1y = pos[b + 1] - pos[a + 1], e1z = pos[b + 2] - pos[a + 2];
    const e2x = pos[c] - pos[a], e2y = pos[c + 1] - pos[a + 1], e2z = pos[c + 2] - pos[a + 2];
    const nx = e1y * e2z - e1z * e2y;
    const ny = e1z * e2x - e1x * e2z;
    const nz = e1x * e2y - e1y * e2x;
    const len = Math.sqrt(nx * nx + ny * ny + nz * nz);
    if (len > 0) {
      out[f] = nx / len;
      out[f + 1] = ny / len;
      out[f + 2] = nz / len;
    }
  }
  return out;
}

/** Smallest GT-to-surface distance (for the error message), over at most ~1000 points. */
function nearestDistance(points: Float64Array, bvh: TriangleBVH, t: SimilarityTransform): number {
  const n = points.length / 3;
  const stride = Math.max(1, Math.floor(n / 1000));
  const hit = createClosestPointResult();
  const rt = mat3Transpose(t.rotation);
  let best = Infinity;
  for (let i = 0; i < n; i += stride) {
    const px = points[3 * i] - t.translation[0];
    const py = points[3 * i + 1] - t.translation[1];
    const pz = points[3 * i + 2] - t.translation[2];
    const qx = (rt[0] * px + rt[1] * py + rt[2] * pz) / t.scale;
    const qy = (rt[3] * px + rt[4] * py + rt[5] * pz) / t.scale;
    const qz = (rt[6] * px + rt[7] * py + rt[8] * pz) / t.scale;
    if (bvh.closestPoint(qx, qy, qz, hit)) best = Math.min(best, Math.sqrt(hit.distanceSq) * t.scale);
  }
  return best;
}

/** An InputError unless `order` lists each of 0 … n−1 once. */
function checkPermutation(order: Uint32Array, n: number, name: string): void {
  if (order.length !== n) throw new InputError(name, `the point order lists ${order.length} indices for ${n} GT points`);
  const seen = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const k = order[i];
    if (k >= n || seen[k] === 1) throw new InputError(name, `the point order is not a permutation of the ${n} GT points (index ${k} at ${i})`);
    seen[k] = 1;
  }
}

function validateInitialTransform(t: SimilarityTransform, name: string): void {
  if (!(t.scale > 0) || !Number.isFinite(t.scale)) {
    throw new InputError(name, `the initial transform has scale ${t.scale}; it must be a finite positive number`);
  }
  if (t.rotation.length !== 9 || t.translation.length !== 3) {
    throw new InputError(name, 'the initial transform needs a 3x3 rotation (9 values) and a 3-vector translation');
  }
  if (firstNonFinite(t.rotation) >= 0 || firstNonFinite(t.translation) >= 0) {
    throw new InputError(name, 'the initial transform has a non-finite rotation or translation entry');
  }
  const rtr = mat3Multiply(mat3Transpose(t.rotation), t.rotation);
  let dev = 0;
  for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) dev = Math.max(dev, Math.abs(rtr[3 * i + j] - (i === j ? 1 : 0)));
  if (dev > 1e-6 || !(Math.abs(mat3Determinant(t.rotation)) > 0)) {
    throw new InputError(name, `the initial rotation is not orthogonal (RᵀR deviates from I by ${dev.toExponential(2)}); pass s·R with R a rotation`);
  }
}
