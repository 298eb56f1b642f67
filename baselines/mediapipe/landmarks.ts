/**
 * From the 468 Face Mesh points to the iBUG-300W 68-point markup (Sagonas et al. 2013) and
 * to the 7 alignment landmarks (docs/conventions.md#alignment-landmarks), with the correspondence `MEDIAPIPE_TO_IBUG68` of
 * data/ (one Face Mesh point, or the midpoint of two).
 */
import { MEDIAPIPE_TO_IBUG68 } from '../../data/index.js';
import { SEVEN_LANDMARKS } from '../../evaluators/protocols/index.js';
import { detectFaceMesh, MESH_POINTS, type DetectOptions, type RgbInput } from './detector.js';

function checkPoints(points: Float64Array): void {
  if (points.length !== 3 * MESH_POINTS) throw new Error(`expected ${MESH_POINTS}×3 Face Mesh points, got ${points.length} numbers`);
}

/** iBUG point `k` from 468×3 points, written to `out` at `offset` with `dim` (2 or 3) coordinates. */
function writeIbugPoint(points: Float64Array, k: number, dim: 2 | 3, out: Float64Array, offset: number): void {
  const src = MEDIAPIPE_TO_IBUG68[k];
  for (let c = 0; c < dim; c++) {
    let sum = 0;
    for (const i of src) sum += points[3 * i + c];
    out[offset + c] = sum / src.length;
  }
}

/**
 * The 68 iBUG landmarks from 468×3 Face Mesh points: 68×`dim` numbers (x, y[, z]) in the
 * points' units. With `dim` 2 and detector output this is a 2D landmark source in pixels.
 */
export function ibug68FromFaceMesh(points: Float64Array, dim: 2 | 3 = 2): Float64Array {
  checkPoints(points);
  const out = new Float64Array(68 * dim);
  for (let k = 0; k < 68; k++) writeIbugPoint(points, k, dim, out, k * dim);
  return out;
}

/** The 7 alignment landmarks (iBUG 36, 39, 42, 45, 33, 48, 54) as 7×3 numbers, from 468×3 points. */
export function sevenLandmarksFromFaceMesh(points: Float64Array): Float64Array {
  checkPoints(points);
  const out = new Float64Array(21);
  SEVEN_LANDMARKS.forEach((k, j) => writeIbugPoint(points, k, 3, out, 3 * j));
  return out;
}

/** The 68 iBUG landmarks of the face in an RGB image as 68×2 pixels, or null when no face is found. */
export async function detectIbug68(image: RgbInput, options: DetectOptions = {}): Promise<Float64Array | null> {
  const { landmarks } = await detectFaceMesh(image, options);
  return landmarks ? ibug68FromFaceMesh(landmarks, 2) : null;
}
