export { writeReport, reportCommand, tablesToCsv, plotlySource, type ReportOptions, type ReportFiles } from './report-command.js';
export {
  loadResults, loadNormals, buildTables, buildTable2, buildNormalsTable, table2Text, manifestRanks, TABLE2_METRICS, TABLE2_TASKS, TABLE4_METRICS, type NormalsTable, type NormalsRow, type NormalsItemRow, type ReportTables, type Table2, type Table2Row, type CurveSeries, type BreakdownRow, type ItemRow, type Provenance, type LoadedResults,
} from './report-data.js';
export { viewBin, viewBinOrder, manifestViewAngles, VIEW_BIN_EDGES_DEG } from './view-bins.js';
export { renderReportHtml, escapeHtml, scriptJson, encodePicture, VIEW_QUANTUM_MM, type RenderOptions } from './report-html.js';
export { breakdownCharts, chartSvg, niceTicks, escapeXml, methodColour, METHOD_COLOURS, type ChartSpec, type ChartSeries } from './charts.js';
export { writeFigures, checkFiguresDir, table2Latex, latexEscape, type FigureIndex } from './figures.js';
export {
  distancesAtStoredAlignment, meanDistanceMetric, simplifyMesh, storedTransform, worstItemPictures,
  type AlignedDistances, type ErrorPicture, type StoredAlignment, type WorstItemsResult,
} from './worst-items.js';
export { leaderboardCommand, buildLeaderboard, type Leaderboard, type LeaderboardOptions } from './leaderboard.js';
export { compareCommand, type CompareOptions } from './compare.js';
export { tablesCommand, type TablesOptions } from './cross-benchmark.js';
export { pairedBootstrapCI, wilcoxonSignedRank, clusterBootstrapCI, clusterWilcoxon } from './paired-stats.js';
export { buildAblation, ablationBase, ablationText, ablationCsv, ablationHtml, writeAblation, type Ablation, type AblationRow, type AblationTest, type AblationInput, type AblationFiles } from './ablation.js';
