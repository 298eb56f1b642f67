/**
 * Small dense float64 linear algebra on flat row-major Float64Arrays: what the alignment
 * code needs and nothing more. 3x3 products, symmetric eigen-decomposition (cyclic Jacobi),
 * 3x3 SVD (one-sided Jacobi), small symmetric solves (LDLᵀ with a pseudo-inverse fallback),
 * Rodrigues rotations and projection onto the rotation group.
 *
 * Matrices are row-major: entry (i, j) of an n×n matrix is `m[i * n + j]`. Functions that
 * take an optional `out` write into it and return it; `out` may alias an input only where
 * the docstring says so.
 */

/** Machine epsilon of float64. */
const EPS = 2.220446049250313e-16;

/** The 3x3 identity, freshly allocated. */
export function mat3Identity(out: Float64Array = new Float64Array(9)): Float64Array {
  out.fill(0);
  out[0] = 1;
  out[4] = 1;
  out[8] = 1;
  return out;
}

/** a·b for 3x3 matrices. `out` may alias `a` or `b`. */
export function mat3Multiply(a: ArrayLike<number>, b: ArrayLike<number>, out: Float64Array = new Float64Array(9)): Float64Array {
  const a00 = a[0], a01 = a[1], a02 = a[2];
  const a10 = a[3], a11 = a[4], a12 = a[5];
  const a20 = a[6], a21 = a[7], a22 = a[8];
  const b00 = b[0], b01 = b[1], b02 = b[2];
  const b10 = b[3], b11 = b[4], b12 = b[5];
  const b20 = b[6], b21 = b[7], b22 = b[8];
  out[0] = a00 * b00 + a01 * b10 + a02 * b20;
  out[1] = a00 * b01 + a01 * b11 + a02 * b21;
  out[2] = a00 * b02 + a01 * b12 + a02 * b22;
  out[3] = a10 * b00 + a11 * b10 + a12 * b20;
  out[4] = a10 * b01 + a11 * b11 + a12 * b21;
  out[5] = a10 * b02 + a11 * b12 + a12 * b22;
  out[6] = a20 * b00 + a21 * b10 + a22 * b20;
  out[7] = a20 * b01 + a21 * b11 + a22 * b21;
  out[8] = a20 * b02 + a21 * b12 + a22 * b22;
  return out;
}

/** aᵀ for a 3x3 matrix. `out` may alias `a`. */
export function mat3Transpose(a: ArrayLike<number>, out: Float64Array = new Float64Array(9)): Float64Array {
  const a01 = a[1], a02 = a[2], a12 = a[5];
  out[0] = a[0];
  out[4] = a[4];
  out[8] = a[8];
  out[1] = a[3];
  out[2] = a[6];
  out[5] = a[7];
  out[3] = a01;
  out[6] = a02;
  out[7] = a12;
  return out;
}

/** det(a) of a 3x3 matrix (cofactor expansion along the first row). */
export function mat3Determinant(a: ArrayLike<number>): number {
  return (
    a[0] * (a[4] * a[8] - a[5] * a[7]) -
    a[1] * (a[3] * a[8] - a[5] * a[6]) +
    a[2] * (a[3] * a[7] - a[4] * a[6])
  );
}

/** a·v for a 3x3 matrix and a 3-vector. `out` may alias `v`. */
export function mat3MultiplyVec3(a: ArrayLike<number>, v: ArrayLike<number>, out: Float64Array = new Float64Array(3)): Float64Array {
  const x = v[0], y = v[1], z = v[2];
  out[0] = a[0] * x + a[1] * y + a[2] * z;
  out[1] = a[3] * x + a[4] * y + a[5] * z;
  out[2] = a[6] * x + a[7] * y + a[8] * z;
  return out;
}

/** Eigen-decomposition of a symmetric matrix: a = V·diag(values)·Vᵀ. */
export interface SymmetricEigen {
  /** Eigenvalues in descending order. */
  values: Float64Array;
  /** n×n row-major; column k is the unit eigenvector of `values[k]`. */
  vectors: Float64Array;
}

