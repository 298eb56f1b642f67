/**
 * Normal estimation for point clouds: principal component analysis of the k nearest
 * neighbours, then a consistent orientation.
 *
 * The unoriented normal of a point is the eigenvector of the smallest eigenvalue of the
 * covariance of its k nearest neighbours (the point itself included, as Open3D's
 * `estimate_normals` does), from the Jacobi solver in `symmetric-eigen3.ts`.
 *
 * Orientation 'mst' follows Hoppe, DeRose, Duchamp, McDonald & Stuetzle, "Surface
 * reconstruction from unorganized points", SIGGRAPH 1992, §3.3: a minimum spanning tree of
 * the (symmetrised) kNN graph under edge cost 1 − |n_i·n_j| is grown with Prim's algorithm
 * (indexed binary heap with decrease-key) and each normal is flipped to agree with its
 * tree parent, so orientation propagates across flat regions first and through
 * high-curvature regions last. The graph is the kNN graph only (Hoppe et al. add the
 * Euclidean MST to connect it); each connected component is
 * seeded at its point whose tangent plane is farthest from the centroid c of the whole
 * cloud (max |n·(p − c)|), and that normal is made to point away from c. Hoppe seed at the
 * largest-z point with +z; on a closed surface our seed is the point farthest from c,
 * where the outward normal is exactly radial.
 */
import { KdTree } from './kdtree.js';
import { mortonOrder } from './morton.js';
import { symmetricEigen3 } from './symmetric-eigen3.js';

export type NormalOrientation = 'mst' | 'outward' | { viewpoint: readonly [number, number, number] };

export interface EstimateNormalsOptions {
  /** Neighbours per point, the point itself included (default 20). */
  k?: number;
  /**
   * 'mst' (default): Hoppe et al. 1992 propagation; 'outward': away from the centroid of
   * the cloud; `{ viewpoint }`: towards the viewpoint (e.g. the scanner position).
   */
  orientation?: NormalOrientation;
}

/**
 * Unit normals (3·n, xyz-interleaved) for the points `points` (3·n). Never NaN: a point
 * whose neighbourhood is degenerate (coincident or collinear points) still gets a unit
 * vector orthogonal to whatever spread its neighbourhood has.
 */
export function estimateNormals(points: Float64Array, options: EstimateNormalsOptions = {}): Float64Array {
  const k = options.k ?? 20;
  if (!Number.isInteger(k) || k < 1) throw new RangeError(`estimateNormals: k must be a positive integer, got ${k}`);
  const orientation = options.orientation ?? 'mst';
  if (points.length % 3 !== 0) {
    throw new RangeError(`estimateNormals: points length ${points.length} is not a multiple of 3`);
  }
  const n = points.length / 3;
  if (n === 0) return new Float64Array(0);
  const tree = KdTree.build(points);
  const kk = Math.min(k, n);
  const neighbours = new Int32Array(n * kk).fill(-1);
  const normals = pcaNormals(points, tree, kk, neighbours);
  if (orientation === 'mst') {
    orientMinimumSpanningTree(points, normals, neighbours, kk);
  } else if (orientation === 'outward') {
    const [cx, cy, cz] = centroid(points);
    orientTowards(points, normals, cx, cy, cz, -1);
  } else if (typeof orientation === 'object' && orientation !== null && Array.isArray(orientation.viewpoint)) {
    const [vx, vy, vz] = orientation.viewpoint;
    if (!Number.isFinite(vx) || !Number.isFinite(vy) || !Number.isFinite(vz)) {
      throw new RangeError(`estimateNormals: viewpoint must be three finite numbers, got [${orientation.viewpoint.join(', ')}]`);
    }
    orientTowards(points, normals, vx, vy, vz, 1);
  } else {
    throw new RangeError(`estimateNormals: orientation must be 'mst', 'outward' or { viewpoint: [x, y, z] }, got ${JSON.stringify(orientation)}`);
  }
  return normals;
}

/**
 * Unoriented PCA normals; fills `neighbours` (k per point, −1 padded) with the kNN lists
 * (the point itself included).
 */
