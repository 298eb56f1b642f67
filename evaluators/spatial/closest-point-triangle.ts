/**
 * Closest point on a triangle to a point, in float64.
 *
 * The main path is the Voronoi-region method of Ericson, *Real-Time Collision Detection*
 * (Morgan Kaufmann, 2005), §5.1.5 "Closest Point on Triangle to Point": the point is
 * classified against the vertex regions, then the edge regions, then the face region,
 * using only dot products of the edge vectors with the vectors from the vertices to the
 * query point.
 *
 * That method divides by the squared edge lengths and by (2·area)², so it is undefined
 * for zero-area triangles and loses accuracy on slivers. Triangles whose (2·area)² is
 * below {@link SLIVER_RATIO}·L⁴ (L the longest edge, i.e. height/L below about 1e-4)
 * therefore take a second path: the best of the three edge segments (each a clamped
 * projection that tolerates zero length) and, when the projection onto the plane falls
 * inside, that projection. Every candidate there is a genuine point of the triangle whose
 * distance is recomputed from its coordinates, so the answer is never NaN and never closer
 * than the triangle really is.
 */

/** Result of a point–triangle query; `x,y,z = u·a + v·b + w·c`. */
export interface TriangleClosestPoint {
  /** Squared Euclidean distance from the query point to (x, y, z). */
  distanceSq: number;
  x: number;
  y: number;
  z: number;
  /** Barycentric weight of vertex a. */
  u: number;
  /** Barycentric weight of vertex b. */
  v: number;
  /** Barycentric weight of vertex c. */
  w: number;
}

/** A fresh result object, to be reused across queries. */
export function createTriangleClosestPoint(): TriangleClosestPoint {
  return { distanceSq: Infinity, x: NaN, y: NaN, z: NaN, u: NaN, v: NaN, w: NaN };
}

/**
 * Triangles with |ab × ac|² ≤ SLIVER_RATIO · (longest edge)⁴ use the robust edge-based
 * path instead of the region method (the region method's barycentric error grows like
 * ε·(L/h)², which stays below 1e-8 for h/L ≥ 1e-4).
 */
export const SLIVER_RATIO = 1e-8;

/**
 * Closest point on triangle (a, b, c) to p. Writes the point, its barycentrics and the
 * squared distance into `out` and returns the squared distance.
 */
export function closestPointOnTriangle(
  px: number, py: number, pz: number,
  ax: number, ay: number, az: number,
  bx: number, by: number, bz: number,
  cx: number, cy: number, cz: number,
  out: TriangleClosestPoint,
): number {
  const abx = bx - ax, aby = by - ay, abz = bz - az;
  const acx = cx - ax, acy = cy - ay, acz = cz - az;
  const bcx = cx - bx, bcy = cy - by, bcz = cz - bz;
  const abab = abx * abx + aby * aby + abz * abz;
  const acac = acx * acx + acy * acy + acz * acz;
  const bcbc = bcx * bcx + bcy * bcy + bcz * bcz;
  const nx = aby * acz - abz * acy;
  const ny = abz * acx - abx * acz;
  const nz = abx * acy - aby * acx;
  const nn = nx * nx + ny * ny + nz * nz;
  let lmax = abab > acac ? abab : acac;
  if (bcbc > lmax) lmax = bcbc;
  if (!(nn > SLIVER_RATIO * lmax * lmax)) {
    return closestPointOnSliverTriangle(px, py, pz, ax, ay, az, bx, by, bz, cx, cy, cz, out);
  }
  const abac = abx * acx + aby * acy + abz * acz;
  const d = closestPointRegions(px - ax, py - ay, pz - az, abx, aby, abz, acx, acy, acz, abab, abac, acac, out);
  // Vertex regions: return the vertex itself rather than a + ab (which may differ by an ulp).
  if (out.u === 1) {
    out.x = ax; out.y = ay; out.z = az;
  } else if (out.v === 1) {
    out.x = bx; out.y = by; out.z = bz;
  } else if (out.w === 1) {
    out.x = cx; out.y = cy; out.z = cz;
  } else {
    out.x = ax + out.v * abx + out.w * acx;
    out.y = ay + out.v * aby + out.w * acy;
    out.z = az + out.v * abz + out.w * acz;
  }
  return d;
}

/**
 * The region method of Ericson §5.1.5 on precomputed triangle data: `ap = p − a`, edge
 * vectors `ab`, `ac` and their dot products. The triangle must be well conditioned
 * (see {@link SLIVER_RATIO}). Writes `u, v, w` and `distanceSq` into `out` (not x, y, z)
 * and returns the squared distance.
 *
 * With bp = ap − ab and cp = ap − ac, Ericson's six dot products reduce to two:
 * d1 = ab·ap, d2 = ac·ap, d3 = d1 − ab·ab, d4 = d2 − ab·ac, d5 = d1 − ab·ac, d6 = d2 − ac·ac.
 */
