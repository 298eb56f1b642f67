/**
 * Bounding volume hierarchy over the triangles of an indexed mesh, for exact closest-point
 * queries in float64, with an optional grid of candidate lists in front of it.
 *
 * Build: Morton pre-sort, binned SAH, Morton splits for small nodes (see `bvh-build.ts`).
 * Layout (flat typed arrays):
 * - inner nodes in the 64-byte records of `compact-tree.ts` (both child boxes in float32,
 *   rounded so that they contain the exact boxes, plus the child references);
 * - `slotFace` Uint32Array: the mesh face stored in each leaf slot;
 * - `triData` / `edgeData` (see `triangle-data.ts`): per slot, vertex a, the unit normal
 *   and the in-plane edge normals for a cheap lower bound (exact when p projects inside the
 *   triangle), and the edges and dot products for the region method of Ericson §5.1.5
 *   (sliver/degenerate triangles take the robust path of `closestPointOnTriangle`).
 *
 * Query: with a grid (`cell-grid.ts`, built by {@link TriangleBVH.prepareGrid}, by large
 * batches or once callers announce many queries), the candidates of the query's cell first;
 * a result within the grid margin is exact and ends the query. The cell's best candidate then
 * moves to the front of its list (move-to-front), so that later queries in the cell start
 * from a tight bound under which the cheap tests below reject most candidates. When the
 * list's best is not settled but √best − accept is under one cell, the lists of the adjacent
 * cells within that distance settle it (a face nearer than √best lies within the margin of
 * such a cell), each face tested once per query (per-slot stamps). Otherwise
 * (or without a grid) the hint face, if any, tightens the bound, then depth-first with an
 * explicit preallocated stack, nearer child first (by squared distance to its box), pruning every
 * box not strictly nearer than the current best. A triangle whose plane/edge lower bound
 * is not below the best distance is skipped before the region test. A point that projects
 * inside its closest face gets its distance and barycentrics once, at the end, from
 * `closestPointInFace` (the same numbers as `closestPointOnTriangle`).
 */
import {
  closestPointInFace,
  closestPointOnMeshFace,
  closestPointRegions,
  createTriangleClosestPoint,
  type TriangleClosestPoint,
} from './closest-point-triangle.js';
import { buildTriangleHierarchy, type BvhStrategy } from './bvh-build.js';
import { RECORD_WORDS, childBoxDistanceSq, inclusiveBound, rootDistanceSq, type CompactTree } from './compact-tree.js';
import { buildCellGrid, cellAt, cellWallDistance, type CellGrid } from './cell-grid.js';
import { mortonOrder } from './morton.js';
import { EDGE_STRIDE, TRI_STRIDE, edgeNormals, triangleData } from './triangle-data.js';

export { EDGE_STRIDE, TRI_STRIDE } from './triangle-data.js';

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

/** Placeholder slot list while a query has no grid cell. */
const NO_SLOTS: Int32Array = new Int32Array(0);
/** Placeholder edge data until the grid is built. */
const NO_EDGES: Float64Array = new Float64Array(0);

/** Largest accepted |coordinate| (node boxes are stored in float32). */
const MAX_COORDINATE = 1e30;

/**
 * The candidate grid is built once the queries asked through {@link TriangleBVH.closestPoints}
 * or announced by {@link TriangleBVH.expectQueries} total this many per face. On the ICT mesh
 * (22k faces) the grid takes about 1.5 times as long to build as the BVH (40–57 ms against
 * 26–30 ms on a loaded machine) and saves about 0.2 µs per query within 0.2 mm of the
 * surface (0.79–1.02 µs against 0.99–1.26 µs per query in batches of 150k), so it pays off
 * after about 8 queries per face; one-off batches below that never build it.
 */
