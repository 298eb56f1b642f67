/**
 * Small dense linear algebra for the landmark fit: Cholesky solve of the (damped) normal
 * equations and rotations from axis-angle vectors (Rodrigues' formula).
 */

/**
 * Solve A·x = b in place for a symmetric positive definite n×n A (row-major; its lower
 * triangle is overwritten by the Cholesky factor L, A = L·Lᵀ), b overwritten by x.
 * Returns false when A is not numerically positive definite.
 */
export function choleskySolve(A: Float64Array, b: Float64Array, n: number): boolean {
  for (let j = 0; j < n; j++) {
    let d = A[j * n + j];
    for (let k = 0; k < j; k++) d -= A[j * n + k] * A[j * n + k];
    if (!(d > 0)) return false;
    const ljj = Math.sqrt(d);
    A[j * n + j] = ljj;
    for (let i = j + 1; i < n; i++) {
      let s = A[i * n + j];
      for (let k = 0; k < j; k++) s -= A[i * n + k] * A[j * n + k];
      A[i * n + j] = s / ljj;
    }
  }
  for (let i = 0; i < n; i++) {
    let s = b[i];
    for (let k = 0; k < i; k++) s -= A[i * n + k] * b[k];
    b[i] = s / A[i * n + i];
  }
  for (let i = n - 1; i >= 0; i--) {
    let s = b[i];
    for (let k = i + 1; k < n; k++) s -= A[k * n + i] * b[k];
    b[i] = s / A[i * n + i];
  }
  return true;
}

/** Row-major 3x3 rotation exp([w]×) of the axis-angle vector w (Rodrigues' formula), written to out. */
export function rotationFromAxisAngle(wx: number, wy: number, wz: number, out: Float64Array = new Float64Array(9)): Float64Array {
  const theta = Math.hypot(wx, wy, wz);
  // sin θ/θ and (1 − cos θ)/θ² with their series near 0.
  const a = theta < 1e-6 ? 1 - (theta * theta) / 6 : Math.sin(theta) / theta;
  const b = theta < 1e-6 ? 0.5 - (theta * theta) / 24 : (1 - Math.cos(theta)) / (theta * theta);
  out[0] = 1 - b * (wy * wy + wz * wz);
  out[1] = -a * wz + b * wx * wy;
  out[2] = a * wy + b * wx * wz;
  out[3] = a * wz + b * wx * wy;
  out[4] = 1 - b * (wx * wx + wz * wz);
  out[5] = -a * wx + b * wy * wz;
  out[6] = -a * wy + b * wx * wz;
  out[7] = a * wx + b * wy * wz;
  out[8] = 1 - b * (wx * wx + wy * wy);
  return out;
}

/** out = A·B for row-major 3x3 matrices (out may not alias A or B). */
export function multiply3(A: ArrayLike<number>, B: ArrayLike<number>, out: Float64Array = new Float64Array(9)): Float64Array {
  for (let r = 0; r < 3; r++) {
    for (let c = 0; c < 3; c++) out[3 * r + c] = A[3 * r] * B[c] + A[3 * r + 1] * B[3 + c] + A[3 * r + 2] * B[6 + c];
  }
  return out;
}

/** Axis-angle vector of a row-major rotation matrix (inverse of rotationFromAxisAngle, angle in [0, π]). */
export function axisAngleFromRotation(R: ArrayLike<number>): [number, number, number] {
  const cos = Math.min(1, Math.max(-1, (R[0] + R[4] + R[8] - 1) / 2));
  const theta = Math.acos(cos);
  const vx = R[7] - R[5], vy = R[2] - R[6], vz = R[3] - R[1];
  if (theta < 1e-8) return [vx / 2, vy / 2, vz / 2];
  if (Math.PI - theta > 1e-4) {
    const k = theta / (2 * Math.sin(theta));
    return [k * vx, k * vy, k * vz];
  }
  // Near π: axis from the diagonal of (R + I)/2 = n·nᵀ.
  const xx = Math.sqrt(Math.max(0, (R[0] + 1) / 2)), yy = Math.sqrt(Math.max(0, (R[4] + 1) / 2)), zz = Math.sqrt(Math.max(0, (R[8] + 1) / 2));
  let n: [number, number, number];
  if (xx >= yy && xx >= zz) n = [xx, (R[1] + R[3]) / (4 * xx), (R[2] + R[6]) / (4 * xx)];
  else if (yy >= zz) n = [(R[1] + R[3]) / (4 * yy), yy, (R[5] + R[7]) / (4 * yy)];
  else n = [(R[2] + R[6]) / (4 * zz), (R[5] + R[7]) / (4 * zz), zz];
  const s = vx * n[0] + vy * n[1] + vz * n[2] < 0 ? -1 : 1;
  return [s * theta * n[0], s * theta * n[1], s * theta * n[2]];
}