export function closestPointRegions(
  apx: number, apy: number, apz: number,
  abx: number, aby: number, abz: number,
  acx: number, acy: number, acz: number,
  abab: number, abac: number, acac: number,
  out: TriangleClosestPoint,
): number {
  const d1 = abx * apx + aby * apy + abz * apz;
  const d2 = acx * apx + acy * apy + acz * apz;
  let v: number;
  let w: number;
  if (d1 <= 0 && d2 <= 0) {
    // Vertex region A.
    out.u = 1; out.v = 0; out.w = 0;
    return (out.distanceSq = apx * apx + apy * apy + apz * apz);
  }
  const d3 = d1 - abab;
  const d4 = d2 - abac;
  if (d3 >= 0 && d4 <= d3) {
    // Vertex region B.
    const dx = apx - abx, dy = apy - aby, dz = apz - abz;
    out.u = 0; out.v = 1; out.w = 0;
    return (out.distanceSq = dx * dx + dy * dy + dz * dz);
  }
  const vc = d1 * d4 - d3 * d2;
  if (vc <= 0 && d1 >= 0 && d3 <= 0) {
    // Edge region AB.
    v = d1 / abab;
    const dx = apx - v * abx, dy = apy - v * aby, dz = apz - v * abz;
    out.u = 1 - v; out.v = v; out.w = 0;
    return (out.distanceSq = dx * dx + dy * dy + dz * dz);
  }
  const d5 = d1 - abac;
  const d6 = d2 - acac;
  if (d6 >= 0 && d5 <= d6) {
    // Vertex region C.
    const dx = apx - acx, dy = apy - acy, dz = apz - acz;
    out.u = 0; out.v = 0; out.w = 1;
    return (out.distanceSq = dx * dx + dy * dy + dz * dz);
  }
  const vb = d5 * d2 - d1 * d6;
  if (vb <= 0 && d2 >= 0 && d6 <= 0) {
    // Edge region AC.
    w = d2 / acac;
    const dx = apx - w * acx, dy = apy - w * acy, dz = apz - w * acz;
    out.u = 1 - w; out.v = 0; out.w = w;
    return (out.distanceSq = dx * dx + dy * dy + dz * dz);
  }
  const va = d3 * d6 - d5 * d4;
  const e43 = d4 - d3;
  const e56 = d5 - d6;
  if (!(va <= 0 && e43 >= 0 && e56 >= 0)) return closestPointInFace(apx, apy, apz, abx, aby, abz, acx, acy, acz, d1, d2, abab, abac, acac, out);
  // Edge region BC: point = b + t·(c − b).
  const t = e43 / (e43 + e56);
  v = 1 - t;
  w = t;
  const dx = apx - v * abx - w * acx;
  const dy = apy - v * aby - w * acy;
  const dz = apz - v * abz - w * acz;
  out.u = 1 - v - w; out.v = v; out.w = w;
  return (out.distanceSq = dx * dx + dy * dy + dz * dz);
}

/**
 * The face region of {@link closestPointRegions} (p projects inside the triangle), given
 * d1 = ab·ap and d2 = ac·ap: the barycentrics of the projection, v = (ac·ac·d1 − ab·ac·d2)/D
 * and w = (ab·ab·d2 − ab·ac·d1)/D, and the squared distance ((ab × ac)·ap)²/D, with
 * D = ab·ab·ac·ac − (ab·ac)² = |ab × ac|². Writes `u, v, w` and `distanceSq` into `out`.
 * The triangle BVH finishes its face-region answers with this same function, so that every
 * path to an answer gives the same numbers.
 */
export function closestPointInFace(
  apx: number, apy: number, apz: number,
  abx: number, aby: number, abz: number,
  acx: number, acy: number, acz: number,
  d1: number, d2: number,
  abab: number, abac: number, acac: number,
  out: TriangleClosestPoint,
): number {
  const inv = 1 / (abab * acac - abac * abac);
  const v = (acac * d1 - abac * d2) * inv;
  const w = (abab * d2 - abac * d1) * inv;
  const nx = aby * acz - abz * acy, ny = abz * acx - abx * acz, nz = abx * acy - aby * acx;
  const pn = nx * apx + ny * apy + nz * apz;
  out.u = 1 - v - w; out.v = v; out.w = w;
  return (out.distanceSq = pn * pn * inv);
}

/**
 * Robust path for zero-area and sliver triangles: the closest of the three edge segments
 * and, when it falls inside the triangle, the orthogonal projection onto its plane (with
 * barycentrics from the signed areas n·((b−p)×(c−p)) etc.). Works for collinear vertices,
 * repeated vertices and a triangle collapsed to a point.
 */
