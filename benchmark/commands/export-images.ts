import { printer } from '../options.js';
import { runExport, type ExportSummary } from '../export/run-export.js';

export interface ExportImagesCommandOptions {
  bench: string;
  out: string;
  force?: boolean;
  quiet?: boolean;
}

/** `facebench export-images`: a benchmark's input crops in the SVFR download layout; prints what was written and what to run next. */
export function exportImagesCommand(options: ExportImagesCommandOptions): ExportSummary {
  const summary = runExport({ bench: options.bench, out: options.out, force: options.force });
  const say = printer(options.quiet);
  say(`exported ${summary.map.items.length} images of ${summary.persons} persons to ${summary.svfrDir} (${summary.mapPath} maps them back)`);
  say(`predict on them: facebench predict --images ${options.out} --method NAME --out PRED_DIR`);
  say(`map predictions back: facebench predict --bench ${options.bench} --method submission --from PRED_DIR --map ${summary.mapPath} --out BENCH_PRED_DIR`);
  return summary;
}
