/** benchmark/predict: running methods over a benchmark or an SVFR download (`facebench predict`). */
export { runPredict, predictPool, checkRequirements, type PredictOptions, type PredictPool, type PredictSummary } from './run-predict.js';
export { runItem, predictItem, type ItemOutcome } from './predict-item.js';
export { benchmarkSource, svfrSource, svfrInput, sourceReader, type PredictSource, type RunItem, type SourceReader, type SourceSpec } from './sources.js';
export { benchmarkNeed, refuseBenchmarkNeed } from './requirements.js';
export { checkPrediction, writePrediction, taskPrediction } from './write-prediction.js';
