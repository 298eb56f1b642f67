export { ResultsStore, summarise, metricsCsv, writeResults, type ResultsDocument, type TaskSummary } from './results-store.js';
