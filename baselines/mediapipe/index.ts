/** The `mediapipe` baseline: MediaPipe Face Mesh on CPU, a 2D landmark source and a method adapter. */
export { detectFaceMesh, loadFaceMesh, MESH_POINTS, type DetectOptions, type FaceMeshDetection, type RgbInput } from './detector.js';
export { detectIbug68, ibug68FromFaceMesh, sevenLandmarksFromFaceMesh } from './landmarks.js';
export { metricFaceMesh, canonicalRmsRadius, type MetricFaceMesh } from './mesh.js';
export { registerFileLoader, loadModelArtifacts } from './file-loader.js';
export { mediapipeAdapter } from './adapter.js';
