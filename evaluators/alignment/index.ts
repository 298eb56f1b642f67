/** Alignment: similarity transforms, Umeyama's closed-form fit, ICP refinement onto a surface. */
export {
  mat3Identity,
  mat3Multiply,
  mat3Transpose,
  mat3Determinant,
  mat3MultiplyVec3,
  symmetricEigen,
  svd3,
  accumulateNormalEquations,
  solveLDLT,
  solvePseudoInverse,
  solveSymmetric,
  rotationFromRotationVector,
  rotationFromAxisAngle,
  projectToOrthogonal,
  projectToRotation,
  type SymmetricEigen,
  type SVD3,
  type SymmetricSolveResult,
} from './linalg.js';
export {
  identityTransform,
  cloneTransform,
  applyTransform,
  applyRotation,
  composeTransforms,
  invertTransform,
  transformToMatrix4,
  transformFromMatrix4,
  transformDifference,
  type SimilarityTransform,
} from './similarity.js';
export { umeyama, type UmeyamaOptions, type UmeyamaSolution } from './umeyama.js';
export { icp, type ICPMode, type ICPOptions, type ICPSolution, type ICPSurface } from './icp.js';