function pcaNormals(points: Float64Array, tree: KdTree, k: number, neighbours: Int32Array): Float64Array {
  const n = points.length / 3;
  const normals = new Float64Array(3 * n);
  const idx = new Int32Array(k);
  const dist = new Float64Array(k);
  const cov = new Float64Array(9);
  const values = new Float64Array(3);
  const vectors = new Float64Array(9);
  // Morton order keeps consecutive neighbourhood queries in cache.
  const sequence = mortonOrder(points);
  for (let j = 0; j < n; j++) {
    const i = sequence[j];
    const px = points[3 * i], py = points[3 * i + 1], pz = points[3 * i + 2];
    const found = tree.knn(px, py, pz, k, idx, dist);
    let mx = 0, my = 0, mz = 0;
    for (let t = 0; t < found; t++) {
      const o = 3 * idx[t];
      neighbours[i * k + t] = idx[t];
      // Coordinates relative to the query point keep the sums well conditioned.
      mx += points[o] - px;
      my += points[o + 1] - py;
      mz += points[o + 2] - pz;
    }
    mx /= found; my /= found; mz /= found;
    let cxx = 0, cxy = 0, cxz = 0, cyy = 0, cyz = 0, czz = 0;
    for (let t = 0; t < found; t++) {
      const o = 3 * idx[t];
      const dx = points[o] - px - mx, dy = points[o + 1] - py - my, dz = points[o + 2] - pz - mz;
      cxx += dx * dx; cxy += dx * dy; cxz += dx * dz;
      cyy += dy * dy; cyz += dy * dz; czz += dz * dz;
    }
    cov[0] = cxx; cov[1] = cxy; cov[2] = cxz;
    cov[4] = cyy; cov[5] = cyz; cov[8] = czz;
    symmetricEigen3(cov, values, vectors);
    let nx = vectors[0], ny = vectors[3], nz = vectors[6];
    const len = Math.sqrt(nx * nx + ny * ny + nz * nz);
    if (len > 0 && Number.isFinite(len)) {
      nx /= len; ny /= len; nz /= len;
    } else {
      nx = 0; ny = 0; nz = 1;
    }
    normals[3 * i] = nx; normals[3 * i + 1] = ny; normals[3 * i + 2] = nz;
  }
  return normals;
}

function centroid(points: Float64Array): [number, number, number] {
  const n = points.length / 3;
  let x = 0, y = 0, z = 0;
  for (let i = 0; i < n; i++) {
    x += points[3 * i]; y += points[3 * i + 1]; z += points[3 * i + 2];
  }
  return [x / n, y / n, z / n];
}

/** sign = +1: flip each normal to point towards (x, y, z); sign = −1: away from it. */
function orientTowards(points: Float64Array, normals: Float64Array, x: number, y: number, z: number, sign: number): void {
  const n = points.length / 3;
  for (let i = 0; i < n; i++) {
    const o = 3 * i;
    const dot = normals[o] * (x - points[o]) + normals[o + 1] * (y - points[o + 1]) + normals[o + 2] * (z - points[o + 2]);
    if (sign * dot < 0) {
      normals[o] = -normals[o]; normals[o + 1] = -normals[o + 1]; normals[o + 2] = -normals[o + 2];
    }
  }
}

/**
 * Orient `normals` in place by Hoppe et al.'s minimum-spanning-tree propagation over the
 * kNN graph given as `neighbours` (k per point, −1 for none; self-loops ignored).
 */
