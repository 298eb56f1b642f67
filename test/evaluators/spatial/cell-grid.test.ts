import { describe, expect, it, vi } from 'vitest';
import {
  TriangleBVH,
  buildCellGrid,
  cellAt,
  cellWallDistance,
  closestPointOnMeshFace,
  createClosestPointResult,
  createTriangleClosestPoint,
  edgeNormals,
  triangleData,
  EDGE_STRIDE,
  TRI_STRIDE,
} from '../../../evaluators/spatial/index.js';
import { ictFace } from '../../helpers/faces.js';
import { degenerateSoup, nearSurface, randomSoup } from './helpers.js';
import { gaussian, rng } from '../../helpers/random.js';

const ict = ictFace().mesh;

/** Brute force over every face with closestPointOnMeshFace: squared distances. */
function bruteForce(positions: Float64Array, faces: Uint32Array, queries: Float64Array): Float64Array {
  const scratch = createTriangleClosestPoint();
  const n = queries.length / 3;
  const out = new Float64Array(n).fill(Infinity);
  for (let i = 0; i < n; i++) {
    for (let f = 0; f < faces.length / 3; f++) {
      const d = closestPointOnMeshFace(positions, faces, f, queries[3 * i], queries[3 * i + 1], queries[3 * i + 2], scratch);
      if (d < out[i]) out[i] = d;
    }
  }
  return out;
}

/**
 * The BVH with its grid against brute force, single queries and batches: distances within
 * 1e-12 relative, the reported face at the reported distance, the point on it.
 */
function expectExact(positions: Float64Array, faces: Uint32Array, queries: Float64Array, maxDistance = Infinity, bvh?: TriangleBVH): void {
  const tree = bvh ?? TriangleBVH.build(positions, faces);
  tree.prepareGrid();
  const ref = bruteForce(positions, faces, queries);
  const n = queries.length / 3;
  const batch = tree.closestPoints(queries, { maxDistance });
  const hit = createClosestPointResult();
  const scratch = createTriangleClosestPoint();
  for (let i = 0; i < n; i++) {
    const x = queries[3 * i], y = queries[3 * i + 1], z = queries[3 * i + 2];
    const within = ref[i] <= maxDistance * maxDistance;
    const found = tree.closestPoint(x, y, z, hit, maxDistance * maxDistance);
    expect(found).toBe(within);
    expect(batch.faces[i] >= 0).toBe(within);
    if (!within) {
      expect(batch.distances[i]).toBe(Infinity);
      continue;
    }
    const exact = Math.sqrt(ref[i]);
    const tol = 1e-12 * Math.max(exact, 1e-300);
    expect(Math.abs(Math.sqrt(hit.distanceSq) - exact)).toBeLessThanOrEqual(tol);
    expect(Math.abs(batch.distances[i] - exact)).toBeLessThanOrEqual(tol);
    // The reported face is at that distance (ties may pick either face).
    const df = closestPointOnMeshFace(positions, faces, batch.faces[i], x, y, z, scratch);
    expect(Math.abs(Math.sqrt(df) - exact)).toBeLessThanOrEqual(tol);
    const px = batch.points[3 * i], py = batch.points[3 * i + 1], pz = batch.points[3 * i + 2];
    expect(Math.abs(Math.hypot(x - px, y - py, z - pz) - exact)).toBeLessThanOrEqual(1e-9 * Math.max(1, exact));
  }
}

describe('triangle data lower bound', () => {
  it('plane + edge bound never exceeds the distance and equals it when p projects inside', () => {
    const random = rng(40);
    const { positions, faces } = randomSoup(300, random, 5);
    const slotFace = Uint32Array.from({ length: 300 }, (_, i) => i);
    const tri = triangleData(positions, faces, slotFace);
    const edges = edgeNormals(tri, 300);
    const scratch = createTriangleClosestPoint();
    let inside = 0;
    for (let t = 0; t < 300; t++) {
      const o = t * TRI_STRIDE;
      const r = t * EDGE_STRIDE;
      for (let q = 0; q < 20; q++) {
        const p = [gaussian(random) * 20, gaussian(random) * 20, gaussian(random) * 20];
        const d = closestPointOnMeshFace(positions, faces, t, p[0], p[1], p[2], scratch);
        const ap = [p[0] - tri[o], p[1] - tri[o + 1], p[2] - tri[o + 2]];
        const dot = (a: Float64Array, k: number) => a[k] * ap[0] + a[k + 1] * ap[1] + a[k + 2] * ap[2];
        const pn = dot(tri, o + 3);
        const e = Math.max(dot(edges, r), dot(edges, r + 3), dot(edges, r + 6) - edges[r + 9]);
        const lb = pn * pn + (e > 0 ? e * e : 0);
        expect(lb).toBeLessThanOrEqual(d * (1 + 1e-12) + 1e-24);
        if (e <= 0) {
          inside++;
          expect(Math.abs(lb - d)).toBeLessThanOrEqual(1e-12 * d + 1e-24);
        }
      }
    }
    expect(inside).toBeGreaterThan(0);
  });
});

