import type { LandmarkEmbedding, LinearFaceModel } from '../models/linear-model.js';

/**
 * A linear model restricted to its landmarks: L(a, e) = mean + Σ_k a_k·identity_k + Σ_j e_j·expression_j
 * with every term a (count × 3) block, mm. Since a landmark is a fixed barycentric combination of
 * a triangle's vertices, restricting the bases is exact for the linear part of the model.
 */
export interface LandmarkBasis {
  /** Landmark count L. */
  count: number;
  /** 3L landmark positions of the template. */
  mean: Float64Array;
  /** identityCount × 3L, mode-major. */
  identity: Float64Array;
  identityCount: number;
  /** expressionCount × 3L, mode-major. */
  expression: Float64Array;
  expressionCount: number;
}

/** Σ_c w_c·v[face corner c] for every landmark, from one 3n array (offset into a mode-major basis). */
function gatherSurfacePoints(values: Float64Array, offset: number, faces: Uint32Array, embedding: LandmarkEmbedding, out: Float64Array, outOffset: number): void {
  const L = embedding.faces.length;
  for (let l = 0; l < L; l++) {
    const f = embedding.faces[l];
    for (let c = 0; c < 3; c++) {
      const w = embedding.barycentrics[3 * l + c];
      if (w === 0) continue;
      const v = offset + 3 * faces[3 * f + c];
      out[outOffset + 3 * l] += w * values[v];
      out[outOffset + 3 * l + 1] += w * values[v + 1];
      out[outOffset + 3 * l + 2] += w * values[v + 2];
    }
  }
}

/**
 * The model's first `identityCount` identity and `expressionCount` expression modes evaluated
 * at the landmarks of `embedding` (default: the model's iBUG-68 embedding).
 */
export function landmarkBasis(model: LinearFaceModel, identityCount: number, expressionCount: number, embedding?: LandmarkEmbedding): LandmarkBasis {
  const emb = embedding ?? model.landmarks68;
  if (!emb) throw new Error(`model ${model.name} has no iBUG-68 landmark embedding`);
  const K = Math.min(identityCount, model.identityCount);
  const E = Math.min(expressionCount, model.expressionCount);
  const L = emb.faces.length;
  const n3 = model.template.length;
  const mean = new Float64Array(3 * L);
  gatherSurfacePoints(model.template, 0, model.faces, emb, mean, 0);
  const identity = new Float64Array(K * 3 * L);
  for (let k = 0; k < K; k++) gatherSurfacePoints(model.identityBasis, k * n3, model.faces, emb, identity, k * 3 * L);
  const expression = new Float64Array(E * 3 * L);
  for (let j = 0; j < E; j++) gatherSurfacePoints(model.expressionBasis, j * n3, model.faces, emb, expression, j * 3 * L);
  return { count: L, mean, identity, identityCount: K, expression, expressionCount: E };
}

/** Landmark positions L(a, e) (3L values) for coefficients a (≥ identityCount values used) and e. */
export function evaluateLandmarks(basis: LandmarkBasis, identity: ArrayLike<number>, expression: ArrayLike<number>, out: Float64Array = new Float64Array(3 * basis.count)): Float64Array {
  const n = 3 * basis.count;
  out.set(basis.mean);
  for (let k = 0; k < basis.identityCount; k++) {
    const a = identity[k];
    if (!a) continue;
    const o = k * n;
    for (let i = 0; i < n; i++) out[i] += a * basis.identity[o + i];
  }
  for (let j = 0; j < basis.expressionCount; j++) {
    const e = expression[j];
    if (!e) continue;
    const o = j * n;
    for (let i = 0; i < n; i++) out[i] += e * basis.expression[o + i];
  }
  return out;
}