/**
 * Eigen-decomposition of a small symmetric n×n matrix by the cyclic Jacobi method
 * (Golub & Van Loan, "Matrix Computations", 4th ed., §8.5.2). Meant for n ≤ 8; only the
 * upper triangle of `a` is read. Eigenvalues come out in descending order with orthonormal
 * eigenvectors; the absolute error is a small multiple of ε·‖a‖_F.
 */
export function symmetricEigen(a: ArrayLike<number>, n: number): SymmetricEigen {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`symmetricEigen: n must be a positive integer, got ${n}`);
  if (a.length < n * n) throw new RangeError(`symmetricEigen: expected ${n * n} entries, got ${a.length}`);
  const w = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = i; j < n; j++) {
      w[i * n + j] = a[i * n + j];
      w[j * n + i] = a[i * n + j];
    }
  }
  const v = new Float64Array(n * n);
  for (let i = 0; i < n; i++) v[i * n + i] = 1;

  let frob = 0;
  for (let k = 0; k < n * n; k++) frob += w[k] * w[k];
  frob = Math.sqrt(frob);

  for (let sweep = 0; sweep < 64 && frob > 0; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += w[p * n + q] * w[p * n + q];
    if (Math.sqrt(2 * off) <= n * EPS * frob) break;
    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = w[p * n + q];
        if (apq === 0) continue;
        const app = w[p * n + p];
        const aqq = w[q * n + q];
        // Rotation angle that zeroes (p, q): tan θ = t, the smaller root of t² + 2ζt − 1 = 0.
        const zeta = (aqq - app) / (2 * apq);
        const t = (zeta >= 0 ? 1 : -1) / (Math.abs(zeta) + Math.sqrt(1 + zeta * zeta));
        const c = 1 / Math.sqrt(1 + t * t);
        const s = t * c;
        // W ← Jᵀ W J with J the Givens rotation in the (p, q) plane.
        for (let k = 0; k < n; k++) {
          const wkp = w[k * n + p];
          const wkq = w[k * n + q];
          w[k * n + p] = c * wkp - s * wkq;
          w[k * n + q] = s * wkp + c * wkq;
        }
        for (let k = 0; k < n; k++) {
          const wpk = w[p * n + k];
          const wqk = w[q * n + k];
          w[p * n + k] = c * wpk - s * wqk;
          w[q * n + k] = s * wpk + c * wqk;
        }
        w[p * n + q] = 0;
        w[q * n + p] = 0;
        for (let k = 0; k < n; k++) {
          const vkp = v[k * n + p];
          const vkq = v[k * n + q];
          v[k * n + p] = c * vkp - s * vkq;
          v[k * n + q] = s * vkp + c * vkq;
        }
      }
    }
  }

  // Sort descending (selection sort on the diagonal, swapping eigenvector columns along).
  const values = new Float64Array(n);
  for (let i = 0; i < n; i++) values[i] = w[i * n + i];
  for (let i = 0; i < n - 1; i++) {
    let best = i;
    for (let j = i + 1; j < n; j++) if (values[j] > values[best]) best = j;
    if (best !== i) {
      const tv = values[i];
      values[i] = values[best];
      values[best] = tv;
      for (let k = 0; k < n; k++) {
        const t = v[k * n + i];
        v[k * n + i] = v[k * n + best];
        v[k * n + best] = t;
      }
    }
  }
  return { values, vectors: v };
}

/** Singular value decomposition of a 3x3 matrix: a = U·diag(values)·Vᵀ. */
export interface SVD3 {
  /** 3x3 row-major orthogonal matrix; column k is the left singular vector k. */
  u: Float64Array;
  /** Singular values, non-negative and descending. */
  values: Float64Array;
  /** 3x3 row-major orthogonal matrix; column k is the right singular vector k. */
  v: Float64Array;
}

