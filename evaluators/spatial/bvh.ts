/**
 * Bounding volume hierarchy over the triangles of an indexed mesh, for exact closest-point
 * queries in float64.
 *
 * Build: Morton pre-sort, binned SAH, Morton splits for small nodes (see `bvh-build.ts`).
 * Layout (flat typed arrays):
 * - inner nodes in the 64-byte records of `compact-tree.ts` (both child boxes in float32,
 *   rounded so that they contain the exact boxes, plus the child references);
 * - `slotFace` Uint32Array: the mesh face stored in each leaf slot;
 * - `triData` Float64Array, {@link TRI_STRIDE} per slot: vertex a, the unit normal, edges
 *   ab and ac, and ab·ab, ab·ac, ac·ac for the region method of Ericson §5.1.5 (ab·ab = −1
 *   marks a sliver/degenerate triangle that takes the robust path of
 *   `closestPointOnTriangle`).
 *
 * Query: depth-first with an explicit preallocated stack, nearer child first (by squared
 * distance to its box), pruning every box not strictly nearer than the current best. In a
 * leaf, a triangle whose plane is farther than the best distance is skipped before the
 * region test (the plane distance is a lower bound of the triangle distance).
 */
import {
  SLIVER_RATIO,
  closestPointOnMeshFace,
  closestPointRegions,
  createTriangleClosestPoint,
  type TriangleClosestPoint,
} from './closest-point-triangle.js';
import { buildTriangleHierarchy, type BvhStrategy } from './bvh-build.js';
import { RECORD_WORDS, childBoxDistanceSq, inclusiveBound, rootDistanceSq, type CompactTree } from './compact-tree.js';
import { mortonOrder } from './morton.js';

/** Closest point on the mesh: `(x, y, z) = u·a + v·b + w·c` of face `face`. */
export interface ClosestPointResult {
  distanceSq: number;
  x: number;
  y: number;
  z: number;
  /** Mesh face index, −1 when nothing was found. */
  face: number;
  u: number;
  v: number;
  w: number;
}

/** A fresh result object, to be reused across queries. */
export function createClosestPointResult(): ClosestPointResult {
  return { distanceSq: Infinity, x: NaN, y: NaN, z: NaN, face: -1, u: NaN, v: NaN, w: NaN };
}

/** Results of {@link TriangleBVH.closestPoints}, one entry per query. */
export interface ClosestPointBatch {
  /** Euclidean distances, Infinity where no face lies within `maxDistance`. */
  distances: Float64Array;
  /** 3·n closest points (NaN where none). */
  points: Float64Array;
  /** Closest faces, −1 where none. */
  faces: Int32Array;
  /** 3·n barycentrics (u, v, w) of the closest points on their faces (NaN where none). */
  barycentrics: Float64Array;
}

export interface TriangleBVHOptions {
  /** Maximum triangles per leaf (default 4). */
  leafSize?: number;
  /**
   * 'sah' (default): surface-area-heuristic splits, the fastest queries; 'morton': Morton
   * (LBVH) splits only, about 4× faster to build for about 10 % slower queries.
   */
  strategy?: BvhStrategy;
}

export interface ClosestPointsOptions {
  /** Ignore faces farther than this (mm); default Infinity. */
  maxDistance?: number;
  /**
   * Per-query face to test first (−1 for none), e.g. the previous ICP iteration's answer:
   * a tight initial bound; the results are exact regardless.
   */
  hints?: Int32Array;
}

/** Largest accepted |coordinate| (node boxes are stored in float32). */
const MAX_COORDINATE = 1e30;

/** Doubles per triangle in `triData`. */
export const TRI_STRIDE = 16;

export class TriangleBVH {
  /** Number of triangles indexed. */
  readonly faceCount: number;
  readonly positions: Float64Array;
  readonly faces: Uint32Array;
  /** Inner-node records (see `compact-tree.ts`). */
  readonly tree: CompactTree;
  /** Mesh face stored in each leaf slot. */
  readonly slotFace: Uint32Array;
  /** Leaf slot of each mesh face. */
  readonly faceSlot: Uint32Array;
  /** Per-slot triangle data, {@link TRI_STRIDE} doubles each. */
  readonly triData: Float64Array;
  /** Depth of the deepest leaf (root = 0). */
  readonly depth: number;

  private readonly stackRef: Int32Array;
  private readonly stackCount: Int32Array;
  private readonly stackDist: Float64Array;
  private readonly scratch: TriangleClosestPoint = createTriangleClosestPoint();

