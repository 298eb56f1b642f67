/**
 * The built-in methods. `registerBuiltinMethods()` is idempotent; the CLI calls it before
 * `predict` and `methods`.
 */
import type { MethodAdapter } from './adapter.js';
import { landmarkFitAdapter } from './landmark-fit/index.js';
import { meanShape } from './mean-shape/index.js';
import { metricalFitAdapter } from './metrical-fit/index.js';
import { mediapipeAdapter } from './mediapipe/index.js';
import { normalsOnnxAdapter } from './normals-onnx/index.js';
import { decaAdapter, emocaV2Adapter, micaAdapter, onnxRegressorAdapter, smirkAdapter } from './onnx-regressor/index.js';
import { oracle } from './oracle/index.js';
import { pixel3dmmAdapter } from './pixel3dmm/index.js';
import { pixel3dmmImport } from './pixel3dmm-import/index.js';
import { hasMethod, registerMethod } from './registry.js';
import { submission } from './submission/index.js';

/** Every built-in adapter. */
export function builtinMethods(): MethodAdapter<any>[] {
  return [decaAdapter, emocaV2Adapter, landmarkFitAdapter, meanShape, mediapipeAdapter, metricalFitAdapter, micaAdapter, normalsOnnxAdapter, onnxRegressorAdapter, oracle, pixel3dmmAdapter, pixel3dmmImport, smirkAdapter, submission];
}

/** Register the built-in adapters (skipping names already registered). */
export function registerBuiltinMethods(): void {
  for (const adapter of builtinMethods()) if (!hasMethod(adapter.name)) registerMethod(adapter);
}
