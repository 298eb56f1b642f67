/**
 * k-d tree over 3D points (Bentley, "Multidimensional binary search trees used for
 * associative searching", CACM 1975) with bucket leaves, on flat typed arrays.
 *
 * Build: split at the median of the widest axis of the node's points (Hoare selection,
 * linear on average and safe with duplicate coordinates), down to `leafSize` points per
 * leaf. Every node keeps the tight box of its points, and queries prune with the squared
 * distance to that box (tighter than the splitting plane alone).
 *
 * Layout: inner nodes in the 64-byte records of `compact-tree.ts` (both child boxes in
 * float32, containing the exact boxes, and the child references), the points copied in leaf order into
 * `slotPoints` and their original indices in `slotIndex`. Queries use a preallocated stack
 * and allocate nothing.
 *
 * Re-entrancy: a `radius` callback may query the same tree (nearest, knn, radius). Each
 * level of nesting traverses with its own stack: `radius` makes the next level's stack the
 * active one while it runs (level 0 is allocated with the tree, deeper levels on first use
 * and kept), so `nearest` and `knn` always use the active stack and pay nothing for this.
 */
import { RECORD_WORDS, childBoxDistanceSq, compactTree, inclusiveBound, rootDistanceSq, type CompactTree } from './compact-tree.js';
import { mortonOrder } from './morton.js';
import { selectNthPoint } from './select-nth.js';
import { pointBounds } from '../geometry/points.js';

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

/** Largest accepted |coordinate| (node boxes are stored in float32). */
const MAX_COORDINATE = 1e30;

/** One traversal stack: child reference, leaf count and box distance per entry. */
interface TraversalStack {
  ref: Int32Array;
  count: Int32Array;
  dist: Float64Array;
}

export class KdTree {
  /** Number of points. */
  readonly size: number;
  /** Inner-node records (see `compact-tree.ts`). */
  readonly tree: CompactTree;
  /** Points in leaf order (3 per slot). */
  readonly slotPoints: Float64Array;
  /** Original index of the point in each slot. */
  readonly slotIndex: Uint32Array;
  /** Depth of the deepest leaf (root = 0). */
  readonly depth: number;
  /** Squared distance of the last {@link nearest} answer (Infinity when none). */
  lastDistanceSq = Infinity;

  /** The active traversal stack: the one of the current nesting level. */
  private stackRef: Int32Array;
  private stackCount: Int32Array;
  private stackDist: Float64Array;
  /** Nesting level of the next query: > 0 inside a `radius` callback. */
  private level = 0;
  /** Traversal stack of each nesting level (index = level), allocated on first use. */
  private readonly stacks: TraversalStack[];

  private constructor(tree: CompactTree, slotPoints: Float64Array, slotIndex: Uint32Array, depth: number) {
    this.size = slotIndex.length;
    this.tree = tree;
    this.slotPoints = slotPoints;
    this.slotIndex = slotIndex;
    this.depth = depth;
    const outer = this.newStack();
    this.stacks = [outer];
    this.stackRef = outer.ref;
    this.stackCount = outer.count;
    this.stackDist = outer.dist;
  }

  private newStack(): TraversalStack {
    const size = this.depth + 2;
    return { ref: new Int32Array(size), count: new Int32Array(size), dist: new Float64Array(size) };
  }

