/**
 * Known cameras for COLMAP: validation of the caller's OpenCV cameras, conversion to
 * COLMAP PINHOLE parameters, and the known-poses text model that `point_triangulator`
 * takes as input (COLMAP manual, "Output Format" → text; and FAQ "Reconstruct sparse/dense
 * model from known camera poses": cameras.txt, images.txt with poses and empty 2D-point
 * lines, empty points3D.txt).
 *
 * Pixel convention: COLMAP puts the centre of the upper-left pixel at (0.5, 0.5); OpenCV
 * (and this suite, docs/conventions.md#cameras) at (0, 0). So COLMAP cx = OpenCV cx + 0.5, likewise cy.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../../../evaluators/errors.js';

/** A calibrated camera, OpenCV convention (x right, y down, z forward). */
export interface KnownCamera {
  /** Name of the image this camera took (matches {@link ColmapImageInput.name}). */
  name: string;
  /** 3×3 intrinsics in pixels, no skew. */
  K: number[][];
  /** 4×4 world→camera, translation in capture units. */
  worldToCam: number[][];
  width: number;
  height: number;
}

/** An input image: `name` is what COLMAP calls it (no spaces or slashes), `path` where it is. */
export interface ColmapImageInput {
  name: string;
  path: string;
}

/** Which pixel-centre convention a K uses: 'opencv' (centre of pixel (0,0) at (0,0)) or 'colmap' ((0.5,0.5)). */
export type PixelCentreConvention = 'opencv' | 'colmap';

/** A camera ready for COLMAP: PINHOLE params and a world→camera pose in mm. */
export interface PreparedCamera {
  name: string;
  width: number;
  height: number;
  /** fx, fy, cx, cy in COLMAP's pixel convention. */
  params: [number, number, number, number];
  /** Unit quaternion qw, qx, qy, qz of R (world→camera), qw ≥ 0. */
  qvec: [number, number, number, number];
  /** Translation in mm. */
  tvec: [number, number, number];
}

function matrix(value: unknown, rows: number, cols: number, file: string, what: string): number[][] {
  const ok = Array.isArray(value) && value.length === rows
    && value.every((r) => Array.isArray(r) && r.length === cols && r.every((x) => typeof x === 'number' && Number.isFinite(x)));
  if (!ok) throw new InputError(file, `${what} must be a ${rows}x${cols} matrix of finite numbers`);
  return value as number[][];
}

/**
 * Quaternion (qw, qx, qy, qz) of a rotation matrix (Shepperd's method: pick the largest of
 * the four squared components for numerical stability). Returns qw ≥ 0.
 */
export function rotationToQuaternion(R: number[][]): [number, number, number, number] {
  const [[r00, r01, r02], [r10, r11, r12], [r20, r21, r22]] = R;
  const trace = r00 + r11 + r22;
  let w: number; let x: number; let y: number; let z: number;
  if (trace >= r00 && trace >= r11 && trace >= r22) {
    const s = 2 * Math.sqrt(1 + trace);
    w = s / 4; x = (r21 - r12) / s; y = (r02 - r20) / s; z = (r10 - r01) / s;
  } else if (r00 >= r11 && r00 >= r22) {
    const s = 2 * Math.sqrt(1 + r00 - r11 - r22);
    w = (r21 - r12) / s; x = s / 4; y = (r01 + r10) / s; z = (r02 + r20) / s;
  } else if (r11 >= r22) {
    const s = 2 * Math.sqrt(1 + r11 - r00 - r22);
    w = (r02 - r20) / s; x = (r01 + r10) / s; y = s / 4; z = (r12 + r21) / s;
  } else {
    const s = 2 * Math.sqrt(1 + r22 - r00 - r11);
    w = (r10 - r01) / s; x = (r02 + r20) / s; y = (r12 + r21) / s; z = s / 4;
  }
  const n = Math.hypot(w, x, y, z) * (w < 0 ? -1 : 1);
  return [w / n, x / n, y / n, z / n];
}

/**
 * Validate one camera and convert it for COLMAP. `file` names the camera source in errors.
 * Rejects skewed intrinsics (PINHOLE has none) and non-rotation pose blocks.
 */
