/**
 * Brute-force float64 reference for point-to-surface distance, written independently of
 * the library: project onto the triangle's plane, and if the projection falls outside,
 * take the nearest of the three edge segments.
 */
function segmentDistanceSq(px: number, py: number, pz: number, a: number[], b: number[]): number {
  const ab = [b[0] - a[0], b[1] - a[1], b[2] - a[2]];
  const ap = [px - a[0], py - a[1], pz - a[2]];
  const len2 = ab[0] * ab[0] + ab[1] * ab[1] + ab[2] * ab[2];
  const t = len2 > 0 ? Math.min(1, Math.max(0, (ap[0] * ab[0] + ap[1] * ab[1] + ap[2] * ab[2]) / len2)) : 0;
  const d = [ap[0] - t * ab[0], ap[1] - t * ab[1], ap[2] - t * ab[2]];
  return d[0] * d[0] + d[1] * d[1] + d[2] * d[2];
}

export function pointTriangleDistanceSq(px: number, py: number, pz: number, a: number[], b: number[], c: number[]): number {
  const e1 = [b[0] - a[0], b[1] - a[1], b[2] - a[2]];
  const e2 = [c[0] - a[0], c[1] - a[1], c[2] - a[2]];
  const n = [e1[1] * e2[2] - e1[2] * e2[1], e1[2] * e2[0] - e1[0] * e2[2], e1[0] * e2[1] - e1[1] * e2[0]];
  const nn = n[0] * n[0] + n[1] * n[1] + n[2] * n[2];
  if (nn > 0) {
    const ap = [px - a[0], py - a[1], pz - a[2]];
    const h = (ap[0] * n[0] + ap[1] * n[1] + ap[2] * n[2]) / nn;
    const q = [px - h * n[0], py - h * n[1], pz - h * n[2]];
    // Barycentric coordinates of q by signed sub-areas.
    const inside = [
      [a, b],
      [b, c],
      [c, a],
    ].every(([s, t]) => {
      const st = [t[0] - s[0], t[1] - s[1], t[2] - s[2]];
      const sq = [q[0] - s[0], q[1] - s[1], q[2] - s[2]];
      const cr = [st[1] * sq[2] - st[2] * sq[1], st[2] * sq[0] - st[0] * sq[2], st[0] * sq[1] - st[1] * sq[0]];
      return cr[0] * n[0] + cr[1] * n[1] + cr[2] * n[2] >= 0;
    });
    if (inside) return h * h * nn;
  }
  return Math.min(segmentDistanceSq(px, py, pz, a, b), segmentDistanceSq(px, py, pz, b, c), segmentDistanceSq(px, py, pz, c, a));
}

/** Distance from each point to the closest triangle of the mesh, by looping over all triangles. */
export function bruteForceDistances(points: Float64Array, positions: Float64Array, faces: Uint32Array): Float64Array {
  const out = new Float64Array(points.length / 3);
  const tri = (k: number) => [positions[3 * k], positions[3 * k + 1], positions[3 * k + 2]];
  const triangles = [];
  for (let f = 0; f < faces.length; f += 3) triangles.push([tri(faces[f]), tri(faces[f + 1]), tri(faces[f + 2])]);
  for (let i = 0; i < out.length; i++) {
    let best = Infinity;
    for (const [a, b, c] of triangles) {
      const d = pointTriangleDistanceSq(points[3 * i], points[3 * i + 1], points[3 * i + 2], a, b, c);
      if (d < best) best = d;
    }
    out[i] = Math.sqrt(best);
  }
  return out;
}
