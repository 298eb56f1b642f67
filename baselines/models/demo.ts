/**
 * The embedded demo model of `data/` (built from the MediaPipe canonical face mesh; see
 * data/face-model.ts) behind the {@link LinearFaceModel} interface. It has no skeleton: the demo
 * capture poses it rigidly (data's `applyPose`).
 */
import { buildFaceModel } from '../../data/index.js';
import type { FaceModelOptions } from '../../data/index.js';
import type { LinearFaceModel } from './linear-model.js';

/** The demo model as a LinearFaceModel (shares the demo model's arrays; do not modify them). */
export function demoModel(options: FaceModelOptions = {}): LinearFaceModel & { expressionNames: string[]; identityNames: string[] } {
  const m = buildFaceModel(options);
  return {
    name: 'demo',
    template: m.template,
    faces: m.faces,
    identityBasis: m.identityBasis,
    identityCount: m.identityNames.length,
    identityNames: m.identityNames,
    expressionBasis: m.expressionBasis,
    expressionCount: m.expressionNames.length,
    expressionNames: m.expressionNames,
    landmarks68: { faces: m.landmarks68.faces, barycentrics: m.landmarks68.barycentrics },
    uvs: m.uvs,
  };
}
