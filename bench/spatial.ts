/**
 * Spatial hot paths: closest point on the ICT-FaceKit face mesh (11248 vertices, 22288
 * triangles) against three-mesh-bvh on the same queries (the batch figures are with the
 * candidate grid, which the repeated batches build), BVH and grid build times, k-d tree nearest
 * neighbour against kd-tree-javascript, and normal estimation. Single thread.
 */
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { BufferAttribute, BufferGeometry, Vector3 } from 'three';
import { MeshBVH } from 'three-mesh-bvh';
import { subdivideMidpoint } from '../data/face-model.js';
import type { TriangleMesh } from '../evaluators/geometry/types.js';
import { KdTree, TriangleBVH, buildCellGrid, createClosestPointResult, edgeNormals, estimateNormals } from '../evaluators/spatial/index.js';
import { cropMesh, gaussian, ictFace, lcg, surfaceSampler } from './synthetic.js';
import { median, timeIt } from './timing.js';

interface XYZ { x: number; y: number; z: number }
interface KdTreeJs { nearest(point: XYZ, count: number): Array<[XYZ, number]> }
type KdTreeJsCtor = new (points: XYZ[], metric: (a: XYZ, b: XYZ) => number, dims: string[]) => KdTreeJs;

/** Area-weighted surface samples, each moved by a random direction times a length in [lo, hi]. */
function samplesNear(mesh: TriangleMesh, count: number, lo: number, hi: number, random: () => number): Float64Array {
  const { sample } = surfaceSampler(mesh);
  const out = new Float64Array(3 * count);
  for (let i = 0; i < count; i++) {
    sample(random, out, i);
    const dx = gaussian(random), dy = gaussian(random), dz = gaussian(random);
    const r = (lo + (hi - lo) * random()) / Math.hypot(dx, dy, dz);
    out[3 * i] += r * dx;
    out[3 * i + 1] += r * dy;
    out[3 * i + 2] += r * dz;
  }
  return out;
}

/** A wavy height-field grid with `2·side²` triangles. */
function grid(side: number): { positions: Float64Array; faces: Uint32Array } {
  const positions = new Float64Array(3 * (side + 1) * (side + 1));
  for (let j = 0; j <= side; j++) {
    for (let i = 0; i <= side; i++) {
      const k = 3 * (j * (side + 1) + i);
      positions[k] = i;
      positions[k + 1] = j;
      positions[k + 2] = 5 * Math.sin(i / 9) * Math.cos(j / 13);
    }
  }
  const faces = new Uint32Array(6 * side * side);
  let f = 0;
  for (let j = 0; j < side; j++) {
    for (let i = 0; i < side; i++) {
      const v = j * (side + 1) + i;
      faces.set([v, v + 1, v + side + 2, v, v + side + 2, v + side + 1], f);
      f += 6;
    }
  }
  return { positions, faces };
}

const mq = (n: number, seconds: number): string => `${(n / seconds / 1e6).toFixed(2)} M q/s`;
const ms = (seconds: number): string => `${(seconds * 1000).toFixed(1)} ms`;

