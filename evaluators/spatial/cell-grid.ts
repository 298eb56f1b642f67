/**
 * Uniform grid of candidate lists over the triangles of a {@link TriangleBVH}, for exact
 * closest-point queries near the surface without a tree descent.
 *
 * Cell c (cube of side `cell`) lists every triangle slot whose box meets c grown by
 * `margin` in every direction (L∞) and whose plane passes within `margin` of c. For a query
 * p in c, every triangle at distance ≤ margin from p is therefore in the list (its closest
 * point lies in the ball of radius margin around p, inside c grown by margin, and in its
 * plane). So if the best candidate is within `acceptSq` (margin², minus a relative 1e-9 for
 * rounding) it is the exact answer. More generally, for p at distance w inside the walls of
 * its cell (`cellWallDistance`), every triangle within margin + w of p is in the list: the
 * ball of radius w around p lies inside c, so such a triangle's nearest point to p is within
 * margin of c. The best candidate within `accept` + w is therefore exact too (the lists'
 * margin exceeds `accept` by a relative 1e-6, far more than the rounding of w). Otherwise
 * the best candidate is only an upper bound and the BVH takes over. Cell lists are CSR:
 * `cellStart[k] .. cellStart[k+1]` in `cellSlots`, stored only
 * for the 4×4×4 blocks of cells near the surface (a dense block table maps the rest to −1),
 * so memory follows the surface rather than the volume. A list is built in slot order; the
 * BVH's queries then move each one's best candidate to the front of its cell's list. The
 * order changes the work, not the answer (among equally near faces, which one is returned).
 */
import { EDGE_STRIDE, TRI_STRIDE } from './triangle-data.js';

export interface CellGrid {
  /** Lower corner of cell (0, 0, 0). */
  x0: number;
  y0: number;
  z0: number;
  /** 1 / cell side. */
  invCell: number;
  nx: number;
  ny: number;
  nz: number;
  /** Cell side (1 / invCell). */
  cell: number;
  /** Distance (the margin less a relative 1e-9) under which a candidate answer is exact, and its square. */
  accept: number;
  acceptSq: number;
  /** Blocks of 4×4×4 cells along x, y, z. */
  bnx: number;
  bny: number;
  bnz: number;
  /**
   * Per block (x fastest), the index in `cellStart` of its first cell, or −1 for a block
   * without candidates; cell (i, j, k) of a block is at offset 16·(k & 3) + 4·(j & 3) + (i & 3).
   */
  blocks: Int32Array;
  /** CSR offsets, 64 per stored block + 1. */
  cellStart: Int32Array;
  /** Triangle slots, cell by cell (reordered by queries, see the module comment). */
  cellSlots: Int32Array;
}

/** Most cells (of the box) per triangle: 1/64 block-table entry each; the cell side grows when the box needs more. */
const CELLS_PER_TRIANGLE = 1024;
/**
 * Cell side over the root mean triangle area, and the margin over the cell side. Chosen on
 * `eval`'s CPU time with predictions as far from the scan as real methods' (40 tasks of 100k
 * GT points, median distance 0.9 mm, L1 2 mm: a third of the queries 1–2 margins off the
 * surface at 0.6/0.5): 0.8/0.6 takes 6 % less than 0.6/0.5 (1.0/0.6: 8 % less), and 2 % more
 * where the prediction is the scan's own surface (median 0.16 mm; 1.0/0.6: 7 % more). Queries
 * within 1 mm of the ICT head: 3.3 M/s against 3.8–4.0 M/s at 0.6/0.5 (1.0/0.6: 2.8).
 */
const CELL_FACTOR = 0.8;
const MARGIN_FACTOR = 0.6;

/**
 * Grid over the slot triangles of `tri` and `edges` (see `triangle-data.ts`). Returns null
 * for an empty mesh or one without extent.
 */
