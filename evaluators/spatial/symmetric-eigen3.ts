/**
 * Eigen-decomposition of a symmetric 3×3 matrix by the cyclic Jacobi method (Golub & Van
 * Loan, *Matrix Computations*, 4th ed., §8.5; rotation formulas as in Rutishauser 1966).
 * Each rotation zeroes one off-diagonal entry; convergence is quadratic and the computed
 * eigenvectors are orthonormal to working precision even for repeated eigenvalues, so
 * degenerate (planar, collinear, single-point) covariances need no special case.
 */

const MAX_SWEEPS = 32;

/**
 * Decompose the symmetric matrix held row-major in `a` (9 entries; only the upper triangle
 * is read, `a` is overwritten). On return `values[i]` are the eigenvalues in increasing
 * order and column i of `vectors` (row-major 3×3: `vectors[3·r + i]`) the matching unit
 * eigenvector.
 */
export function symmetricEigen3(a: Float64Array, values: Float64Array, vectors: Float64Array): void {
  let a00 = a[0], a01 = a[1], a02 = a[2], a11 = a[4], a12 = a[5], a22 = a[8];
  // V accumulates the rotations, columns are eigenvectors.
  let v00 = 1, v01 = 0, v02 = 0, v10 = 0, v11 = 1, v12 = 0, v20 = 0, v21 = 0, v22 = 1;
  for (let sweep = 0; sweep < MAX_SWEEPS; sweep++) {
    const off = a01 * a01 + a02 * a02 + a12 * a12;
    const diag = a00 * a00 + a11 * a11 + a22 * a22;
    if (!(off > 1e-36 * diag) || off === 0) break;
    // Rotation in the (0, 1) plane.
    if (a01 !== 0) {
      const t = jacobiTangent(a00, a11, a01);
      const c = 1 / Math.sqrt(t * t + 1);
      const s = t * c;
      const n02 = c * a02 - s * a12;
      const n12 = s * a02 + c * a12;
      a00 -= t * a01;
      a11 += t * a01;
      a01 = 0;
      a02 = n02;
      a12 = n12;
      let x = v00, y = v01;
      v00 = c * x - s * y; v01 = s * x + c * y;
      x = v10; y = v11;
      v10 = c * x - s * y; v11 = s * x + c * y;
      x = v20; y = v21;
      v20 = c * x - s * y; v21 = s * x + c * y;
    }
    // Rotation in the (0, 2) plane.
    if (a02 !== 0) {
      const t = jacobiTangent(a00, a22, a02);
      const c = 1 / Math.sqrt(t * t + 1);
      const s = t * c;
      const n01 = c * a01 - s * a12;
      const n12 = s * a01 + c * a12;
      a00 -= t * a02;
      a22 += t * a02;
      a02 = 0;
      a01 = n01;
      a12 = n12;
      let x = v00, y = v02;
      v00 = c * x - s * y; v02 = s * x + c * y;
      x = v10; y = v12;
      v10 = c * x - s * y; v12 = s * x + c * y;
      x = v20; y = v22;
      v20 = c * x - s * y; v22 = s * x + c * y;
    }
    // Rotation in the (1, 2) plane.
    if (a12 !== 0) {
      const t = jacobiTangent(a11, a22, a12);
      const c = 1 / Math.sqrt(t * t + 1);
      const s = t * c;
      const n01 = c * a01 - s * a02;
      const n02 = s * a01 + c * a02;
      a11 -= t * a12;
      a22 += t * a12;
      a12 = 0;
      a01 = n01;
      a02 = n02;
      let x = v01, y = v02;
      v01 = c * x - s * y; v02 = s * x + c * y;
      x = v11; y = v12;
      v11 = c * x - s * y; v12 = s * x + c * y;
      x = v21; y = v22;
      v21 = c * x - s * y; v22 = s * x + c * y;
    }
  }
  // Sort the three eigenpairs by eigenvalue (columns of V follow their eigenvalues).
  writePair(values, vectors, a00, a11, a22, v00, v10, v20, v01, v11, v21, v02, v12, v22);
}

function writePair(
  values: Float64Array, vectors: Float64Array,
  d0: number, d1: number, d2: number,
  x0: number, y0: number, z0: number,
  x1: number, y1: number, z1: number,
  x2: number, y2: number, z2: number,
): void {
  // Rank of each eigenvalue (ties broken by index, so the ranks are a permutation).
  const r0 = (d1 < d0 ? 1 : 0) + (d2 < d0 ? 1 : 0);
  const r1 = (d0 <= d1 ? 1 : 0) + (d2 < d1 ? 1 : 0);
  const r2 = (d0 <= d2 ? 1 : 0) + (d1 <= d2 ? 1 : 0);
  values[r0] = d0; vectors[r0] = x0; vectors[3 + r0] = y0; vectors[6 + r0] = z0;
  values[r1] = d1; vectors[r1] = x1; vectors[3 + r1] = y1; vectors[6 + r1] = z1;
  values[r2] = d2; vectors[r2] = x2; vectors[3 + r2] = y2; vectors[6 + r2] = z2;
}

/**
 * tan θ of the Jacobi rotation annihilating apq in [[app, apq], [apq, aqq]]: the smaller
 * root of t² + 2τt − 1 = 0, τ = (aqq − app)/(2·apq), so that |θ| ≤ π/4
 * (then c = 1/√(1+t²), s = t·c, app' = app − t·apq, aqq' = aqq + t·apq).
 */
function jacobiTangent(app: number, aqq: number, apq: number): number {
  const tau = (aqq - app) / (2 * apq);
  const at = Math.abs(tau);
  if (at > 1e150) return 0.5 / tau;
  return (tau >= 0 ? 1 : -1) / (at + Math.sqrt(tau * tau + 1));
}
