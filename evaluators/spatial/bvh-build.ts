/**
 * Top-down binned-SAH construction of a triangle BVH (Wald, "On fast Construction of
 * SAH-based Bounding Volume Hierarchies", IEEE Symposium on Interactive Ray Tracing 2007):
 * at each node the triangle centroids are sorted into 16 bins per axis, and the split
 * between bins minimising area(left)·count(left) + area(right)·count(right) is taken.
 * Below depth 40 the split falls back to the centroid median of the widest axis, which
 * bounds the depth on adversarial inputs (e.g. geometrically spaced triangles).
 *
 * The per-triangle boxes and centroids are permuted together with the triangle order, so
 * every pass over a node's triangles reads memory sequentially.
 */
import { compactTree, type CompactTree } from './compact-tree.js';

const BINS = 16;
const MEDIAN_DEPTH = 40;

export interface BuiltBVH {
  tree: CompactTree;
  /** Mesh face stored in each leaf slot. */
  order: Uint32Array;
  /** Depth of the deepest leaf (root = 0). */
  depth: number;
}

export function buildTriangleHierarchy(positions: Float64Array, faces: Uint32Array, leafSize: number): BuiltBVH {
  const m = faces.length / 3;
  const order = new Uint32Array(m);
  if (m === 0) {
    return { tree: compactTree(new Float64Array(6), new Int32Array(2), 0), order, depth: 0 };
  }
  const boxes = new Float64Array(6 * m);
  const cents = new Float64Array(3 * m);
  for (let f = 0; f < m; f++) {
    order[f] = f;
    const ia = 3 * faces[3 * f], ib = 3 * faces[3 * f + 1], ic = 3 * faces[3 * f + 2];
    for (let k = 0; k < 3; k++) {
      const a = positions[ia + k], b = positions[ib + k], c = positions[ic + k];
      let lo = a < b ? a : b;
      if (c < lo) lo = c;
      let hi = a > b ? a : b;
      if (c > hi) hi = c;
      boxes[6 * f + k] = lo;
      boxes[6 * f + 3 + k] = hi;
      cents[3 * f + k] = 0.5 * (lo + hi);
    }
  }

  const maxNodes = 2 * m - 1;
  const nodeBounds = new Float64Array(6 * maxNodes);
  const nodeData = new Int32Array(2 * maxNodes);
  const taskStart = new Int32Array(128);
  const taskEnd = new Int32Array(128);
  const taskDepth = new Int32Array(128);
  const taskParent = new Int32Array(128);
  const binCount = new Int32Array(3 * BINS);
  const binBox = new Float64Array(3 * BINS * 6);
  const rightArea = new Float64Array(BINS);
  const rightCount = new Int32Array(BINS);
  const bounds = new Float64Array(12);
  taskStart[0] = 0; taskEnd[0] = m; taskDepth[0] = 0; taskParent[0] = -1;
  let top = 1;
  let nodeCount = 0;
  let maxDepth = 0;

  while (top > 0) {
    top--;
    const start = taskStart[top], end = taskEnd[top], depth = taskDepth[top], parent = taskParent[top];
    const node = nodeCount++;
    if (parent >= 0) nodeData[2 * parent] = node;
    if (depth > maxDepth) maxDepth = depth;

    rangeBounds(boxes, cents, start, end, bounds);
    nodeBounds.set(bounds.subarray(0, 6), 6 * node);
    const count = end - start;
    if (count <= leafSize) {
      nodeData[2 * node] = start;
      nodeData[2 * node + 1] = count;
      continue;
    }
    const cx0 = bounds[6], cy0 = bounds[7], cz0 = bounds[8];
    const ext0 = bounds[9] - cx0, ext1 = bounds[10] - cy0, ext2 = bounds[11] - cz0;
    let mid = -1;
    if (depth < MEDIAN_DEPTH && (ext0 > 0 || ext1 > 0 || ext2 > 0)) {
      mid = sahSplit(order, boxes, cents, start, end, cx0, cy0, cz0, ext0, ext1, ext2, binCount, binBox, rightArea, rightCount);
    }
    if (mid <= start || mid >= end) {
      // Median of the widest centroid axis (an arbitrary halving when all centroids coincide).
      const axis = ext0 >= ext1 && ext0 >= ext2 ? 0 : ext1 >= ext2 ? 1 : 2;
      mid = (start + end) >>> 1;
      if (ext0 > 0 || ext1 > 0 || ext2 > 0) selectMedian(order, boxes, cents, axis, start, end - 1, mid);
    }
    nodeData[2 * node + 1] = 0;
    // Right task first so that the left child is built next (index node + 1).
    if (top + 2 > taskStart.length) throw new Error('TriangleBVH: build stack overflow');
    taskStart[top] = mid; taskEnd[top] = end; taskDepth[top] = depth + 1; taskParent[top] = node; top++;
    taskStart[top] = start; taskEnd[top] = mid; taskDepth[top] = depth + 1; taskParent[top] = -1; top++;
  }
  return { tree: compactTree(nodeBounds, nodeData, nodeCount), order, depth: maxDepth };
}