export async function runSpatialBench(): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  const ict = ictFace().mesh;
  // ICT "narrow face" region (vertices 0..6705, see the fixture README): a ~13k-face subset.
  const narrow = cropMesh(ict, 6706);
  const random = lcg(2025);
  const n = 100_000;
  const meshes: Array<[string, TriangleMesh]> = [
    [`ICT face+head, ${ict.faces.length / 3} faces`, ict],
    [`ICT narrow face, ${narrow.faces.length / 3} faces`, narrow],
  ];

  // BVH build times.
  const sub = subdivideMidpoint(ict.positions, ict.faces);
  const big = grid(224);
  for (const [label, mesh] of [...meshes, [`ICT subdivided, ${sub.faces.length / 3} faces`, sub], [`height-field grid, ${big.faces.length / 3} faces`, big]] as const) {
    const sah = timeIt(() => TriangleBVH.build(mesh.positions, mesh.faces), 7);
    const morton = timeIt(() => TriangleBVH.build(mesh.positions, mesh.faces, { strategy: 'morton' }), 7);
    out[`bvh build sah ${mesh.faces.length / 3} (s)`] = sah;
    out[`bvh build morton ${mesh.faces.length / 3} (s)`] = morton;
    const built = TriangleBVH.build(mesh.positions, mesh.faces);
    const grid = timeIt(() => buildCellGrid(built.triData, edgeNormals(built.triData, built.faceCount), built.faceCount), 7);
    out[`grid build ${mesh.faces.length / 3} (s)`] = grid;
    console.log(`BVH build (${label}): ${ms(sah)} SAH, ${ms(morton)} Morton; candidate grid ${ms(grid)}`);
  }

  // Closest point: ours vs three-mesh-bvh on the same queries.
  const hit = createClosestPointResult();
  const target = { point: new Vector3(), distance: 0, faceIndex: 0 };
  const p = new Vector3();
  for (const [label, mesh] of meshes) {
    const m = mesh.faces.length / 3;
    const bvh = TriangleBVH.build(mesh.positions, mesh.faces);
    const geometry = new BufferGeometry();
    geometry.setAttribute('position', new BufferAttribute(Float32Array.from(mesh.positions), 3));
    geometry.setIndex(new BufferAttribute(Uint32Array.from(mesh.faces), 1));
    const oracle = new MeshBVH(geometry);
    const kinds = m === ict.faces.length / 3
      ? ([['near-surface', 0, 1], ['off-surface 5–30 mm', 5, 30]] as const)
      : ([['near-surface', 0, 1]] as const);
    for (const [kind, lo, hi] of kinds) {
      const queries = samplesNear(mesh, n, lo, hi, random);
      // Cold: a fresh BVH and one batch (no grid below 8 queries per face).
      const cold = timeIt(() => TriangleBVH.build(mesh.positions, mesh.faces).closestPoints(queries), 3);
      const batch = timeIt(() => bvh.closestPoints(queries));
      const single = timeIt(() => {
        for (let i = 0; i < n; i++) bvh.closestPoint(queries[3 * i], queries[3 * i + 1], queries[3 * i + 2], hit);
      });
      const three = timeIt(() => {
        for (let i = 0; i < n; i++) {
          p.set(queries[3 * i], queries[3 * i + 1], queries[3 * i + 2]);
          oracle.closestPointToPoint(p, target);
        }
      }, 3);
      const key = `${kind} ${m}`;
      out[`closest-point ${key} batch (q/s)`] = n / batch;
      out[`closest-point ${key} single (q/s)`] = n / single;
      out[`three-mesh-bvh ${key} (q/s)`] = n / three;
      out[`closest-point ${key} build+batch (s)`] = cold;
      console.log(`closest-point ${kind} (${n / 1000}k q, ${label}): ${mq(n, batch)} batch, ${mq(n, single)} one by one; fresh BVH + first batch ${ms(cold)}`);
      console.log(`three-mesh-bvh same queries: ${mq(n, three)} (ratio ${(three / batch).toFixed(1)}x)`);
    }
  }

  // The grid's lists reorder as queries run (move-to-front): on fresh grids, a first batch,
  // a second batch of other queries, and that batch again (medians over fresh grids).
  {
    const sets = [0, 1, 2, 3].map(() => samplesNear(ict, n, 0, 1, random));
    const phases: number[][] = [[], [], []];
    for (let r = 0; r < 9; r++) {
      const bvh = TriangleBVH.build(ict.positions, ict.faces);
      bvh.prepareGrid();
      const second = sets[(r + 1) % 4];
      for (const [phase, queries] of [[0, sets[r % 4]], [1, second], [2, second]] as const) {
        const started = performance.now();
        bvh.closestPoints(queries);
        phases[phase].push((performance.now() - started) / 1000);
      }
    }
    const [first, other, again] = phases.map((times) => n / median(times.slice(1)));
    out['closest-point near-surface fresh grid first batch (q/s)'] = first;
    out['closest-point near-surface fresh grid other batch (q/s)'] = other;
    out['closest-point near-surface fresh grid same batch again (q/s)'] = again;
    console.log(`closest-point near-surface on a fresh grid (ICT face+head): first batch ${(first / 1e6).toFixed(2)} M q/s, a second batch of other queries ${(other / 1e6).toFixed(2)} (${(other / first).toFixed(2)}x), that batch again ${(again / 1e6).toFixed(2)} (${(again / first).toFixed(2)}x)`);
  }

  // k-d tree: 100k surface samples, 100k queries within 1 mm.
  const cloud = samplesNear(ict, n, 0, 0, random);
  const kdBuild = timeIt(() => KdTree.build(cloud), 5);
  out['kdtree build 100k (s)'] = kdBuild;
  const tree = KdTree.build(cloud);
  const kq = samplesNear(ict, n, 0, 1, random);
  const kdBatch = timeIt(() => tree.nearestBatch(kq));
  out['kdtree nearest (q/s)'] = n / kdBatch;
  const knnIdx = new Int32Array(20);
  const knnDist = new Float64Array(20);
  const kdKnn = timeIt(() => {
    for (let i = 0; i < n; i++) tree.knn(kq[3 * i], kq[3 * i + 1], kq[3 * i + 2], 20, knnIdx, knnDist);
  }, 3);
  out['kdtree knn20 (q/s)'] = n / kdKnn;
  const require = createRequire(import.meta.url);
  const { kdTree } = require('kd-tree-javascript') as { kdTree: KdTreeJsCtor };
  const objs: XYZ[] = Array.from({ length: n }, (_, i) => ({ x: cloud[3 * i], y: cloud[3 * i + 1], z: cloud[3 * i + 2] }));
  const metric = (a: XYZ, b: XYZ) => (a.x - b.x) ** 2 + (a.y - b.y) ** 2 + (a.z - b.z) ** 2;
  const js = new kdTree(objs, metric, ['x', 'y', 'z']);
  const jn = 20_000;
  const jsTime = timeIt(() => {
    for (let i = 0; i < jn; i++) js.nearest({ x: kq[3 * i], y: kq[3 * i + 1], z: kq[3 * i + 2] }, 1);
  }, 3);
  out['kd-tree-javascript nearest (q/s)'] = jn / jsTime;
  console.log(`kd-tree build (${n / 1000}k points): ${ms(kdBuild)}`);
  console.log(`kd-tree nearest (${n / 1000}k q, ${n / 1000}k points): ${mq(n, kdBatch)}; knn k=20: ${mq(n, kdKnn)}`);
  console.log(`kd-tree-javascript same queries: ${mq(jn, jsTime)} (ratio ${((n / kdBatch) / (jn / jsTime)).toFixed(1)}x)`);

  // Normal estimation, k = 20.
  const np = 50_000;
  const normalCloud = samplesNear(ict, np, 0, 0, random);
  const tn = timeIt(() => estimateNormals(normalCloud), 3);
  const tnOut = timeIt(() => estimateNormals(normalCloud, { orientation: 'outward' }), 3);
  out['normals mst (points/s)'] = np / tn;
  out['normals outward (points/s)'] = np / tnOut;
  console.log(`normal estimation (k=20, ${np / 1000}k points): ${(np / tn / 1e6).toFixed(3)} M points/s with MST orientation, ${(np / tnOut / 1e6).toFixed(3)} M points/s outward`);
  return out;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await runSpatialBench();
}