/**
 * SVD of a 3x3 matrix by one-sided Jacobi (Hestenes 1958; Demmel & Veselić, SIAM J. Matrix
 * Anal. Appl. 13(4), 1992): plane rotations applied on the right orthogonalise the columns
 * of a; the column norms are then the singular values and the rotations accumulate V.
 * Works directly on a (not on aᵀa), so small singular values keep their accuracy.
 * Left singular vectors of zero (or negligible, ≤ 1e-15·σ₁) singular values are completed
 * to an orthonormal basis; U and V are orthogonal with determinant ±1 each, and
 * det(U)·det(V) has the sign of det(a) whenever σ₃ is not negligible.
 */
export function svd3(a: ArrayLike<number>): SVD3 {
  // Work on columns: wc[k] = column k of the working matrix, stored column-major.
  const w = new Float64Array(9);
  for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) w[j * 3 + i] = a[i * 3 + j];
  const vc = new Float64Array(9); // V column-major
  vc[0] = 1;
  vc[4] = 1;
  vc[8] = 1;

  for (let sweep = 0; sweep < 40; sweep++) {
    let rotated = false;
    for (let p = 0; p < 2; p++) {
      for (let q = p + 1; q < 3; q++) {
        const P = 3 * p;
        const Q = 3 * q;
        const alpha = w[P] * w[P] + w[P + 1] * w[P + 1] + w[P + 2] * w[P + 2];
        const beta = w[Q] * w[Q] + w[Q + 1] * w[Q + 1] + w[Q + 2] * w[Q + 2];
        const gamma = w[P] * w[Q] + w[P + 1] * w[Q + 1] + w[P + 2] * w[Q + 2];
        if (gamma === 0 || Math.abs(gamma) <= EPS * Math.sqrt(alpha * beta)) continue;
        rotated = true;
        const zeta = (beta - alpha) / (2 * gamma);
        const t = (zeta >= 0 ? 1 : -1) / (Math.abs(zeta) + Math.sqrt(1 + zeta * zeta));
        const c = 1 / Math.sqrt(1 + t * t);
        const s = t * c;
        for (let k = 0; k < 3; k++) {
          const wp = w[P + k];
          const wq = w[Q + k];
          w[P + k] = c * wp - s * wq;
          w[Q + k] = s * wp + c * wq;
          const vp = vc[P + k];
          const vq = vc[Q + k];
          vc[P + k] = c * vp - s * vq;
          vc[Q + k] = s * vp + c * vq;
        }
      }
    }
    if (!rotated) break;
  }

  // Column norms, sorted descending.
  const norms = [0, 0, 0];
  for (let k = 0; k < 3; k++) norms[k] = Math.hypot(w[3 * k], w[3 * k + 1], w[3 * k + 2]);
  const order = [0, 1, 2].sort((i, j) => norms[j] - norms[i]);
  const values = new Float64Array(3);
  const u = new Float64Array(9);
  const v = new Float64Array(9);
  for (let k = 0; k < 3; k++) {
    const src = order[k];
    values[k] = norms[src];
    for (let i = 0; i < 3; i++) v[i * 3 + k] = vc[src * 3 + i];
  }

  // Left singular vectors: the first two normalised columns (re-orthogonalised), the third
  // their cross product with the sign of the third column. Vectors of negligible singular
  // values (≤ 1e-15·σ₁) are completed to an orthonormal basis instead.
  const tiny = values[0] * 1e-15;
  let rank = 0;
  for (let k = 0; k < 3; k++) if (values[k] > tiny) rank = k + 1;
  const c0 = new Float64Array(3);
  const c1 = new Float64Array(3);
  const c2 = new Float64Array(3);
  if (rank >= 1) {
    const s0 = 3 * order[0];
    c0[0] = w[s0] / values[0];
    c0[1] = w[s0 + 1] / values[0];
    c0[2] = w[s0 + 2] / values[0];
  } else {
    c0[0] = 1;
  }
  if (rank >= 2) {
    const s1 = 3 * order[1];
    c1[0] = w[s1];
    c1[1] = w[s1 + 1];
    c1[2] = w[s1 + 2];
    const d = c1[0] * c0[0] + c1[1] * c0[1] + c1[2] * c0[2];
    c1[0] -= d * c0[0];
    c1[1] -= d * c0[1];
    c1[2] -= d * c0[2];
  } else {
    // Any unit vector orthogonal to c0: cross with the axis least aligned with it.
    const ax = Math.abs(c0[0]), ay = Math.abs(c0[1]), az = Math.abs(c0[2]);
    const ex = ax <= ay && ax <= az ? 1 : 0;
    const ey = ex === 0 && ay <= az ? 1 : 0;
    const ez = ex === 0 && ey === 0 ? 1 : 0;
    c1[0] = c0[1] * ez - c0[2] * ey;
    c1[1] = c0[2] * ex - c0[0] * ez;
    c1[2] = c0[0] * ey - c0[1] * ex;
  }
  const len1 = Math.hypot(c1[0], c1[1], c1[2]);
  c1[0] /= len1;
  c1[1] /= len1;
  c1[2] /= len1;
  c2[0] = c0[1] * c1[2] - c0[2] * c1[1];
  c2[1] = c0[2] * c1[0] - c0[0] * c1[2];
  c2[2] = c0[0] * c1[1] - c0[1] * c1[0];
  if (values[2] > 0) {
    const s2 = 3 * order[2];
    if (w[s2] * c2[0] + w[s2 + 1] * c2[1] + w[s2 + 2] * c2[2] < 0) {
      c2[0] = -c2[0];
      c2[1] = -c2[1];
      c2[2] = -c2[2];
    }
  }
  const cols = [c0, c1, c2];
  for (let k = 0; k < 3; k++) for (let i = 0; i < 3; i++) u[i * 3 + k] = cols[k][i];
  return { u, values, v };
}

