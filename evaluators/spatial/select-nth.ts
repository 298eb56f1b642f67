/**
 * Hoare selection (median-of-three pivot, linear on average, safe with many equal keys) on
 * xyz-interleaved `points` by coordinate `axis` over slots [lo, hi] (inclusive): afterwards
 * slot k holds the point of rank k, with smaller-or-equal keys before it and larger-or-equal
 * after. `order` is permuted along with the points.
 */
export function selectNthPoint(order: Uint32Array, points: Float64Array, axis: number, lo: number, hi: number, k: number): void {
  while (hi > lo) {
    const mid = (lo + hi) >>> 1;
    const a = points[3 * lo + axis], b = points[3 * mid + axis], c = points[3 * hi + axis];
    const pivot = a < b ? (b < c ? b : a < c ? c : a) : (a < c ? a : b < c ? c : b);
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (points[3 * i + axis] < pivot) i++;
      while (points[3 * j + axis] > pivot) j--;
      if (i <= j) {
        const t = order[i]; order[i] = order[j]; order[j] = t;
        const pi = 3 * i, pj = 3 * j;
        let v = points[pi]; points[pi] = points[pj]; points[pj] = v;
        v = points[pi + 1]; points[pi + 1] = points[pj + 1]; points[pj + 1] = v;
        v = points[pi + 2]; points[pi + 2] = points[pj + 2]; points[pj + 2] = v;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return;
  }
}
