/** metrical-fit: a Metrical-Tracker-style dense-landmark + photometric fit on pixel3dmm's solver. */
export { metricalFitAdapter, metricalFitOptions, asPixel3dmmOptions, type MetricalFitOptions } from './adapter.js';
export { denseLandmarkSet, observeDenseLandmarks, FACE_OVAL, type DenseLandmarkSet } from './dense-landmarks.js';