  /** Make nesting level `level`'s stack the active one (allocated on its first use). */
  private enterLevel(level: number): void {
    while (this.stacks.length <= level) this.stacks.push(this.newStack());
    const stack = this.stacks[level];
    this.level = level;
    this.stackRef = stack.ref;
    this.stackCount = stack.count;
    this.stackDist = stack.dist;
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
      const v = points[i];
      if (!(v >= -MAX_COORDINATE && v <= MAX_COORDINATE)) {
        throw new RangeError(`KdTree.build: point ${Math.floor(i / 3)} has coordinate ${v}; coordinates must be finite and within ±1e30`);
      }
    }
    const n = points.length / 3;
    const order = new Uint32Array(n);
    for (let i = 0; i < n; i++) order[i] = i;
    if (n === 0) return new KdTree(compactTree(new Float64Array(6), new Int32Array(2), 0), new Float64Array(0), order, 0);
    // Points in slot order, permuted together with `order`, so every pass reads sequentially.
    const slotPoints = points.slice(0, 3 * n);

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
      pointBounds(slotPoints, start, end, nodeBounds, 6 * node);
      const count = end - start;
      // Coincident points are still split (into halves), so that strict pruning skips them.
      if (count <= leafSize) {
        nodeData[2 * node] = start;
        nodeData[2 * node + 1] = count;
        continue;
      }
      const b = 6 * node;
      const ex = nodeBounds[b + 3] - nodeBounds[b], ey = nodeBounds[b + 4] - nodeBounds[b + 1], ez = nodeBounds[b + 5] - nodeBounds[b + 2];
      const axis = ex >= ey && ex >= ez ? 0 : ey >= ez ? 1 : 2;
      const mid = (start + end) >>> 1;
      selectNthPoint(order, slotPoints, axis, start, end - 1, mid);
      nodeData[2 * node + 1] = 0;
      if (top + 2 > taskStart.length) throw new Error('KdTree: build stack overflow');
      taskStart[top] = mid; taskEnd[top] = end; taskDepth[top] = depth + 1; taskParent[top] = node; top++;
      taskStart[top] = start; taskEnd[top] = mid; taskDepth[top] = depth + 1; taskParent[top] = -1; top++;
    }
    return new KdTree(compactTree(nodeBounds, nodeData, nodeCount), slotPoints, order, maxDepth);
  }

  /**
   * Index of the point nearest to (x, y, z) within sqrt(maxDistanceSq), or −1. Its squared
   * distance is left in {@link lastDistanceSq}. Ties go to any one of the tied points.
   */
  nearest(x: number, y: number, z: number, maxDistanceSq: number = Infinity): number {
    const slot = this.nearestSlot(x, y, z, maxDistanceSq);
    return slot < 0 ? -1 : this.slotIndex[slot];
  }

  /** Slot of the nearest point (−1 if none within the limit; squared distance in {@link lastDistanceSq}). */
  private nearestSlot(x: number, y: number, z: number, maxDistanceSq: number): number {
    const box = this.tree.box;
    const refs = this.tree.ref;
    const pts = this.slotPoints;
    const stackRef = this.stackRef;
    const stackCount = this.stackCount;
    const stackDist = this.stackDist;
    let best = inclusiveBound(maxDistanceSq);
    let bestSlot = -1;
    if (this.size > 0 && rootDistanceSq(this.tree.rootBox, x, y, z) < best) {
      let sp = 0;
      let ref = 0;
      let count = this.tree.innerCount === 0 ? this.size : 0;
      for (;;) {
        if (count > 0) {
          const end = ref + count;
          for (let s = ref; s < end; s++) {
            const dx = pts[3 * s] - x, dy = pts[3 * s + 1] - y, dz = pts[3 * s + 2] - z;
            const d = dx * dx + dy * dy + dz * dz;
            if (d < best) {
              best = d;
              bestSlot = s;
            }
          }
        } else {
          const o = RECORD_WORDS * ref;
          const dl = childBoxDistanceSq(box, o, x, y, z);
          const dr = childBoxDistanceSq(box, o + 6, x, y, z);
          if (dl <= dr) {
            if (dr < best) {
              stackRef[sp] = refs[o + 14]; stackCount[sp] = refs[o + 15]; stackDist[sp] = dr; sp++;
            }
            if (dl < best) {
              ref = refs[o + 12]; count = refs[o + 13];
              continue;
            }
          } else {
            if (dl < best) {
              stackRef[sp] = refs[o + 12]; stackCount[sp] = refs[o + 13]; stackDist[sp] = dl; sp++;
            }
            if (dr < best) {
              ref = refs[o + 14]; count = refs[o + 15];
              continue;
            }
          }
        }
        let next = false;
        while (sp > 0) {
          sp--;
          if (stackDist[sp] < best) {
            ref = stackRef[sp]; count = stackCount[sp];
            next = true;
            break;
          }
        }
        if (!next) break;
      }
    }
    if (bestSlot < 0 || !(best <= maxDistanceSq)) {
      this.lastDistanceSq = Infinity;
      return -1;
    }
    this.lastDistanceSq = best;
    return bestSlot;
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
    const box = this.tree.box;
    const refs = this.tree.ref;
    const pts = this.slotPoints;
    const ids = this.slotIndex;
    const stackRef = this.stackRef;
    const stackCount = this.stackCount;
    const stackDist = this.stackDist;
    let worst = inclusiveBound(maxDistanceSq);
    let found = 0;
    if (rootDistanceSq(this.tree.rootBox, x, y, z) < worst) {
      let sp = 0;
      let ref = 0;
      let count = this.tree.innerCount === 0 ? this.size : 0;
      for (;;) {
        if (count > 0) {
          const end = ref + count;
          for (let s = ref; s < end; s++) {
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
        } else {
          const o = RECORD_WORDS * ref;
          const dl = childBoxDistanceSq(box, o, x, y, z);
          const dr = childBoxDistanceSq(box, o + 6, x, y, z);
          if (dl <= dr) {
            if (dr < worst) {
              stackRef[sp] = refs[o + 14]; stackCount[sp] = refs[o + 15]; stackDist[sp] = dr; sp++;
            }
            if (dl < worst) {
              ref = refs[o + 12]; count = refs[o + 13];
              continue;
            }
          } else {
            if (dl < worst) {
              stackRef[sp] = refs[o + 12]; stackCount[sp] = refs[o + 13]; stackDist[sp] = dl; sp++;
            }
            if (dr < worst) {
              ref = refs[o + 14]; count = refs[o + 15];
              continue;
            }
          }
        }
        let next = false;
        while (sp > 0) {
          sp--;
          if (stackDist[sp] < worst) {
            ref = stackRef[sp]; count = stackCount[sp];
            next = true;
            break;
          }
        }
        if (!next) break;
      }
    }
    // The inclusive bound may admit points up to two ulps beyond the limit.
    while (found > 0 && !(outDistSq[found - 1] <= maxDistanceSq)) found--;
    return found;
  }

  /**
   * All points within distance `r` (inclusive) of (x, y, z), in no particular order:
   * indices are pushed onto `out`, or `out(index, distanceSq)` is called. Returns the count.
   * The callback may itself query this tree (nearest, knn, radius).
   */
  radius(x: number, y: number, z: number, r: number, out: number[] | ((index: number, distanceSq: number) => void)): number {
    if (this.size === 0 || !(r >= 0)) return 0;
    const r2 = r * r;
    if (!(rootDistanceSq(this.tree.rootBox, x, y, z) <= r2)) return 0;
    const box = this.tree.box;
    const refs = this.tree.ref;
    const pts = this.slotPoints;
    const ids = this.slotIndex;
    const level = this.level;
    const stackRef = this.stackRef;
    const stackCount = this.stackCount;
    // Queries made by a callback run one level deeper, on their own stack.
    this.enterLevel(level + 1);
    try {
      let found = 0;
      let sp = 0;
      let ref = 0;
      let count = this.tree.innerCount === 0 ? this.size : 0;
      for (;;) {
        if (count > 0) {
          const end = ref + count;
          for (let s = ref; s < end; s++) {
            const dx = pts[3 * s] - x, dy = pts[3 * s + 1] - y, dz = pts[3 * s + 2] - z;
            const d = dx * dx + dy * dy + dz * dz;
            if (d <= r2) {
              found++;
              if (typeof out === 'function') out(ids[s], d);
              else out.push(ids[s]);
            }
          }
        } else {
          const o = RECORD_WORDS * ref;
          const inL = childBoxDistanceSq(box, o, x, y, z) <= r2;
          const inR = childBoxDistanceSq(box, o + 6, x, y, z) <= r2;
          if (inL && inR) {
            stackRef[sp] = refs[o + 14]; stackCount[sp] = refs[o + 15]; sp++;
          }
          if (inL) {
            ref = refs[o + 12]; count = refs[o + 13];
            continue;
          }
          if (inR) {
            ref = refs[o + 14]; count = refs[o + 15];
            continue;
          }
        }
        if (sp === 0) break;
        sp--;
        ref = stackRef[sp]; count = stackCount[sp];
      }
      return found;
    } finally {
      this.enterLevel(level);
    }
  }

  /**
   * Nearest point for each of the xyz-interleaved `queries`. Queries are processed in
   * Morton order (better cache use); results are returned in input order.
   */
  nearestBatch(queries: Float64Array, options: NearestBatchOptions = {}): NearestBatch {
    if (queries.length % 3 !== 0) {
      throw new RangeError(`KdTree.nearestBatch: queries length ${queries.length} is not a multiple of 3`);
    }
    const n = queries.length / 3;
    const maxDistance = options.maxDistance ?? Infinity;
    const maxDistanceSq = maxDistance * maxDistance;
    const indices = new Int32Array(n);
    const distances = new Float64Array(n);
    const sequence = mortonOrder(queries);
    for (let j = 0; j < n; j++) {
      const i = sequence[j];
      const slot = this.nearestSlot(queries[3 * i], queries[3 * i + 1], queries[3 * i + 2], maxDistanceSq);
      if (slot >= 0) {
        indices[i] = this.slotIndex[slot];
        distances[i] = Math.sqrt(this.lastDistanceSq);
      } else {
        indices[i] = -1;
        distances[i] = Infinity;
      }
    }
    return { indices, distances };
  }
}


/** Build once on a few points when the module loads, so the builder has type feedback before a large build. */
KdTree.build(Float64Array.from({ length: 3 * 40 }, (_, i) => (i * 7919) % 31));