/** Rows per block of {@link accumulateNormalEquations}: the block's transpose (n × 32 float64) stays in cache. */
const NORMAL_BLOCK_ROWS = 32;
/** The block's transpose, column i at i·rows (grown on demand; one call runs at a time per thread). */
let blockColumns = new Float64Array(0);
/** The block's columns with a non-zero entry, in increasing order. */
let blockNonZero = new Int32Array(0);

/**
 * Gauss–Newton normal equations: H += Jᵀ·J (upper triangle only) and g += Jᵀ·r over `rows`
 * rows of the row-major n-column Jacobian `J`, with the residuals `r[rOffset + row]`.
 *
 * Rows are taken 32 at a time: the block is transposed so that each entry of H is a dot
 * product of two contiguous columns, computed 2×4 entries at a time in registers (a rank-1
 * update per row would read and write all of H for every row). Columns that are zero over a
 * whole block (parameters its rows do not touch) are skipped. Up to 3 rows (one residual
 * term's) are one rank-3 update instead: a single pass over H for all of them.
 */
export function accumulateNormalEquations(J: ArrayLike<number>, r: ArrayLike<number>, rOffset: number, rows: number, n: number, H: Float64Array, g: Float64Array): void {
  if (rows <= 0) return;
  if (rows <= 3) {
    addRankThree(J, r, rOffset, rows, n, H, g);
    return;
  }
  if (blockColumns.length < n * NORMAL_BLOCK_ROWS) {
    blockColumns = new Float64Array(n * NORMAL_BLOCK_ROWS);
    blockNonZero = new Int32Array(n);
  }
  const T = blockColumns;
  const cols = blockNonZero;
  for (let first = 0; first < rows; first += NORMAL_BLOCK_ROWS) {
    const m = Math.min(NORMAL_BLOCK_ROWS, rows - first);
    // Transpose, listing the columns with a non-zero entry, and g += Jᵀ·r.
    let nc = 0;
    const ro = rOffset + first;
    for (let i = 0; i < n; i++) {
      const t = i * m;
      let nonZero = false;
      let gi = 0;
      for (let k = 0, o = first * n + i; k < m; k++, o += n) {
        const v = J[o];
        T[t + k] = v;
        if (v !== 0) {
          nonZero = true;
          gi += v * r[ro + k];
        }
      }
      if (nonZero) {
        cols[nc++] = i;
        g[i] += gi;
      }
    }
    // H += Tᵀ·T over the listed columns, two rows of H at a time: the diagonal 2×2 tile's
    // upper triangle, then tiles of four columns, then the last columns one by one.
    for (let a = 0; a < nc; a += 2) {
      const i0 = cols[a], t0 = i0 * m, h0 = i0 * n;
      if (a + 1 === nc) {
        let s = 0;
        for (let k = 0; k < m; k++) s += T[t0 + k] * T[t0 + k];
        H[h0 + i0] += s;
        break;
      }
      const i1 = cols[a + 1], t1 = i1 * m, h1 = i1 * n;
      let d00 = 0, d01 = 0, d11 = 0;
      for (let k = 0; k < m; k++) {
        const x0 = T[t0 + k], x1 = T[t1 + k];
        d00 += x0 * x0;
        d01 += x0 * x1;
        d11 += x1 * x1;
      }
      H[h0 + i0] += d00;
      H[h0 + i1] += d01;
      H[h1 + i1] += d11;
      let b = a + 2;
      for (; b + 3 < nc; b += 4) {
        const j0 = cols[b], j1 = cols[b + 1], j2 = cols[b + 2], j3 = cols[b + 3];
        const u0 = j0 * m, u1 = j1 * m, u2 = j2 * m, u3 = j3 * m;
        let s00 = 0, s01 = 0, s02 = 0, s03 = 0, s10 = 0, s11 = 0, s12 = 0, s13 = 0;
        for (let k = 0; k < m; k++) {
          const x0 = T[t0 + k], x1 = T[t1 + k];
          const y0 = T[u0 + k], y1 = T[u1 + k], y2 = T[u2 + k], y3 = T[u3 + k];
          s00 += x0 * y0; s01 += x0 * y1; s02 += x0 * y2; s03 += x0 * y3;
          s10 += x1 * y0; s11 += x1 * y1; s12 += x1 * y2; s13 += x1 * y3;
        }
        H[h0 + j0] += s00; H[h0 + j1] += s01; H[h0 + j2] += s02; H[h0 + j3] += s03;
        H[h1 + j0] += s10; H[h1 + j1] += s11; H[h1 + j2] += s12; H[h1 + j3] += s13;
      }
      for (; b < nc; b++) {
        const j0 = cols[b], u0 = j0 * m;
        let s0 = 0, s1 = 0;
        for (let k = 0; k < m; k++) {
          const y0 = T[u0 + k];
          s0 += T[t0 + k] * y0;
          s1 += T[t1 + k] * y0;
        }
        H[h0 + j0] += s0;
        H[h1 + j0] += s1;
      }
    }
  }
}

