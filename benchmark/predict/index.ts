/** benchmark/predict: running methods over a benchmark (`facebench predict`) and checking predictions folders (`facebench validate`). */
export { runPredict, checkRequirements, type PredictOptions, type PredictSummary, type MethodDocument } from './run-predict.js';
export { runItem, finishedItem, predictItem, type ItemOutcome, type DoneMarker } from './predict-item.js';
export { validatePredictions, type ValidationReport } from './validate-predictions.js';
export { checkPrediction, writePrediction, predictionFiles, taskPrediction, PREDICT_TASKS, METHOD_FILE, DONE_FILE, type PredictTask } from './write-prediction.js';