export function closestPointOnSliverTriangle(
  px: number, py: number, pz: number,
  ax: number, ay: number, az: number,
  bx: number, by: number, bz: number,
  cx: number, cy: number, cz: number,
  out: TriangleClosestPoint,
): number {
  // Edge AB: a + t·(b − a), barycentrics (1 − t, t, 0).
  let t = segmentParameter(px, py, pz, ax, ay, az, bx, by, bz);
  let qx = ax + t * (bx - ax), qy = ay + t * (by - ay), qz = az + t * (bz - az);
  let dx = px - qx, dy = py - qy, dz = pz - qz;
  let best = dx * dx + dy * dy + dz * dz;
  let bu = 1 - t, bv = t, bw = 0;
  let bqx = qx, bqy = qy, bqz = qz;
  // Edge BC: b + t·(c − b), barycentrics (0, 1 − t, t).
  t = segmentParameter(px, py, pz, bx, by, bz, cx, cy, cz);
  qx = bx + t * (cx - bx); qy = by + t * (cy - by); qz = bz + t * (cz - bz);
  dx = px - qx; dy = py - qy; dz = pz - qz;
  let d = dx * dx + dy * dy + dz * dz;
  if (d < best) {
    best = d; bu = 0; bv = 1 - t; bw = t; bqx = qx; bqy = qy; bqz = qz;
  }
  // Edge CA: c + t·(a − c), barycentrics (t, 0, 1 − t).
  t = segmentParameter(px, py, pz, cx, cy, cz, ax, ay, az);
  qx = cx + t * (ax - cx); qy = cy + t * (ay - cy); qz = cz + t * (az - cz);
  dx = px - qx; dy = py - qy; dz = pz - qz;
  d = dx * dx + dy * dy + dz * dz;
  if (d < best) {
    best = d; bu = t; bv = 0; bw = 1 - t; bqx = qx; bqy = qy; bqz = qz;
  }
  // Interior: projection onto the plane, kept only when inside and closer.
  const abx = bx - ax, aby = by - ay, abz = bz - az;
  const acx = cx - ax, acy = cy - ay, acz = cz - az;
  const nx = aby * acz - abz * acy;
  const ny = abz * acx - abx * acz;
  const nz = abx * acy - aby * acx;
  const nn = nx * nx + ny * ny + nz * nz;
  if (nn > 0) {
    const pax = ax - px, pay = ay - py, paz = az - pz;
    const pbx = bx - px, pby = by - py, pbz = bz - pz;
    const pcx = cx - px, pcy = cy - py, pcz = cz - pz;
    const su = nx * (pby * pcz - pbz * pcy) + ny * (pbz * pcx - pbx * pcz) + nz * (pbx * pcy - pby * pcx);
    const sv = nx * (pcy * paz - pcz * pay) + ny * (pcz * pax - pcx * paz) + nz * (pcx * pay - pcy * pax);
    const sw = nx * (pay * pbz - paz * pby) + ny * (paz * pbx - pax * pbz) + nz * (pax * pby - pay * pbx);
    const s = su + sv + sw;
    if (su >= 0 && sv >= 0 && sw >= 0 && s > 0 && s < Infinity) {
      const u = su / s, v = sv / s, w = sw / s;
      qx = u * ax + v * bx + w * cx;
      qy = u * ay + v * by + w * cy;
      qz = u * az + v * bz + w * cz;
      dx = px - qx; dy = py - qy; dz = pz - qz;
      d = dx * dx + dy * dy + dz * dz;
      if (d < best) {
        best = d; bu = u; bv = v; bw = w; bqx = qx; bqy = qy; bqz = qz;
      }
    }
  }
  out.u = bu; out.v = bv; out.w = bw;
  out.x = bqx; out.y = bqy; out.z = bqz;
  return (out.distanceSq = best);
}

/** Parameter t ∈ [0, 1] of the point of segment a→b closest to p (0 for a zero-length segment). */
function segmentParameter(
  px: number, py: number, pz: number,
  ax: number, ay: number, az: number,
  bx: number, by: number, bz: number,
): number {
  const dx = bx - ax, dy = by - ay, dz = bz - az;
  const dd = dx * dx + dy * dy + dz * dz;
  if (!(dd > 0)) return 0;
  const t = ((px - ax) * dx + (py - ay) * dy + (pz - az) * dz) / dd;
  return t <= 0 ? 0 : t >= 1 ? 1 : t;
}

/**
 * Closest point on face `face` of an indexed mesh (xyz-interleaved `positions`,
 * 3 vertex indices per face in `faces`). Returns the squared distance.
 */
export function closestPointOnMeshFace(
  positions: Float64Array,
  faces: Uint32Array,
  face: number,
  px: number, py: number, pz: number,
  out: TriangleClosestPoint,
): number {
  const ia = 3 * faces[3 * face], ib = 3 * faces[3 * face + 1], ic = 3 * faces[3 * face + 2];
  return closestPointOnTriangle(
    px, py, pz,
    positions[ia], positions[ia + 1], positions[ia + 2],
    positions[ib], positions[ib + 1], positions[ib + 2],
    positions[ic], positions[ic + 1], positions[ic + 2],
    out,
  );
}
