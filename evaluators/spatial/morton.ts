/**
 * Z-order (Morton) keys of 3D points: coordinates quantised to 10 bits per axis inside
 * their bounding box (one common scale, so cells are cubes) and the bits interleaved into
 * a 30-bit key (Morton, "A computer oriented geodetic data base and a new technique in
 * file sequencing", IBM 1966). Sorting by key (LSD radix sort, three 10-bit passes,
 * linear time, stable) lists points along a space-filling curve: neighbours in the list
 * are close in space.
 */

import { pointBounds } from '../geometry/points.js';

/** Spread the low 10 bits of v so that bit i moves to bit 3i. */
function spreadBits(v: number): number {
  v &= 0x3ff;
  v = (v | (v << 16)) & 0x030000ff;
  v = (v | (v << 8)) & 0x0300f00f;
  v = (v | (v << 4)) & 0x030c30c3;
  v = (v | (v << 2)) & 0x09249249;
  return v;
}

/** 30-bit Morton keys of the xyz-interleaved `points` (non-finite coordinates map to cell 0). */
export function mortonKeys(points: Float64Array): Uint32Array {
  const n = Math.floor(points.length / 3);
  const [x0, y0, z0, x1, y1, z1] = pointBounds(points, 0, n, new Float64Array(6));
  const extent = Math.max(x1 - x0, y1 - y0, z1 - z0);
  const scale = extent > 0 && Number.isFinite(extent) ? 1023.999 / extent : 0;
  const keys = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    const qx = ((points[3 * i] - x0) * scale) | 0;
    const qy = ((points[3 * i + 1] - y0) * scale) | 0;
    const qz = ((points[3 * i + 2] - z0) * scale) | 0;
    keys[i] = (spreadBits(qx) | (spreadBits(qy) << 1) | (spreadBits(qz) << 2)) >>> 0;
  }
  return keys;
}

/** Stable sort by 30-bit key: returns the permutation and the keys in sorted order. */
export function sortByKey(keys: Uint32Array): { order: Uint32Array; sorted: Uint32Array } {
  const n = keys.length;
  let srcO = new Uint32Array(n);
  for (let i = 0; i < n; i++) srcO[i] = i;
  let srcK = keys.slice();
  let dstO = new Uint32Array(n);
  let dstK = new Uint32Array(n);
  const counts = new Uint32Array(1024);
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
  return { order: srcO, sorted: srcK };
}

/** Permutation listing the xyz-interleaved `points` in Morton order. */
export function mortonOrder(points: Float64Array): Uint32Array {
  return sortByKey(mortonKeys(points)).order;
}
