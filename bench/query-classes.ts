/**
 * Where the closest-point time of a scoring goes: the final pass of one task (every GT point,
 * mapped into the prediction's frame by the task's fitted alignment) split by how the
 * candidate grid of `evaluators/spatial` answers each query — settled by its cell's list within
 * the grid margin, settled within the margin plus the query's distance to its cell's walls,
 * passed on to the tree, or outside every stored cell — and each class timed alone on a fresh
 * BVH (queries in Morton order, as the passes run them).
 */
import { readMesh } from '../evaluators/io/index.js';
import { discoverTasks } from '../evaluators/formats/index.js';
import { protocolDefaults } from '../evaluators/protocols/index.js';
import { scoreTaskDetailed } from '../evaluators/scoring/index.js';
import {
  TriangleBVH,
  cellAt,
  cellWallDistance,
  closestPointOnMeshFace,
  createClosestPointResult,
  createTriangleClosestPoint,
  mortonOrder,
  type CellGrid,
} from '../evaluators/spatial/index.js';
import { median } from './timing.js';

const CLASSES = ['margin', 'wall', 'tree', 'outside'] as const;
type QueryClass = (typeof CLASSES)[number];

/** How the grid answers (x, y, z): from the best candidate of its cell's list, as the search decides. */
function classify(bvh: TriangleBVH, grid: CellGrid, x: number, y: number, z: number): QueryClass {
  const c = cellAt(grid, Math.floor((x - grid.x0) * grid.invCell), Math.floor((y - grid.y0) * grid.invCell), Math.floor((z - grid.z0) * grid.invCell));
  if (c < 0) return 'outside';
  const scratch = createTriangleClosestPoint();
  let best = Infinity;
  for (let p = grid.cellStart[c]; p < grid.cellStart[c + 1]; p++) {
    best = Math.min(best, closestPointOnMeshFace(bvh.positions, bvh.faces, bvh.slotFace[grid.cellSlots[p]], x, y, z, scratch));
  }
  if (best <= grid.acceptSq) return 'margin';
  const reach = grid.accept + grid.cell * cellWallDistance(grid, x, y, z);
  return best <= reach * reach ? 'wall' : 'tree';
}

/** Per class: share of the queries and µs per query (median of `rounds` fresh BVHs). */
export function closestPointClasses(bench: string, preds: string, label: string, rounds = 5): Record<string, number> {
  const [task] = discoverTasks(bench, preds);
  const { result, gt } = scoreTaskDetailed(task, protocolDefaults('nersemble'), 'classes');
  if (!result || !gt) throw new Error(`query classes: the task ${task.pred} did not score`);
  const mesh = readMesh(task.pred);
  // GT point p in the prediction's frame: (1/s)·Rᵀ·(p − t), T = s·R·x + t the fitted alignment.
  const { scale, rotation: R, translation: t } = result.alignment;
  const n = gt.positions.length / 3;
  const order = mortonOrder(gt.positions);
  const queries = new Float64Array(3 * n);
  for (let j = 0; j < n; j++) {
    const i = 3 * order[j];
    const dx = gt.positions[i] - t[0], dy = gt.positions[i + 1] - t[1], dz = gt.positions[i + 2] - t[2];
    for (let a = 0; a < 3; a++) queries[3 * j + a] = (R[0][a] * dx + R[1][a] * dy + R[2][a] * dz) / scale;
  }
  const fresh = (): TriangleBVH => {
    const bvh = TriangleBVH.build(mesh.positions, mesh.faces, { strategy: 'morton' });
    bvh.prepareGrid();
    return bvh;
  };
  const probe = fresh();
  const grid = probe.gridInfo();
  if (!grid) throw new Error('query classes: the prediction has no candidate grid');
  const members: Record<QueryClass, number[]> = { margin: [], wall: [], tree: [], outside: [] };
  for (let j = 0; j < n; j++) members[classify(probe, grid, queries[3 * j], queries[3 * j + 1], queries[3 * j + 2])].push(j);
  const hit = createClosestPointResult();
  const out: Record<string, number> = {};
  const parts: string[] = [];
  for (const name of CLASSES) {
    const list = members[name];
    if (list.length === 0) continue;
    const times: number[] = [];
    for (let r = 0; r < rounds; r++) {
      const bvh = fresh();
      const started = performance.now();
      for (const j of list) bvh.closestPoint(queries[3 * j], queries[3 * j + 1], queries[3 * j + 2], hit);
      times.push((performance.now() - started) / list.length);
    }
    const us = median(times) * 1000;
    out[`query_class_${name}_share`] = list.length / n;
    out[`query_class_${name}_us`] = us;
    parts.push(`${name} ${((100 * list.length) / n).toFixed(1)} % at ${us.toFixed(2)} µs`);
  }
  let occupied = 0;
  for (let c = 0; c + 1 < grid.cellStart.length; c++) if (grid.cellStart[c + 1] > grid.cellStart[c]) occupied++;
  console.log(
    `closest point by grid outcome, ${label} (final pass of one task: ${n} queries, ${mesh.faces.length / 3} faces, cell ${grid.cell.toFixed(2)} mm, ` +
      `${(grid.cellSlots.length / occupied).toFixed(1)} candidates per non-empty cell; no hints): ${parts.join(', ')}`,
  );
  return out;
}
