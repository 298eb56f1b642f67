/** Linear face models (FLAME, ICT-FaceKit, the demo model), their evaluation and the file readers they need. */
export type { LandmarkEmbedding, LinearFaceModel, ModelCoefficients, Skeleton } from './linear-model.js';
export {
  evaluateModel, modelLandmarks, sevenLandmarks, embedLandmarks, selectLandmarks, restJoints,
  FLAME_SEVEN_LANDMARKS,
} from './evaluate.js';
export {
  loadFlame, loadFlameLandmarkEmbedding, loadFlameMasks, loadMediapipeEmbedding, flameSplit, FLAME_JOINT_NAMES,
  type FlameLoadOptions, type FlameModel,
} from './flame.js';
export { loadIctModel, ictVertexUvs, vertexLandmarkEmbedding, ICT_MODEL_FILES, type IctModel } from './ict.js';
export { demoModel } from './demo.js';
export {
  parsePickle, cscToDense, dictGet, pyBytes, isTuple, isNdArray, isCsc, isPyObject,
  type NdArray, type NdData, type CscMatrix, type PyObject, type PyGlobal, type PyPersistent, type PyKey, type PyTuple, type PyValue,
} from './pickle.js';
export { parseNpyValue, parseNpz } from './numpy-files.js';
