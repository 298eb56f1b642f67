/** Squared distance from (x, y, z) to the axis-aligned box stored at `6·node` of `bounds` (min xyz, max xyz); 0 inside. */
export function boxDistanceSq(bounds: Float64Array, node: number, x: number, y: number, z: number): number {
  const o = 6 * node;
  let d = 0;
  let t = bounds[o] - x;
  if (t > 0) d += t * t;
  else {
    t = x - bounds[o + 3];
    if (t > 0) d += t * t;
  }
  t = bounds[o + 1] - y;
  if (t > 0) d += t * t;
  else {
    t = y - bounds[o + 4];
    if (t > 0) d += t * t;
  }
  t = bounds[o + 2] - z;
  if (t > 0) d += t * t;
  else {
    t = z - bounds[o + 5];
    if (t > 0) d += t * t;
  }
  return d;
}
