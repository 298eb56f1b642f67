/**
 * The `mediapipe` method: MediaPipe Face Mesh (468 points) run on the item's input crop,
 * returned as a metric mesh (see mesh.ts for the scale assumption and frame) with the 7
 * alignment landmarks taken from the mesh through the iBUG-68 correspondence.
 *
 * Face Mesh has no notion of a neutral face: the neutral prediction is the posed mesh
 * unchanged, so on the neutral task this method scores the expression left in the image.
 */
import { z } from 'zod';
import { readRgbImage } from '../../evaluators/image/index.js';
import { InputError } from '../../evaluators/errors.js';
import { defineMethod } from '../adapter.js';
import { detectFaceMesh, loadFaceMesh } from './detector.js';
import { sevenLandmarksFromFaceMesh } from './landmarks.js';
import { metricFaceMesh } from './mesh.js';

const options = z.object({
  minConfidence: z.number().gt(0).lt(1).default(0.2).describe('minimum BlazeFace / Face Mesh score for a face to count'),
});

export const mediapipeAdapter = defineMethod({
  name: 'mediapipe',
  version: '1',
  description: 'MediaPipe Face Mesh (468 points, BlazeFace + Face Mesh via @vladmandic/human, tfjs WASM on CPU), scaled to the canonical face size; neutral = posed',
  options,
  async prepare() {
    await loadFaceMesh();
  },
  async predict(item, opts) {
    const image = readRgbImage(item.imagePath);
    const detection = await detectFaceMesh(image, { minConfidence: opts.minConfidence });
    if (!detection.landmarks) {
      throw new InputError(item.imagePath, `MediaPipe found no face with score ≥ ${opts.minConfidence}; check the crop shows a face, or lower minConfidence`);
    }
    const { mesh } = metricFaceMesh(detection.landmarks);
    const landmarks = sevenLandmarksFromFaceMesh(mesh.positions);
    return {
      posed: mesh,
      neutral: { positions: mesh.positions.slice(), faces: mesh.faces.slice() },
      landmarksPosed: landmarks,
      landmarksNeutral: landmarks.slice(),
    };
  },
});
