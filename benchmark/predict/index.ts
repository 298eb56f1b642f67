/** benchmark/predict: running methods over a benchmark (`facebench predict`). */
export { runPredict, checkRequirements, type PredictOptions, type PredictSummary } from './run-predict.js';
export { runItem, predictItem, type ItemOutcome } from './predict-item.js';
export { checkPrediction, writePrediction, taskPrediction } from './write-prediction.js';