const GRID_AFTER_QUERIES_PER_FACE = 8;


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
  /** Per-slot triangle data (vertex a, normal, edges, dot products), {@link TRI_STRIDE} doubles each (see `triangle-data.ts`). */
  readonly triData: Float64Array;
  /** Per-slot in-plane edge normals for the grid's lower bound, {@link EDGE_STRIDE} doubles each (built with the grid). */
  private edgeData: Float64Array = NO_EDGES;
  /** Depth of the deepest leaf (root = 0). */
  readonly depth: number;

  private readonly stackRef: Int32Array;
  private readonly stackCount: Int32Array;
  private readonly stackDist: Float64Array;
  private readonly scratch: TriangleClosestPoint = createTriangleClosestPoint();
  /** Candidate grid (see `cell-grid.ts`): undefined until built, null when not applicable. */
  private grid: CellGrid | null | undefined = undefined;
  /** Per slot, the stamp of the last query whose neighbour-cell search tested it. */
  private seen: Int32Array = new Int32Array(0);
  private stamp = 0;
  /** Queries asked through {@link closestPoints} or announced by {@link expectQueries} so far. */
  private expectedQueries = 0;

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
    for (let s = 0; s < m; s++) this.faceSlot[slotFace[s]] = s;
    this.triData = triangleData(positions, faces, slotFace);
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
   * sqrt(maxDistanceSq). `hintFace` (e.g. the previous query's answer) gives a tight initial
   * bound for the tree search when the grid does not settle the query; the result is exact
   * regardless of the hint. When several faces are equally close, one of them is returned,
   * preferring non-degenerate faces.
   */
  closestPoint(
    x: number, y: number, z: number,
    out: ClosestPointResult,
    maxDistanceSq: number = Infinity,
    hintFace: number = -1,
  ): boolean {
    const m = this.faceCount;
    const tri = this.triData;
    const edges = this.edgeData;
    const box = this.tree.box;
    const refs = this.tree.ref;
    const stackRef = this.stackRef;
    const stackCount = this.stackCount;
    const stackDist = this.stackDist;
    // `best`: squared distance of the best candidate. `bound`: pruning bound, equal to best
    // except while the best candidate is a sliver/degenerate face; it is then a hair larger,
    // so that a regular face at the same distance is still reached and replaces it (its
    // normal is meaningful). bestV = NaN: barycentrics not computed yet (projection inside).
    let best = inclusiveBound(maxDistanceSq);
    let bound = best;
    let bestSlot = -1;
    let bestV = 0;
    let bestW = 0;
    let bestSliver = false;

    // Start: the candidates of the query's grid cell (`indirect`: slots listed in
    // `cellSlots[ref .. ref + count)`; none without a grid or outside it). The cell's
    // candidates hold every face within the grid margin, so a candidate that close is the
    // exact answer; otherwise the hint face tightens the bound and the tree is searched.
    const grid = this.grid;
    const rb = this.tree.rootBox;
    const leafRoot = this.tree.innerCount === 0;
    let cellSlots: Int32Array = NO_SLOTS;
    let acceptSq = -1;
    let ref = 0;
    let count = 0;
    // Own cell (ci, cj, ck); then, when its list does not settle the query, the neighbour
    // cells in [ni0, ni1] × [nj0, nj1] × [nk0, nk1], visited with (ni, nj, nk).
    let ci = 0, cj = 0, ck = 0;
    let ni0 = 0, ni1 = -1, nj0 = 0, nj1 = -1, nk1 = -1;
    let ni = 0, nj = 0, nk = 0;
    let neighbours = false;
    const seen = this.seen;
    let stamp = 0;
    if (grid) {
      ci = Math.floor((x - grid.x0) * grid.invCell);
      cj = Math.floor((y - grid.y0) * grid.invCell);
      ck = Math.floor((z - grid.z0) * grid.invCell);
      const c = cellAt(grid, ci, cj, ck);
      if (c >= 0) {
        cellSlots = grid.cellSlots;
        acceptSq = grid.acceptSq;
        ref = grid.cellStart[c];
        count = grid.cellStart[c + 1] - ref;
      }
    }
    let indirect = true;
    let sp = 0;
    for (;;) {
      if (count > 0 || indirect) {
        const end = ref + count;
        for (let j = ref; j < end; j++) {
          const s = indirect ? cellSlots[j] : j;
          if (neighbours) {
            // Neighbour lists share most of their faces: each is tested once per query.
            if (seen[s] === stamp) continue;
            seen[s] = stamp;
          }
          const o = s * TRI_STRIDE;
          const apx = x - tri[o], apy = y - tri[o + 1], apz = z - tri[o + 2];
          // Plane distance: a lower bound (with the edges' for grid candidates), checked before the region test.
          const pn = tri[o + 3] * apx + tri[o + 4] * apy + tri[o + 5] * apz;
          const pp = pn * pn;
          if (indirect) {
            // Grid candidates (many per query): the lower bound pn² + max(e, 0)², exact when p
            // projects inside the triangle (e ≤ 0; see `triangle-data.ts`), in one test. The
            // maxima are taken without branches, max(a, b) = (a + b + |a − b|)/2 (within an
            // ulp): which edge lies farthest, and whether the plane alone rejects, change from
            // one candidate to the next, and mispredicted branches cost more than the
            // arithmetic.
            const r = s * EDGE_STRIDE;
            let e = edges[r] * apx + edges[r + 1] * apy + edges[r + 2] * apz;
            const e2 = edges[r + 3] * apx + edges[r + 4] * apy + edges[r + 5] * apz;
            const e3 = edges[r + 6] * apx + edges[r + 7] * apy + edges[r + 8] * apz - edges[r + 9];
            e = 0.5 * (e + e2 + Math.abs(e - e2));
            e = 0.5 * (e + e3 + Math.abs(e - e3));
            const ep = 0.5 * (e + Math.abs(e));
            if (pp + ep * ep >= bound) continue;
            if (e <= 0) {
              // Inside, pp < bound: a new best (never a sliver, whose k_bc makes e > 0).
              best = pp; bound = pp; bestSlot = s; bestV = NaN; bestW = NaN; bestSliver = false;
              continue;
            }
          } else if (pp >= bound) {
            continue;
          }
          const abab = tri[o + 12];
          if (abab < 0) {
            // Sliver/degenerate (normal stored as 0): the robust path.
            const d = closestPointOnMeshFace(this.positions, this.faces, this.slotFace[s], x, y, z, this.scratch);
            if (d < best) {
              best = d; bestSlot = s; bestV = this.scratch.v; bestW = this.scratch.w; bestSliver = true;
              bound = inclusiveBound(d * (1 + 1e-12));
            }
            continue;
          }
          // Ericson §5.1.5 region method (same arithmetic as closestPointRegions), inlined; the
          // face region's barycentrics are computed at the end, once.
          const abx = tri[o + 6], aby = tri[o + 7], abz = tri[o + 8];
          const acx = tri[o + 9], acy = tri[o + 10], acz = tri[o + 11];
          const d1 = abx * apx + aby * apy + abz * apz;
          const d2 = acx * apx + acy * apy + acz * apz;
          let v = 0;
          let w = 0;
          let inside = false;
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
                      inside = true;
                    }
                  }
                }
              }
            }
          }
          if (inside) {
            // Face region: the plane distance (pp < bound here), as for the grid's candidates.
            best = pp; bound = pp; bestSlot = s; bestV = NaN; bestW = NaN; bestSliver = false;
            continue;
          }
          const dx = apx - v * abx - w * acx;
          const dy = apy - v * aby - w * acy;
          const dz = apz - v * abz - w * acz;
          const d = dx * dx + dy * dy + dz * dz;
          if (d < bound) {
            best = d; bound = d; bestSlot = s; bestV = v; bestW = w; bestSliver = false;
          }
        }
        if (indirect) {
          // Grid candidates done: exact within the margin (more, the deeper the query sits in
          // its cell), else the hint and the tree.
          indirect = false;
          if (!neighbours && bestSlot >= 0 && cellSlots[ref] !== bestSlot) {
            // Move the cell's best to the front of its list: the next queries in this cell
            // (Morton order) usually have the same or an adjacent answer, and a tight bound
            // from their first candidate lets the cheap tests reject the others.
            let j = ref + 1;
            while (cellSlots[j] !== bestSlot) j++;
            cellSlots[j] = cellSlots[ref];
            cellSlots[ref] = bestSlot;
          }
          if (!neighbours) {
            if (bound <= acceptSq) break;
            if (acceptSq >= 0) {
              const g = grid!;
              const reach = g.accept + g.cell * cellWallDistance(g, x, y, z);
              if (bound <= reach * reach) break;
              // A face nearer than √bound is listed in a cell within √bound − accept of the
              // query (the point that far along the way to its nearest point lies within the
              // margin of it): when that reaches only the adjacent cells, their lists settle it.
              const rad = Math.sqrt(bound) - g.accept;
              if (rad < g.cell) {
                neighbours = true;
                stamp = this.nextStamp();
                for (let j = ref, end = ref + count; j < end; j++) seen[cellSlots[j]] = stamp;
                ni0 = Math.max(0, Math.floor((x - rad - g.x0) * g.invCell)); ni1 = Math.min(g.nx - 1, Math.floor((x + rad - g.x0) * g.invCell));
                nj0 = Math.max(0, Math.floor((y - rad - g.y0) * g.invCell)); nj1 = Math.min(g.ny - 1, Math.floor((y + rad - g.y0) * g.invCell));
                nk = Math.max(0, Math.floor((z - rad - g.z0) * g.invCell)); nk1 = Math.min(g.nz - 1, Math.floor((z + rad - g.z0) * g.invCell));
                ni = ni0 - 1; nj = nj0;
              }
            }
          }
          if (neighbours) {
            // The next neighbour cell within √bound − accept (bound only shrinks) with a list.
            const g = grid!;
            const rad = Math.sqrt(bound) - g.accept;
            let found = false;
            while (rad > 0) {
              if (++ni > ni1) {
                ni = ni0;
                if (++nj > nj1) {
                  nj = nj0;
                  if (++nk > nk1) break;
                }
              }
              if (ni === ci && nj === cj && nk === ck) continue;
              const lx = g.x0 + ni * g.cell, ly = g.y0 + nj * g.cell, lz = g.z0 + nk * g.cell;
              const dx = x < lx ? lx - x : x > lx + g.cell ? x - lx - g.cell : 0;
              const dy = y < ly ? ly - y : y > ly + g.cell ? y - ly - g.cell : 0;
              const dz = z < lz ? lz - z : z > lz + g.cell ? z - lz - g.cell : 0;
              if (dx * dx + dy * dy + dz * dz >= rad * rad) continue;
              const c = cellAt(g, ni, nj, nk);
              if (c < 0) continue;
              ref = g.cellStart[c];
              count = g.cellStart[c + 1] - ref;
              if (count > 0) {
                found = true;
                break;
              }
            }
            if (!found) break;
            indirect = true;
            continue;
          }
          if (hintFace >= 0 && hintFace < m && (hintFace | 0) === hintFace) {
            const hs = this.faceSlot[hintFace];
            if (hs !== bestSlot) {
              const d = this.slotDistance(hs, x, y, z);
              if (d < best) {
                best = d; bestSlot = hs; bestV = this.scratch.v; bestW = this.scratch.w; bestSliver = tri[hs * TRI_STRIDE + 12] < 0;
                bound = bestSliver ? inclusiveBound(d * (1 + 1e-12)) : d;
              }
            }
          }
          if (!(m > 0 && rootDistanceSq(rb, x, y, z) < bound)) break;
          ref = 0;
          count = leafRoot ? m : 0;
          continue;
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
      if (bestV !== bestV) {
        // Face region: distance and barycentrics as closestPointRegions gives them.
        const apx = x - tri[o], apy = y - tri[o + 1], apz = z - tri[o + 2];
        const abx = tri[o + 6], aby = tri[o + 7], abz = tri[o + 8];
        const acx = tri[o + 9], acy = tri[o + 10], acz = tri[o + 11];
        const scratch = this.scratch;
        best = closestPointInFace(
          apx, apy, apz, abx, aby, abz, acx, acy, acz,
          abx * apx + aby * apy + abz * apz, acx * apx + acy * apy + acz * apz,
          tri[o + 12], tri[o + 13], tri[o + 14], scratch,
        );
        bestV = scratch.v; bestW = scratch.w;
      }
      out.x = tri[o] + bestV * tri[o + 6] + bestW * tri[o + 9];
      out.y = tri[o + 1] + bestV * tri[o + 7] + bestW * tri[o + 10];
      out.z = tri[o + 2] + bestV * tri[o + 8] + bestW * tri[o + 11];
      out.u = 1 - bestV - bestW; out.v = bestV; out.w = bestW;
    }
    out.distanceSq = best;
    out.face = face;
    return true;
  }

  /**
   * Build the candidate grid (see `cell-grid.ts`) that answers most queries near the surface
   * without descending the tree; {@link closestPoints} does this itself for large batches.
   * Worth it when the BVH serves many queries (e.g. several ICP iterations). Idempotent.
   */
  prepareGrid(): void {
    if (this.grid !== undefined) return;
    this.edgeData = edgeNormals(this.triData, this.faceCount);
    this.grid = buildCellGrid(this.triData, this.edgeData, this.faceCount);
    this.seen = new Int32Array(this.faceCount);
  }

  /**
   * Count `count` queries toward the candidate grid, which is built once the queries counted
   * so far (these and those of {@link closestPoints}) total 8 per face. A caller about to ask
   * many {@link closestPoint} queries (e.g. the passes of ICP) announces them here.
   */
  expectQueries(count: number): void {
    this.expectedQueries += count;
    if (this.grid === undefined && this.expectedQueries >= GRID_AFTER_QUERIES_PER_FACE * this.faceCount) this.prepareGrid();
  }

  /** Whether the candidate grid is built (false also for meshes without extent). */
  get hasGrid(): boolean {
    return !!this.grid;
  }

  /** The candidate grid (do not modify; queries reorder its lists), null when not built. */
  gridInfo(): CellGrid | null {
    return this.grid ?? null;
  }

  /** A stamp no slot carries yet (all are cleared when the counter wraps). */
  private nextStamp(): number {
    if (this.stamp === 0x7fffffff) {
      this.seen.fill(0);
      this.stamp = 0;
    }
    return ++this.stamp;
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
   * input order. Builds the candidate grid once the batches so far total 8 queries per face.
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
    this.expectQueries(n);
    // Three passes so that the random accesses (Morton order vs input order) run in tight
    // loops, where the memory system overlaps them, rather than one per query between long
    // stretches of search: gather the queries in Morton order, search writing results
    // sequentially, scatter the results to input order.
    const sequence = mortonOrder(queries);
    const sorted = new Float64Array(3 * n);
    for (let j = 0; j < n; j++) {
      const k = 3 * sequence[j];
      sorted[3 * j] = queries[k]; sorted[3 * j + 1] = queries[k + 1]; sorted[3 * j + 2] = queries[k + 2];
    }
    const sortedFaces = new Int32Array(n);
    // Per query: squared distance, point, barycentrics.
    const sortedOut = new Float64Array(7 * n);
    const hit = createClosestPointResult();
    for (let j = 0; j < n; j++) {
      const hint = hints ? hints[sequence[j]] : -1;
      const o = 7 * j;
      if (this.closestPoint(sorted[3 * j], sorted[3 * j + 1], sorted[3 * j + 2], hit, maxDistanceSq, hint)) {
        sortedFaces[j] = hit.face;
        sortedOut[o] = hit.distanceSq;
        sortedOut[o + 1] = hit.x; sortedOut[o + 2] = hit.y; sortedOut[o + 3] = hit.z;
        sortedOut[o + 4] = hit.u; sortedOut[o + 5] = hit.v; sortedOut[o + 6] = hit.w;
      } else {
        sortedFaces[j] = -1;
        sortedOut[o] = Infinity;
        sortedOut[o + 1] = NaN; sortedOut[o + 2] = NaN; sortedOut[o + 3] = NaN;
        sortedOut[o + 4] = NaN; sortedOut[o + 5] = NaN; sortedOut[o + 6] = NaN;
      }
    }
    for (let j = 0; j < n; j++) {
      const i = sequence[j];
      const k = 3 * i;
      const o = 7 * j;
      faces[i] = sortedFaces[j];
      distances[i] = Math.sqrt(sortedOut[o]);
      points[k] = sortedOut[o + 1]; points[k + 1] = sortedOut[o + 2]; points[k + 2] = sortedOut[o + 3];
      barycentrics[k] = sortedOut[o + 4]; barycentrics[k + 1] = sortedOut[o + 5]; barycentrics[k + 2] = sortedOut[o + 6];
    }
    return { distances, points, faces, barycentrics };
  }
}