export function buildCellGrid(
  tri: Float64Array, edges: Float64Array, slotCount: number,
  cellFactor = CELL_FACTOR, cellsPerTriangle = CELLS_PER_TRIANGLE, marginFactor = MARGIN_FACTOR,
): CellGrid | null {
  const m = slotCount;
  if (m === 0) return null;
  // Triangle boxes, mesh box and total area.
  const boxes = new Float64Array(6 * m);
  let bx0 = Infinity, by0 = Infinity, bz0 = Infinity, bx1 = -Infinity, by1 = -Infinity, bz1 = -Infinity;
  let area = 0;
  for (let s = 0; s < m; s++) {
    const o = s * TRI_STRIDE;
    const ax = tri[o], ay = tri[o + 1], az = tri[o + 2];
    const abx = tri[o + 6], aby = tri[o + 7], abz = tri[o + 8];
    const acx = tri[o + 9], acy = tri[o + 10], acz = tri[o + 11];
    const bx = ax + abx, by = ay + aby, bz = az + abz;
    const cx = ax + acx, cy = ay + acy, cz = az + acz;
    // Vertices b and c are rebuilt as a + ab, a + ac: widen the box by a relative hair.
    let lx = ax < bx ? ax : bx; if (cx < lx) lx = cx;
    let ly = ay < by ? ay : by; if (cy < ly) ly = cy;
    let lz = az < bz ? az : bz; if (cz < lz) lz = cz;
    let hx = ax > bx ? ax : bx; if (cx > hx) hx = cx;
    let hy = ay > by ? ay : by; if (cy > hy) hy = cy;
    let hz = az > bz ? az : bz; if (cz > hz) hz = cz;
    const b = 6 * s;
    boxes[b] = lx; boxes[b + 1] = ly; boxes[b + 2] = lz;
    boxes[b + 3] = hx; boxes[b + 4] = hy; boxes[b + 5] = hz;
    if (lx < bx0) bx0 = lx;
    if (ly < by0) by0 = ly;
    if (lz < bz0) bz0 = lz;
    if (hx > bx1) bx1 = hx;
    if (hy > by1) by1 = hy;
    if (hz > bz1) bz1 = hz;
    const nx = aby * acz - abz * acy, ny = abz * acx - abx * acz, nz = abx * acy - aby * acx;
    area += 0.5 * Math.sqrt(nx * nx + ny * ny + nz * nz);
  }
  const ex = bx1 - bx0, ey = by1 - by0, ez = bz1 - bz0;
  const extent = Math.max(ex, ey, ez);
  if (!(extent > 0) || !Number.isFinite(extent)) return null;
  // Cell side from the typical triangle size (root mean area), margin a fraction of it.
  let cell = cellFactor * Math.sqrt(area / m);
  if (!(cell > extent * 1e-4)) cell = extent / Math.cbrt(m);
  let nx = 0, ny = 0, nz = 0, margin = 0;
  const budget = cellsPerTriangle * m + 4096;
  for (let attempt = 0; ; attempt++) {
    margin = marginFactor * cell;
    nx = Math.floor((ex + 2 * margin) / cell) + 1;
    ny = Math.floor((ey + 2 * margin) / cell) + 1;
    nz = Math.floor((ez + 2 * margin) / cell) + 1;
    const cells = nx * ny * nz;
    if (cells <= budget || attempt > 60) break;
    cell *= Math.max(1.05, Math.cbrt(cells / budget));
  }
  const x0 = bx0 - margin, y0 = by0 - margin, z0 = bz0 - margin;
  const invCell = 1 / cell;
  // Assignment margin: a relative hair larger than the acceptance radius, so that rounding
  // (cell index of a query on a cell border, box and plane arithmetic) never loses a triangle.
  const maxAbs = Math.max(Math.abs(bx0), Math.abs(by0), Math.abs(bz0), Math.abs(bx1), Math.abs(by1), Math.abs(bz1));
  const grow = margin * (1 + 1e-6) + (extent + maxAbs) * 1e-12;
  const half = 0.5 * cell;
  const bnx = (nx + 3) >> 2, bny = (ny + 3) >> 2, bnz = (nz + 3) >> 2;
  // Blocks met by a triangle box grown by `grow` get cells (a superset of the blocks with
  // candidates: the plane and edge filters below only remove cells).
  const blocks = new Int32Array(bnx * bny * bnz).fill(-1);
  for (let s = 0; s < m; s++) {
    // The cell ranges of the passes below, in blocks.
    const b = 6 * s;
    const i0 = clampIndex(Math.floor((boxes[b] - grow - x0) * invCell), nx) >> 2;
    const j0 = clampIndex(Math.floor((boxes[b + 1] - grow - y0) * invCell), ny) >> 2;
    const k0 = clampIndex(Math.floor((boxes[b + 2] - grow - z0) * invCell), nz) >> 2;
    const i1 = clampIndex(Math.floor((boxes[b + 3] + grow - x0) * invCell), nx) >> 2;
    const j1 = clampIndex(Math.floor((boxes[b + 4] + grow - y0) * invCell), ny) >> 2;
    const k1 = clampIndex(Math.floor((boxes[b + 5] + grow - z0) * invCell), nz) >> 2;
    for (let k = k0; k <= k1; k++) {
      for (let j = j0; j <= j1; j++) {
        const row = (k * bny + j) * bnx;
        for (let i = i0; i <= i1; i++) blocks[row + i] = 0;
      }
    }
  }
  let stored = 0;
  for (let q = 0; q < blocks.length; q++) {
    if (blocks[q] === 0) {
      blocks[q] = stored;
      stored += 64;
    }
  }
  // One pass over the triangles lists the cells of every (cell, slot) pair that passes the
  // tests, slot by slot (slot s's cells at pairCell[slotPairs[s] .. slotPairs[s + 1])), and
  // counts the pairs per cell; a counting sort then groups the slots cell by cell (in slot
  // order within each cell).
  const cellStart = new Int32Array(stored + 1);
  const slotPairs = new Int32Array(m + 1);
  let pairCell = pairScratch(PAIRS_PER_TRIANGLE * m);
  let pairs = 0;
  for (let s = 0; s < m; s++) {
    slotPairs[s] = pairs;
    const b = 6 * s;
    const i0 = clampIndex(Math.floor((boxes[b] - grow - x0) * invCell), nx);
    const j0 = clampIndex(Math.floor((boxes[b + 1] - grow - y0) * invCell), ny);
    const k0 = clampIndex(Math.floor((boxes[b + 2] - grow - z0) * invCell), nz);
    const i1 = clampIndex(Math.floor((boxes[b + 3] + grow - x0) * invCell), nx);
    const j1 = clampIndex(Math.floor((boxes[b + 4] + grow - y0) * invCell), ny);
    const k1 = clampIndex(Math.floor((boxes[b + 5] + grow - z0) * invCell), nz);
    const o = s * TRI_STRIDE;
    const ax = tri[o], ay = tri[o + 1], az = tri[o + 2];
    const qx = tri[o + 3], qy = tri[o + 4], qz = tri[o + 5];
    // Plane of the triangle within `grow` of the cell: |n·(centre − a)| ≤ grow + half·‖n‖₁
    // (slivers store n = 0 and always pass).
    const slack = grow + half * (Math.abs(qx) + Math.abs(qy) + Math.abs(qz)) * (1 + 1e-9);
    // Edge half-planes (see `triangle-data.ts`): the triangle lies where m·(x − a) ≤ k for
    // each edge; a cell entirely beyond one edge by more than `grow` is farther than
    // `grow` from the triangle (zeros for slivers: never excludes).
    const r = s * EDGE_STRIDE;
    const m1x = edges[r], m1y = edges[r + 1], m1z = edges[r + 2];
    const m2x = edges[r + 3], m2y = edges[r + 4], m2z = edges[r + 5];
    const m3x = edges[r + 6], m3y = edges[r + 7], m3z = edges[r + 8];
    const k3 = edges[r + 9];
    const s1 = grow + half * (Math.abs(m1x) + Math.abs(m1y) + Math.abs(m1z)) * (1 + 1e-9);
    const s2 = grow + half * (Math.abs(m2x) + Math.abs(m2y) + Math.abs(m2z)) * (1 + 1e-9);
    const s3 = grow + half * (Math.abs(m3x) + Math.abs(m3y) + Math.abs(m3z)) * (1 + 1e-9);
    for (let k = k0; k <= k1; k++) {
      const cz = z0 + (k + 0.5) * cell - az;
      for (let j = j0; j <= j1; j++) {
        const cy = y0 + (j + 0.5) * cell - ay;
        const pn = qy * cy + qz * cz;
        const p1 = m1y * cy + m1z * cz, p2 = m2y * cy + m2z * cz, p3 = m3y * cy + m3z * cz - k3;
        const blockRow = ((k >> 2) * bny + (j >> 2)) * bnx;
        const inBlock = ((k & 3) << 4) | ((j & 3) << 2);
        // Cells of this row that can pass the plane test: |qx·cx + pn| ≤ slack bounds cx
        // when qx ≠ 0 (range widened by one cell for rounding; the test below decides).
        let lo = i0, hi = i1;
        if (qx !== 0) {
          const ta = (-slack - pn) / qx, tb = (slack - pn) / qx;
          const ua = (ta + ax - x0) * invCell - 0.5, ub = (tb + ax - x0) * invCell - 0.5;
          const first = Math.floor(ua < ub ? ua : ub) - 1, last = Math.ceil(ua < ub ? ub : ua) + 1;
          if (first > lo) lo = first;
          if (last < hi) hi = last;
        }
        for (let i = lo; i <= hi; i++) {
          const cx = x0 + (i + 0.5) * cell - ax;
          const d = qx * cx + pn;
          if (d > slack || d < -slack) continue;
          if (m1x * cx + p1 > s1 || m2x * cx + p2 > s2 || m3x * cx + p3 > s3) continue;
          const c = blocks[blockRow + (i >> 2)] + (inBlock | (i & 3));
          cellStart[c + 1]++;
          if (pairs === pairCell.length) pairCell = pairScratch(2 * pairs, pairs);
          pairCell[pairs++] = c;
        }
      }
    }
  }
  slotPairs[m] = pairs;
  for (let c = 0; c < stored; c++) cellStart[c + 1] += cellStart[c];
  const cellSlots = new Int32Array(pairs);
  // Scatter with a running cursor per cell (the starts of the next cells), then shift back.
  for (let s = 0; s < m; s++) {
    const end = slotPairs[s + 1];
    for (let p = slotPairs[s]; p < end; p++) cellSlots[cellStart[pairCell[p]]++] = s;
  }
  for (let c = stored; c > 0; c--) cellStart[c] = cellStart[c - 1];
  cellStart[0] = 0;
  const accept = margin * (1 - 1e-9);
  return { x0, y0, z0, invCell, nx, ny, nz, cell, accept, acceptSq: accept * accept, bnx, bny, bnz, blocks, cellStart, cellSlots };
}

