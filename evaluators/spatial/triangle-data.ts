/**
 * Per-triangle data of the triangle BVH and its candidate grid, in leaf-slot order (flat
 * Float64Arrays).
 *
 * `tri`, {@link TRI_STRIDE} doubles per slot (128 bytes): vertex a, the unit normal n, edges
 * ab and ac, then ab·ab, ab·ac, ac·ac for the region method of Ericson §5.1.5 (ab·ab = −1
 * marks a sliver/degenerate triangle that takes the robust path of `closestPointOnTriangle`;
 * its normal is stored as 0).
 *
 * `edges` (computed with the candidate grid only), {@link EDGE_STRIDE} doubles per slot: the
 * unit in-plane outward normals of the edges ab, ac, bc (m_ab, m_ac, m_bc) and
 * k_bc = m_bc·ab, so that the signed distance of p beyond edge bc is m_bc·(p − a) − k_bc.
 * With ap = p − a, pn = n·ap and e the largest of the three edge distances:
 * - e ≤ 0: p projects inside the triangle and its squared distance is exactly pn²;
 * - otherwise pn² + e² is a lower bound of the squared distance (the triangle lies in the
 *   plane, inside every edge's half-plane).
 * Slivers store zeros and k_bc = −MIN_VALUE (never "inside", lower bound 0).
 */
import { SLIVER_RATIO } from './closest-point-triangle.js';

/** Doubles per slot in `tri`. */
export const TRI_STRIDE = 16;
/** Doubles per slot in `edges`. */
export const EDGE_STRIDE = 12;

/** Per-slot triangle data (see the module comment) from the mesh and the slot order. */
export function triangleData(positions: Float64Array, faces: Uint32Array, slotFace: Uint32Array): Float64Array {
  const m = slotFace.length;
  const tri = new Float64Array(m * TRI_STRIDE);
  for (let s = 0; s < m; s++) {
    const f = slotFace[s];
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
    // Same test as closestPointOnTriangle: slivers and degenerate faces take its robust path.
    const well = nn > SLIVER_RATIO * lmax * lmax;
    const inv = well ? 1 / Math.sqrt(nn) : 0;
    tri[o] = ax; tri[o + 1] = ay; tri[o + 2] = az;
    tri[o + 3] = nx * inv; tri[o + 4] = ny * inv; tri[o + 5] = nz * inv;
    tri[o + 6] = abx; tri[o + 7] = aby; tri[o + 8] = abz;
    tri[o + 9] = acx; tri[o + 10] = acy; tri[o + 11] = acz;
    tri[o + 12] = well ? abab : -1;
    tri[o + 13] = abx * acx + aby * acy + abz * acz;
    tri[o + 14] = acac;
  }
  return tri;
}

/** Per-slot edge normals (see the module comment) from the triangle data; built with the grid only. */
export function edgeNormals(tri: Float64Array, slotCount: number): Float64Array {
  const edges = new Float64Array(slotCount * EDGE_STRIDE);
  for (let s = 0; s < slotCount; s++) {
    const o = s * TRI_STRIDE;
    const r = s * EDGE_STRIDE;
    if (tri[o + 12] < 0) {
      edges[r + 9] = -Number.MIN_VALUE;
      continue;
    }
    const ux = tri[o + 3], uy = tri[o + 4], uz = tri[o + 5];
    const abx = tri[o + 6], aby = tri[o + 7], abz = tri[o + 8];
    const acx = tri[o + 9], acy = tri[o + 10], acz = tri[o + 11];
    const bcx = acx - abx, bcy = acy - aby, bcz = acz - abz;
    // Outward in-plane edge normals: ab × n, n × ac, bc × n, normalised.
    let ex = aby * uz - abz * uy, ey = abz * ux - abx * uz, ez = abx * uy - aby * ux;
    let el = 1 / Math.sqrt(ex * ex + ey * ey + ez * ez);
    edges[r] = ex * el; edges[r + 1] = ey * el; edges[r + 2] = ez * el;
    ex = uy * acz - uz * acy; ey = uz * acx - ux * acz; ez = ux * acy - uy * acx;
    el = 1 / Math.sqrt(ex * ex + ey * ey + ez * ez);
    edges[r + 3] = ex * el; edges[r + 4] = ey * el; edges[r + 5] = ez * el;
    ex = bcy * uz - bcz * uy; ey = bcz * ux - bcx * uz; ez = bcx * uy - bcy * ux;
    el = 1 / Math.sqrt(ex * ex + ey * ey + ez * ez);
    const mx = ex * el, my = ey * el, mz = ez * el;
    edges[r + 6] = mx; edges[r + 7] = my; edges[r + 8] = mz;
    edges[r + 9] = mx * abx + my * aby + mz * abz;
  }
  return edges;
}
