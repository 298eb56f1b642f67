/**
 * The on-disk formats that pass between stages, each defined once (a zod schema with its
 * reader and writer): the built benchmark and its manifest, the predictions folder, the
 * scoring tasks of a benchmark, the results of `eval` and of `eval-normals`. docs/formats.md describes them.
 */
export {
  benchmarkId, changedFiles, checkBenchmark, listFiles, verifyBenchmarkFiles, readManifest, ItemSchema, ManifestSchema, PersonSchema,
  MANIFEST_NAME, MANIFEST_SCHEMA, MANIFEST_VERSION,
  type CheckReport, type ItemRecord, type Manifest, type PersonRecord,
} from './manifest.js';
export {
  DONE_FILE, ITEM_FILE_NAMES, MAP_FILES, METHOD_FILE, DoneMarkerSchema, MethodDocumentSchema, PredictSourceSchema,
  finishedItem, methodName, predictedTasks, predictionFiles, readMethodDocument, writeDoneMarker, writeMethodDocument,
  type DoneMarker, type MethodDocument, type PredictSourceRecord,
} from './predictions.js';
export { validatePredictions, validateSvfrPredictions, type ValidateOptions, type ValidationReport } from './validate-predictions.js';
export {
  PROBLEM_CATEGORIES, checkSubmission, problemLine, tasksOfChoice,
  type ExpectedItem, type ProblemCategory, type SubmissionCheck, type SubmissionCheckOptions, type SubmissionProblem, type TaskStatus,
} from './submission-check.js';
export { folderSubmission, openSubmission, submissionKind, zipSubmission, type SubmissionEntry, type SubmissionSource } from './submission-source.js';
export { packSubmission, type PackResult } from './pack-submission.js';
export { TASKS, discoverTasks, discoverFacescapeTasks, facescapeTask, taskId, verifiedBenchmarkId, type EvalTask, type TaskName } from './tasks.js';
export {
  ResultsStore, metricsCsv, summarise, writeResults, AlignmentReportSchema, ResultsDocumentSchema, TaskRecordSchema, TaskSummarySchema,
  type ResultsDocument, type TaskRecord, type TaskSummary,
} from './results.js';
export { ERROR_MAP_POINTS, decodeErrorMap, encodeErrorMap, errorMapDistances, errorMapOf, errorMapStride, pictureStride, type ErrorMap } from './error-map.js';
export { readResultsDir, readResultsDirs, readResultsFile, type ResultsFile } from './results-files.js';
export {
  NORMALS_CSV_COLUMNS, NORMALS_FILE, NormalsDocumentSchema, NormalsItemSchema, NormalsOverallSchema, findNormalsFile, readNormalsDir, readNormalsFile, writeNormalsDocument,
  type NormalsDocument, type NormalsFile, type NormalsItem, type NormalsOverall,
} from './normals.js';
export { readJsonFile, readJsonValue } from './json-file.js';
export { readCameraParams, type Camera } from './capture-cameras.js';
export { cropCameraFromBox, parseCropBox, readItemCropCamera, type CropBox, type CropCamera } from './crop-camera.js';
export {
  SVFR_FOLDER, SVFR_IMAGE, SVFR_KEY, SVFR_PERSON, downloadKey, listSvfrItems, parseSvfrKey, submissionKey, svfrRoot,
  type SvfrItem, type SvfrKey,
} from './svfr.js';
export {
  EXPORT_MAP_FILE, EXPORT_MAP_SCHEMA, EXPORT_MAP_VERSION, ExportMapItemSchema, ExportMapSchema, exportMapLookup, mapExportedPath, readExportMap, writeExportMap,
  type ExportMap, type ExportMapItem, type ExportMapLookup,
} from './export-map.js';
export {
  FACESCAPE_DATASETS, FACESCAPE_METRICS, FACESCAPE_SAMPLES, readFacescapeResults, readMetricFile,
  type FacescapeDataset, type FacescapeMethodResults, type FacescapeMetric, type FacescapeResultsFolder,
} from './facescape-results.js';
export {
  FACESCAPE_LAB, FACESCAPE_LAB_FOCALS, facescapeSampleIndex, facescapeSampleName, labIndex, labTriple, type FacescapeLabTriple,
} from './facescape-samples.js';
export {
  facescapeAngleBin, loadFacescapeGt, readFacescapeBenchmark,
  type FacescapeBenchmark, type FacescapeReadOptions, type FacescapeSample,
} from './facescape-data.js';