  private constructor(positions: Float64Array, faces: Uint32Array, tree: CompactTree, slotFace: Uint32Array, depth: number) {
    this.positions = positions;
    this.faces = faces;
    this.faceCount = slotFace.length;
    this.tree = tree;
    this.slotFace = slotFace;
    this.depth = depth;
    this.stackRef = new Int32Array(depth + 2);
    this.stackCount = new Int32Array(depth + 2);
    this.stackDist = new Float64Array(depth + 2);
    const m = slotFace.length;
    this.faceSlot = new Uint32Array(m);
    this.triData = new Float64Array(m * TRI_STRIDE);
    const tri = this.triData;
    for (let s = 0; s < m; s++) {
      const f = slotFace[s];
      this.faceSlot[f] = s;
      const ia = 3 * faces[3 * f], ib = 3 * faces[3 * f + 1], ic = 3 * faces[3 * f + 2];
      const ax = positions[ia], ay = positions[ia + 1], az = positions[ia + 2];
      const abx = positions[ib] - ax, aby = positions[ib + 1] - ay, abz = positions[ib + 2] - az;
      const acx = positions[ic] - ax, acy = positions[ic + 1] - ay, acz = positions[ic + 2] - az;
      const bcx = positions[ic] - positions[ib], bcy = positions[ic + 1] - positions[ib + 1], bcz = positions[ic + 2] - positions[ib + 2];
      const abab = abx * abx + aby * aby + abz * abz;
      const acac = acx * acx + acy * acy + acz * acz;
      const bcbc = bcx * bcx + bcy * bcy + bcz * bcz;
      const nx = aby * acz - abz * acy, ny = abz * acx - abx * acz, nz = abx * acy - aby * acx;
      const nn = nx * nx + ny * ny + nz * nz;
      let lmax = abab > acac ? abab : acac;
      if (bcbc > lmax) lmax = bcbc;
      const o = s * TRI_STRIDE;
      const well = nn > SLIVER_RATIO * lmax * lmax;
      const inv = well ? 1 / Math.sqrt(nn) : 0;
      tri[o] = ax; tri[o + 1] = ay; tri[o + 2] = az;
      tri[o + 3] = nx * inv; tri[o + 4] = ny * inv; tri[o + 5] = nz * inv;
      tri[o + 6] = abx; tri[o + 7] = aby; tri[o + 8] = abz;
      tri[o + 9] = acx; tri[o + 10] = acy; tri[o + 11] = acz;
      // Same test as closestPointOnTriangle: slivers and degenerate faces take its robust path.
      tri[o + 12] = well ? abab : -1;
      tri[o + 13] = abx * acx + aby * acy + abz * acz;
      tri[o + 14] = acac;
    }
  }

  /**
   * Build over a mesh: `positions` xyz-interleaved (mm), `faces` three vertex indices per
   * triangle. The arrays are referenced, not copied: do not modify them afterwards.
   */
  static build(positions: Float64Array, faces: Uint32Array, options: TriangleBVHOptions = {}): TriangleBVH {
    const leafSize = options.leafSize ?? 4;
    if (!Number.isInteger(leafSize) || leafSize < 1) {
      throw new RangeError(`TriangleBVH.build: leafSize must be a positive integer, got ${leafSize}`);
    }
    if (positions.length % 3 !== 0) {
      throw new RangeError(`TriangleBVH.build: positions length ${positions.length} is not a multiple of 3`);
    }
    if (faces.length % 3 !== 0) {
      throw new RangeError(`TriangleBVH.build: faces length ${faces.length} is not a multiple of 3`);
    }
    const nv = positions.length / 3;
    for (let i = 0; i < faces.length; i++) {
      if (faces[i] >= nv) {
        throw new RangeError(`TriangleBVH.build: face ${Math.floor(i / 3)} refers to vertex ${faces[i]} but there are ${nv} vertices`);
      }
    }
    for (let i = 0; i < positions.length; i++) {
      const v = positions[i];
      if (!(v >= -MAX_COORDINATE && v <= MAX_COORDINATE)) {
        throw new RangeError(`TriangleBVH.build: vertex ${Math.floor(i / 3)} has coordinate ${v}; coordinates must be finite and within ±1e30`);
      }
    }
    const strategy = options.strategy ?? 'sah';
    if (strategy !== 'sah' && strategy !== 'morton') {
      throw new RangeError(`TriangleBVH.build: strategy must be 'sah' or 'morton', got ${JSON.stringify(strategy)}`);
    }
    const built = buildTriangleHierarchy(positions, faces, leafSize, strategy);
    return new TriangleBVH(positions, faces, built.tree, built.order, built.depth);
  }

