/**
 * k-d tree over 3D points (Bentley, "Multidimensional binary search trees used for
 * associative searching", CACM 1975) with bucket leaves, on flat typed arrays.
 *
 * Build: split at the median of the widest axis of the node's points (Hoare selection,
 * linear on average and safe with duplicate coordinates), down to `leafSize` points per
 * leaf. Every node keeps the tight box of its points, and queries prune with the squared
 * distance to that box (tighter than the splitting plane alone).
 *
 * Layout (depth-first, left child = node + 1): `nodeBounds` Float64Array (6 per node),
 * `nodeData` Int32Array (inner → right child, 0; leaf → first slot, count), the points
 * copied in leaf order into `slotPoints` and their original indices in `slotIndex`.
 * Queries use a preallocated stack and allocate nothing.
 */
import { boxDistanceSq } from './box-distance.js';
import { selectNth } from './select-nth.js';

export interface KdTreeOptions {
  /** Maximum points per leaf (default 8). */
  leafSize?: number;
}

/** Results of {@link KdTree.nearestBatch}. */
export interface NearestBatch {
  /** Index of the nearest point per query, −1 when none within `maxDistance`. */
  indices: Int32Array;
  /** Euclidean distance to it, Infinity when none. */
  distances: Float64Array;
}

export interface NearestBatchOptions {
  /** Ignore points farther than this; default Infinity. */
  maxDistance?: number;
}

function inclusiveBound(x: number): number {
  return x + x * 4.440892098500626e-16 + Number.MIN_VALUE;
}

export class KdTree {
  /** Number of points. */
  readonly size: number;
  readonly nodeBounds: Float64Array;
  readonly nodeData: Int32Array;
  /** Points in leaf order (3 per slot). */
  readonly slotPoints: Float64Array;
  /** Original index of the point in each slot. */
  readonly slotIndex: Uint32Array;
  /** Depth of the deepest leaf (root = 0). */
  readonly depth: number;
  /** Squared distance of the last {@link nearest} answer (Infinity when none). */
  lastDistanceSq = Infinity;

  private readonly stackNode: Int32Array;
  private readonly stackDist: Float64Array;

  private constructor(nodeBounds: Float64Array, nodeData: Int32Array, slotPoints: Float64Array, slotIndex: Uint32Array, depth: number) {
    this.size = slotIndex.length;
    this.nodeBounds = nodeBounds;
    this.nodeData = nodeData;
    this.slotPoints = slotPoints;
    this.slotIndex = slotIndex;
    this.depth = depth;
    this.stackNode = new Int32Array(depth + 2);
    this.stackDist = new Float64Array(depth + 2);
  }

  /** Build over xyz-interleaved `points` (the array is copied). */
  static build(points: Float64Array, options: KdTreeOptions = {}): KdTree {
    const leafSize = options.leafSize ?? 8;
    if (!Number.isInteger(leafSize) || leafSize < 1) {
      throw new RangeError(`KdTree.build: leafSize must be a positive integer, got ${leafSize}`);
    }
    if (points.length % 3 !== 0) {
      throw new RangeError(`KdTree.build: points length ${points.length} is not a multiple of 3`);
    }
    for (let i = 0; i < points.length; i++) {
      if (!Number.isFinite(points[i])) {
        throw new RangeError(`KdTree.build: point ${Math.floor(i / 3)} has a non-finite coordinate (${points[i]})`);
      }
    }
    const n = points.length / 3;
    const order = new Uint32Array(n);
    for (let i = 0; i < n; i++) order[i] = i;
    if (n === 0) return new KdTree(new Float64Array(0), new Int32Array(0), new Float64Array(0), order, 0);

    const maxNodes = 2 * n - 1;
    const nodeBounds = new Float64Array(6 * maxNodes);
    const nodeData = new Int32Array(2 * maxNodes);
    const taskStart = new Int32Array(128);
    const taskEnd = new Int32Array(128);
    const taskDepth = new Int32Array(128);
    const taskParent = new Int32Array(128);
    taskStart[0] = 0; taskEnd[0] = n; taskDepth[0] = 0; taskParent[0] = -1;
    let top = 1;
    let nodeCount = 0;
    let maxDepth = 0;
    while (top > 0) {
      top--;
      const start = taskStart[top], end = taskEnd[top], depth = taskDepth[top], parent = taskParent[top];
      const node = nodeCount++;
      if (parent >= 0) nodeData[2 * parent] = node;
      if (depth > maxDepth) maxDepth = depth;
      let x0 = Infinity, y0 = Infinity, z0 = Infinity, x1 = -Infinity, y1 = -Infinity, z1 = -Infinity;
      for (let i = start; i < end; i++) {
        const o = 3 * order[i];
        const x = points[o], y = points[o + 1], z = points[o + 2];
        if (x < x0) x0 = x;
        if (x > x1) x1 = x;
        if (y < y0) y0 = y;
        if (y > y1) y1 = y;
        if (z < z0) z0 = z;
        if (z > z1) z1 = z;
      }
      const b = 6 * node;
      nodeBounds[b] = x0; nodeBounds[b + 1] = y0; nodeBounds[b + 2] = z0;
      nodeBounds[b + 3] = x1; nodeBounds[b + 4] = y1; nodeBounds[b + 5] = z1;
      const count = end - start;
      const ex = x1 - x0, ey = y1 - y0, ez = z1 - z0;
      // Coincident points are still split (into halves), so that strict pruning skips them.
      if (count <= leafSize) {
        nodeData[2 * node] = start;
        nodeData[2 * node + 1] = count;
        continue;
      }
      const axis = ex >= ey && ex >= ez ? 0 : ey >= ez ? 1 : 2;
      const mid = (start + end) >>> 1;
      selectNth(order, points, axis, start, end - 1, mid);
      nodeData[2 * node + 1] = 0;
      if (top + 2 > taskStart.length) throw new Error('KdTree: build stack overflow');
      taskStart[top] = mid; taskEnd[top] = end; taskDepth[top] = depth + 1; taskParent[top] = node; top++;
      taskStart[top] = start; taskEnd[top] = mid; taskDepth[top] = depth + 1; taskParent[top] = -1; top++;
    }
    const slotPoints = new Float64Array(3 * n);
    for (let s = 0; s < n; s++) {
      const o = 3 * order[s];
      slotPoints[3 * s] = points[o];
      slotPoints[3 * s + 1] = points[o + 1];
      slotPoints[3 * s + 2] = points[o + 2];
    }
    return new KdTree(nodeBounds.slice(0, 6 * nodeCount), nodeData.slice(0, 2 * nodeCount), slotPoints, order, maxDepth);
  }

