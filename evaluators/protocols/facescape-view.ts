/**
 * What the FaceScape protocols (`facescape-wild`, `facescape-lab`; docs/protocols.md#facescape)
 * need to know about one benchmark sample besides the two meshes. Facts from FaceScape's
 * benchmark code (zhuhao-nju/facescape, `benchmark/code/evaluator.py`, MIT).
 */

/** FaceScape's two benchmark sets: in-the-wild (400 images) and in-the-lab (660). */
export type FacescapeSet = 'fswild' | 'fslab';

/** Mean pupil distance of men (64.0 mm) and women (61.7 mm): FaceScape scales every GT face to it. */
export const FACESCAPE_PUPIL_DISTANCE_MM = (64.0 + 61.7) / 2;
/** Side of the depth maps and of the cylindrical unwrapping, pixels. */
export const FACESCAPE_RENDER_SIZE = 256;

/**
 * The camera and unwrapping frame of one sample.
 *
 * Frames: in-the-wild meshes (GT and prediction) live in FaceScape's orthographic cube
 * [−1, 1]³ (x right, y up, the camera looking down −z; the 256² image spans x, y ∈ [−1, 1]);
 * multiplied by `pupilScale` they are in mm. In-the-lab meshes live in the OpenCV camera
 * frame of the image (x right, y down, z forward), in mm, with intrinsics `K`; `pupilScale` is 1.
 */
export interface FacescapeView {
  set: FacescapeSet;
  /** In-the-wild: the sample's pupil scale (cube units → mm); in-the-lab: 1. */
  pupilScale: number;
  /** In-the-lab: row-major 3×3 intrinsics of the 256² image, pixels. Absent in-the-wild. */
  K?: readonly number[];
  /** Head centre in the input frame (before the pupil scaling), 3 values. */
  headCentre: readonly number[];
  /** Row-major 3×3 R: the unwrapping frame is Rᵀ·(v − headCentre·pupilScale). */
  rotation: readonly number[];
}