/** {@link accumulateNormalEquations} for 1 to 3 rows (a missing row counts as zeros, which adds exact zeros). */
function addRankThree(J: ArrayLike<number>, r: ArrayLike<number>, rOffset: number, rows: number, n: number, H: Float64Array, g: Float64Array): void {
  const o1 = rows > 1 ? n : -1, o2 = rows > 2 ? 2 * n : -1;
  const r0 = r[rOffset], r1 = rows > 1 ? r[rOffset + 1] : 0, r2 = rows > 2 ? r[rOffset + 2] : 0;
  for (let i = 0; i < n; i++) {
    const a0 = J[i], a1 = o1 < 0 ? 0 : J[o1 + i], a2 = o2 < 0 ? 0 : J[o2 + i];
    if (a0 === 0 && a1 === 0 && a2 === 0) continue;
    g[i] += a0 * r0 + a1 * r1 + a2 * r2;
    const hi = i * n;
    if (o2 >= 0) {
      for (let j = i; j < n; j++) H[hi + j] += a0 * J[j] + a1 * J[o1 + j] + a2 * J[o2 + j];
    } else if (o1 >= 0) {
      for (let j = i; j < n; j++) H[hi + j] += a0 * J[j] + a1 * J[o1 + j];
    } else {
      for (let j = i; j < n; j++) H[hi + j] += a0 * J[j];
    }
  }
}

