/**
 * The Face Mesh detection as a metric triangle mesh.
 *
 * Face Mesh predicts shape up to scale (weak perspective: x, y in pixels, z in the same
 * units), so metric size needs an assumption. Here it is that the subject's face has the
 * size of MediaPipe's canonical face model (`canonical_face_model` of the face-geometry
 * module, an average adult face, read by `loadCanonicalFaceMesh`): the detected points are
 * scaled so their RMS distance from their centroid equals the canonical mesh's. RMS radius
 * is rotation invariant, so head pose does not bias the scale.
 *
 * Frame: x = image right, y = image up, z = towards the camera (the image frame turned
 * 180° about x, so right-handed), mm, origin at the centroid of the 468 points. The
 * triangles are the canonical mesh's (same 468-vertex numbering), which face outwards.
 */
import { loadCanonicalFaceMesh } from '../../data/index.js';
import type { TriangleMesh } from '../../evaluators/geometry/types.js';
import { MESH_POINTS } from './detector.js';

/** A metric Face Mesh and the factor used to get it. */
export interface MetricFaceMesh {
  mesh: TriangleMesh;
  /** Millimetres per image pixel implied by the canonical-size assumption. */
  mmPerPixel: number;
}

/** RMS distance of 3n points from their centroid, and the centroid. */
function rmsRadius(points: Float64Array): { radius: number; centroid: [number, number, number] } {
  const n = points.length / 3;
  const centroid: [number, number, number] = [0, 0, 0];
  for (let i = 0; i < n; i++) for (let c = 0; c < 3; c++) centroid[c] += points[3 * i + c] / n;
  let sum = 0;
  for (let i = 0; i < n; i++) for (let c = 0; c < 3; c++) sum += (points[3 * i + c] - centroid[c]) ** 2;
  return { radius: Math.sqrt(sum / n), centroid };
}

let canonicalRadius: number | undefined;

/** RMS radius of the canonical face mesh, mm. */
export function canonicalRmsRadius(): number {
  canonicalRadius ??= rmsRadius(loadCanonicalFaceMesh().positions).radius;
  return canonicalRadius;
}

/** Turn 468×3 detector points (pixels, z relative) into a metric mesh with the canonical triangles. */
export function metricFaceMesh(points: Float64Array): MetricFaceMesh {
  if (points.length !== 3 * MESH_POINTS) throw new Error(`expected ${MESH_POINTS}×3 Face Mesh points, got ${points.length} numbers`);
  const canonical = loadCanonicalFaceMesh();
  if (canonical.positions.length !== 3 * MESH_POINTS) throw new Error(`canonical face mesh has ${canonical.positions.length / 3} vertices, expected ${MESH_POINTS}`);
  const { radius, centroid } = rmsRadius(points);
  if (!(radius > 0)) throw new Error('Face Mesh points are degenerate (all at one place)');
  const mmPerPixel = canonicalRmsRadius() / radius;
  const positions = new Float64Array(3 * MESH_POINTS);
  for (let i = 0; i < MESH_POINTS; i++) {
    positions[3 * i] = (points[3 * i] - centroid[0]) * mmPerPixel;
    positions[3 * i + 1] = -(points[3 * i + 1] - centroid[1]) * mmPerPixel;
    positions[3 * i + 2] = -(points[3 * i + 2] - centroid[2]) * mmPerPixel;
  }
  return { mesh: { positions, faces: canonical.faces.slice() }, mmPerPixel };
}
