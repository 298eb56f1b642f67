import type { TriangleMesh } from '../geometry/types.js';

/**
 * The 7 alignment landmarks as iBUG-68 indices, in order: outer/inner corner of the eye on
 * the image's left, inner/outer corner of the other eye, subnasale, mouth corner on the
 * image's left, mouth corner on the image's right (docs/conventions.md#alignment-landmarks).
 */
export const SEVEN_LANDMARKS: readonly number[] = [36, 39, 42, 45, 33, 48, 54];

/** Vertex and face counts of the FLAME topology. */
export const FLAME_VERTEX_COUNT = 5023;
export const FLAME_FACE_COUNT = 9976;

/**
 * FLAME's static landmark embedding for the 7 alignment landmarks (docs/conventions.md#flame-topology): a face index
 * into FLAME's 9976 faces and barycentric weights over that face's three vertices, in the
 * order outer/inner corner of the image-left eye, inner/outer corner of the other eye,
 * subnasale, left and right mouth corner (iBUG-68 indices 36, 39, 42, 45, 33, 48, 54).
 */
export const FLAME_LANDMARK_EMBEDDING: ReadonlyArray<readonly [face: number, w0: number, w1: number, w2: number]> = [
  [6768, 0.1223, 0.1711, 0.7065],
  [8731, 0.2864, 0.2342, 0.4793],
  [6409, 0.4793, 0.2342, 0.2864],
  [268, 0.1223, 0.7065, 0.1711],
  [8803, 0.0048, 0.6991, 0.2961],
  [7423, 0.4712, 0.5057, 0.0231],
  [917, 0.4712, 0.0231, 0.5057],
];

/** True when the mesh has FLAME's vertex and face counts. */
export function isFlameTopology(mesh: TriangleMesh): boolean {
  return mesh.positions.length === 3 * FLAME_VERTEX_COUNT && mesh.faces.length === 3 * FLAME_FACE_COUNT;
}

/**
 * The 7 landmarks of a FLAME-topology mesh, from its own face list and the static
 * embedding. Returns 21 coordinates in the mesh's frame.
 */
export function flameLandmarks(mesh: TriangleMesh): Float64Array {
  const out = new Float64Array(3 * FLAME_LANDMARK_EMBEDDING.length);
  const p = mesh.positions;
  FLAME_LANDMARK_EMBEDDING.forEach(([face, w0, w1, w2], k) => {
    const a = 3 * mesh.faces[3 * face];
    const b = 3 * mesh.faces[3 * face + 1];
    const c = 3 * mesh.faces[3 * face + 2];
    for (let j = 0; j < 3; j++) out[3 * k + j] = w0 * p[a + j] + w1 * p[b + j] + w2 * p[c + j];
  });
  return out;
}
