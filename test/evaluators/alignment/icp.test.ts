import { describe, expect, it } from 'vitest';
import {
  applyTransform,
  cloneTransform,
  composeTransforms,
  icp,
  identityTransform,
  invertTransform,
  mat3Determinant,
  rotationFromAxisAngle,
  transformDifference,
  umeyama,
  type ICPSolution,
  type SimilarityTransform,
} from '../../../evaluators/alignment/index.js';
import { InputError } from '../../../evaluators/errors.js';
import type { TriangleMesh } from '../../../evaluators/geometry/types.js';
import { gatherPoints } from '../../../evaluators/geometry/points.js';
import { closestPointOnTriangle, createClosestPointResult, createTriangleClosestPoint, mortonOrder, TriangleBVH } from '../../../evaluators/spatial/index.js';
import { faceNormal, ictFace, ictSevenLandmarks, sampleSurface } from '../../helpers/faces.js';
import { gaussian, rng } from '../../helpers/random.js';
import { refClosest, refTriangle } from '../spatial/helpers.js';

const DEG = Math.PI / 180;
const GT_POINTS = 20_000;

const template = ictFace().mesh;
const gt = sampleSurface(template, GT_POINTS, rng(101));

/** The template moved by `p`: ICP must find p⁻¹ to put it back onto the GT samples. */
function perturbed(p: SimilarityTransform): TriangleMesh {
  return { positions: applyTransform(p, template.positions), faces: template.faces };
}

function perturbation(seed: number, degrees: number, mm: number, scale: number): SimilarityTransform {
  const random = rng(seed);
  const g = () => gaussian(random);
  const axis = [g(), g(), g()];
  const dir = [g(), g(), g()];
  const len = Math.hypot(dir[0], dir[1], dir[2]);
  return {
    scale,
    rotation: rotationFromAxisAngle(axis, degrees * DEG),
    translation: Float64Array.from(dir, (x) => (mm * x) / len),
  };
}

function expectMonotone(solution: ICPSolution): void {
  expect(solution.history.length).toBe(solution.iterations + 1);
  for (let k = 1; k < solution.history.length; k++) expect(solution.history[k]).toBeLessThanOrEqual(solution.history[k - 1]);
}

/** Mean of min(d², D²) and the inlier mean squared distance, against a BVH built on the transformed mesh itself. */
function directObjective(
  points: Float64Array, mesh: TriangleMesh, t: SimilarityTransform, maxDistance: number,
): { objective: number; inlierMsd: number; inliers: number; distances: Float64Array } {
  const moved = applyTransform(t, mesh.positions);
  const bvh = TriangleBVH.build(moved, mesh.faces);
  const hit = createClosestPointResult();
  const distances = new Float64Array(points.length / 3);
  let sum = 0;
  let inlierSum = 0;
  let inliers = 0;
  for (let i = 0; i < points.length / 3; i++) {
    bvh.closestPoint(points[3 * i], points[3 * i + 1], points[3 * i + 2], hit);
    distances[i] = Math.sqrt(hit.distanceSq);
    if (hit.distanceSq <= maxDistance * maxDistance) {
      inlierSum += hit.distanceSq;
      inliers++;
      sum += hit.distanceSq;
    } else sum += maxDistance * maxDistance;
  }
  return { objective: sum / (points.length / 3), inlierMsd: inlierSum / inliers, inliers, distances };
}

