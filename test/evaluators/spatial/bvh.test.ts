import { describe, expect, it } from 'vitest';
import { BufferAttribute, BufferGeometry, Vector3 } from 'three';
import { MeshBVH } from 'three-mesh-bvh';
import { TriangleBVH, createClosestPointResult, type ClosestPointResult } from '../../../evaluators/spatial/index.js';
import { ictFace } from '../../helpers/faces.js';
import { gaussian, rng } from '../../helpers/random.js';
import { degenerateSoup, nearSurface, randomSoup, refMesh } from './helpers.js';

const ict = ictFace().mesh;

/** The reported point is u·a + v·b + w·c of the reported face and lies at the reported distance. */
function checkOnFace(positions: Float64Array, faces: Uint32Array, hit: ClosestPointResult, x: number, y: number, z: number): number {
  const f = hit.face;
  let worst = 0;
  expect(hit.u).toBeGreaterThanOrEqual(-1e-12);
  expect(hit.v).toBeGreaterThanOrEqual(-1e-12);
  expect(hit.w).toBeGreaterThanOrEqual(-1e-12);
  expect(Math.abs(hit.u + hit.v + hit.w - 1)).toBeLessThan(1e-12);
  const q = [0, 1, 2].map(
    (k) => hit.u * positions[3 * faces[3 * f] + k] + hit.v * positions[3 * faces[3 * f + 1] + k] + hit.w * positions[3 * faces[3 * f + 2] + k],
  );
  worst = Math.max(worst, Math.abs(q[0] - hit.x), Math.abs(q[1] - hit.y), Math.abs(q[2] - hit.z));
  const d = Math.hypot(x - hit.x, y - hit.y, z - hit.z);
  worst = Math.max(worst, Math.abs(d - Math.sqrt(hit.distanceSq)));
  return worst;
}

/**
 * Compare the BVH to brute force on `queries` (searched with `hints[i]` when given); returns
 * the largest distance disagreement (mm).
 */
function compareToBruteForce(
  positions: Float64Array, faces: Uint32Array, queries: Float64Array, bvh = TriangleBVH.build(positions, faces), maxDistance = Infinity, hints?: Int32Array,
): number {
  const hit = createClosestPointResult();
  let worst = 0;
  let worstOnFace = 0;
  for (let i = 0; i < queries.length / 3; i++) {
    const x = queries[3 * i], y = queries[3 * i + 1], z = queries[3 * i + 2];
    const ref = refMesh(positions, faces, [x, y, z], maxDistance * maxDistance);
    const found = bvh.closestPoint(x, y, z, hit, maxDistance * maxDistance, hints ? hints[i] : -1);
    expect(found).toBe(ref.face >= 0);
    if (!found) {
      expect(hit.face).toBe(-1);
      continue;
    }
    worst = Math.max(worst, Math.abs(Math.sqrt(hit.distanceSq) - Math.sqrt(ref.distSq)));
    worstOnFace = Math.max(worstOnFace, checkOnFace(positions, faces, hit, x, y, z));
  }
  expect(worst).toBeLessThan(1e-9);
  expect(worstOnFace).toBeLessThan(1e-9);
  return worst;
}

function randomQueries(count: number, random: () => number, scale: number): Float64Array {
  const q = new Float64Array(3 * count);
  for (let i = 0; i < q.length; i++) q[i] = gaussian(random) * scale;
  return q;
}