/** Index in `cellStart` of cell (i, j, k), −1 when it lies outside the grid or in a block without candidates. */
export function cellAt(grid: CellGrid, i: number, j: number, k: number): number {
  if (!(i >= 0 && i < grid.nx && j >= 0 && j < grid.ny && k >= 0 && k < grid.nz)) return -1;
  const block = grid.blocks[((k >> 2) * grid.bny + (j >> 2)) * grid.bnx + (i >> 2)];
  return block < 0 ? -1 : block + (((k & 3) << 4) | ((j & 3) << 2) | (i & 3));
}

/** Distance from (x, y, z) to the nearest wall of its grid cell, in cells (0 … 0.5). */
export function cellWallDistance(grid: CellGrid, x: number, y: number, z: number): number {
  const fx = (x - grid.x0) * grid.invCell, fy = (y - grid.y0) * grid.invCell, fz = (z - grid.z0) * grid.invCell;
  const ax = fx - Math.floor(fx), ay = fy - Math.floor(fy), az = fz - Math.floor(fz);
  let w = ax < 1 - ax ? ax : 1 - ax;
  if (ay < w) w = ay;
  if (1 - ay < w) w = 1 - ay;
  if (az < w) w = az;
  if (1 - az < w) w = 1 - az;
  return w;
}

/** Pairs per triangle the pair list starts with (at the default cell and margin: 32 on the ICT head, 33–34 on its FLAME-size and narrow-face cuts). */
const PAIRS_PER_TRIANGLE = 48;
/**
 * The pair list, kept between builds: a fresh array of this size (megabytes) costs more in
 * page faults on first touch than the pass that fills it. Not re-entrant, which a
 * synchronous build need not be.
 */
let pairCellScratch = new Int32Array(0);

/** The pair list with room for at least `size` entries, its first `keep` entries preserved. */
function pairScratch(size: number, keep = 0): Int32Array {
  if (pairCellScratch.length < size) {
    const grown = new Int32Array(size);
    grown.set(pairCellScratch.subarray(0, keep));
    pairCellScratch = grown;
  }
  return pairCellScratch;
}

function clampIndex(i: number, n: number): number {
  return i < 0 ? 0 : i >= n ? n - 1 : i;
}