describe('TriangleBVH candidate grid vs brute force', () => {
  it('ICT mesh: near-surface, off-surface, far and on-surface queries', () => {
    const random = rng(41);
    const bvh = TriangleBVH.build(ict.positions, ict.faces);
    expect(bvh.hasGrid).toBe(false);
    bvh.prepareGrid();
    expect(bvh.hasGrid).toBe(true);
    const far = new Float64Array(300);
    for (let i = 0; i < 300; i++) far[i] = gaussian(random) * 1e3;
    const queries = new Float64Array([
      ...nearSurface(ict, 400, random, 0, 1),
      ...nearSurface(ict, 200, random, 0, 0),
      ...nearSurface(ict, 200, random, 1, 5),
      ...nearSurface(ict, 200, random, 5, 30),
      ...far,
    ]);
    expectExact(ict.positions, ict.faces, queries, Infinity, bvh);
  });

  it('a query moves the best candidate of its cell to the front of the list; the lists keep their triangles and the answers do not change', () => {
    const random = rng(53);
    const bvh = TriangleBVH.build(ict.positions, ict.faces);
    bvh.prepareGrid();
    const grid = bvh.gridInfo()!;
    const { cellStart, cellSlots } = grid;
    const before = Int32Array.from(cellSlots);
    // The cell list of a point (start, end), or null outside the stored blocks.
    const cellOf = (x: number, y: number, z: number): [number, number] | null => {
      const c = cellAt(grid, Math.floor((x - grid.x0) * grid.invCell), Math.floor((y - grid.y0) * grid.invCell), Math.floor((z - grid.z0) * grid.invCell));
      if (c < 0) return null;
      return [cellStart[c], cellStart[c + 1]];
    };
    // Queries within half the margin (settled by the grid): each answer ends first in its
    // cell's list; count those that were not first before.
    const hit = createClosestPointResult();
    const near = nearSurface(ict, 3000, random, 0, 0.5 * grid.accept);
    let moved = 0;
    for (let i = 0; i < 3000; i++) {
      const x = near[3 * i], y = near[3 * i + 1], z = near[3 * i + 2];
      const list = cellOf(x, y, z)!;
      expect(list).not.toBeNull();
      const firstBefore = cellSlots[list[0]];
      expect(bvh.closestPoint(x, y, z, hit)).toBe(true);
      const slot = bvh.faceSlot[hit.face];
      expect(cellSlots[list[0]]).toBe(slot);
      if (firstBefore !== slot) moved++;
    }
    expect(moved).toBeGreaterThan(300);
    // Every list holds the same triangles as when it was built.
    let mismatched = 0;
    for (let c = 0; c + 1 < cellStart.length; c++) {
      const a = before.slice(cellStart[c], cellStart[c + 1]).sort();
      const b = cellSlots.slice(cellStart[c], cellStart[c + 1]).sort();
      for (let k = 0; k < a.length; k++) if (a[k] !== b[k]) mismatched++;
    }
    expect(mismatched).toBe(0);
    let changed = 0;
    for (let k = 0; k < before.length; k++) if (before[k] !== cellSlots[k]) changed++;
    expect(changed).toBeGreaterThan(0);
    // After that history the answers are still exact, and the same as a fresh grid's.
    const queries = new Float64Array([...nearSurface(ict, 300, random, 0, 1), ...nearSurface(ict, 200, random, 1, 5)]);
    expectExact(ict.positions, ict.faces, queries, Infinity, bvh);
    const fresh = TriangleBVH.build(ict.positions, ict.faces);
    fresh.prepareGrid();
    const a = bvh.closestPoints(queries), b = fresh.closestPoints(queries);
    expect(Array.from(a.distances)).toEqual(Array.from(b.distances));
  });

  it('queries beyond the margin but deeper inside their cell: answered from the cell list, exact', () => {
    const random = rng(49);
    const bvh = TriangleBVH.build(ict.positions, ict.faces);
    bvh.prepareGrid();
    const grid = bvh.gridInfo()!;
    expect(grid.accept * grid.accept).toBe(grid.acceptSq);
    expect(grid.cell * grid.invCell).toBeCloseTo(1, 12);
    const candidates = nearSurface(ict, 4000, random, grid.accept, grid.accept + 0.5 * grid.cell);
    // Their distances from the tree alone (no grid; exact, as the tests above show).
    const tree = TriangleBVH.build(ict.positions, ict.faces);
    const hit = createClosestPointResult();
    const distances = Float64Array.from({ length: 4000 }, (_, i) => {
      tree.closestPoint(candidates[3 * i], candidates[3 * i + 1], candidates[3 * i + 2], hit);
      return hit.distanceSq;
    });
    expect(tree.hasGrid).toBe(false);
    // Those within accept + (distance to their cell's walls), but not within accept alone.
    const inside: number[] = [];
    for (let i = 0; i < 4000; i++) {
      const x = candidates[3 * i], y = candidates[3 * i + 1], z = candidates[3 * i + 2];
      const reach = grid.accept + grid.cell * cellWallDistance(grid, x, y, z);
      if (distances[i] > grid.acceptSq && distances[i] <= reach * reach) inside.push(x, y, z);
    }
    expect(inside.length / 3).toBeGreaterThan(300);
    expectExact(ict.positions, ict.faces, Float64Array.from(inside), Infinity, bvh);
    // The wall distance: 0 on a wall, 0.5 at the centre of a cell, in cells.
    const at = (i: number, j: number, k: number) => [grid.x0 + i * grid.cell, grid.y0 + j * grid.cell, grid.z0 + k * grid.cell] as const;
    expect(cellWallDistance(grid, ...at(3, 4, 5))).toBeLessThan(1e-9);
    expect(cellWallDistance(grid, ...at(3.5, 4.5, 5.5))).toBeCloseTo(0.5, 9);
    expect(cellWallDistance(grid, ...at(3.5, 4.2, 5.5))).toBeCloseTo(0.2, 9);
    expect(cellWallDistance(grid, ...at(3.5, 4.5, 5.9))).toBeCloseTo(0.1, 9);
  });

  it('queries their cell list does not settle, but within √best − accept < one cell: answered from the adjacent cells, exact', () => {
    const random = rng(53);
    const bvh = TriangleBVH.build(ict.positions, ict.faces);
    bvh.prepareGrid();
    const grid = bvh.gridInfo()!;
    const candidates = nearSurface(ict, 4000, random, grid.accept, grid.accept + 1.5 * grid.cell);
    const scratch = createTriangleClosestPoint();
    // The best candidate of each query's own cell list, computed here from the grid's lists.
    const picked: number[] = [];
    for (let q = 0; q < 4000; q++) {
      const x = candidates[3 * q], y = candidates[3 * q + 1], z = candidates[3 * q + 2];
      const i = Math.floor((x - grid.x0) * grid.invCell), j = Math.floor((y - grid.y0) * grid.invCell), k = Math.floor((z - grid.z0) * grid.invCell);
      const c = cellAt(grid, i, j, k);
      if (c < 0) continue;
      let best = Infinity;
      for (let p = grid.cellStart[c]; p < grid.cellStart[c + 1]; p++) {
        best = Math.min(best, closestPointOnMeshFace(ict.positions, ict.faces, bvh.slotFace[grid.cellSlots[p]], x, y, z, scratch));
      }
      const reach = grid.accept + grid.cell * cellWallDistance(grid, x, y, z);
      if (best > reach * reach && Math.sqrt(best) - grid.accept < grid.cell) picked.push(x, y, z);
    }
    expect(picked.length / 3).toBeGreaterThan(300);
    const queries = Float64Array.from(picked);
    expectExact(ict.positions, ict.faces, queries, Infinity, bvh);
    // The per-query stamps that keep a face from being tested twice wrap around cleanly.
    (bvh as unknown as { stamp: number }).stamp = 0x7fffffff - 5;
    expectExact(ict.positions, ict.faces, queries, Infinity, bvh);
  });

  it('maxDistance and hints with the grid', () => {
    const random = rng(42);
    const bvh = TriangleBVH.build(ict.positions, ict.faces);
    const queries = nearSurface(ict, 300, random, 0, 6);
    for (const maxDistance of [0.2, 1, 3]) expectExact(ict.positions, ict.faces, queries, maxDistance, bvh);
    const plain = bvh.closestPoints(queries);
    const wrong = Int32Array.from({ length: 300 }, () => Math.floor(random() * 22288));
    for (const hints of [plain.faces, wrong]) {
      const hinted = bvh.closestPoints(queries, { hints });
      for (let i = 0; i < 300; i++) expect(hinted.distances[i]).toBe(plain.distances[i]);
    }
  });

  it('random soups, tiny meshes of 1–3 triangles, identical queries', () => {
    const random = rng(43);
    for (const count of [1, 2, 3, 50, 400]) {
      const { positions, faces } = randomSoup(count, random, 4);
      const queries = new Float64Array(3 * 300);
      for (let i = 0; i < queries.length; i++) queries[i] = gaussian(random) * 15;
      expectExact(positions, faces, queries);
      // All queries the same point (one of them on a vertex).
      const same = new Float64Array(3 * 64);
      for (let i = 0; i < 64; i++) same.set([positions[0], positions[1], positions[2] + 0.3], 3 * i);
      expectExact(positions, faces, same);
    }
  });

  it('degenerate, sliver, duplicate and flat geometry', () => {
    const random = rng(44);
    const { positions, faces } = degenerateSoup(random, { copies: 40, points: 30, collinear: 30, pairs: 30, slivers: 30 });
    const queries = new Float64Array(3 * 400);
    for (let i = 0; i < queries.length; i++) queries[i] = gaussian(random) * 4;
    queries.set([0, 0, 0, 3, 3, 3, 2.5, 0, 1, 1, 1, 0, 2, 0, 2, 2, 1e-10, 2], 0);
    expectExact(positions, faces, queries);
    // Only degenerate faces; a flat (z = 0) grid of triangles.
    const points = Float64Array.from([1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 2]);
    expectExact(points, Uint32Array.from([0, 1, 2, 1, 2, 3]), queries);
    const flat: number[] = [];
    const flatFaces: number[] = [];
    for (let j = 0; j <= 20; j++) for (let i = 0; i <= 20; i++) flat.push(i, j, 0);
    for (let j = 0; j < 20; j++) {
      for (let i = 0; i < 20; i++) {
        const v = j * 21 + i;
        flatFaces.push(v, v + 1, v + 22, v, v + 22, v + 21);
      }
    }
    const fq = new Float64Array(3 * 300);
    for (let i = 0; i < 300; i++) fq.set([random() * 24 - 2, random() * 24 - 2, (random() - 0.5) * (i % 3 === 0 ? 0 : 2)], 3 * i);
    expectExact(Float64Array.from(flat), Uint32Array.from(flatFaces), fq);
  });

  it('a triangle far larger than the rest: its box spans most of the grid, its plane few cells', () => {
    const random = rng(47);
    const soup = randomSoup(300, random, 1);
    // A slanted triangle 400 mm across through the small ones (cell side ≈ 0.6·√(mean area)).
    const positions = new Float64Array(soup.positions.length + 9);
    positions.set(soup.positions);
    positions.set([-200, -200, -150, 200, -200, 150, 0, 200, 0], soup.positions.length);
    const faces = new Uint32Array(soup.faces.length + 3);
    faces.set(soup.faces);
    faces.set([300 * 3, 300 * 3 + 1, 300 * 3 + 2], soup.faces.length);
    const queries = new Float64Array(3 * 400);
    for (let i = 0; i < queries.length; i++) queries[i] = gaussian(random) * (i < 600 ? 4 : 60);
    const bvh = TriangleBVH.build(positions, faces);
    bvh.prepareGrid();
    expect(bvh.hasGrid).toBe(true);
    expectExact(positions, faces, queries, Infinity, bvh);
  });

  it('queries on grid cell borders and far from the origin', () => {
    const random = rng(45);
    const { positions, faces } = randomSoup(200, random, 3);
    const bvh = TriangleBVH.build(positions, faces);
    bvh.prepareGrid();
    const grid = bvh.gridInfo();
    expect(grid).not.toBeNull();
    const cell = 1 / grid!.invCell;
    const queries = new Float64Array(3 * 300);
    for (let i = 0; i < 300; i++) {
      const c = [Math.floor(random() * grid!.nx), Math.floor(random() * grid!.ny), Math.floor(random() * grid!.nz)];
      queries.set([grid!.x0 + c[0] * cell, grid!.y0 + c[1] * cell, grid!.z0 + c[2] * cell + (i % 2) * cell * 0.5], 3 * i);
    }
    expectExact(positions, faces, queries, Infinity, bvh);
    // The same soup moved 1e6 mm away.
    const moved = positions.map((v) => v + 1e6);
    expectExact(moved, faces, queries.map((v) => v + 1e6));
  });

  it('closestPoints builds the grid once batches total 8 queries per face; no grid without extent', () => {
    const random = rng(46);
    const { positions, faces } = randomSoup(100, random, 3);
    const bvh = TriangleBVH.build(positions, faces);
    const queries = new Float64Array(3 * 250);
    for (let i = 0; i < queries.length; i++) queries[i] = gaussian(random) * 10;
    const first = bvh.closestPoints(queries);
    for (let k = 0; k < 2; k++) bvh.closestPoints(queries);
    expect(bvh.hasGrid).toBe(false);
    const second = bvh.closestPoints(queries);
    expect(bvh.hasGrid).toBe(true);
    for (let i = 0; i < 250; i++) expect(second.distances[i]).toBe(first.distances[i]);
    expect(buildCellGrid(new Float64Array(0), new Float64Array(0), 0)).toBeNull();
    const point = TriangleBVH.build(new Float64Array([1, 2, 3, 1, 2, 3, 1, 2, 3]), new Uint32Array([0, 1, 2]));
    point.prepareGrid();
    expect(point.hasGrid).toBe(false);
    const hit = createClosestPointResult();
    expect(point.closestPoint(1, 2, 4, hit)).toBe(true);
    expect(hit.distanceSq).toBe(1);
    const empty = TriangleBVH.build(new Float64Array(0), new Uint32Array(0));
    empty.prepareGrid();
    expect(empty.closestPoints(queries).faces.every((f) => f === -1)).toBe(true);
  });

  it('grids built one after another do not share state: the pair list kept between builds, grown mid-build or not', async () => {
    const random = rng(48);
    const small = randomSoup(40, random, 2);
    // 200 needles 50 mm long and 0.5 mm wide: the cell side follows their small area, so
    // each lists far more cells than the pair list's initial room (48 per triangle), and a
    // first build grows it mid-pass.
    const needles = 200;
    const large = { positions: new Float64Array(9 * needles), faces: Uint32Array.from({ length: 3 * needles }, (_, k) => k) };
    for (let t = 0; t < needles; t++) {
      const a = [gaussian(random) * 20, gaussian(random) * 20, gaussian(random) * 20];
      const u = [gaussian(random), gaussian(random), gaussian(random)];
      const un = Math.hypot(u[0], u[1], u[2]);
      const w = [-u[1], u[0], 0];
      const wn = Math.hypot(w[0], w[1], w[2]);
      for (let k = 0; k < 3; k++) {
        large.positions[9 * t + k] = a[k];
        large.positions[9 * t + 3 + k] = a[k] + (50 * u[k]) / un;
        large.positions[9 * t + 6 + k] = a[k] + (0.5 * w[k]) / wn;
      }
    }
    const grid = (build: typeof buildCellGrid, mesh: { positions: Float64Array; faces: Uint32Array }) => {
      const bvh = TriangleBVH.build(mesh.positions, mesh.faces);
      return build(bvh.triData, edgeNormals(bvh.triData, bvh.faceCount), bvh.faceCount)!;
    };
    const firstSmall = grid(buildCellGrid, small);
    const firstLarge = grid(buildCellGrid, large);
    expect(firstLarge.cellSlots.length).toBeGreaterThan(48 * needles);
    const again = [grid(buildCellGrid, small), grid(buildCellGrid, large)];
    expect(again[0]).toEqual(firstSmall);
    expect(again[1]).toEqual(firstLarge);
    // A fresh copy of the module (empty pair list) builds the large grid growing the list
    // as it goes: the same grid.
    vi.resetModules();
    const fresh = (await import('../../../evaluators/spatial/cell-grid.js')).buildCellGrid;
    expect(fresh).not.toBe(buildCellGrid);
    expect(grid(fresh, large)).toEqual(firstLarge);
    expect(grid(fresh, small)).toEqual(firstSmall);
  });
});
