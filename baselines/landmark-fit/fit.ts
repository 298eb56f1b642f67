/**
 * 3DMM fitting to 2D landmarks (Blanz & Vetter, "A Morphable Model for the Synthesis of 3D
 * Faces", SIGGRAPH 1999; the landmark-only variant used to initialise most 3DMM trackers):
 *
 *   min over R, t, f, a, e of  Σ_l w_l ‖π_f(R·L_l(a, e) + t) − u_l‖²  +  λ_id‖a‖²  +  λ_exp‖e‖²  +  λ_f·log²(f/f₀)
 *
 * with L(a, e) the model's landmarks (landmark-basis.ts), π_f the pinhole projection with
 * focal f and a fixed principal point, identity coefficients a ~ N(0, 1) (so λ_id is the
 * landmark noise variance in px² for a MAP estimate) and optionally e projected onto [0, 1].
 * Solved by Levenberg–Marquardt (Marquardt's diagonal scaling) with analytic Jacobians;
 * rotations are updated multiplicatively, R ← exp([δω]×)·R, so du/dδω = (R·X) × ∂u/∂Y.
 * Stage 1 fits the pose to the mean shape (weak-perspective start, camera-init.ts), stage 2
 * fits everything.
 */
import type { LandmarkBasis } from './landmark-basis.js';
import { evaluateLandmarks } from './landmark-basis.js';
import { weakPerspectivePose, type PinholeIntrinsics } from './camera-init.js';
import { accumulateNormalEquations, mat3Multiply, rotationFromRotationVector, solveLDLT } from '../../evaluators/alignment/index.js';

export interface LandmarkFitOptions {
  /** Principal point (cx, cy), pixels. */
  principalPoint: [number, number];
  /** Focal length, pixels: the start value (and the prior's centre) when fitted, else fixed. */
  focal: number;
  /** Fit the focal length (default true). */
  fitFocal?: boolean;
  /** Weight of ‖a‖² (px²; default 1). */
  lambdaIdentity?: number;
  /** Weight of ‖e‖² (px²; default 1). */
  lambdaExpression?: number;
  /** Weight of log²(f/f₀) (px²; default 0). */
  lambdaFocal?: number;
  /** Project the expression coefficients onto [0, 1] (blendshape models; default false). */
  expressionBox?: boolean;
  /** Levenberg–Marquardt iterations of the full fit (default 50). */
  maxIterations?: number;
  /** Iterations of the rigid pose-only stage (default 10). */
  rigidIterations?: number;
  /** Stop when the cost decreases by less than this fraction (default 1e-8). */
  tolerance?: number;
  /** Per-landmark weights (L values); 0 or a NaN observation drops the landmark. */
  weights?: Float64Array;
}

export interface LandmarkFit {
  identity: Float64Array;
  expression: Float64Array;
  /** Model to camera rotation (row-major) and translation (mm): x_cam = R·x + t. */
  rotation: Float64Array;
  translation: Float64Array;
  camera: PinholeIntrinsics;
  /** Landmark positions of the fitted shape, model frame, mm (3L). */
  landmarks: Float64Array;
  /** Root mean square reprojection error over the used landmarks, pixels. */
  rmsPixels: number;
  /** Final value of the objective. */
  cost: number;
  /** Levenberg–Marquardt iterations of the full stage. */
  iterations: number;
  converged: boolean;
}

interface State {
  R: Float64Array;
  t: Float64Array;
  logFocal: number;
  a: Float64Array;
  e: Float64Array;
}

interface Problem {
  basis: LandmarkBasis;
  observed: Float64Array;
  sqrtW: Float64Array;
  cx: number;
  cy: number;
  lambdaId: number;
  lambdaExp: number;
  lambdaFocal: number;
  logFocal0: number;
  box: boolean;
}

function cloneState(s: State): State {
  return { R: Float64Array.from(s.R), t: Float64Array.from(s.t), logFocal: s.logFocal, a: Float64Array.from(s.a), e: Float64Array.from(s.e) };
}

/** Which parameter blocks are free, and their column offsets. */
interface Columns {
  n: number;
  focal: number;
  a: number;
  e: number;
}

