export { ResultsStore, summarise, metricsCsv, writeResults, type ResultsDocument, type TaskSummary } from './results-store.js';
export { writeReport, reportCommand, tablesToCsv, plotlySource, type ReportOptions, type ReportFiles } from './report-command.js';
export { loadResults, buildTables, manifestRanks, TABLE2_METRICS, TABLE2_TASKS, type ReportTables, type Table2, type Table2Row, type CurveSeries, type BreakdownRow, type ItemRow, type Provenance, type LoadedResults } from './report-data.js';
export { renderReportHtml, escapeHtml, scriptJson, type RenderOptions } from './report-html.js';
export { worstItemPictures, configFromJson, type ErrorPicture, type WorstItemsResult } from './worst-items.js';