describe('icp on the ICT-FaceKit face (acceptance)', () => {
  it('similarity mode recovers a 2°, 3 mm, 2% perturbation from the identity to < 0.01 mm', () => {
    const p = perturbation(1, 2, 3, 1.02);
    const mesh = perturbed(p);
    const solution = icp(gt.positions, mesh, identityTransform());
    const truth = invertTransform(p);
    expect(transformDifference(solution.transform, truth, mesh.positions)).toBeLessThan(0.01);
    expect(transformDifference(solution.transform, truth, mesh.positions)).toBeLessThan(1e-6); // in fact to rounding
    expect(solution.converged).toBe(true);
    expect(solution.iterations).toBeLessThan(15);
    expect(solution.rmse).toBeLessThan(1e-6);
    expect(solution.inlierFraction).toBe(1);
    expect(solution.history[0]).toBeGreaterThan(1); // it did have work to do
    expectMonotone(solution);
  });

  it('rigid mode keeps the initial scale exactly and recovers a rigid perturbation', () => {
    // Mesh shrunk by 1/1.02 and moved; ICP starts from the right scale (1.02) and identity pose.
    const p = perturbation(2, 2, 3, 1 / 1.02);
    const mesh = perturbed(p);
    const init = identityTransform();
    init.scale = 1.02;
    const solution = icp(gt.positions, mesh, init, { mode: 'rigid' });
    expect(solution.transform.scale).toBe(1.02);
    expect(transformDifference(solution.transform, invertTransform(p), mesh.positions)).toBeLessThan(0.01);
    expect(solution.converged).toBe(true);
    expectMonotone(solution);

    const q = perturbation(3, 2, 3, 1);
    const rigidMesh = perturbed(q);
    const rigid = icp(gt.positions, rigidMesh, identityTransform(), { mode: 'rigid' });
    expect(rigid.transform.scale).toBe(1);
    expect(transformDifference(rigid.transform, invertTransform(q), rigidMesh.positions)).toBeLessThan(0.01);
  });

  it('trimming at 10 mm recovers < 0.01 mm with 10% of the GT points 20–50 mm off the surface', () => {
    const random = rng(7);
    const points = Float64Array.from(gt.positions);
    const bvh = TriangleBVH.build(template.positions, template.faces);
    const hit = createClosestPointResult();
    let outliers = 0;
    for (let i = 0; i < GT_POINTS; i += 10) {
      // Push the sample 20–50 mm along its face normal; keep it only if it really ends up
      // more than 20 mm from the whole surface (not next to another part of the head).
      for (;;) {
        const offset = 20 + 30 * random();
        const j = Math.floor(random() * GT_POINTS);
        const n = faceNormal(template, gt.faces[j]);
        const x = gt.positions[3 * j] + offset * n[0];
        const y = gt.positions[3 * j + 1] + offset * n[1];
        const z = gt.positions[3 * j + 2] + offset * n[2];
        bvh.closestPoint(x, y, z, hit);
        if (hit.distanceSq > 20 * 20) {
          points.set([x, y, z], 3 * i);
          outliers++;
          break;
        }
      }
    }
    expect(outliers).toBe(GT_POINTS / 10);

    const p = perturbation(4, 2, 3, 1.02);
    const mesh = perturbed(p);
    const truth = invertTransform(p);
    const solution = icp(points, mesh, identityTransform(), { maxCorrespondenceDistance: 10 });
    expect(transformDifference(solution.transform, truth, mesh.positions)).toBeLessThan(0.01);
    expect(solution.inlierFraction).toBeCloseTo(0.9, 12);
    expect(solution.rmse).toBeLessThan(1e-6);
    expectMonotone(solution);

    // Without trimming the outliers pull the fit away: the trimming is what makes it work.
    const untrimmed = icp(points, mesh, identityTransform(), { maxCorrespondenceDistance: Infinity });
    expect(transformDifference(untrimmed.transform, truth, mesh.positions)).toBeGreaterThan(0.5);
    expect(untrimmed.inlierFraction).toBe(1);
    expectMonotone(untrimmed);
  });

  it('refines a noisy 7-landmark Umeyama start and reports its error consistently with a direct evaluation', () => {
    const p = perturbation(5, 5, 8, 0.97);
    const mesh = perturbed(p);
    const random = rng(9);
    const g = () => gaussian(random);
    const noisyGtLandmarks = Float64Array.from(ictSevenLandmarks(template.positions), (x) => x + 1.5 * g());
    const init = umeyama(ictSevenLandmarks(mesh.positions), noisyGtLandmarks).transform;
    const truth = invertTransform(p);
    expect(transformDifference(init, truth, mesh.positions)).toBeGreaterThan(0.5);

    // GT with 0.1 mm noise: no exact fit; the result must still be the truth to well under 0.01 mm·…
    const noisy = Float64Array.from(gt.positions, (x) => x + 0.1 * g());
    const solution = icp(noisy, mesh, init);
    expect(solution.converged).toBe(true);
    expect(transformDifference(solution.transform, truth, mesh.positions)).toBeLessThan(0.02);
    expectMonotone(solution);
    const direct = directObjective(noisy, mesh, solution.transform, 10);
    expect(solution.meanSquaredDistance).toBeCloseTo(direct.inlierMsd, 12);
    expect(solution.history[solution.history.length - 1]).toBeCloseTo(direct.objective, 12);
    expect(solution.inlierFraction).toBe(direct.inliers / GT_POINTS);
    // Normal noise of σ = 0.1 mm per coordinate leaves ≈ 0.1 mm RMS off a smooth surface.
    expect(solution.rmse).toBeGreaterThan(0.07);
    expect(solution.rmse).toBeLessThan(0.13);
  });

  it('distances agree with a brute-force closest point over every triangle (200 points)', () => {
    const p = perturbation(6, 1, 2, 1.01);
    const mesh = perturbed(p);
    const subset = gt.positions.subarray(0, 600);
    const noisy = Float64Array.from(subset, (x, i) => x + 0.3 * Math.sin(7.1 * i));
    const solution = icp(noisy, mesh, identityTransform(), { maxIterations: 3, maxCorrespondenceDistance: Infinity });
    const moved = applyTransform(solution.transform, mesh.positions);
    const tri = createTriangleClosestPoint();
    let sum = 0;
    for (let i = 0; i < 200; i++) {
      let best = Infinity;
      for (let f = 0; f < mesh.faces.length / 3; f++) {
        const a = 3 * mesh.faces[3 * f], b = 3 * mesh.faces[3 * f + 1], c = 3 * mesh.faces[3 * f + 2];
        const d = closestPointOnTriangle(
          noisy[3 * i], noisy[3 * i + 1], noisy[3 * i + 2],
          moved[a], moved[a + 1], moved[a + 2], moved[b], moved[b + 1], moved[b + 2], moved[c], moved[c + 1], moved[c + 2],
          tri,
        );
        if (d < best) best = d;
      }
      sum += best;
    }
    expect(solution.meanSquaredDistance).toBeCloseTo(sum / 200, 10);
  });
});