describe('TriangleBVH vs brute force', () => {
  it('random triangle soups, several leaf sizes', () => {
    const random = rng(10);
    for (const leafSize of [1, 4, 8, 32]) {
      const soup = randomSoup(400, random);
      const bvh = TriangleBVH.build(soup.positions, soup.faces, { leafSize });
      expect(bvh.faceCount).toBe(400);
      compareToBruteForce(soup.positions, soup.faces, randomQueries(300, random, 40), bvh);
    }
  });

  it('hinted searches match brute force, wrong hints included', () => {
    // A hint only tightens the search's first bound; the answer must not depend on it, for
    // every leaf size and split strategy, with and without a distance limit.
    const random = rng(19);
    for (const strategy of ['sah', 'morton'] as const) {
      for (const leafSize of [1, 3, 8]) {
        const soup = randomSoup(300, random);
        const bvh = TriangleBVH.build(soup.positions, soup.faces, { leafSize, strategy });
        const queries = randomQueries(150, random, 30);
        const wrong = Int32Array.from({ length: 150 }, () => Math.floor(random() * 300));
        compareToBruteForce(soup.positions, soup.faces, queries, bvh, Infinity, wrong);
        compareToBruteForce(soup.positions, soup.faces, queries, bvh, 12, wrong);
      }
    }
    // The ICT head 1–5 mm off the surface, hinted with the answer of another query, without
    // and with the candidate grid (whose lists come before the hint).
    for (const grid of [false, true]) {
      const bvh = TriangleBVH.build(ict.positions, ict.faces, { strategy: 'morton' });
      if (grid) bvh.prepareGrid();
      const queries = nearSurface(ict, 300, random, 1, 5);
      const answers = bvh.closestPoints(queries).faces;
      const shifted = Int32Array.from({ length: 300 }, (_, i) => answers[(i + 1) % 300]);
      compareToBruteForce(ict.positions, ict.faces, queries, bvh, Infinity, shifted);
    }
  });

  it('ICT face mesh: near-surface, off-surface and far queries', () => {
    const random = rng(11);
    const bvh = TriangleBVH.build(ict.positions, ict.faces);
    compareToBruteForce(ict.positions, ict.faces, nearSurface(ict, 300, random, 0, 1), bvh);
    compareToBruteForce(ict.positions, ict.faces, nearSurface(ict, 200, random, 5, 30), bvh);
    const far = randomQueries(100, random, 1);
    for (let i = 0; i < 100; i++) {
      const len = Math.hypot(far[3 * i], far[3 * i + 1], far[3 * i + 2]);
      for (let k = 0; k < 3; k++) far[3 * i + k] *= 1e4 / len;
    }
    compareToBruteForce(ict.positions, ict.faces, far, bvh);
  });

  it('queries exactly on vertices and edges give distance 0 on an incident face', () => {
    const bvh = TriangleBVH.build(ict.positions, ict.faces);
    const hit = createClosestPointResult();
    const random = rng(12);
    for (let i = 0; i < 500; i++) {
      const f = Math.floor(random() * ict.faces.length / 3);
      const a = ict.faces[3 * f], b = ict.faces[3 * f + 1];
      const t = i % 2 === 0 ? 0 : random();
      const p = [0, 1, 2].map((k) => ict.positions[3 * a + k] + t * (ict.positions[3 * b + k] - ict.positions[3 * a + k]));
      expect(bvh.closestPoint(p[0], p[1], p[2], hit)).toBe(true);
      expect(Math.sqrt(hit.distanceSq)).toBeLessThan(1e-12);
      expect(checkOnFace(ict.positions, ict.faces, hit, p[0], p[1], p[2])).toBeLessThan(1e-12);
    }
  });

  it('many coincident and degenerate triangles', () => {
    const random = rng(13);
    const { positions, faces } = degenerateSoup(random, { copies: 150, points: 100, collinear: 100, pairs: 100, slivers: 50 });
    const bvh = TriangleBVH.build(positions, faces);
    const queries = randomQueries(400, random, 6);
    queries.set([0, 0, 0, 3, 3, 3, 2.5, 0, 1, 1, 1, 0, 2, 0, 2], 0);
    compareToBruteForce(positions, faces, queries, bvh);
  });

  it("strategy 'morton' gives the same exact answers", () => {
    const random = rng(20);
    const bvh = TriangleBVH.build(ict.positions, ict.faces, { strategy: 'morton', leafSize: 6 });
    compareToBruteForce(ict.positions, ict.faces, nearSurface(ict, 200, random, 0, 10), bvh);
    const soup = randomSoup(300, random);
    compareToBruteForce(soup.positions, soup.faces, randomQueries(200, random, 40), TriangleBVH.build(soup.positions, soup.faces, { strategy: 'morton' }));
  });

  it('prefers a regular face over a degenerate one at the same distance', () => {
    // Face 0/1: the unit right triangle; the other: collinear points on its edge y = 0.
    const positions = new Float64Array([0, 0, 0, 1, 0, 0, 0, 1, 0, 0.5, 0, 0]);
    for (const faces of [new Uint32Array([0, 1, 2, 0, 3, 1]), new Uint32Array([0, 3, 1, 0, 1, 2])]) {
      const regular = faces[2] === 2 ? 0 : 1;
      const bvh = TriangleBVH.build(positions, faces, { leafSize: 1 });
      const hit = createClosestPointResult();
      for (const [x, y] of [[0.5, -1], [0.25, -0.5], [0.75, 0]]) {
        expect(bvh.closestPoint(x, y, 0, hit)).toBe(true);
        expect(hit.face).toBe(regular);
        expect(Math.sqrt(hit.distanceSq)).toBeCloseTo(-y, 14);
      }
    }
  });

  it('a single triangle, and an empty mesh', () => {
    const positions = new Float64Array([0, 0, 0, 1, 0, 0, 0, 1, 0]);
    const faces = new Uint32Array([0, 1, 2]);
    compareToBruteForce(positions, faces, randomQueries(200, rng(14), 3));
    const empty = TriangleBVH.build(new Float64Array(0), new Uint32Array(0));
    const hit = createClosestPointResult();
    expect(empty.faceCount).toBe(0);
    expect(empty.closestPoint(0, 0, 0, hit)).toBe(false);
    expect(hit.face).toBe(-1);
  });

  it('maxDistance limits: found exactly when a face lies within the limit', () => {
    const random = rng(15);
    const bvh = TriangleBVH.build(ict.positions, ict.faces);
    const queries = nearSurface(ict, 300, random, 0, 20);
    for (const maxDistance of [0.5, 5, 12]) compareToBruteForce(ict.positions, ict.faces, queries, bvh, maxDistance);
    // A limit equal to the exact distance is inclusive.
    const hit = createClosestPointResult();
    const positions = new Float64Array([0, 0, 0, 1, 0, 0, 0, 1, 0]);
    const single = TriangleBVH.build(positions, new Uint32Array([0, 1, 2]));
    expect(single.closestPoint(0.25, 0.25, 2, hit, 4)).toBe(true);
    expect(hit.distanceSq).toBe(4);
    expect(single.closestPoint(0.25, 0.25, 2, hit, 3.999999)).toBe(false);
    expect(hit.face).toBe(-1);
    expect(hit.distanceSq).toBe(Infinity);
    expect(single.closestPoint(0.25, 0.25, 0, hit, 0)).toBe(true);
    // A NaN query finds nothing rather than a NaN answer.
    expect(single.closestPoint(NaN, 0, 0, hit)).toBe(false);
    expect(single.closestPoint(0, NaN, 0, hit, Infinity, 0)).toBe(false);
    expect(hit.face).toBe(-1);
  });

  it('hints never change the distance, even when wrong', () => {
    const random = rng(16);
    const bvh = TriangleBVH.build(ict.positions, ict.faces);
    const queries = nearSurface(ict, 2000, random, 0, 10);
    const plain = bvh.closestPoints(queries, { hints: new Int32Array(2000).fill(-1) });
    const good = bvh.closestPoints(queries, { hints: plain.faces });
    const bad = bvh.closestPoints(queries, { hints: Int32Array.from({ length: 2000 }, () => Math.floor(random() * 22288)) });
    const auto = bvh.closestPoints(queries);
    for (const other of [good, bad, auto]) {
      for (let i = 0; i < 2000; i++) expect(Math.abs(other.distances[i] - plain.distances[i])).toBeLessThan(1e-12);
    }
    // Out-of-range hints are ignored.
    const hit = createClosestPointResult();
    expect(bvh.closestPoint(queries[0], queries[1], queries[2], hit, Infinity, 1e9)).toBe(true);
    expect(Math.sqrt(hit.distanceSq)).toBeCloseTo(plain.distances[0], 12);
    expect(bvh.closestPoint(queries[0], queries[1], queries[2], hit, Infinity, 2.5)).toBe(true);
    expect(Math.sqrt(hit.distanceSq)).toBeCloseTo(plain.distances[0], 12);
  });

  it('batch results match single queries, with misses marked', () => {
    const random = rng(17);
    const bvh = TriangleBVH.build(ict.positions, ict.faces);
    const queries = nearSurface(ict, 500, random, 0, 8);
    const batch = bvh.closestPoints(queries, { maxDistance: 4 });
    const hit = createClosestPointResult();
    let misses = 0;
    for (let i = 0; i < 500; i++) {
      const found = bvh.closestPoint(queries[3 * i], queries[3 * i + 1], queries[3 * i + 2], hit, 16);
      if (!found) {
        misses++;
        expect(batch.faces[i]).toBe(-1);
        expect(batch.distances[i]).toBe(Infinity);
        expect(Number.isNaN(batch.points[3 * i])).toBe(true);
        continue;
      }
      expect(batch.distances[i]).toBeCloseTo(Math.sqrt(hit.distanceSq), 12);
      expect(batch.distances[i]).toBeLessThanOrEqual(4);
      const f = batch.faces[i];
      const q = [0, 1, 2].map((k) =>
        batch.barycentrics[3 * i] * ict.positions[3 * ict.faces[3 * f] + k] +
        batch.barycentrics[3 * i + 1] * ict.positions[3 * ict.faces[3 * f + 1] + k] +
        batch.barycentrics[3 * i + 2] * ict.positions[3 * ict.faces[3 * f + 2] + k]);
      for (let k = 0; k < 3; k++) expect(Math.abs(q[k] - batch.points[3 * i + k])).toBeLessThan(1e-10);
    }
    expect(misses).toBeGreaterThan(50);
    expect(misses).toBeLessThan(450);
  });

  it('rejects malformed input with a message saying what is wrong', () => {
    expect(() => TriangleBVH.build(new Float64Array(4), new Uint32Array(0))).toThrow(/multiple of 3/);
    expect(() => TriangleBVH.build(new Float64Array(9), new Uint32Array([0, 1, 3]))).toThrow(/refers to vertex 3/);
    expect(() => TriangleBVH.build(new Float64Array([0, 0, NaN, 0, 0, 0, 0, 0, 0]), new Uint32Array([0, 1, 2]))).toThrow(/must be finite/);
    expect(() => TriangleBVH.build(new Float64Array([0, 0, 1e31, 0, 0, 0, 0, 0, 0]), new Uint32Array([0, 1, 2]))).toThrow(/within ±1e30/);
    expect(() => TriangleBVH.build(new Float64Array(9), new Uint32Array([0, 1, 2]), { strategy: 'x' as never })).toThrow(/strategy/);
    expect(() => TriangleBVH.build(new Float64Array(9), new Uint32Array([0, 1, 2]), { leafSize: 0 })).toThrow(/leafSize/);
  });

  it('stays shallow on adversarial centroid distributions', () => {
    // Triangle centroids spaced geometrically defeat uniform SAH bins; the median fallback bounds the depth.
    const count = 3000;
    const positions = new Float64Array(9 * count);
    const faces = new Uint32Array(3 * count);
    for (let t = 0; t < count; t++) {
      const x = 1.01 ** t;
      positions.set([x, 0, 0, x, 1e-3, 0, x, 0, 1e-3], 9 * t);
      faces.set([3 * t, 3 * t + 1, 3 * t + 2], 3 * t);
    }
    const bvh = TriangleBVH.build(positions, faces);
    expect(bvh.depth).toBeLessThan(64);
    compareToBruteForce(positions, faces, randomQueries(100, rng(18), 1000), bvh);
  });
});