export function prepareCamera(
  camera: KnownCamera, unitToMm: number, convention: PixelCentreConvention, file: string,
): PreparedCamera {
  const where = `camera '${camera.name}'`;
  const K = matrix(camera.K, 3, 3, file, `${where} K`);
  const T = matrix(camera.worldToCam, 4, 4, file, `${where} worldToCam`);
  if (!Number.isInteger(camera.width) || !Number.isInteger(camera.height) || camera.width <= 0 || camera.height <= 0) {
    throw new InputError(file, `${where}: width and height must be positive integers, got ${camera.width}x${camera.height}`);
  }
  const [fx, skew, cx] = K[0];
  const [k10, fy, cy] = K[1];
  if (!(fx > 0 && fy > 0) || k10 !== 0 || K[2][0] !== 0 || K[2][1] !== 0 || K[2][2] !== 1) {
    throw new InputError(file, `${where} K must be [[fx,0,cx],[0,fy,cy],[0,0,1]] with fx, fy > 0`);
  }
  if (Math.abs(skew) > 1e-9 * fx) throw new InputError(file, `${where} K has skew ${skew}; COLMAP's PINHOLE model has none`);
  const R = [T[0].slice(0, 3), T[1].slice(0, 3), T[2].slice(0, 3)];
  let worst = 0;
  for (let i = 0; i < 3; i++) {
    for (let j = 0; j < 3; j++) {
      const dot = R[0][i] * R[0][j] + R[1][i] * R[1][j] + R[2][i] * R[2][j];
      worst = Math.max(worst, Math.abs(dot - (i === j ? 1 : 0)));
    }
  }
  const det = R[0][0] * (R[1][1] * R[2][2] - R[1][2] * R[2][1]) - R[0][1] * (R[1][0] * R[2][2] - R[1][2] * R[2][0])
    + R[0][2] * (R[1][0] * R[2][1] - R[1][1] * R[2][0]);
  if (worst > 1e-6 || det <= 0) {
    throw new InputError(file, `${where} worldToCam: the 3x3 block is not a rotation (|RᵀR − I| = ${worst.toExponential(1)}, det ${det.toFixed(4)})`);
  }
  if (T[3][0] !== 0 || T[3][1] !== 0 || T[3][2] !== 0 || T[3][3] !== 1) {
    throw new InputError(file, `${where} worldToCam: last row must be 0 0 0 1`);
  }
  const shift = convention === 'opencv' ? 0.5 : 0;
  return {
    name: camera.name, width: camera.width, height: camera.height,
    params: [fx, fy, cx + shift, cy + shift],
    qvec: rotationToQuaternion(R),
    tvec: [T[0][3] * unitToMm, T[1][3] * unitToMm, T[2][3] * unitToMm],
  };
}

/** Shortest round-trip text of a float64 (COLMAP parses with full double precision). */
function num(x: number): string {
  return Object.is(x, -0) ? '0' : String(x);
}

/** PINHOLE params as the comma list `--ImageReader.camera_params` takes. */
export function cameraParamsArgument(camera: PreparedCamera): string {
  return camera.params.map(num).join(',');
}

/**
 * Write `dir/cameras.txt`, `dir/images.txt` (camera i and image i both get id i+1, as a
 * fresh database assigns them when the images are extracted in this order) and an empty
 * `dir/points3D.txt`.
 */
export function writeKnownPosesModel(dir: string, cameras: readonly PreparedCamera[]): void {
  mkdirSync(dir, { recursive: true });
  const cams = ['# Camera list with one line of data per camera:', '#   CAMERA_ID, MODEL, WIDTH, HEIGHT, PARAMS[]'];
  const imgs = ['# Image list with two lines of data per image:', '#   IMAGE_ID, QW, QX, QY, QZ, TX, TY, TZ, CAMERA_ID, NAME', '#   POINTS2D[] as (X, Y, POINT3D_ID)'];
  cameras.forEach((c, i) => {
    const id = i + 1;
    cams.push(`${id} PINHOLE ${c.width} ${c.height} ${c.params.map(num).join(' ')}`);
    imgs.push(`${id} ${c.qvec.map(num).join(' ')} ${c.tvec.map(num).join(' ')} ${id} ${c.name}`, '');
  });
  writeFileSync(join(dir, 'cameras.txt'), cams.join('\n') + '\n');
  writeFileSync(join(dir, 'images.txt'), imgs.join('\n') + '\n');
  writeFileSync(join(dir, 'points3D.txt'), '');
}