  /**
   * Closest point of the mesh to (x, y, z). Returns false — with `out.face = −1` and
   * `out.distanceSq = Infinity`, the other fields untouched — when no triangle lies within
   * sqrt(maxDistanceSq). `hintFace` is tested first to get a tight initial bound (e.g. the
   * previous query's answer); the result is exact regardless of the hint. When several
   * faces are equally close, one of them is returned, preferring non-degenerate faces.
   */
  closestPoint(
    x: number, y: number, z: number,
    out: ClosestPointResult,
    maxDistanceSq: number = Infinity,
    hintFace: number = -1,
  ): boolean {
    const m = this.faceCount;
    const tri = this.triData;
    const box = this.tree.box;
    const refs = this.tree.ref;
    const stackRef = this.stackRef;
    const stackCount = this.stackCount;
    const stackDist = this.stackDist;
    // `best`: squared distance of the best candidate. `bound`: pruning bound, equal to best
    // except while the best candidate is a sliver/degenerate face; it is then a hair larger,
    // so that a regular face at the same distance is still reached and replaces it (its
    // normal is meaningful).
    let best = inclusiveBound(maxDistanceSq);
    let bound = best;
    let bestSlot = -1;
    let bestV = 0;
    let bestW = 0;
    let bestSliver = false;

    if (hintFace >= 0 && hintFace < m && (hintFace | 0) === hintFace) {
      const s = this.faceSlot[hintFace];
      const d = this.slotDistance(s, x, y, z);
      if (d < best) {
        best = d; bestSlot = s; bestV = this.scratch.v; bestW = this.scratch.w; bestSliver = tri[s * TRI_STRIDE + 12] < 0;
        bound = bestSliver ? inclusiveBound(d * (1 + 1e-12)) : d;
      }
    }

    const rb = this.tree.rootBox;
    if (m > 0 && rootDistanceSq(rb, x, y, z) < bound) {
      let sp = 0;
      // Current child: a leaf (count > 0, ref = first slot) or an inner record (count 0).
      let ref = 0;
      let count = this.tree.innerCount === 0 ? m : 0;
      for (;;) {
        if (count > 0) {
          const end = ref + count;
          for (let s = ref; s < end; s++) {
            const o = s * TRI_STRIDE;
            const abab = tri[o + 12];
            if (abab < 0) {
              const d = closestPointOnMeshFace(this.positions, this.faces, this.slotFace[s], x, y, z, this.scratch);
              if (d < best) {
                best = d; bestSlot = s; bestV = this.scratch.v; bestW = this.scratch.w; bestSliver = true;
                bound = inclusiveBound(d * (1 + 1e-12));
              }
              continue;
            }
            const apx = x - tri[o], apy = y - tri[o + 1], apz = z - tri[o + 2];
            // Plane distance: a lower bound, cheap rejection before the region test.
            const pn = tri[o + 3] * apx + tri[o + 4] * apy + tri[o + 5] * apz;
            if (pn * pn >= bound) continue;
            // Ericson §5.1.5 region method (same arithmetic as closestPointRegions), inlined.
            const abx = tri[o + 6], aby = tri[o + 7], abz = tri[o + 8];
            const acx = tri[o + 9], acy = tri[o + 10], acz = tri[o + 11];
            const d1 = abx * apx + aby * apy + abz * apz;
            const d2 = acx * apx + acy * apy + acz * apz;
            let v = 0;
            let w = 0;
            if (d1 > 0 || d2 > 0) {
              const abac = tri[o + 13];
              const d3 = d1 - abab;
              const d4 = d2 - abac;
              if (d3 >= 0 && d4 <= d3) {
                v = 1;
              } else {
                const vc = d1 * d4 - d3 * d2;
                if (vc <= 0 && d1 >= 0 && d3 <= 0) {
                  v = d1 / abab;
                } else {
                  const acac = tri[o + 14];
                  const d5 = d1 - abac;
                  const d6 = d2 - acac;
                  if (d6 >= 0 && d5 <= d6) {
                    w = 1;
                  } else {
                    const vb = d5 * d2 - d1 * d6;
                    if (vb <= 0 && d2 >= 0 && d6 <= 0) {
                      w = d2 / acac;
                    } else {
                      const va = d3 * d6 - d5 * d4;
                      const e43 = d4 - d3;
                      const e56 = d5 - d6;
                      if (va <= 0 && e43 >= 0 && e56 >= 0) {
                        w = e43 / (e43 + e56);
                        v = 1 - w;
                      } else {
                        const inv = 1 / (va + vb + vc);
                        v = vb * inv;
                        w = vc * inv;
                      }
                    }
                  }
                }
              }
            }
            const dx = apx - v * abx - w * acx;
            const dy = apy - v * aby - w * acy;
            const dz = apz - v * abz - w * acz;
            const d = dx * dx + dy * dy + dz * dz;
            if (d < bound) {
              best = d; bound = d; bestSlot = s; bestV = v; bestW = w; bestSliver = false;
            }
          }
        } else {
          const o = RECORD_WORDS * ref;
          const dl = childBoxDistanceSq(box, o, x, y, z);
          const dr = childBoxDistanceSq(box, o + 6, x, y, z);
          if (dl <= dr) {
            if (dr < bound) {
              stackRef[sp] = refs[o + 14]; stackCount[sp] = refs[o + 15]; stackDist[sp] = dr; sp++;
            }
            if (dl < bound) {
              ref = refs[o + 12]; count = refs[o + 13];
              continue;
            }
          } else {
            if (dl < bound) {
              stackRef[sp] = refs[o + 12]; stackCount[sp] = refs[o + 13]; stackDist[sp] = dl; sp++;
            }
            if (dr < bound) {
              ref = refs[o + 14]; count = refs[o + 15];
              continue;
            }
          }
        }
        // Pop the next child still nearer than the best.
        let next = false;
        while (sp > 0) {
          sp--;
          if (stackDist[sp] < bound) {
            ref = stackRef[sp]; count = stackCount[sp];
            next = true;
            break;
          }
        }
        if (!next) break;
      }
    }

    if (bestSlot < 0 || !(best <= maxDistanceSq)) {
      out.face = -1;
      out.distanceSq = Infinity;
      return false;
    }
    const face = this.slotFace[bestSlot];
    if (bestSliver) {
      const scratch = this.scratch;
      closestPointOnMeshFace(this.positions, this.faces, face, x, y, z, scratch);
      out.x = scratch.x; out.y = scratch.y; out.z = scratch.z;
      out.u = scratch.u; out.v = scratch.v; out.w = scratch.w;
    } else {
      const o = bestSlot * TRI_STRIDE;
      out.x = tri[o] + bestV * tri[o + 6] + bestW * tri[o + 9];
      out.y = tri[o + 1] + bestV * tri[o + 7] + bestW * tri[o + 10];
      out.z = tri[o + 2] + bestV * tri[o + 8] + bestW * tri[o + 11];
      out.u = 1 - bestV - bestW; out.v = bestV; out.w = bestW;
    }
    out.distanceSq = best;
    out.face = face;
    return true;
  }