  /**
   * Index of the point nearest to (x, y, z) within sqrt(maxDistanceSq), or −1. Its squared
   * distance is left in {@link lastDistanceSq}. Ties go to any one of the tied points.
   */
  nearest(x: number, y: number, z: number, maxDistanceSq: number = Infinity): number {
    const bounds = this.nodeBounds;
    const data = this.nodeData;
    const pts = this.slotPoints;
    const stackNode = this.stackNode;
    const stackDist = this.stackDist;
    let best = inclusiveBound(maxDistanceSq);
    let bestSlot = -1;
    if (this.size > 0 && boxDistanceSq(bounds, 0, x, y, z) < best) {
      let sp = 0;
      let node = 0;
      for (;;) {
        for (;;) {
          const count = data[2 * node + 1];
          if (count > 0) {
            const first = data[2 * node];
            const end = first + count;
            for (let s = first; s < end; s++) {
              const dx = pts[3 * s] - x, dy = pts[3 * s + 1] - y, dz = pts[3 * s + 2] - z;
              const d = dx * dx + dy * dy + dz * dz;
              if (d < best) {
                best = d;
                bestSlot = s;
              }
            }
            break;
          }
          const left = node + 1;
          const right = data[2 * node];
          const dl = boxDistanceSq(bounds, left, x, y, z);
          const dr = boxDistanceSq(bounds, right, x, y, z);
          if (dl <= dr) {
            if (dr < best) {
              stackNode[sp] = right; stackDist[sp] = dr; sp++;
            }
            if (dl < best) {
              node = left;
              continue;
            }
          } else {
            if (dl < best) {
              stackNode[sp] = left; stackDist[sp] = dl; sp++;
            }
            if (dr < best) {
              node = right;
              continue;
            }
          }
          break;
        }
        let found = false;
        while (sp > 0) {
          sp--;
          if (stackDist[sp] < best) {
            node = stackNode[sp];
            found = true;
            break;
          }
        }
        if (!found) break;
      }
    }
    if (bestSlot < 0 || !(best <= maxDistanceSq)) {
      this.lastDistanceSq = Infinity;
      return -1;
    }
    this.lastDistanceSq = best;
    return this.slotIndex[bestSlot];
  }

