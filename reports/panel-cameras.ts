/**
 * The two cameras of a qualitative panel row: the item's crop camera rescaled to the tile (for
 * the overlays) and a frontal camera on the GT (for the error maps), both as rasteriser
 * cameras (pixel centres at col + ½, row + ½; evaluators/render).
 */
import type { CropCamera } from '../evaluators/formats/index.js';
import type { PinholeCamera } from '../evaluators/render/index.js';

/**
 * The crop camera seen through a `tile`-pixel square image of the crop: crop position u
 * (pixel centres at integers) lands at (u + ½)·tile/size in the rasteriser's continuous
 * coordinates, i.e. pixel floor((u + ½)·tile/size).
 */
export function overlayCamera(crop: CropCamera, tile: number): PinholeCamera {
  const f = tile / crop.size;
  const { K, R, t } = crop;
  return {
    K: [K[0] * f, K[1] * f, (K[2] + 0.5) * f, 0, K[4] * f, (K[5] + 0.5) * f, 0, 0, 1],
    world2cam: [R[0], R[1], R[2], t[0], R[3], R[4], R[5], t[1], R[6], R[7], R[8], t[2], 0, 0, 0, 1],
    width: tile,
    height: tile,
  };
}

/** Crop pixel coordinates (u, v per point; centres at integers) of world points (3n, mm) seen by a crop camera. */
export function projectCrop(crop: CropCamera, points: ArrayLike<number>): Float64Array {
  const { K, R, t } = crop;
  const n = points.length / 3;
  const out = new Float64Array(2 * n);
  for (let i = 0; i < n; i++) {
    const x = points[3 * i], y = points[3 * i + 1], z = points[3 * i + 2];
    const cx = R[0] * x + R[1] * y + R[2] * z + t[0], cy = R[3] * x + R[4] * y + R[5] * z + t[1], cz = R[6] * x + R[7] * y + R[8] * z + t[2];
    out[2 * i] = K[0] * (cx / cz) + K[1] * (cy / cz) + K[2];
    out[2 * i + 1] = K[4] * (cy / cz) + K[5];
  }
  return out;
}

/** The face's frame from the 7 alignment landmarks (docs/conventions.md#alignment-landmarks): centre and unit axes. */
export function faceFrame(landmarks: ArrayLike<number>): { centre: number[]; right: number[]; up: number[]; out: number[] } {
  if (landmarks.length !== 21) throw new Error(`face frame: needs 7 landmarks (21 numbers), got ${landmarks.length}`);
  const p = (i: number) => [landmarks[3 * i], landmarks[3 * i + 1], landmarks[3 * i + 2]];
  const centre = [0, 0, 0];
  for (let i = 0; i < 7; i++) for (let c = 0; c < 3; c++) centre[c] += landmarks[3 * i + c] / 7;
  const norm = (v: number[]) => {
    const l = Math.hypot(v[0], v[1], v[2]);
    if (!(l > 0)) throw new Error('face frame: the landmarks are degenerate (coincident eyes or mouth on the eye line)');
    return v.map((x) => x / l);
  };
  // Image's right: from the outer corner of the image-left eye (#1) to that of the image-right eye (#4).
  const right = norm([0, 1, 2].map((c) => p(3)[c] - p(0)[c]));
  // Up: from the mouth corners' midpoint to the eye corners' midpoint, made orthogonal to `right`.
  const rawUp = [0, 1, 2].map((c) => (p(0)[c] + p(1)[c] + p(2)[c] + p(3)[c]) / 4 - (p(5)[c] + p(6)[c]) / 2);
  const d = rawUp[0] * right[0] + rawUp[1] * right[1] + rawUp[2] * right[2];
  const up = norm(rawUp.map((v, c) => v - d * right[c]));
  // right × up points out of the face (x right, y up, z towards the viewer).
  const out = [right[1] * up[2] - right[2] * up[1], right[2] * up[0] - right[0] * up[2], right[0] * up[1] - right[1] * up[0]];
  return { centre, right, up, out };
}

/**
 * A camera in front of the face looking at the landmarks' centre along the face's backward
 * direction, the image's right the face's right (#1 → #4), framing `points` (3n) with a margin.
 */
export function frontalCamera(landmarks: ArrayLike<number>, points: ArrayLike<number>, tile: number): PinholeCamera {
  const { centre, right, up, out } = faceFrame(landmarks);
  let half = 0;
  for (let i = 0; i < points.length; i += 3) {
    const dx = points[i] - centre[0], dy = points[i + 1] - centre[1], dz = points[i + 2] - centre[2];
    const a = Math.abs(dx * right[0] + dy * right[1] + dz * right[2]);
    const b = Math.abs(dx * up[0] + dy * up[1] + dz * up[2]);
    if (a > half) half = a;
    if (b > half) half = b;
  }
  if (!(half > 0)) half = 100;
  const distance = 8 * half;
  const focal = (0.45 * tile * distance) / half;
  // Camera axes in world: x = right, y = −up (image y down), z = −out (looking at the face).
  const R = [right[0], right[1], right[2], -up[0], -up[1], -up[2], -out[0], -out[1], -out[2]];
  const C = [0, 1, 2].map((c) => centre[c] + distance * out[c]);
  const t = [0, 1, 2].map((r) => -(R[3 * r] * C[0] + R[3 * r + 1] * C[1] + R[3 * r + 2] * C[2]));
  return {
    K: [focal, 0, tile / 2, 0, focal, tile / 2, 0, 0, 1],
    world2cam: [R[0], R[1], R[2], t[0], R[3], R[4], R[5], t[1], R[6], R[7], R[8], t[2], 0, 0, 0, 1],
    width: tile,
    height: tile,
  };
}
