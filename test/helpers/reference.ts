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

/**
 * An affine crop computed the plain way, as a reference for evaluators/image/warp.ts: M
 * (2×3, image px → crop px, integer pixel centres) is inverted through its 3×3 homogeneous
 * form by cofactors; each crop pixel reads the four image pixels around M⁻¹·(x, y), a pixel
 * outside the image counting as 0, weighted by the areas of the opposite sub-rectangles.
 * Returns [3, size, size] of ((rounded) sample/255 − mean)/std, in float64.
 */
export function referenceAffineCrop(
  image: { width: number; height: number; data: Uint8Array }, m: readonly number[], size: number,
  mean: readonly number[], std: readonly number[], round = false,
): Float64Array {
  const H = [[m[0], m[1], m[2]], [m[3], m[4], m[5]], [0, 0, 1]];
  const det = H[0][0] * (H[1][1] * H[2][2] - H[1][2] * H[2][1]) - H[0][1] * (H[1][0] * H[2][2] - H[1][2] * H[2][0]) + H[0][2] * (H[1][0] * H[2][1] - H[1][1] * H[2][0]);
  const cof = (r: number, c: number): number => {
    const rows = [0, 1, 2].filter((i) => i !== r), cols = [0, 1, 2].filter((j) => j !== c);
    const minor = H[rows[0]][cols[0]] * H[rows[1]][cols[1]] - H[rows[0]][cols[1]] * H[rows[1]][cols[0]];
    return (r + c) % 2 === 0 ? minor : -minor;
  };
  const inv = [0, 1].map((r) => [0, 1, 2].map((c) => cof(c, r) / det));
  const pixel = (x: number, y: number, ch: number): number => (x < 0 || y < 0 || x >= image.width || y >= image.height ? 0 : image.data[3 * (y * image.width + x) + ch]);
  const out = new Float64Array(3 * size * size);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const u = inv[0][0] * x + inv[0][1] * y + inv[0][2];
      const v = inv[1][0] * x + inv[1][1] * y + inv[1][2];
      const x0 = Math.floor(u), y0 = Math.floor(v);
      for (let ch = 0; ch < 3; ch++) {
        const s = pixel(x0, y0, ch) * (x0 + 1 - u) * (y0 + 1 - v) + pixel(x0 + 1, y0, ch) * (u - x0) * (y0 + 1 - v)
          + pixel(x0, y0 + 1, ch) * (x0 + 1 - u) * (v - y0) + pixel(x0 + 1, y0 + 1, ch) * (u - x0) * (v - y0);
        out[ch * size * size + y * size + x] = ((round ? Math.round(s) : s) / 255 - mean[ch]) / std[ch];
      }
    }
  }
  return out;
}

/**
 * The least-squares 2D similarity (x, y) ↦ (a·x − b·y + tx, b·x + a·y + ty) taking `src` onto
 * `dst`, by the 4×4 normal equations solved with Gaussian elimination: a reference for the
 * closed form of evaluators/image/warp.ts. Returns the row-major 2×3 matrix.
 */
export function referenceSimilarity(src: readonly number[], dst: readonly number[]): number[] {
  const A: number[][] = [[0, 0, 0, 0, 0], [0, 0, 0, 0, 0], [0, 0, 0, 0, 0], [0, 0, 0, 0, 0]];
  for (let i = 0; i < src.length / 2; i++) {
    const [x, y] = [src[2 * i], src[2 * i + 1]];
    const rows = [[x, -y, 1, 0, dst[2 * i]], [y, x, 0, 1, dst[2 * i + 1]]];
    for (const r of rows) for (let j = 0; j < 4; j++) for (let k = 0; k < 5; k++) A[j][k] += r[j] * r[k];
  }
  for (let c = 0; c < 4; c++) {
    let p = c;
    for (let r = c + 1; r < 4; r++) if (Math.abs(A[r][c]) > Math.abs(A[p][c])) p = r;
    [A[c], A[p]] = [A[p], A[c]];
    for (let r = 0; r < 4; r++) {
      if (r === c) continue;
      const f = A[r][c] / A[c][c];
      for (let k = c; k < 5; k++) A[r][k] -= f * A[c][k];
    }
  }
  const [a, b, tx, ty] = [0, 1, 2, 3].map((j) => A[j][4] / A[j][j]);
  return [a, -b, tx, b, a, ty];
}