/** Box of the triangles in [start, end) into out[0..5] and box of their centroids into out[6..11]. */
function rangeBounds(boxes: Float64Array, cents: Float64Array, start: number, end: number, out: Float64Array): void {
  let bx0 = Infinity, by0 = Infinity, bz0 = Infinity, bx1 = -Infinity, by1 = -Infinity, bz1 = -Infinity;
  let cx0 = Infinity, cy0 = Infinity, cz0 = Infinity, cx1 = -Infinity, cy1 = -Infinity, cz1 = -Infinity;
  for (let i = start; i < end; i++) {
    const o = 6 * i;
    if (boxes[o] < bx0) bx0 = boxes[o];
    if (boxes[o + 1] < by0) by0 = boxes[o + 1];
    if (boxes[o + 2] < bz0) bz0 = boxes[o + 2];
    if (boxes[o + 3] > bx1) bx1 = boxes[o + 3];
    if (boxes[o + 4] > by1) by1 = boxes[o + 4];
    if (boxes[o + 5] > bz1) bz1 = boxes[o + 5];
    const c = 3 * i;
    const cx = cents[c], cy = cents[c + 1], cz = cents[c + 2];
    if (cx < cx0) cx0 = cx;
    if (cx > cx1) cx1 = cx;
    if (cy < cy0) cy0 = cy;
    if (cy > cy1) cy1 = cy;
    if (cz < cz0) cz0 = cz;
    if (cz > cz1) cz1 = cz;
  }
  out[0] = bx0; out[1] = by0; out[2] = bz0; out[3] = bx1; out[4] = by1; out[5] = bz1;
  out[6] = cx0; out[7] = cy0; out[8] = cz0; out[9] = cx1; out[10] = cy1; out[11] = cz1;
}

/**
 * Binned SAH over the three centroid axes; partitions [start, end) in place and returns the
 * split index (start when no split separates the centroids).
 */
