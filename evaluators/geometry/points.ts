/** Small whole-array operations on xyz-interleaved point arrays. */

/** Axis-aligned box of points [start, end) written to out[o .. o+5] as (min x, y, z, max x, y, z). */
export function pointBounds(points: Float64Array, start: number, end: number, out: Float64Array, o = 0): Float64Array {
  let x0 = Infinity, y0 = Infinity, z0 = Infinity, x1 = -Infinity, y1 = -Infinity, z1 = -Infinity;
  for (let i = start; i < end; i++) {
    const x = points[3 * i], y = points[3 * i + 1], z = points[3 * i + 2];
    if (x < x0) x0 = x;
    if (x > x1) x1 = x;
    if (y < y0) y0 = y;
    if (y > y1) y1 = y;
    if (z < z0) z0 = z;
    if (z > z1) z1 = z;
  }
  out[o] = x0; out[o + 1] = y0; out[o + 2] = z0;
  out[o + 3] = x1; out[o + 4] = y1; out[o + 5] = z1;
  return out;
}

/** Length of the diagonal of the points' bounding box. */
export function boundingDiagonal(points: Float64Array): number {
  const b = pointBounds(points, 0, points.length / 3, new Float64Array(6));
  return Math.hypot(b[3] - b[0], b[4] - b[1], b[5] - b[2]);
}

/** The points listed by `indices`, as a new xyz-interleaved array. */
export function gatherPoints(points: Float64Array, indices: ArrayLike<number>): Float64Array {
  const out = new Float64Array(3 * indices.length);
  for (let k = 0; k < indices.length; k++) {
    const i = 3 * indices[k];
    out[3 * k] = points[i];
    out[3 * k + 1] = points[i + 1];
    out[3 * k + 2] = points[i + 2];
  }
  return out;
}