export function orientMinimumSpanningTree(points: Float64Array, normals: Float64Array, neighbours: Int32Array, k: number): void {
  const n = points.length / 3;
  // Symmetric adjacency in CSR form (duplicates are harmless for Prim's algorithm).
  const degree = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < k; j++) {
      const q = neighbours[i * k + j];
      if (q < 0 || q === i) continue;
      degree[i]++;
      degree[q]++;
    }
  }
  const start = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) start[i + 1] = start[i] + degree[i];
  const adj = new Int32Array(start[n]);
  const fill = start.slice(0, n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < k; j++) {
      const q = neighbours[i * k + j];
      if (q < 0 || q === i) continue;
      adj[fill[i]++] = q;
      adj[fill[q]++] = i;
    }
  }

  // Connected components by breadth-first search. Seed of a component: the point whose
  // tangent plane lies farthest from the centroid, max |n·(p − c)|. On a closed surface
  // that is the point farthest from the centroid, where the outward normal is radial;
  // unlike the plain farthest point it is not fooled by the rim of an open surface.
  const [cx, cy, cz] = centroid(points);
  const component = new Int32Array(n).fill(-1);
  const queue = new Int32Array(n);
  const seeds: number[] = [];
  for (let s = 0; s < n; s++) {
    if (component[s] >= 0) continue;
    const id = seeds.length;
    let head = 0, tail = 0;
    queue[tail++] = s;
    component[s] = id;
    let far = s;
    let farD = -1;
    while (head < tail) {
      const v = queue[head++];
      const ov = 3 * v;
      const d = Math.abs(normals[ov] * (points[ov] - cx) + normals[ov + 1] * (points[ov + 1] - cy) + normals[ov + 2] * (points[ov + 2] - cz));
      if (d > farD) {
        farD = d;
        far = v;
      }
      for (let e = start[v]; e < start[v + 1]; e++) {
        const u = adj[e];
        if (component[u] < 0) {
          component[u] = id;
          queue[tail++] = u;
        }
      }
    }
    seeds.push(far);
  }

  // Prim's algorithm with an indexed binary min-heap keyed by each vertex's cheapest edge
  // to the tree (decrease-key), so the heap never holds more than n entries.
  const heap = new Int32Array(n);
  const position = new Int32Array(n).fill(-1);
  const key = new Float64Array(n).fill(Infinity);
  const parentOf = new Int32Array(n).fill(-1);
  const inTree = new Uint8Array(n);
  let size = 0;
  const siftUp = (i: number): void => {
    const v = heap[i];
    const kv = key[v];
    while (i > 0) {
      const p = (i - 1) >> 1;
      const u = heap[p];
      if (!(kv < key[u])) break;
      heap[i] = u;
      position[u] = i;
      i = p;
    }
    heap[i] = v;
    position[v] = i;
  };
  const popMin = (): number => {
    const top = heap[0];
    position[top] = -1;
    size--;
    if (size > 0) {
      const v = heap[size];
      const kv = key[v];
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= size) break;
        const r = l + 1;
        const c = r < size && key[heap[r]] < key[heap[l]] ? r : l;
        const u = heap[c];
        if (!(key[u] < kv)) break;
        heap[i] = u;
        position[u] = i;
        i = c;
      }
      heap[i] = v;
      position[v] = i;
    }
    return top;
  };
  for (const seed of seeds) {
    const o = 3 * seed;
    const out = normals[o] * (points[o] - cx) + normals[o + 1] * (points[o + 1] - cy) + normals[o + 2] * (points[o + 2] - cz);
    if (out < 0) {
      normals[o] = -normals[o]; normals[o + 1] = -normals[o + 1]; normals[o + 2] = -normals[o + 2];
    }
    key[seed] = 0;
    heap[0] = seed;
    position[seed] = 0;
    size = 1;
    while (size > 0) {
      const v = popMin();
      inTree[v] = 1;
      const ov = 3 * v;
      const parent = parentOf[v];
      if (parent >= 0) {
        const op = 3 * parent;
        if (normals[ov] * normals[op] + normals[ov + 1] * normals[op + 1] + normals[ov + 2] * normals[op + 2] < 0) {
          normals[ov] = -normals[ov]; normals[ov + 1] = -normals[ov + 1]; normals[ov + 2] = -normals[ov + 2];
        }
      }
      const nx = normals[ov], ny = normals[ov + 1], nz = normals[ov + 2];
      for (let e = start[v]; e < start[v + 1]; e++) {
        const u = adj[e];
        if (inTree[u]) continue;
        const ou = 3 * u;
        const cost = 1 - Math.abs(nx * normals[ou] + ny * normals[ou + 1] + nz * normals[ou + 2]);
        if (cost < key[u]) {
          key[u] = cost;
          parentOf[u] = v;
          if (position[u] < 0) {
            heap[size] = u;
            position[u] = size;
            size++;
          }
          siftUp(position[u]);
        }
      }
    }
  }
}