  /** Squared distance to the triangle in `slot` (v, w left in `this.scratch`). */
  private slotDistance(slot: number, x: number, y: number, z: number): number {
    const tri = this.triData;
    const o = slot * TRI_STRIDE;
    const abab = tri[o + 12];
    if (abab < 0) return closestPointOnMeshFace(this.positions, this.faces, this.slotFace[slot], x, y, z, this.scratch);
    return closestPointRegions(
      x - tri[o], y - tri[o + 1], z - tri[o + 2],
      tri[o + 6], tri[o + 7], tri[o + 8], tri[o + 9], tri[o + 10], tri[o + 11],
      abab, tri[o + 13], tri[o + 14], this.scratch,
    );
  }

  /**
   * Closest points for xyz-interleaved `queries` (see {@link ClosestPointBatch}). Queries
   * are processed in Morton (Z-curve) order for cache locality; results are returned in
   * input order.
   */
  closestPoints(queries: Float64Array, options: ClosestPointsOptions = {}): ClosestPointBatch {
    if (queries.length % 3 !== 0) {
      throw new RangeError(`TriangleBVH.closestPoints: queries length ${queries.length} is not a multiple of 3`);
    }
    const n = queries.length / 3;
    const hints = options.hints;
    if (hints && hints.length !== n) {
      throw new RangeError(`TriangleBVH.closestPoints: ${hints.length} hints for ${n} queries`);
    }
    const maxDistance = options.maxDistance ?? Infinity;
    const maxDistanceSq = maxDistance * maxDistance;
    const distances = new Float64Array(n);
    const points = new Float64Array(3 * n);
    const faces = new Int32Array(n);
    const barycentrics = new Float64Array(3 * n);
    const hit = createClosestPointResult();
    const sequence = mortonOrder(queries);
    for (let j = 0; j < n; j++) {
      const i = sequence[j];
      const hint = hints ? hints[i] : -1;
      const k = 3 * i;
      if (this.closestPoint(queries[k], queries[k + 1], queries[k + 2], hit, maxDistanceSq, hint)) {
        distances[i] = Math.sqrt(hit.distanceSq);
        points[k] = hit.x; points[k + 1] = hit.y; points[k + 2] = hit.z;
        barycentrics[k] = hit.u; barycentrics[k + 1] = hit.v; barycentrics[k + 2] = hit.w;
        faces[i] = hit.face;
      } else {
        distances[i] = Infinity;
        points[k] = NaN; points[k + 1] = NaN; points[k + 2] = NaN;
        barycentrics[k] = NaN; barycentrics[k + 1] = NaN; barycentrics[k + 2] = NaN;
        faces[i] = -1;
      }
    }
    return { distances, points, faces, barycentrics };
  }
}
