export { PROTOCOL_NAMES, protocolDefaults, isNowProtocol, isFacescapeProtocol, facescapeSetOf, isProtocolName, configFromJson, configToJson, type ProtocolConfig, type ProtocolName, type AlignMode } from './config.js';
export { SEVEN_LANDMARKS, FLAME_LANDMARK_EMBEDDING, FLAME_VERTEX_COUNT, FLAME_FACE_COUNT, flameLandmarks, isFlameTopology } from './flame-landmarks.js';
export { nowFaceCrop, pointsInCrop, type FaceCrop } from './now-crop.js';
export { scorePrediction, nersembleMetricsOf, nowMetricsOf, type ScoreInputs, type ScoreResult, type ScoredMetrics, type AlignmentReport } from './score.js';
export { loadScoreInputs, type ScoreFiles } from './load.js';
export { FACESCAPE_PUPIL_DISTANCE_MM, FACESCAPE_RENDER_SIZE, type FacescapeSet, type FacescapeView } from './facescape-view.js';
export { FACESCAPE_CYLINDER, FACESCAPE_EDGE_THRESHOLD_MM, cylinderSurface, depthShift, facescapeCamera, meanNormalError, scoreFacescape, type FacescapeInputs, type FacescapeMaps, type FacescapeResult } from './facescape-score.js';
