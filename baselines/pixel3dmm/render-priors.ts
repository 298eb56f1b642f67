/**
 * Screen priors rendered from a known mesh: the UV map and the camera-frame normal map of a
 * mesh with per-vertex UVs, seen by an OpenCV pinhole camera (evaluators/render/rasterizer.ts z-buffer), and
 * a seeded degradation that imitates network predictions (blur, Gaussian noise, wrong pixels).
 * On demo benchmarks this stands in for Pixel3DMM's two networks (`priors: "truth"`).
 */
import { rasterize, vertexNormals } from '../../data/index.js';
import { normal, seededRandom } from '../../evaluators/util/index.js';
import { emptyPriors, type ScreenPriors } from './priors.js';

/** An OpenCV camera: K (row-major 3x3, pixel centres at integer coordinates), x_cam = R·x + t. */
export interface PriorCamera {
  K: ArrayLike<number>;
  R: ArrayLike<number>;
  t: ArrayLike<number>;
  width: number;
  height: number;
}

/**
 * Render UV, normal and mask maps of a mesh. `uvs` holds 2 values per vertex (NaN = none);
 * `validFace` (optional, 1 per triangle) restricts the mask to some triangles (e.g. the face
 * region); triangles with a corner without UV are never in the mask.
 */
export function renderPriors(positions: Float64Array, faces: Uint32Array, uvs: Float64Array, camera: PriorCamera, validFace?: Uint8Array): ScreenPriors {
  const { width, height, K, R, t } = camera;
  const priors = emptyPriors(width, height);
  // The rasteriser samples pixel (col, row) at (col + ½, row + ½): shift the principal point by ½.
  const world2cam = [R[0], R[1], R[2], t[0], R[3], R[4], R[5], t[1], R[6], R[7], R[8], t[2], 0, 0, 0, 1];
  const Kr = [K[0], K[1], K[2] + 0.5, K[3], K[4], K[5] + 0.5, 0, 0, 1];
  const raster = rasterize(positions, faces, { K: Kr, world2cam, width, height });
  const normals = vertexNormals(positions, faces);
  for (let p = 0; p < width * height; p++) {
    const f = raster.triangle[p];
    if (f < 0) continue;
    const a = faces[3 * f], b = faces[3 * f + 1], c = faces[3 * f + 2];
    const w1 = raster.bary[2 * p], w2 = raster.bary[2 * p + 1], w0 = 1 - w1 - w2;
    const u = w0 * uvs[2 * a] + w1 * uvs[2 * b] + w2 * uvs[2 * c];
    const v = w0 * uvs[2 * a + 1] + w1 * uvs[2 * b + 1] + w2 * uvs[2 * c + 1];
    const nx = w0 * normals[3 * a] + w1 * normals[3 * b] + w2 * normals[3 * c];
    const ny = w0 * normals[3 * a + 1] + w1 * normals[3 * b + 1] + w2 * normals[3 * c + 1];
    const nz = w0 * normals[3 * a + 2] + w1 * normals[3 * b + 2] + w2 * normals[3 * c + 2];
    const cx = R[0] * nx + R[1] * ny + R[2] * nz, cy = R[3] * nx + R[4] * ny + R[5] * nz, cz = R[6] * nx + R[7] * ny + R[8] * nz;
    const len = Math.sqrt(cx * cx + cy * cy + cz * cz) || 1;
    priors.normals[3 * p] = cx / len;
    priors.normals[3 * p + 1] = cy / len;
    priors.normals[3 * p + 2] = cz / len;
    if (!Number.isFinite(u) || !Number.isFinite(v)) continue;
    priors.uv[2 * p] = u;
    priors.uv[2 * p + 1] = v;
    priors.mask[p] = validFace ? validFace[f] : 1;
  }
  return priors;
}

/** Degradation strengths at `priorNoise` = 1 (each scales linearly with the level). */
export const PRIOR_NOISE_UNIT = {
  /** Standard deviation of the Gaussian noise added to u and v (UV units). */
  uvSigma: 0.004,
  /** Standard deviation of the Gaussian noise added to each normal component (renormalised after). */
  normalSigma: 0.06,
  /** Share of masked pixels replaced by the values of a random other masked pixel. */
  wrongShare: 0.03,
} as const;

/**
 * Degrade priors in place, seeded: a 3×3 box blur over masked pixels (for any level > 0), then
 * Gaussian noise on UV and normals, then a share of wrong pixels, strengths PRIOR_NOISE_UNIT ×
 * `level`. Level 0 leaves the priors unchanged.
 */
export function degradePriors(priors: ScreenPriors, level: number, seed: number): void {
  if (!(level > 0)) return;
  const { width: w, height: h, uv, normals, mask } = priors;
  const uv0 = Float32Array.from(uv), n0 = Float32Array.from(normals);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const p = y * w + x;
      if (!mask[p]) continue;
      let su = 0, sv = 0, sx = 0, sy = 0, sz = 0, count = 0;
      for (let dy = -1; dy <= 1; dy++) {
        const yy = y + dy;
        if (yy < 0 || yy >= h) continue;
        for (let dx = -1; dx <= 1; dx++) {
          const xx = x + dx;
          if (xx < 0 || xx >= w) continue;
          const q = yy * w + xx;
          if (!mask[q]) continue;
          su += uv0[2 * q];
          sv += uv0[2 * q + 1];
          sx += n0[3 * q];
          sy += n0[3 * q + 1];
          sz += n0[3 * q + 2];
          count++;
        }
      }
      uv[2 * p] = su / count;
      uv[2 * p + 1] = sv / count;
      const len = Math.sqrt(sx * sx + sy * sy + sz * sz) || 1;
      normals[3 * p] = sx / len;
      normals[3 * p + 1] = sy / len;
      normals[3 * p + 2] = sz / len;
    }
  }
  const random = seededRandom(seed);
  const su = PRIOR_NOISE_UNIT.uvSigma * level, sn = PRIOR_NOISE_UNIT.normalSigma * level;
  let masked = 0;
  for (let p = 0; p < w * h; p++) {
    if (!mask[p]) continue;
    masked++;
    uv[2 * p] += su * normal(random);
    uv[2 * p + 1] += su * normal(random);
    const x = normals[3 * p] + sn * normal(random), y = normals[3 * p + 1] + sn * normal(random), z = normals[3 * p + 2] + sn * normal(random);
    const len = Math.sqrt(x * x + y * y + z * z) || 1;
    normals[3 * p] = x / len;
    normals[3 * p + 1] = y / len;
    normals[3 * p + 2] = z / len;
  }
  const pixels = new Int32Array(masked);
  for (let p = 0, k = 0; p < w * h; p++) if (mask[p]) pixels[k++] = p;
  const wrong = Math.round(Math.min(1, PRIOR_NOISE_UNIT.wrongShare * level) * masked);
  for (let k = 0; k < wrong; k++) {
    const p = pixels[Math.floor(random() * masked)], q = pixels[Math.floor(random() * masked)];
    uv[2 * p] = uv[2 * q];
    uv[2 * p + 1] = uv[2 * q + 1];
    normals[3 * p] = normals[3 * q];
    normals[3 * p + 1] = normals[3 * q + 1];
    normals[3 * p + 2] = normals[3 * q + 2];
  }
}