/**
 * Solve a·x = b for a small symmetric positive definite n×n matrix by the LDLᵀ
 * factorisation (Golub & Van Loan §4.1.2). Only the upper triangle of `a` is read.
 * Returns false, leaving `out` unspecified, when a pivot is not positive relative to the
 * largest diagonal entry (a is singular or indefinite to working precision).
 */
export function solveLDLT(a: ArrayLike<number>, b: ArrayLike<number>, n: number, out: Float64Array = new Float64Array(n)): boolean {
  const l = new Float64Array(n * n);
  const d = new Float64Array(n);
  let maxDiag = 0;
  for (let i = 0; i < n; i++) maxDiag = Math.max(maxDiag, Math.abs(a[i * n + i]));
  if (!(maxDiag > 0) || !Number.isFinite(maxDiag)) return false;
  const tol = maxDiag * n * 1e-13;
  for (let j = 0; j < n; j++) {
    let dj = a[j * n + j];
    for (let k = 0; k < j; k++) dj -= l[j * n + k] * l[j * n + k] * d[k];
    if (!(dj > tol)) return false;
    d[j] = dj;
    l[j * n + j] = 1;
    for (let i = j + 1; i < n; i++) {
      let lij = a[j * n + i]; // upper triangle: a(j, i) = a(i, j)
      for (let k = 0; k < j; k++) lij -= l[i * n + k] * l[j * n + k] * d[k];
      l[i * n + j] = lij / dj;
    }
  }
  // Forward substitution L y = b, scale by D⁻¹, back substitution Lᵀ x = z.
  for (let i = 0; i < n; i++) {
    let s = b[i];
    for (let k = 0; k < i; k++) s -= l[i * n + k] * out[k];
    out[i] = s;
  }
  for (let i = 0; i < n; i++) out[i] /= d[i];
  for (let i = n - 1; i >= 0; i--) {
    let s = out[i];
    for (let k = i + 1; k < n; k++) s -= l[k * n + i] * out[k];
    out[i] = s;
  }
  return true;
}

/**
 * Minimum-norm least-squares solution x = a⁺·b of a symmetric positive semi-definite
 * system through its eigen-decomposition; eigenvalues ≤ rcond·λ_max are treated as zero.
 * Returns the numerical rank.
 */
export function solvePseudoInverse(
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  n: number,
  out: Float64Array = new Float64Array(n),
  rcond = 1e-12,
): number {
  const { values, vectors } = symmetricEigen(a, n);
  const cutoff = Math.max(values[0], 0) * rcond;
  out.fill(0, 0, n);
  let rank = 0;
  for (let k = 0; k < n; k++) {
    const lambda = values[k];
    if (!(lambda > cutoff) || lambda <= 0) continue;
    rank++;
    let proj = 0;
    for (let i = 0; i < n; i++) proj += vectors[i * n + k] * b[i];
    const coef = proj / lambda;
    for (let i = 0; i < n; i++) out[i] += coef * vectors[i * n + k];
  }
  return rank;
}

/** How `solveSymmetric` solved its system. */
export interface SymmetricSolveResult {
  x: Float64Array;
  /** True when the system was rank-deficient and the pseudo-inverse was used. */
  pseudoInverse: boolean;
}

/**
 * Solve a small symmetric positive semi-definite system (n ≤ 8; normal equations):
 * LDLᵀ when a is positive definite, otherwise the minimum-norm pseudo-inverse solution
 * (directions a does not constrain get no update).
 */
