/**
 * Cache-friendly layout shared by the BVH and the k-d tree: only inner nodes are stored,
 * each in one 64-byte record holding the boxes of BOTH children (so a visit computes both
 * child distances from a single cache line) and the two child references.
 *
 * Record n (16 32-bit words): `box[16n .. 16n+5]` left child box (min x, y, z, max x, y, z),
 * `box[16n+6 .. 16n+11]` right child box, `ref[16n+12]`/`ref[16n+13]` left child reference
 * and count, `ref[16n+14]`/`ref[16n+15]` right child. A child with count > 0 is a leaf of
 * `count` items starting at slot `reference`; count 0 means an inner node whose record
 * index is `reference`. The boxes are float32 rounded outwards (min down, max up), so the
 * float64 distance to a stored box never exceeds the distance to the exact box: pruning
 * stays exact.
 */

/** 32-bit words per inner-node record. */
export const RECORD_WORDS = 16;

export interface CompactTree {
  /** Float32 view of the records (child boxes). */
  box: Float32Array;
  /** Int32 view of the same records (child references and counts). */
  ref: Int32Array;
  /** Number of inner-node records (0 when the whole tree is one leaf). */
  innerCount: number;
  /** Tight float64 box of everything (min x, y, z, max x, y, z). */
  rootBox: Float64Array;
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** Largest float32 ≤ v (v finite or ±Infinity). */
export function float32Down(v: number): number {
  f32[0] = v;
  const r = f32[0];
  if (r <= v) return r;
  // r > v: step one float32 towards −Infinity.
  if (r === 0) return -1.401298464324817e-45;
  u32[0] += r > 0 ? -1 : 1;
  return f32[0];
}

/** Smallest float32 ≥ v. */
export function float32Up(v: number): number {
  f32[0] = v;
  const r = f32[0];
  if (r >= v) return r;
  if (r === 0) return 1.401298464324817e-45;
  u32[0] += r > 0 ? 1 : -1;
  return f32[0];
}

/**
 * Convert a binary tree stored depth-first with leaves as nodes (left child = node + 1;
 * `nodeData[2n]` = right child for inner nodes or first slot for leaves, `nodeData[2n+1]`
 * = leaf count or 0) and its float64 `nodeBounds` (6 per node) into the compact layout.
 */
export function compactTree(nodeBounds: Float64Array, nodeData: Int32Array, nodeCount: number): CompactTree {
  const rootBox = nodeBounds.slice(0, 6);
  // Record index of every inner node, in depth-first order.
  const recordOf = new Int32Array(nodeCount).fill(-1);
  let innerCount = 0;
  for (let n = 0; n < nodeCount; n++) {
    if (nodeData[2 * n + 1] === 0) recordOf[n] = innerCount++;
  }
  const buffer = new ArrayBuffer(4 * RECORD_WORDS * Math.max(innerCount, 1));
  const box = new Float32Array(buffer);
  const ref = new Int32Array(buffer);
  for (let n = 0; n < nodeCount; n++) {
    const r = recordOf[n];
    if (r < 0) continue;
    const o = RECORD_WORDS * r;
    const children = [n + 1, nodeData[2 * n]];
    for (let side = 0; side < 2; side++) {
      const c = children[side];
      const b = 6 * c;
      box[o + 6 * side] = float32Down(nodeBounds[b]);
      box[o + 6 * side + 1] = float32Down(nodeBounds[b + 1]);
      box[o + 6 * side + 2] = float32Down(nodeBounds[b + 2]);
      box[o + 6 * side + 3] = float32Up(nodeBounds[b + 3]);
      box[o + 6 * side + 4] = float32Up(nodeBounds[b + 4]);
      box[o + 6 * side + 5] = float32Up(nodeBounds[b + 5]);
      const count = nodeData[2 * c + 1];
      ref[o + 12 + 2 * side] = count > 0 ? nodeData[2 * c] : recordOf[c];
      ref[o + 13 + 2 * side] = count;
    }
  }
  return { box, ref, innerCount, rootBox };
}

/**
 * Squared distance from (x, y, z) to the float32 box at `box[o .. o+5]` (0 inside),
 * evaluated in float64.
 */
export function childBoxDistanceSq(box: Float32Array, o: number, x: number, y: number, z: number): number {
  let d = 0;
  let t = box[o] - x;
  if (t > 0) d += t * t;
  else {
    t = x - box[o + 3];
    if (t > 0) d += t * t;
  }
  t = box[o + 1] - y;
  if (t > 0) d += t * t;
  else {
    t = y - box[o + 4];
    if (t > 0) d += t * t;
  }
  t = box[o + 2] - z;
  if (t > 0) d += t * t;
  else {
    t = z - box[o + 5];
    if (t > 0) d += t * t;
  }
  return d;
}