function columns(basis: LandmarkBasis, fitFocal: boolean, shape: boolean): Columns {
  let n = 6;
  const focal = fitFocal ? n++ : -1;
  const a = shape ? n : -1;
  if (shape) n += basis.identityCount;
  const e = shape ? n : -1;
  if (shape) n += basis.expressionCount;
  return { n, focal, a, e };
}

/** Objective value, and the weighted reprojection residuals (2L) written to r. */
function objective(p: Problem, s: State, X: Float64Array, r: Float64Array): number {
  evaluateLandmarks(p.basis, s.a, s.e, X);
  const R = s.R, t = s.t, f = Math.exp(s.logFocal);
  let cost = 0;
  for (let l = 0; l < p.basis.count; l++) {
    const w = p.sqrtW[l];
    if (w === 0) {
      r[2 * l] = 0;
      r[2 * l + 1] = 0;
      continue;
    }
    const x = X[3 * l], y = X[3 * l + 1], z = X[3 * l + 2];
    const Yx = R[0] * x + R[1] * y + R[2] * z + t[0];
    const Yy = R[3] * x + R[4] * y + R[5] * z + t[1];
    const Yz = R[6] * x + R[7] * y + R[8] * z + t[2];
    const ru = w * ((f * Yx) / Yz + p.cx - p.observed[2 * l]);
    const rv = w * ((f * Yy) / Yz + p.cy - p.observed[2 * l + 1]);
    r[2 * l] = ru;
    r[2 * l + 1] = rv;
    cost += ru * ru + rv * rv;
  }
  for (let k = 0; k < s.a.length; k++) cost += p.lambdaId * s.a[k] * s.a[k];
  for (let j = 0; j < s.e.length; j++) cost += p.lambdaExp * s.e[j] * s.e[j];
  const df = s.logFocal - p.logFocal0;
  return cost + p.lambdaFocal * df * df;
}

/** Jacobian (2L × n, row-major) of the weighted residuals at state s (X = its landmarks). */
function jacobian(p: Problem, s: State, X: Float64Array, c: Columns, J: Float64Array): void {
  J.fill(0);
  const R = s.R, t = s.t, f = Math.exp(s.logFocal);
  const L = p.basis.count, n3 = 3 * L;
  const { identity, expression, identityCount: K, expressionCount: E } = p.basis;
  const P = new Float64Array(3);
  const q = new Float64Array(3);
  for (let l = 0; l < L; l++) {
    const w = p.sqrtW[l];
    if (w === 0) continue;
    const x = X[3 * l], y = X[3 * l + 1], z = X[3 * l + 2];
    const wx = R[0] * x + R[1] * y + R[2] * z, wy = R[3] * x + R[4] * y + R[5] * z, wz = R[6] * x + R[7] * y + R[8] * z;
    const Yx = wx + t[0], Yy = wy + t[1], Yz = wz + t[2];
    const iz = 1 / Yz;
    for (let row = 0; row < 2; row++) {
      // ∂u/∂Y (row 0) or ∂v/∂Y (row 1), times the landmark's weight.
      const Ya = row === 0 ? Yx : Yy;
      P[0] = row === 0 ? w * f * iz : 0;
      P[1] = row === 0 ? 0 : w * f * iz;
      P[2] = -w * f * Ya * iz * iz;
      const o = (2 * l + row) * c.n;
      // δω: (R·X) × P ; δt: P.
      J[o] = wy * P[2] - wz * P[1];
      J[o + 1] = wz * P[0] - wx * P[2];
      J[o + 2] = wx * P[1] - wy * P[0];
      J[o + 3] = P[0];
      J[o + 4] = P[1];
      J[o + 5] = P[2];
      if (c.focal >= 0) J[o + c.focal] = w * f * Ya * iz;
      if (c.a < 0) continue;
      // Coefficients: (Rᵀ·P) · basis_k,l.
      q[0] = R[0] * P[0] + R[3] * P[1] + R[6] * P[2];
      q[1] = R[1] * P[0] + R[4] * P[1] + R[7] * P[2];
      q[2] = R[2] * P[0] + R[5] * P[1] + R[8] * P[2];
      for (let k = 0, b = 3 * l; k < K; k++, b += n3) J[o + c.a + k] = q[0] * identity[b] + q[1] * identity[b + 1] + q[2] * identity[b + 2];
      for (let j = 0, b = 3 * l; j < E; j++, b += n3) J[o + c.e + j] = q[0] * expression[b] + q[1] * expression[b + 1] + q[2] * expression[b + 2];
    }
  }
}

