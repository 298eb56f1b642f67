/**
 * Z-order (Morton) traversal order of 3D points: coordinates quantised to 10 bits per axis
 * inside their bounding box, bits interleaved into a 30-bit key, keys sorted by an LSD
 * radix sort (three 10-bit passes, linear time). Consecutive points in this order are
 * close in space, which keeps a tree traversal's working set in cache and makes the
 * previous answer a good initial bound.
 */

/** Spread the low 10 bits of v so that bit i moves to bit 3i. */
function spreadBits(v: number): number {
  v &= 0x3ff;
  v = (v | (v << 16)) & 0x030000ff;
  v = (v | (v << 8)) & 0x0300f00f;
  v = (v | (v << 4)) & 0x030c30c3;
  v = (v | (v << 2)) & 0x09249249;
  return v;
}

/** Permutation of the xyz-interleaved `points` in Morton order (identity for < 2 points). */
export function mortonOrder(points: Float64Array): Uint32Array {
  const n = Math.floor(points.length / 3);
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  if (n < 2) return order;
  let x0 = Infinity, y0 = Infinity, z0 = Infinity, x1 = -Infinity, y1 = -Infinity, z1 = -Infinity;
  for (let i = 0; i < n; i++) {
    const x = points[3 * i], y = points[3 * i + 1], z = points[3 * i + 2];
    if (x < x0) x0 = x;
    if (x > x1) x1 = x;
    if (y < y0) y0 = y;
    if (y > y1) y1 = y;
    if (z < z0) z0 = z;
    if (z > z1) z1 = z;
  }
  // One common scale keeps cells cubic; non-finite coordinates map to cell 0.
  const extent = Math.max(x1 - x0, y1 - y0, z1 - z0);
  const scale = extent > 0 && Number.isFinite(extent) ? 1023.999 / extent : 0;
  const keys = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    const qx = ((points[3 * i] - x0) * scale) | 0;
    const qy = ((points[3 * i + 1] - y0) * scale) | 0;
    const qz = ((points[3 * i + 2] - z0) * scale) | 0;
    keys[i] = (spreadBits(qx) | (spreadBits(qy) << 1) | (spreadBits(qz) << 2)) >>> 0;
  }
  const tmpOrder = new Uint32Array(n);
  const tmpKeys = new Uint32Array(n);
  const counts = new Uint32Array(1024);
  let srcO = order, srcK = keys, dstO = tmpOrder, dstK = tmpKeys;
  for (let shift = 0; shift < 30; shift += 10) {
    counts.fill(0);
    for (let i = 0; i < n; i++) counts[(srcK[i] >>> shift) & 0x3ff]++;
    let sum = 0;
    for (let b = 0; b < 1024; b++) {
      const c = counts[b];
      counts[b] = sum;
      sum += c;
    }
    for (let i = 0; i < n; i++) {
      const k = srcK[i];
      const pos = counts[(k >>> shift) & 0x3ff]++;
      dstK[pos] = k;
      dstO[pos] = srcO[i];
    }
    const to = srcO; srcO = dstO; dstO = to;
    const tk = srcK; srcK = dstK; dstK = tk;
  }
  return srcO;
}