  /**
   * The k nearest points within sqrt(maxDistanceSq), written to `outIndices` / `outDistSq`
   * (squared distances) sorted by increasing distance. Returns how many were found (≤ k).
   */
  knn(
    x: number, y: number, z: number, k: number,
    outIndices: Int32Array, outDistSq: Float64Array,
    maxDistanceSq: number = Infinity,
  ): number {
    if (!Number.isInteger(k) || k < 0) throw new RangeError(`KdTree.knn: k must be a non-negative integer, got ${k}`);
    if (outIndices.length < k || outDistSq.length < k) {
      throw new RangeError(`KdTree.knn: output arrays hold ${Math.min(outIndices.length, outDistSq.length)} entries, ${k} needed`);
    }
    if (k === 0 || this.size === 0) return 0;
    const bounds = this.nodeBounds;
    const data = this.nodeData;
    const pts = this.slotPoints;
    const ids = this.slotIndex;
    const stackNode = this.stackNode;
    const stackDist = this.stackDist;
    const limit = inclusiveBound(maxDistanceSq);
    let worst = limit;
    let found = 0;
    if (boxDistanceSq(bounds, 0, x, y, z) < worst) {
      let sp = 0;
      let node = 0;
      for (;;) {
        for (;;) {
          const count = data[2 * node + 1];
          if (count > 0) {
            const first = data[2 * node];
            const end = first + count;
            for (let s = first; s < end; s++) {
              const dx = pts[3 * s] - x, dy = pts[3 * s + 1] - y, dz = pts[3 * s + 2] - z;
              const d = dx * dx + dy * dy + dz * dz;
              if (d < worst) {
                // Insertion into the sorted list.
                let j = found < k ? found++ : k - 1;
                while (j > 0 && outDistSq[j - 1] > d) {
                  outDistSq[j] = outDistSq[j - 1];
                  outIndices[j] = outIndices[j - 1];
                  j--;
                }
                outDistSq[j] = d;
                outIndices[j] = ids[s];
                if (found === k) worst = outDistSq[k - 1];
              }
            }
            break;
          }
          const left = node + 1;
          const right = data[2 * node];
          const dl = boxDistanceSq(bounds, left, x, y, z);
          const dr = boxDistanceSq(bounds, right, x, y, z);
          if (dl <= dr) {
            if (dr < worst) {
              stackNode[sp] = right; stackDist[sp] = dr; sp++;
            }
            if (dl < worst) {
              node = left;
              continue;
            }
          } else {
            if (dl < worst) {
              stackNode[sp] = left; stackDist[sp] = dl; sp++;
            }
            if (dr < worst) {
              node = right;
              continue;
            }
          }
          break;
        }
        let more = false;
        while (sp > 0) {
          sp--;
          if (stackDist[sp] < worst) {
            node = stackNode[sp];
            more = true;
            break;
          }
        }
        if (!more) break;
      }
    }
    // The inclusive bound may admit points up to two ulps beyond the limit.
    while (found > 0 && !(outDistSq[found - 1] <= maxDistanceSq)) found--;
    return found;
  }

  /**
   * All points within distance `r` (inclusive) of (x, y, z), in no particular order:
   * indices are pushed onto `out`, or `out(index, distanceSq)` is called. Returns the count.
   */
  radius(x: number, y: number, z: number, r: number, out: number[] | ((index: number, distanceSq: number) => void)): number {
    if (this.size === 0 || !(r >= 0)) return 0;
    const r2 = r * r;
    const bounds = this.nodeBounds;
    const data = this.nodeData;
    const pts = this.slotPoints;
    const ids = this.slotIndex;
    const stackNode = this.stackNode;
    let found = 0;
    if (!(boxDistanceSq(bounds, 0, x, y, z) <= r2)) return 0;
    let sp = 0;
    let node = 0;
    for (;;) {
      for (;;) {
        const count = data[2 * node + 1];
        if (count > 0) {
          const first = data[2 * node];
          const end = first + count;
          for (let s = first; s < end; s++) {
            const dx = pts[3 * s] - x, dy = pts[3 * s + 1] - y, dz = pts[3 * s + 2] - z;
            const d = dx * dx + dy * dy + dz * dz;
            if (d <= r2) {
              found++;
              if (typeof out === 'function') out(ids[s], d);
              else out.push(ids[s]);
            }
          }
          break;
        }
        const left = node + 1;
        const right = data[2 * node];
        const inL = boxDistanceSq(bounds, left, x, y, z) <= r2;
        const inR = boxDistanceSq(bounds, right, x, y, z) <= r2;
        if (inL) {
          if (inR) stackNode[sp++] = right;
          node = left;
          continue;
        }
        if (inR) {
          node = right;
          continue;
        }
        break;
      }
      if (sp === 0) break;
      node = stackNode[--sp];
    }
    return found;
  }

  /** Nearest point for each of the xyz-interleaved `queries`. */
  nearestBatch(queries: Float64Array, options: NearestBatchOptions = {}): NearestBatch {
    if (queries.length % 3 !== 0) {
      throw new RangeError(`KdTree.nearestBatch: queries length ${queries.length} is not a multiple of 3`);
    }
    const n = queries.length / 3;
    const maxDistance = options.maxDistance ?? Infinity;
    const maxDistanceSq = maxDistance * maxDistance;
    const indices = new Int32Array(n);
    const distances = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const idx = this.nearest(queries[3 * i], queries[3 * i + 1], queries[3 * i + 2], maxDistanceSq);
      indices[i] = idx;
      distances[i] = idx >= 0 ? Math.sqrt(this.lastDistanceSq) : Infinity;
    }
    return { indices, distances };
  }
}