describe('icp: stopping rules and inputs', () => {
  const p = perturbation(10, 2, 3, 1.02);
  const mesh = perturbed(p);
  const bvh = TriangleBVH.build(mesh.positions, mesh.faces);
  const noisy = Float64Array.from(gt.positions, (x, i) => x + 0.2 * Math.sin(12.9898 * i));

  it('respects the iteration cap (converged = false) and 0 iterations returns the start', () => {
    const capped = icp(gt.positions, { mesh, bvh }, identityTransform(), { maxIterations: 2 });
    expect(capped.iterations).toBe(2);
    expect(capped.converged).toBe(false);
    expect(capped.history.length).toBe(3);
    expectMonotone(capped);
    const start = perturbation(11, 1, 1, 1.01);
    const none = icp(gt.positions, { mesh, bvh }, start, { maxIterations: 0 });
    expect(none.iterations).toBe(0);
    expect(none.converged).toBe(false);
    expect(transformDifference(none.transform, start, mesh.positions)).toBeLessThan(1e-12);
    expect(none.history.length).toBe(1);
  });

  it('stops at the first step whose relative decrease is below the tolerance', () => {
    for (const tolerance of [1e-3, 1e-9]) {
      const solution = icp(noisy, { mesh, bvh }, identityTransform(), { relativeTolerance: tolerance, maxCorrespondenceDistance: Infinity });
      expect(solution.converged).toBe(true);
      const h = solution.history;
      const relative = h.slice(1).map((v, k) => (h[k] - v) / h[k]);
      // Every step but the last decreased by more than the tolerance; the last by less
      // (or it was the no-descent stop, which adds no step).
      for (let k = 0; k < relative.length - 1; k++) expect(relative[k]).toBeGreaterThan(tolerance);
      expect(solution.iterations).toBeGreaterThan(0);
      if (tolerance === 1e-9) expect(solution.iterations).toBeGreaterThan(icp(noisy, { mesh, bvh }, identityTransform(), { relativeTolerance: 1e-3, maxCorrespondenceDistance: Infinity }).iterations);
    }
  });

  it('a prebuilt BVH gives the same answer as the bare mesh', () => {
    const a = icp(noisy, mesh, identityTransform(), { maxIterations: 5 });
    const b = icp(noisy, { mesh, bvh: TriangleBVH.build(mesh.positions, mesh.faces) }, identityTransform(), { maxIterations: 5 });
    expect(Array.from(b.transform.rotation)).toEqual(Array.from(a.transform.rotation));
    expect(b.history).toEqual(a.history);
    // The shared BVH has its candidate grid by now (the tests above announced many queries),
    // which may pick the other of two equally near faces: the same fit up to rounding.
    expect(bvh.hasGrid).toBe(true);
    const c = icp(noisy, { mesh, bvh }, identityTransform(), { maxIterations: 5 });
    for (let k = 0; k < 9; k++) expect(Math.abs(c.transform.rotation[k] - a.transform.rotation[k])).toBeLessThan(1e-12);
    expect(c.history.length).toBe(a.history.length);
    c.history.forEach((v, k) => expect(Math.abs(v - a.history[k])).toBeLessThanOrEqual(1e-12 * a.history[k]));
  });

  it('keeps an improper start improper (mirrored prediction)', () => {
    const mirror: SimilarityTransform = { scale: 1, rotation: Float64Array.of(-1, 0, 0, 0, 1, 0, 0, 0, 1), translation: new Float64Array(3) };
    const mirroredMesh = perturbed(composeTransforms(mirror, p)); // x ↦ M·P(x)
    // Start from M (undoes the mirror), ICP must find P⁻¹ after it: total P⁻¹·M.
    const solution = icp(gt.positions, mirroredMesh, cloneTransform(mirror));
    expect(mat3Determinant(solution.transform.rotation)).toBeCloseTo(-1, 12);
    const truth = composeTransforms(invertTransform(p), mirror);
    expect(transformDifference(solution.transform, truth, mirroredMesh.positions)).toBeLessThan(0.01);
  });

  it('explains an initial alignment that leaves no inliers', () => {
    const far = identityTransform();
    far.translation[0] = 600;
    let caught: unknown;
    try {
      icp(gt.positions, { mesh, bvh }, far, { name: 'pred/mesh_posed.ply' });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(InputError);
    const error = caught as InputError;
    expect(error.file).toBe('pred/mesh_posed.ply');
    expect(error.message).toMatch(/no GT point lies within 10 mm .*nearest is \d+\.\d mm away.*off by more than maxCorrespondenceDistance.*check the landmarks and the length units/);
    expect(error.message).not.toMatch(/\n/);
  });

  it('rejects bad options, GT points and start transforms with InputErrors', () => {
    const run = (points: Float64Array, init: SimilarityTransform, options: object): unknown => {
      try {
        icp(points, { mesh, bvh }, init, options);
      } catch (error) {
        return error;
      }
      return undefined;
    };
    const cases: Array<[Float64Array, SimilarityTransform, object, RegExp]> = [
      [gt.positions, identityTransform(), { mode: 'affine' }, /unknown ICP mode 'affine'/],
      [gt.positions, identityTransform(), { maxIterations: -1 }, /maxIterations must be a non-negative integer/],
      [gt.positions, identityTransform(), { maxIterations: 1.5 }, /maxIterations/],
      [gt.positions, identityTransform(), { relativeTolerance: -1 }, /relativeTolerance/],
      [gt.positions, identityTransform(), { maxCorrespondenceDistance: 0 }, /maxCorrespondenceDistance must be > 0/],
      [new Float64Array(0), identityTransform(), {}, /no GT points/],
      [new Float64Array(4), identityTransform(), {}, /not a multiple of 3/],
      [Float64Array.of(1, 2, Number.NaN), identityTransform(), {}, /GT point 0 has a non-finite coordinate/],
      [gt.positions, { ...identityTransform(), scale: 0 }, {}, /scale 0; it must be a finite positive number/],
      [gt.positions, { ...identityTransform(), rotation: Float64Array.of(1, 0.1, 0, 0, 1, 0, 0, 0, 1) }, {}, /not orthogonal/],
    ];
    for (const [points, init, options, pattern] of cases) {
      const error = run(points, init, options);
      expect(error).toBeInstanceOf(InputError);
      expect((error as Error).message).toMatch(pattern);
    }
  });
});

describe('icp: closest points of the last pass (correspondences option)', () => {
  /**
   * 300 GT points in input order: 260 on the template ±1.5 mm along the normal, 40 pushed
   * 15–40 mm off it (beyond the 10 mm correspondence distance, so ICP trims them).
   */
  function scatteredPoints(seed: number): Float64Array {
    const random = rng(seed);
    const s = sampleSurface(template, 300, random);
    return Float64Array.from(s.positions, (x, i) => {
      const k = Math.floor(i / 3);
      const offset = k % 15 === 7 || k % 15 === 11 ? 15 + 25 * random() : 3 * random() - 1.5;
      return x + offset * s.normals[i] + 0.05 * gaussian(random);
    });
  }

  /** Checks every correspondence against a brute-force search over the transformed mesh. */
  function expectBruteForce(points: Float64Array, mesh: TriangleMesh, solution: ICPSolution): void {
    const c = solution.correspondences!;
    const t = solution.transform;
    // x ↦ s·R·x + t on the vertices, written out here rather than with the library's own.
    const moved = new Float64Array(mesh.positions.length);
    for (let v = 0; v < moved.length; v += 3) {
      for (let k = 0; k < 3; k++) {
        moved[v + k] = t.scale * (t.rotation[3 * k] * mesh.positions[v] + t.rotation[3 * k + 1] * mesh.positions[v + 1] + t.rotation[3 * k + 2] * mesh.positions[v + 2]) + t.translation[k];
      }
    }
    const n = points.length / 3;
    expect(c.distances.length).toBe(n);
    for (let i = 0; i < n; i++) {
      const p = points.subarray(3 * i, 3 * i + 3);
      const ref = refClosest(moved, mesh.faces, p);
      const d = Math.sqrt(ref.distSq);
      expect(Math.abs(c.distances[i] - d)).toBeLessThanOrEqual(1e-9 * Math.max(d, 1));
      expect(ref.tied).toContain(c.faces[i]);
      const q = c.points.subarray(3 * i, 3 * i + 3);
      // The point lies on the reported face of the moved mesh, at the reported distance from p.
      expect(Math.abs(Math.hypot(p[0] - q[0], p[1] - q[1], p[2] - q[2]) - d)).toBeLessThanOrEqual(1e-9 * Math.max(d, 1));
      const f = c.faces[i];
      const corner = (j: number) => Array.from(moved.subarray(3 * mesh.faces[3 * f + j], 3 * mesh.faces[3 * f + j] + 3));
      expect(refTriangle(q, corner(0), corner(1), corner(2)).distSq).toBeLessThan(1e-18);
      if (ref.tied.length === 1) for (let k = 0; k < 3; k++) expect(Math.abs(q[k] - [ref.x, ref.y, ref.z][k])).toBeLessThanOrEqual(1e-9 * Math.max(d, 1));
    }
  }

  it('similarity with scale ≠ 1: every point, trimmed ones included, matches brute force in input order', () => {
    const p = perturbation(21, 3, 4, 1.1);
    const mesh = perturbed(p);
    const points = scatteredPoints(22);
    const solution = icp(points, mesh, identityTransform(), { maxIterations: 4, correspondences: true });
    expect(solution.transform.scale).not.toBeCloseTo(1, 2);
    expect(solution.inlierFraction).toBeLessThan(0.9); // the unbounded re-query of the trimmed points is exercised
    expectBruteForce(points, mesh, solution);
    // The inliers' distances are those the solution's mean squared distance is made of.
    const c = solution.correspondences!;
    let sum = 0;
    let inliers = 0;
    for (const d of c.distances) if (d <= 10) { sum += d * d; inliers++; }
    expect(inliers / c.distances.length).toBe(solution.inlierFraction);
    expect(sum / inliers).toBeCloseTo(solution.meanSquaredDistance, 10);
    expect(icp(points, mesh, identityTransform(), { maxIterations: 4 }).correspondences).toBeUndefined();
  });

  it('rigid, an improper (mirrored) transform, and 0 iterations', () => {
    const mirror: SimilarityTransform = { scale: 1, rotation: Float64Array.of(-1, 0, 0, 0, 1, 0, 0, 0, 1), translation: new Float64Array(3) };
    const p = perturbation(23, 2, 3, 1);
    const mirroredMesh = perturbed(composeTransforms(mirror, p));
    const points = scatteredPoints(24);
    const rigid = icp(points, mirroredMesh, cloneTransform(mirror), { mode: 'rigid', correspondences: true });
    expect(mat3Determinant(rigid.transform.rotation)).toBeCloseTo(-1, 12);
    expectBruteForce(points, mirroredMesh, rigid);
    const start = composeTransforms(perturbation(25, 1, 1, 0.9), invertTransform(p));
    const none = icp(points, perturbed(p), start, { maxIterations: 0, correspondences: true });
    expectBruteForce(points, perturbed(p), none);
  });
});

describe('coarse-to-fine ICP (subsample)', () => {
  it('fits on strided subsets, then steps and reports over every point consistently with a direct evaluation', () => {
    const p = perturbation(5, 5, 8, 0.97);
    const mesh = perturbed(p);
    const random = rng(19);
    const g = () => gaussian(random);
    const init = umeyama(ictSevenLandmarks(mesh.positions), Float64Array.from(ictSevenLandmarks(template.positions), (x) => x + 1.5 * g())).transform;
    const truth = invertTransform(p);
    const noisy = Float64Array.from(gt.positions, (x) => x + 0.1 * g());
    const full = icp(noisy, mesh, init);
    const solution = icp(noisy, mesh, init, { subsample: 2000, correspondences: true });
    expect(solution.converged).toBe(true);
    expect(transformDifference(solution.transform, truth, mesh.positions)).toBeLessThan(0.03);
    expect(transformDifference(solution.transform, full.transform, mesh.positions)).toBeLessThan(0.03);
    // history: one entry per step plus the start of each level (coarse, fine, full cloud).
    expect(solution.history.length).toBe(solution.iterations + 1);
    const direct = directObjective(noisy, mesh, solution.transform, 10);
    expect(solution.meanSquaredDistance).toBeCloseTo(direct.inlierMsd, 12);
    expect(solution.history[solution.history.length - 1]).toBeCloseTo(direct.objective, 12);
    expect(solution.inlierFraction).toBe(direct.inliers / GT_POINTS);
    // Every point's distance, the fine level's own points (copied from its last pass) and the
    // others (searched in the final pass) alike, in input order.
    const distances = solution.correspondences!.distances;
    let worst = 0;
    for (let i = 0; i < GT_POINTS; i++) worst = Math.max(worst, Math.abs(distances[i] - direct.distances[i]));
    expect(worst).toBeLessThan(1e-9);
    expect(Math.abs(solution.rmse - full.rmse)).toBeLessThan(0.001);
    // A cloud no larger than the subsample is fitted on every point, exactly as without it.
    const same = icp(noisy, mesh, init, { subsample: GT_POINTS });
    expect(same.history).toEqual(full.history);
    expect(() => icp(noisy, mesh, init, { subsample: -1 })).toThrow(InputError);
    // The caller's Morton order (kept with a cloud scored many times) gives the same fit;
    // anything but a permutation of the points is refused.
    const order = mortonOrder(noisy);
    const given = icp(noisy, mesh, init, { subsample: 2000, correspondences: true, order });
    expect(given.history).toEqual(solution.history);
    expect(given.transform).toEqual(solution.transform);
    expect(given.correspondences).toEqual(solution.correspondences);
    expect(() => icp(noisy, mesh, init, { subsample: 2000, order: order.subarray(1) })).toThrow(/lists 19999 indices for 20000 GT points/);
    const repeated = order.slice();
    repeated[7] = repeated[8];
    expect(() => icp(noisy, mesh, init, { subsample: 2000, order: repeated })).toThrow(/not a permutation of the 20000 GT points/);
    repeated[7] = GT_POINTS;
    expect(() => icp(noisy, mesh, init, { subsample: 2000, order: repeated })).toThrow(InputError);
  });

  it('skips a coarse subset with too few points near the surface and fits the fine subset, not every point', () => {
    const p = perturbation(9, 2, 3, 1);
    const mesh = perturbed(p);
    const random = rng(31);
    // 15 % of the points on the face, the rest 30–40 mm in front of it: the coarse subset
    // (250 points) has about 38 within 10 mm, fewer than the 100 it needs; the fine subset
    // (2,000 points) about 300.
    const cloud = Float64Array.from(gt.positions);
    for (let i = 0; i < GT_POINTS; i++) if (random() >= 0.15) cloud[3 * i + 2] += 30 + 10 * random();
    const init = identityTransform();
    const solution = icp(cloud, mesh, init, { subsample: 2000, mode: 'rigid' });
    // The fine level alone: the documented subset (positions ⌊k·N/K⌋ of the Morton order)
    // fitted directly, then reported over every point.
    const sorted = gatherPoints(cloud, mortonOrder(cloud));
    const subset = new Float64Array(3 * 2000);
    for (let k = 0; k < 2000; k++) subset.set(sorted.subarray(3 * Math.floor((k * GT_POINTS) / 2000), 3 * Math.floor((k * GT_POINTS) / 2000) + 3), 3 * k);
    const fine = icp(subset, mesh, init, { mode: 'rigid' });
    expect(solution.iterations).toBe(fine.iterations);
    expect(transformDifference(solution.transform, fine.transform, mesh.positions)).toBeLessThan(1e-9);
    // Fitting every point (what a too-sparse coarse subset used to fall back to) lands elsewhere.
    const every = icp(cloud, mesh, init, { mode: 'rigid' });
    expect(transformDifference(every.transform, fine.transform, mesh.positions)).toBeGreaterThan(1e-6);
  });
});

describe('ICP and the candidate grid', () => {
  it('announces its passes to the BVH, which builds its grid for a large cloud; the answers are those of the tree alone', () => {
    const p = perturbation(7, 3, 4, 1.02);
    const mesh = perturbed(p);
    const random = rng(23);
    const noisy = Float64Array.from(gt.positions, (x) => x + 0.3 * gaussian(random));
    const faces = mesh.faces.length / 3;
    // 20k points, subsets of 250 and 2,000: 20,000 + 4·2,250 = 29k announced queries, fewer
    // than 8 per face: no grid.
    const small = TriangleBVH.build(mesh.positions, mesh.faces);
    const plain = icp(noisy, { mesh, bvh: small }, identityTransform(), { subsample: 2000, correspondences: true });
    expect(small.hasGrid).toBe(false);
    // The same fit on a BVH with its grid: the same steps, transform and closest points, up
    // to rounding where a point is equally near two faces (an edge or vertex they share),
    // when the grid and the tree may pick either.
    const gridded = TriangleBVH.build(mesh.positions, mesh.faces);
    gridded.prepareGrid();
    expect(gridded.hasGrid).toBe(true);
    const withGrid = icp(noisy, { mesh, bvh: gridded }, identityTransform(), { subsample: 2000, correspondences: true });
    expect(withGrid.iterations).toBe(plain.iterations);
    for (let k = 0; k < plain.history.length; k++) expect(Math.abs(withGrid.history[k] - plain.history[k])).toBeLessThan(1e-12 * plain.history[k]);
    expect(transformDifference(withGrid.transform, plain.transform, mesh.positions)).toBeLessThan(1e-9);
    const a = withGrid.correspondences!, b = plain.correspondences!;
    let otherFace = 0;
    for (let i = 0; i < GT_POINTS; i++) {
      expect(Math.abs(a.distances[i] - b.distances[i])).toBeLessThan(1e-12 * Math.max(1, b.distances[i]));
      if (a.faces[i] !== b.faces[i]) otherFace++;
    }
    expect(otherFace).toBeLessThan(GT_POINTS / 1000);
    // Full-cloud ICP announces 4 passes over every point: 80k, ≥ 8 per face on 9,000 of the
    // faces, so the BVH of that part of the face builds its grid.
    expect(faces).toBeGreaterThan(9_000);
    const coarse: TriangleMesh = { positions: mesh.positions, faces: mesh.faces.slice(0, 3 * 9_000) };
    const announced = TriangleBVH.build(coarse.positions, coarse.faces);
    icp(noisy, { mesh: coarse, bvh: announced }, identityTransform(), { maxIterations: 1 });
    expect(announced.hasGrid).toBe(true);
  });

  it('expectQueries counts toward the grid as closestPoints batches do', () => {
    const bvh = TriangleBVH.build(template.positions, template.faces);
    const faces = template.faces.length / 3;
    bvh.expectQueries(8 * faces - 1);
    expect(bvh.hasGrid).toBe(false);
    bvh.closestPoints(new Float64Array([0, 0, 0]));
    expect(bvh.hasGrid).toBe(true);
  });
});
