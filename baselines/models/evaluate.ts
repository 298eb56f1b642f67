/**
 * Evaluation of a {@link LinearFaceModel}: blendshapes, then linear blend skinning.
 *
 * The skinning follows SMPL (Loper et al., "SMPL: A Skinned Multi-Person Linear Model",
 * SIGGRAPH Asia 2015, eqs. 1–4) as used by FLAME (Li et al., "Learning a model of facial shape and
 * expression from 4D scans", SIGGRAPH Asia 2017, §3):
 * 1. v_shaped = T + Σ a_k S_k + Σ e_j E_j;
 * 2. rest joints J = J_regressor · v_shaped;
 * 3. pose correctives: v_posed = v_shaped + Σ_p f_p P_p with the feature vector
 *    f = concat over the non-root joints j = 1..J−1 of the row-major flattened (R_j − I)
 *    (the public reference implementation `smplx/lbs.py` in github.com/vchoutas/smplx:
 *    `pose_feature = (rot_mats[:, 1:, :, :] - ident).view([batch_size, -1])`, multiplied by
 *    posedirs reshaped from the model file's (n, 3, P) array into (P, 3n));
 * 4. world transforms along the kinematic chain, G_j = G_parent(j) · [R_j | J_j − J_parent(j)],
 *    G_0 = [R_0 | J_0], made relative to the rest pose: A_j = G_j · [I | −J_j];
 * 5. skinning: v = Σ_j w_vj · A_j · v_posed.
 * Rotations are axis-angle (Rodrigues' formula, `rotationFromRotationVector`).
 */
import { rotationFromRotationVector } from '../../evaluators/alignment/index.js';
import { FLAME_LANDMARK_EMBEDDING, SEVEN_LANDMARKS } from '../../evaluators/protocols/index.js';
import type { LandmarkEmbedding, LinearFaceModel, ModelCoefficients } from './linear-model.js';

function addModes(out: Float64Array, basis: Float64Array, coeffs: ArrayLike<number> | undefined, count: number, what: string, model: string): void {
  if (coeffs === undefined) return;
  if (coeffs.length > count) throw new RangeError(`${model}: ${coeffs.length} ${what} coefficients for ${count} modes`);
  const len = out.length;
  for (let k = 0; k < coeffs.length; k++) {
    const c = coeffs[k];
    if (c === 0) continue;
    if (!Number.isFinite(c)) throw new RangeError(`${model}: ${what} coefficient ${k} is not finite`);
    const o = k * len;
    for (let i = 0; i < len; i++) out[i] += c * basis[o + i];
  }
}

/** Rest-pose joint positions (3J) of a shaped mesh: J_regressor · vertices. */
export function restJoints(model: LinearFaceModel, positions: Float64Array): Float64Array {
  const sk = model.skeleton;
  if (sk === undefined) throw new RangeError(`${model.name}: the model has no skeleton`);
  const n = positions.length / 3;
  const J = sk.parents.length;
  const out = new Float64Array(3 * J);
  for (let j = 0; j < J; j++) {
    const row = j * n;
    let x = 0, y = 0, z = 0;
    for (let v = 0; v < n; v++) {
      const w = sk.jointRegressor[row + v];
      if (w === 0) continue;
      x += w * positions[3 * v]; y += w * positions[3 * v + 1]; z += w * positions[3 * v + 2];
    }
    out[3 * j] = x; out[3 * j + 1] = y; out[3 * j + 2] = z;
  }
  return out;
}

/**
 * Vertex positions (3n, mm) of a model instance: template + identity and expression modes,
 * then, when `jointRotations` are given and the model has a skeleton, pose correctives and linear
 * blend skinning (see the file comment). Missing coefficients are zero.
 */
export function evaluateModel(model: LinearFaceModel, coeffs: ModelCoefficients = {}): Float64Array {
  const out = Float64Array.from(model.template);
  addModes(out, model.identityBasis, coeffs.identity, model.identityCount, 'identity', model.name);
  addModes(out, model.expressionBasis, coeffs.expression, model.expressionCount, 'expression', model.name);
  if (coeffs.jointRotations === undefined) return out;
  const sk = model.skeleton;
  if (sk === undefined) throw new RangeError(`${model.name}: joint rotations given but the model has no skeleton`);
  const J = sk.parents.length;
  const rot = coeffs.jointRotations;
  for (let j = 0; j < J; j++) {
    const p = sk.parents[j];
    if (j === 0 ? p !== -1 : !(p >= 0 && p < j)) throw new RangeError(`${model.name}: joint ${j} has parent ${p}; joint 0 must be the root and parents must precede their children`);
  }
  if (rot.length !== 3 * J) throw new RangeError(`${model.name}: ${rot.length} joint rotation values, expected ${3 * J} (axis-angle per joint: ${sk.names.join(', ')})`);
  return skin(model, out, rot);
}