describe('TriangleBVH vs three-mesh-bvh (oracle)', () => {
  it('agrees with closestPointToPoint on the ICT mesh (near- and off-surface queries)', () => {
    const geometry = new BufferGeometry();
    geometry.setAttribute('position', new BufferAttribute(Float32Array.from(ict.positions), 3));
    geometry.setIndex(new BufferAttribute(Uint32Array.from(ict.faces), 1));
    const oracle = new MeshBVH(geometry);
    const bvh = TriangleBVH.build(ict.positions, ict.faces);
    const random = rng(19);
    const queries = new Float64Array([...nearSurface(ict, 1500, random, 0, 1), ...nearSurface(ict, 1000, random, 5, 30)]);
    const batch = bvh.closestPoints(queries);
    const target = { point: new Vector3(), distance: 0, faceIndex: 0 };
    const p = new Vector3();
    let worst = 0;
    for (let i = 0; i < queries.length / 3; i++) {
      p.set(queries[3 * i], queries[3 * i + 1], queries[3 * i + 2]);
      oracle.closestPointToPoint(p, target);
      const err = Math.abs(target.distance - batch.distances[i]) / Math.max(1, batch.distances[i]);
      worst = Math.max(worst, err);
    }
    // The fixture is float32 already and three-mesh-bvh's point–triangle math runs in JS
    // doubles, so the two agree far below a float32 allowance (measured ~1e-14).
    expect(worst).toBeLessThan(1e-6);
  });
});
