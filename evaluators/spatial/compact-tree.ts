/**
 * Cache-friendly layout shared by the BVH and the k-d tree: only inner nodes are stored,
 * each in one 64-byte record holding the boxes of BOTH children (so a visit computes both
 * child distances from a single cache line) and the two child references.
 *
 * Record n (16 32-bit words): `box[16n .. 16n+5]` left child box as centre x, y, z and
 * half-extent x, y, z, `box[16n+6 .. 16n+11]` right child box, `ref[16n+12]`/`ref[16n+13]`
 * left child reference and count, `ref[16n+14]`/`ref[16n+15]` right child. A child with
 * count > 0 is a leaf of `count` items starting at slot `reference`; count 0 means an inner
 * node whose record index is `reference`.
 *
 * Boxes are float32: the centre is the rounded midpoint and the half-extent is rounded up
 * so that the stored box contains the exact one; the squared distance to a stored box is
 * therefore a lower bound of the distance to anything inside (up to the rounding of the
 * float64 query arithmetic), and pruning stays exact. Centre/half-extent form lets the
 * distance be computed without branches: with a = |x − c| − e, max(a, 0) = (a + |a|)/2.
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
    for (let side = 0; side < 2; side++) {
      const c = side === 0 ? n + 1 : nodeData[2 * n];
      const b = 6 * c;
      for (let k = 0; k < 3; k++) {
        const lo = nodeBounds[b + k], hi = nodeBounds[b + 3 + k];
        const centre = Math.fround(0.5 * lo + 0.5 * hi);
        // 4ε covers the two float64 roundings (difference, product) before rounding up to float32.
        const half = float32Up(Math.max(hi - centre, centre - lo) * (1 + 4 * Number.EPSILON));
        box[o + 6 * side + k] = centre;
        box[o + 6 * side + 3 + k] = half;
      }
      const count = nodeData[2 * c + 1];
      ref[o + 12 + 2 * side] = count > 0 ? nodeData[2 * c] : recordOf[c];
      ref[o + 13 + 2 * side] = count;
    }
  }
  return { box, ref, innerCount, rootBox };
}

/**
 * Squared distance from (x, y, z) to the float32 centre/half-extent box at `box[o .. o+5]`
 * (0 inside), in float64 and without branches.
 */
export function childBoxDistanceSq(box: Float32Array, o: number, x: number, y: number, z: number): number {
  const ax = Math.abs(x - box[o]) - box[o + 3];
  const ay = Math.abs(y - box[o + 1]) - box[o + 4];
  const az = Math.abs(z - box[o + 2]) - box[o + 5];
  // a + |a| = 2·max(a, 0) exactly, hence the factor 1/4 on the squares.
  const tx = ax + Math.abs(ax), ty = ay + Math.abs(ay), tz = az + Math.abs(az);
  return 0.25 * (tx * tx + ty * ty + tz * tz);
}

/** Squared distance from (x, y, z) to the float64 root box. */
export function rootDistanceSq(b: Float64Array, x: number, y: number, z: number): number {
  const dx = b[0] - x > 0 ? b[0] - x : x - b[3] > 0 ? x - b[3] : 0;
  const dy = b[1] - y > 0 ? b[1] - y : y - b[4] > 0 ? y - b[4] : 0;
  const dz = b[2] - z > 0 ? b[2] - z : z - b[5] > 0 ? z - b[5] : 0;
  return dx * dx + dy * dy + dz * dz;
}

/**
 * x plus about two ulps (0 → the smallest subnormal). Searches start from
 * `inclusiveBound(maxDistanceSq)` and keep only strictly nearer candidates, which makes
 * "within the maximum distance" inclusive; a final `≤ maxDistanceSq` check removes the slack.
 */
export function inclusiveBound(x: number): number {
  return x + x * 4.440892098500626e-16 + Number.MIN_VALUE;
}
