export { surfaceCorrespondences, type SurfaceCorrespondences } from './surface-distance.js';
export { nersembleMetrics, RECALL_THRESHOLDS, type NersembleMetrics } from './nersemble-metrics.js';
export { nowMetrics, NOW_CURVE_MAX_MM, type NowMetrics } from './now-metrics.js';
export { cumulativeCurve, curveThresholds, fractionWithin, mean, median, medianInPlace, selectNth, standardDeviation, type Values } from './statistics.js';
export { scoreNormalMaps, type NormalMapScore } from './normal-maps.js';