/** Apply the step δ (columns c) to s, writing the result into out. */
function stepState(p: Problem, s: State, delta: Float64Array, c: Columns, out: State, scratch: Float64Array): void {
  rotationFromRotationVector(delta[0], delta[1], delta[2], scratch);
  mat3Multiply(scratch, s.R, out.R);
  for (let i = 0; i < 3; i++) out.t[i] = s.t[i] + delta[3 + i];
  out.logFocal = c.focal >= 0 ? s.logFocal + delta[c.focal] : s.logFocal;
  for (let k = 0; k < s.a.length; k++) out.a[k] = c.a >= 0 ? s.a[k] + delta[c.a + k] : s.a[k];
  for (let j = 0; j < s.e.length; j++) {
    let v = c.e >= 0 ? s.e[j] + delta[c.e + j] : s.e[j];
    if (p.box) v = Math.min(1, Math.max(0, v));
    out.e[j] = v;
  }
}

/** Levenberg–Marquardt on the free blocks `c`; returns the iterations used and whether it converged. */
function levenbergMarquardt(p: Problem, state: State, c: Columns, maxIterations: number, tolerance: number): { iterations: number; converged: boolean; cost: number } {
  const L = p.basis.count;
  const n = c.n;
  const X = new Float64Array(3 * L);
  const r = new Float64Array(2 * L);
  const J = new Float64Array(2 * L * n);
  const H = new Float64Array(n * n);
  const A = new Float64Array(n * n);
  const g = new Float64Array(n);
  const delta = new Float64Array(n);
  const scratch = new Float64Array(9);
  const trial = cloneState(state);
  let cost = objective(p, state, X, r);
  let mu = 1e-3;
  let iterations = 0;
  let converged = false;
  while (iterations < maxIterations && !converged) {
    iterations++;
    objective(p, state, X, r);
    jacobian(p, state, X, c, J);
    // H = JᵀJ + regulariser Hessian, g = Jᵀr + regulariser gradient.
    H.fill(0);
    g.fill(0);
    accumulateNormalEquations(J, r, 0, 2 * L, n, H, g);
    if (c.focal >= 0) {
      H[c.focal * n + c.focal] += p.lambdaFocal;
      g[c.focal] += p.lambdaFocal * (state.logFocal - p.logFocal0);
    }
    if (c.a >= 0) {
      for (let k = 0; k < state.a.length; k++) {
        H[(c.a + k) * n + c.a + k] += p.lambdaId;
        g[c.a + k] += p.lambdaId * state.a[k];
      }
      for (let j = 0; j < state.e.length; j++) {
        H[(c.e + j) * n + c.e + j] += p.lambdaExp;
        g[c.e + j] += p.lambdaExp * state.e[j];
      }
    }
    for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) H[i * n + j] = H[j * n + i];
    // Expressions held at a bound of the box by a gradient pointing out of it are fixed for this
    // iteration (the active set of projected Newton methods, Bertsekas 1982): their rows and
    // columns drop out, so the step of the other parameters is not spoiled by the projection.
    if (p.box && c.e >= 0) {
      for (let j = 0; j < state.e.length; j++) {
        const col = c.e + j;
        const v = state.e[j];
        if (!((v <= 0 && g[col] > 0) || (v >= 1 && g[col] < 0))) continue;
        for (let i = 0; i < n; i++) {
          H[i * n + col] = 0;
          H[col * n + i] = 0;
        }
        H[col * n + col] = 1;
        g[col] = 0;
      }
    }
    // Damped steps until one lowers the cost.
    let accepted = false;
    for (let attempt = 0; attempt < 12 && !accepted; attempt++) {
      A.set(H);
      for (let i = 0; i < n; i++) A[i * n + i] += mu * Math.max(H[i * n + i], 1e-12);
      for (let i = 0; i < n; i++) delta[i] = -g[i];
      if (!solveLDLT(A, delta, n, delta)) {
        mu *= 10;
        continue;
      }
      stepState(p, state, delta, c, trial, scratch);
      const trialCost = objective(p, trial, X, r);
      if (Number.isFinite(trialCost) && trialCost <= cost) {
        const decrease = cost - trialCost;
        state.R.set(trial.R);
        state.t.set(trial.t);
        state.logFocal = trial.logFocal;
        state.a.set(trial.a);
        state.e.set(trial.e);
        converged = decrease <= tolerance * cost || trialCost < 1e-24;
        cost = trialCost;
        mu = Math.max(mu / 10, 1e-12);
        accepted = true;
      } else {
        mu *= 10;
      }
    }
    if (!accepted) converged = true; // no descent direction left at this damping range: a (local) minimum
  }
  return { iterations, converged, cost };
}