function skin(model: LinearFaceModel, shaped: Float64Array, rot: ArrayLike<number>): Float64Array {
  const sk = model.skeleton!;
  const J = sk.parents.length;
  const len = shaped.length;
  const n = len / 3;
  const joints = restJoints(model, shaped);
  const R = new Float64Array(9 * J);
  for (let j = 0; j < J; j++) rotationFromRotationVector(rot[3 * j], rot[3 * j + 1], rot[3 * j + 2], R.subarray(9 * j, 9 * j + 9));

  // Pose correctives.
  const posed = shaped;
  if (sk.poseBasis !== undefined) {
    const P = 9 * (J - 1);
    for (let p = 0; p < P; p++) {
      const j = 1 + Math.floor(p / 9), e = p % 9;
      const f = R[9 * j + e] - (e === 0 || e === 4 || e === 8 ? 1 : 0);
      if (f === 0) continue;
      const o = p * len;
      for (let i = 0; i < len; i++) posed[i] += f * sk.poseBasis[o + i];
    }
  }

  // Global transforms G (3×4 row-major), then A = G · [I | −J].
  const G = new Float64Array(12 * J);
  for (let j = 0; j < J; j++) {
    const p = sk.parents[j];
    const jx = joints[3 * j], jy = joints[3 * j + 1], jz = joints[3 * j + 2];
    const r = 9 * j, g = 12 * j;
    if (p < 0) {
      for (let a = 0; a < 3; a++) {
        G[g + 4 * a] = R[r + 3 * a]; G[g + 4 * a + 1] = R[r + 3 * a + 1]; G[g + 4 * a + 2] = R[r + 3 * a + 2];
      }
      G[g + 3] = jx; G[g + 7] = jy; G[g + 11] = jz;
    } else {
      const tx = jx - joints[3 * p], ty = jy - joints[3 * p + 1], tz = jz - joints[3 * p + 2];
      const q = 12 * p;
      for (let a = 0; a < 3; a++) {
        const p0 = G[q + 4 * a], p1 = G[q + 4 * a + 1], p2 = G[q + 4 * a + 2];
        for (let b = 0; b < 3; b++) G[g + 4 * a + b] = p0 * R[r + b] + p1 * R[r + 3 + b] + p2 * R[r + 6 + b];
        G[g + 4 * a + 3] = p0 * tx + p1 * ty + p2 * tz + G[q + 4 * a + 3];
      }
    }
  }
  for (let j = 0; j < J; j++) {
    const g = 12 * j;
    const jx = joints[3 * j], jy = joints[3 * j + 1], jz = joints[3 * j + 2];
    for (let a = 0; a < 3; a++) G[g + 4 * a + 3] -= G[g + 4 * a] * jx + G[g + 4 * a + 1] * jy + G[g + 4 * a + 2] * jz;
  }

  const out = new Float64Array(len);
  const T = new Float64Array(12);
  for (let v = 0; v < n; v++) {
    T.fill(0);
    const wo = v * J;
    for (let j = 0; j < J; j++) {
      const w = sk.weights[wo + j];
      if (w === 0) continue;
      const g = 12 * j;
      for (let e = 0; e < 12; e++) T[e] += w * G[g + e];
    }
    const x = posed[3 * v], y = posed[3 * v + 1], z = posed[3 * v + 2];
    out[3 * v] = T[0] * x + T[1] * y + T[2] * z + T[3];
    out[3 * v + 1] = T[4] * x + T[5] * y + T[6] * z + T[7];
    out[3 * v + 2] = T[8] * x + T[9] * y + T[10] * z + T[11];
  }
  return out;
}

/** Landmark positions (3L) on a mesh of this model's topology: barycentric combinations of face corners. */
export function modelLandmarks(model: LinearFaceModel, positions: Float64Array, embedding: LandmarkEmbedding | undefined = model.landmarks68): Float64Array {
  if (embedding === undefined) throw new RangeError(`${model.name}: the model has no landmark embedding`);
  return embedLandmarks(model.faces, positions, embedding);
}

/** Landmark positions (3L) from a face-index + barycentric embedding on any mesh. */
export function embedLandmarks(faces: Uint32Array, positions: Float64Array, embedding: LandmarkEmbedding): Float64Array {
  const L = embedding.faces.length;
  const out = new Float64Array(3 * L);
  const m = faces.length / 3;
  for (let k = 0; k < L; k++) {
    const f = embedding.faces[k];
    if (f >= m) throw new RangeError(`landmark ${k} lies on face ${f}, but the mesh has ${m} faces`);
    for (let c = 0; c < 3; c++) {
      const w = embedding.barycentrics[3 * k + c];
      if (w === 0) continue;
      const v = faces[3 * f + c];
      out[3 * k] += w * positions[3 * v];
      out[3 * k + 1] += w * positions[3 * v + 1];
      out[3 * k + 2] += w * positions[3 * v + 2];
    }
  }
  return out;
}

/** The 7 alignment landmarks (docs/conventions.md#alignment-landmarks) (21 values) from a 68-landmark embedding. */
export function sevenLandmarks(model: LinearFaceModel, positions: Float64Array, embedding: LandmarkEmbedding | undefined = model.landmarks68): Float64Array {
  if (embedding === undefined) throw new RangeError(`${model.name}: the model has no 68-landmark embedding`);
  if (embedding.faces.length !== 68) throw new RangeError(`${model.name}: sevenLandmarks needs a 68-landmark embedding, got ${embedding.faces.length}`);
  return embedLandmarks(model.faces, positions, selectLandmarks(embedding, SEVEN_LANDMARKS));
}

/** A sub-embedding with the given landmark indices, in that order. */
export function selectLandmarks(embedding: LandmarkEmbedding, ids: readonly number[]): LandmarkEmbedding {
  const faces = new Uint32Array(ids.length);
  const barycentrics = new Float64Array(3 * ids.length);
  ids.forEach((id, k) => {
    faces[k] = embedding.faces[id];
    barycentrics.set(embedding.barycentrics.subarray(3 * id, 3 * id + 3), 3 * k);
  });
  return { faces, barycentrics };
}

/**
 * FLAME's static embedding of the 7 alignment landmarks (docs/conventions.md#flame-topology)
 * as a LandmarkEmbedding: face indices into FLAME's faces with barycentric weights.
 */
export const FLAME_SEVEN_LANDMARKS: LandmarkEmbedding = {
  faces: Uint32Array.from(FLAME_LANDMARK_EMBEDDING, ([face]) => face),
  barycentrics: Float64Array.from(FLAME_LANDMARK_EMBEDDING.flatMap(([, w0, w1, w2]) => [w0, w1, w2])),
};
