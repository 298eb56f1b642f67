/**
 * The dense landmarks of metrical-fit, in the manner of Metrical Tracker (Zielonka et al.,
 * "Towards Metrical Reconstruction of Human Faces", ECCV 2022): MediaPipe Face Mesh points
 * with a fixed place on the model's surface, plus the jaw line of the 68 iBUG landmarks for the
 * face's outline.
 *
 * - demo model: built from MediaPipe's canonical mesh, whose 468 points are its first 468
 *   vertices (data/face-model.ts), so every point has its vertex; the 36 points of MediaPipe's
 *   face oval (FACEMESH_FACE_OVAL) are left out, as they follow the silhouette rather than a
 *   place on the face.
 * - FLAME: the MediaPipe embedding Metrical Tracker and SMIRK ship
 *   (`mediapipe_landmark_embedding.npz`: lmk_face_idx, lmk_b_coords, landmark_indices), given by
 *   the user; points beyond MediaPipe's 468 (the iris, 468–477) are not detected here and left out.
 * - the jaw line: iBUG 0–16 from the model's 68-landmark embedding, observed at the 68 points
 *   facebench derives from MediaPipe (baselines/mediapipe/landmarks.ts).
 */
import { InputError } from '../../evaluators/errors.js';
import { ibug68FromFaceMesh, MESH_POINTS } from '../mediapipe/index.js';
import { loadMediapipeEmbedding, vertexLandmarkEmbedding, type LandmarkEmbedding, type LinearFaceModel } from '../models/index.js';
import type { ObservedLandmarks } from '../pixel3dmm/index.js';

/** MediaPipe's face oval (face_mesh_connections FACEMESH_FACE_OVAL): the silhouette points. */
export const FACE_OVAL: readonly number[] = [
  10, 338, 297, 332, 284, 251, 389, 356, 454, 323, 361, 288, 397, 365, 379, 378, 400, 377,
  152, 148, 176, 149, 150, 136, 172, 58, 132, 93, 234, 127, 162, 21, 54, 103, 67, 109,
];

/** iBUG-68 jaw line. */
const JAW = Array.from({ length: 17 }, (_, k) => k);

/** Where the dense landmarks sit on a model: an embedding and, per landmark, its MediaPipe point (−1: an iBUG jaw point, `jaw[k]`). */
export interface DenseLandmarkSet {
  embedding: LandmarkEmbedding;
  /** MediaPipe point per landmark, or −1 − k for iBUG jaw point k. */
  sources: Int32Array;
}

/** The MediaPipe points of the model, from its own correspondence (demo) or a MediaPipe embedding file (FLAME). */
function mediapipePoints(model: LinearFaceModel, mediapipeEmbedding: string | undefined): { embedding: LandmarkEmbedding; meshIndices: ArrayLike<number> } {
  if (mediapipeEmbedding) {
    const { embedding, meshIndices } = loadMediapipeEmbedding(mediapipeEmbedding, model.faces.length / 3);
    const keep = Array.from(meshIndices.keys()).filter((l) => meshIndices[l] < MESH_POINTS);
    return {
      embedding: { faces: Uint32Array.from(keep, (l) => embedding.faces[l]), barycentrics: Float64Array.from(keep.flatMap((l) => [0, 1, 2].map((c) => embedding.barycentrics[3 * l + c]))) },
      meshIndices: keep.map((l) => meshIndices[l]),
    };
  }
  if (model.name !== 'demo') throw new InputError('--opts', `metrical-fit needs MediaPipe correspondences of model ${model.name}: give mediapipeEmbedding (FLAME: the mediapipe_landmark_embedding.npz of Metrical Tracker or SMIRK)`);
  const oval = new Set(FACE_OVAL);
  const meshIndices = Array.from({ length: MESH_POINTS }, (_, i) => i).filter((i) => !oval.has(i));
  return { embedding: vertexLandmarkEmbedding(model.faces, meshIndices), meshIndices };
}

/** The dense landmark set of a model: its MediaPipe points and the 68 embedding's jaw line. */
export function denseLandmarkSet(model: LinearFaceModel, mediapipeEmbedding?: string): DenseLandmarkSet {
  const mp = mediapipePoints(model, mediapipeEmbedding);
  const lm68 = model.landmarks68;
  if (!lm68) throw new InputError('--opts', `model ${model.name} has no iBUG-68 landmark embedding for the jaw line (FLAME: give landmarkEmbedding)`);
  const L = mp.embedding.faces.length + JAW.length;
  const embedding: LandmarkEmbedding = { faces: new Uint32Array(L), barycentrics: new Float64Array(3 * L) };
  embedding.faces.set(mp.embedding.faces);
  embedding.barycentrics.set(mp.embedding.barycentrics);
  const sources = new Int32Array(L);
  sources.set(Array.from(mp.meshIndices));
  JAW.forEach((k, j) => {
    const l = mp.embedding.faces.length + j;
    embedding.faces[l] = lm68.faces[k];
    embedding.barycentrics.set(lm68.barycentrics.subarray(3 * k, 3 * k + 3), 3 * l);
    sources[l] = -1 - k;
  });
  return { embedding, sources };
}

/** The set's observed positions (px) from detected Face Mesh points (468×3 px). */
export function observeDenseLandmarks(set: DenseLandmarkSet, faceMesh: Float64Array): ObservedLandmarks {
  const lmk68 = ibug68FromFaceMesh(faceMesh, 2);
  const observed = new Float64Array(2 * set.sources.length);
  set.sources.forEach((s, l) => {
    const [x, y] = s >= 0 ? [faceMesh[3 * s], faceMesh[3 * s + 1]] : [lmk68[2 * (-1 - s)], lmk68[2 * (-1 - s) + 1]];
    observed[2 * l] = x;
    observed[2 * l + 1] = y;
  });
  return { embedding: set.embedding, observed };
}