/**
 * Fit a linear model's landmarks (basis) to 2D landmarks `observed` (2L values, pixels; NaN
 * for a missing landmark). Returns coefficients, pose, camera and the reprojection error.
 */
export function fitLandmarks(basis: LandmarkBasis, observed: Float64Array, options: LandmarkFitOptions): LandmarkFit {
  const L = basis.count;
  if (observed.length !== 2 * L) throw new Error(`expected ${L} 2D landmarks (${2 * L} values), got ${observed.length} values`);
  if (!(options.focal > 0)) throw new Error(`focal length must be a positive number of pixels, got ${options.focal}`);
  const sqrtW = new Float64Array(L);
  for (let l = 0; l < L; l++) {
    const w = options.weights ? options.weights[l] : 1;
    const finite = Number.isFinite(observed[2 * l]) && Number.isFinite(observed[2 * l + 1]);
    sqrtW[l] = finite && w > 0 ? Math.sqrt(w) : 0;
  }
  const obs = Float64Array.from(observed, (v) => (Number.isFinite(v) ? v : 0));
  const [cx, cy] = options.principalPoint;
  const p: Problem = {
    basis, observed: obs, sqrtW, cx, cy,
    lambdaId: options.lambdaIdentity ?? 1,
    lambdaExp: options.lambdaExpression ?? 1,
    lambdaFocal: options.lambdaFocal ?? 0,
    logFocal0: Math.log(options.focal),
    box: options.expressionBox ?? false,
  };
  const weights = sqrtW.map((v) => v * v);
  const camera0 = { focal: options.focal, cx, cy };
  const pose = weakPerspectivePose(basis.mean, obs, camera0, weights);
  const state: State = {
    R: pose.rotation, t: pose.translation, logFocal: p.logFocal0,
    a: new Float64Array(basis.identityCount), e: new Float64Array(basis.expressionCount),
  };
  const tolerance = options.tolerance ?? 1e-8;
  levenbergMarquardt(p, state, columns(basis, false, false), options.rigidIterations ?? 10, tolerance);
  const full = levenbergMarquardt(p, state, columns(basis, options.fitFocal ?? true, true), options.maxIterations ?? 50, tolerance);
  const X = new Float64Array(3 * L);
  const r = new Float64Array(2 * L);
  objective(p, state, X, r);
  let sq = 0, used = 0;
  for (let l = 0; l < L; l++) {
    if (sqrtW[l] === 0) continue;
    used++;
    sq += (r[2 * l] ** 2 + r[2 * l + 1] ** 2) / (sqrtW[l] * sqrtW[l]);
  }
  return {
    identity: state.a,
    expression: state.e,
    rotation: state.R,
    translation: state.t,
    camera: { focal: options.fitFocal ?? true ? Math.exp(state.logFocal) : options.focal, cx, cy },
    landmarks: X,
    rmsPixels: Math.sqrt(sq / Math.max(1, used)),
    cost: full.cost,
    iterations: full.iterations,
    converged: full.converged,
  };
}
