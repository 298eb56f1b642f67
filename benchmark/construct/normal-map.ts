/**
 * The GT normal map of an item's crop: the masked GT cloud's normals splatted into the crop
 * camera (the item camera with the crop's intrinsics), in that camera's frame (OpenCV:
 * x right, y down, z forward), oriented towards the camera (n·p < 0), NaN where no point lands.
 */
import type { Camera } from '../../evaluators/formats/capture-cameras.js';
import type { PointCloud } from '../../evaluators/geometry/types.js';
import type { CropBox } from './crop.js';

/** Spacing (mm) of the fused clouds' voxels: each point covers a square this wide. */
export const SPLAT_MM = 1;

/**
 * H×W×3 float32 normals of the crop (`size`² pixels; crop pixel i samples source x + (i + ½)·box.size/size),
 * each pixel taking the normal of the nearest point whose SPLAT_MM-wide square covers its centre.
 */
export function cropNormalMap(cloud: PointCloud, camera: Camera, box: CropBox, size: number): Float32Array {
  const { R, t, K } = camera;
  const step = box.size / size;
  const fx = K[0] / step;
  const fy = K[4] / step;
  const skew = K[1] / step;
  const cx = (K[2] - box.x) / step - 0.5;
  const cy = (K[5] - box.y) / step - 0.5;
  const out = new Float32Array(3 * size * size).fill(Number.NaN);
  const depth = new Float64Array(size * size).fill(Infinity);
  const P = cloud.positions;
  const N = cloud.normals!;
  for (let k = 0; k < P.length / 3; k++) {
    const x = P[3 * k], y = P[3 * k + 1], z = P[3 * k + 2];
    const xc = R[0] * x + R[1] * y + R[2] * z + t[0];
    const yc = R[3] * x + R[4] * y + R[5] * z + t[1];
    const zc = R[6] * x + R[7] * y + R[8] * z + t[2];
    if (!(zc > 0)) continue;
    let nx = R[0] * N[3 * k] + R[1] * N[3 * k + 1] + R[2] * N[3 * k + 2];
    let ny = R[3] * N[3 * k] + R[4] * N[3 * k + 1] + R[5] * N[3 * k + 2];
    let nz = R[6] * N[3 * k] + R[7] * N[3 * k + 1] + R[8] * N[3 * k + 2];
    const len = Math.hypot(nx, ny, nz);
    if (!(len > 0)) continue;
    const s = nx * xc + ny * yc + nz * zc > 0 ? -1 / len : 1 / len;
    nx *= s;
    ny *= s;
    nz *= s;
    const u = (fx * xc + skew * yc) / zc + cx;
    const v = (fy * yc) / zc + cy;
    const half = (0.5 * SPLAT_MM * fx) / zc;
    const i0 = Math.max(0, Math.ceil(u - half)), i1 = Math.min(size - 1, Math.floor(u + half));
    const j0 = Math.max(0, Math.ceil(v - half)), j1 = Math.min(size - 1, Math.floor(v + half));
    for (let j = j0; j <= j1; j++) {
      for (let i = i0; i <= i1; i++) {
        const p = j * size + i;
        if (zc >= depth[p]) continue;
        depth[p] = zc;
        out[3 * p] = nx;
        out[3 * p + 1] = ny;
        out[3 * p + 2] = nz;
      }
    }
  }
  return out;
}
