/**
 * Rearrange `order[lo..hi]` (inclusive) so that position k holds the element of rank k by
 * `key[3·order[·] + axis]`, smaller-or-equal keys before it and larger-or-equal after
 * (Hoare partition with a median-of-three pivot; linear on average, safe with many equal keys).
 */
export function selectNth(order: Uint32Array, key: Float64Array, axis: number, lo: number, hi: number, k: number): void {
  while (hi > lo) {
    const mid = (lo + hi) >>> 1;
    const a = key[3 * order[lo] + axis], b = key[3 * order[mid] + axis], c = key[3 * order[hi] + axis];
    const pivot = a < b ? (b < c ? b : a < c ? c : a) : (a < c ? a : b < c ? c : b);
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (key[3 * order[i] + axis] < pivot) i++;
      while (key[3 * order[j] + axis] > pivot) j--;
      if (i <= j) {
        const tmp = order[i]; order[i] = order[j]; order[j] = tmp;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return;
  }
}