function sahSplit(
  order: Uint32Array, boxes: Float64Array, cents: Float64Array,
  start: number, end: number,
  cx0: number, cy0: number, cz0: number, ext0: number, ext1: number, ext2: number,
  binCount: Int32Array, binBox: Float64Array, rightArea: Float64Array, rightCount: Int32Array,
): number {
  binCount.fill(0);
  for (let b = 0; b < 3 * BINS; b++) {
    const o = 6 * b;
    binBox[o] = Infinity; binBox[o + 1] = Infinity; binBox[o + 2] = Infinity;
    binBox[o + 3] = -Infinity; binBox[o + 4] = -Infinity; binBox[o + 5] = -Infinity;
  }
  // Bin index = floor((c − origin)·scale), scale slightly under BINS/extent so the maximum lands in the last bin.
  const s0 = ext0 > 0 ? (BINS * (1 - 1e-9)) / ext0 : 0;
  const s1 = ext1 > 0 ? (BINS * (1 - 1e-9)) / ext1 : 0;
  const s2 = ext2 > 0 ? (BINS * (1 - 1e-9)) / ext2 : 0;
  fillBins(boxes, cents, start, end, cx0, cy0, cz0, s0, s1, s2, binCount, binBox);
  let bestCost = Infinity;
  let bestAxis = -1;
  let bestBin = -1;
  for (let axis = 0; axis < 3; axis++) {
    const ext = axis === 0 ? ext0 : axis === 1 ? ext1 : ext2;
    if (!(ext > 0)) continue;
    const cost = sweepAxis(binCount, binBox, axis, rightArea, rightCount);
    if (cost < bestCost) {
      bestCost = cost;
      bestAxis = axis;
      bestBin = sweepBest;
    }
  }
  if (bestAxis < 0) return start;
  const scale = bestAxis === 0 ? s0 : bestAxis === 1 ? s1 : s2;
  const origin = bestAxis === 0 ? cx0 : bestAxis === 1 ? cy0 : cz0;
  return partitionByBin(order, boxes, cents, start, end, bestAxis, origin, scale, bestBin);
}

/** Bin after which {@link sweepAxis} found its cheapest split. */
let sweepBest = -1;

/** Cheapest SAH split along `axis` (cost returned, bin in `sweepBest`); Infinity when none. */
function sweepAxis(binCount: Int32Array, binBox: Float64Array, axis: number, rightArea: Float64Array, rightCount: Int32Array): number {
  let x0 = Infinity, y0 = Infinity, z0 = Infinity, x1 = -Infinity, y1 = -Infinity, z1 = -Infinity;
  let cnt = 0;
  for (let b = BINS - 1; b > 0; b--) {
    const bin = axis * BINS + b;
    const o = 6 * bin;
    if (binCount[bin] > 0) {
      cnt += binCount[bin];
      if (binBox[o] < x0) x0 = binBox[o];
      if (binBox[o + 1] < y0) y0 = binBox[o + 1];
      if (binBox[o + 2] < z0) z0 = binBox[o + 2];
      if (binBox[o + 3] > x1) x1 = binBox[o + 3];
      if (binBox[o + 4] > y1) y1 = binBox[o + 4];
      if (binBox[o + 5] > z1) z1 = binBox[o + 5];
    }
    rightCount[b] = cnt;
    rightArea[b] = cnt > 0 ? halfArea(x1 - x0, y1 - y0, z1 - z0) : 0;
  }
  x0 = Infinity; y0 = Infinity; z0 = Infinity; x1 = -Infinity; y1 = -Infinity; z1 = -Infinity;
  cnt = 0;
  let best = Infinity;
  sweepBest = -1;
  for (let b = 0; b < BINS - 1; b++) {
    const bin = axis * BINS + b;
    const o = 6 * bin;
    if (binCount[bin] > 0) {
      cnt += binCount[bin];
      if (binBox[o] < x0) x0 = binBox[o];
      if (binBox[o + 1] < y0) y0 = binBox[o + 1];
      if (binBox[o + 2] < z0) z0 = binBox[o + 2];
      if (binBox[o + 3] > x1) x1 = binBox[o + 3];
      if (binBox[o + 4] > y1) y1 = binBox[o + 4];
      if (binBox[o + 5] > z1) z1 = binBox[o + 5];
    }
    const rc = rightCount[b + 1];
    if (cnt === 0 || rc === 0) continue;
    const cost = cnt * halfArea(x1 - x0, y1 - y0, z1 - z0) + rc * rightArea[b + 1];
    if (cost < best) {
      best = cost;
      sweepBest = b;
    }
  }
  return best;
}