export function solveSymmetric(a: ArrayLike<number>, b: ArrayLike<number>, n: number, out: Float64Array = new Float64Array(n)): SymmetricSolveResult {
  if (solveLDLT(a, b, n, out)) {
    let finite = true;
    for (let i = 0; i < n; i++) if (!Number.isFinite(out[i])) finite = false;
    if (finite) return { x: out, pseudoInverse: false };
  }
  solvePseudoInverse(a, b, n, out);
  return { x: out, pseudoInverse: true };
}

/**
 * Rotation matrix exp([ω]×) of the rotation vector ω = angle·axis (Rodrigues' formula:
 * R = I + sinθ/θ·[ω]× + (1 − cosθ)/θ²·[ω]×², θ = ‖ω‖), with Taylor series near θ = 0.
 */
export function rotationFromRotationVector(wx: number, wy: number, wz: number, out: Float64Array = new Float64Array(9)): Float64Array {
  const theta2 = wx * wx + wy * wy + wz * wz;
  const theta = Math.sqrt(theta2);
  let a: number;
  let b: number;
  if (theta < 1e-4) {
    // Errors O(θ⁴) and O(θ⁴)·θ²: below 1e-17 for θ < 1e-4.
    a = 1 - theta2 / 6 + (theta2 * theta2) / 120;
    b = 0.5 - theta2 / 24 + (theta2 * theta2) / 720;
  } else {
    a = Math.sin(theta) / theta;
    b = (1 - Math.cos(theta)) / theta2;
  }
  // [ω]×² = ωωᵀ − θ²I
  out[0] = 1 + b * (wx * wx - theta2);
  out[1] = -a * wz + b * wx * wy;
  out[2] = a * wy + b * wx * wz;
  out[3] = a * wz + b * wx * wy;
  out[4] = 1 + b * (wy * wy - theta2);
  out[5] = -a * wx + b * wy * wz;
  out[6] = -a * wy + b * wx * wz;
  out[7] = a * wx + b * wy * wz;
  out[8] = 1 + b * (wz * wz - theta2);
  return out;
}

/** Rotation by `angle` radians (right-hand rule) about `axis` (normalised here; must be non-zero). */
export function rotationFromAxisAngle(axis: ArrayLike<number>, angle: number, out: Float64Array = new Float64Array(9)): Float64Array {
  const len = Math.hypot(axis[0], axis[1], axis[2]);
  if (!(len > 0) || !Number.isFinite(len)) throw new RangeError(`rotationFromAxisAngle: the axis must be a finite non-zero vector`);
  const k = angle / len;
  return rotationFromRotationVector(axis[0] * k, axis[1] * k, axis[2] * k, out);
}

/**
 * The orthogonal matrix nearest to m in the Frobenius norm (the polar factor U·Vᵀ of m's
 * SVD; Higham, "Computing the polar decomposition", 1986). For a near-rotation it is the
 * nearest rotation; for a near-reflection it is a reflection.
 */
export function projectToOrthogonal(m: ArrayLike<number>, out: Float64Array = new Float64Array(9)): Float64Array {
  const { u, v } = svd3(m);
  const vt = mat3Transpose(v);
  return mat3Multiply(u, vt, out);
}

/**
 * The rotation (det = +1) nearest to m in the Frobenius norm: U·diag(1, 1, det(U·Vᵀ))·Vᵀ
 * (the sign fix of Umeyama 1991, Lemma; flips the axis of the smallest singular value).
 */
export function projectToRotation(m: ArrayLike<number>, out: Float64Array = new Float64Array(9)): Float64Array {
  const { u, v } = svd3(m);
  const d = mat3Determinant(u) * mat3Determinant(v) < 0 ? -1 : 1;
  const us = Float64Array.from(u);
  us[2] *= d;
  us[5] *= d;
  us[8] *= d;
  return mat3Multiply(us, mat3Transpose(v), out);
}