/** Accumulate counts and triangle boxes of slots [start, end) into 16 centroid bins per axis. */
function fillBins(
  boxes: Float64Array, cents: Float64Array, start: number, end: number,
  cx0: number, cy0: number, cz0: number, s0: number, s1: number, s2: number,
  binCount: Int32Array, binBox: Float64Array,
): void {
  for (let i = start; i < end; i++) {
    const t = 6 * i;
    const x0 = boxes[t], y0 = boxes[t + 1], z0 = boxes[t + 2];
    const x1 = boxes[t + 3], y1 = boxes[t + 4], z1 = boxes[t + 5];
    // Truncation (| 0) is the floor here: the operands are ≥ 0 up to rounding.
    let b0 = ((cents[3 * i] - cx0) * s0) | 0;
    let b1 = ((cents[3 * i + 1] - cy0) * s1) | 0;
    let b2 = ((cents[3 * i + 2] - cz0) * s2) | 0;
    if (b0 > BINS - 1) b0 = BINS - 1;
    if (b1 > BINS - 1) b1 = BINS - 1;
    if (b2 > BINS - 1) b2 = BINS - 1;
    growBin(binCount, binBox, b0, x0, y0, z0, x1, y1, z1);
    growBin(binCount, binBox, BINS + b1, x0, y0, z0, x1, y1, z1);
    growBin(binCount, binBox, 2 * BINS + b2, x0, y0, z0, x1, y1, z1);
  }
}

function growBin(
  binCount: Int32Array, binBox: Float64Array, bin: number,
  x0: number, y0: number, z0: number, x1: number, y1: number, z1: number,
): void {
  binCount[bin]++;
  const o = 6 * bin;
  if (x0 < binBox[o]) binBox[o] = x0;
  if (y0 < binBox[o + 1]) binBox[o + 1] = y0;
  if (z0 < binBox[o + 2]) binBox[o + 2] = z0;
  if (x1 > binBox[o + 3]) binBox[o + 3] = x1;
  if (y1 > binBox[o + 4]) binBox[o + 4] = y1;
  if (z1 > binBox[o + 5]) binBox[o + 5] = z1;
}

function halfArea(dx: number, dy: number, dz: number): number {
  return dx * dy + dy * dz + dz * dx;
}

/** Swap slots i and j of the three parallel arrays. */
function swapSlots(order: Uint32Array, boxes: Float64Array, cents: Float64Array, i: number, j: number): void {
  const t = order[i]; order[i] = order[j]; order[j] = t;
  for (let k = 0; k < 6; k++) {
    const b = boxes[6 * i + k]; boxes[6 * i + k] = boxes[6 * j + k]; boxes[6 * j + k] = b;
  }
  for (let k = 0; k < 3; k++) {
    const c = cents[3 * i + k]; cents[3 * i + k] = cents[3 * j + k]; cents[3 * j + k] = c;
  }
}

/** In-place partition of slots [start, end): centroid bins ≤ `lastBin` on `axis` first; returns the split index. */
function partitionByBin(
  order: Uint32Array, boxes: Float64Array, cents: Float64Array, start: number, end: number,
  axis: number, origin: number, scale: number, lastBin: number,
): number {
  let i = start;
  let j = end - 1;
  while (i <= j) {
    let b = ((cents[3 * i + axis] - origin) * scale) | 0;
    if (b > BINS - 1) b = BINS - 1;
    if (b <= lastBin) {
      i++;
    } else {
      swapSlots(order, boxes, cents, i, j);
      j--;
    }
  }
  return i;
}

/**
 * Hoare selection on the centroid coordinate `axis` over slots [lo, hi] (inclusive) so that
 * slot k holds the element of rank k (median-of-three pivot, safe with equal keys).
 */
function selectMedian(order: Uint32Array, boxes: Float64Array, cents: Float64Array, axis: number, lo: number, hi: number, k: number): void {
  while (hi > lo) {
    const mid = (lo + hi) >>> 1;
    const a = cents[3 * lo + axis], b = cents[3 * mid + axis], c = cents[3 * hi + axis];
    const pivot = a < b ? (b < c ? b : a < c ? c : a) : (a < c ? a : b < c ? c : b);
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (cents[3 * i + axis] < pivot) i++;
      while (cents[3 * j + axis] > pivot) j--;
      if (i <= j) {
        swapSlots(order, boxes, cents, i, j);
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return;
  }
}
