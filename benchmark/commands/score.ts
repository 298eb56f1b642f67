import { InputError } from '../../evaluators/errors.js';
import { facescapeTask, readFacescapeBenchmark } from '../../evaluators/formats/index.js';
import { writeFileAtomic } from '../../evaluators/io/atomic.js';
import { configToJson, facescapeSetOf, isFacescapeProtocol, loadScoreInputs, scorePrediction, type ProtocolConfig, type ScoreResult } from '../../evaluators/protocols/index.js';
import { scoreFacescapeTask } from '../../evaluators/scoring/index.js';
import { configFromFlags, type ProtocolFlags } from '../options.js';
import { TOOL } from '../../evaluators/util/index.js';

export interface ScoreCommandOptions extends ProtocolFlags {
  pred: string;
  gt: string;
  /** Required by the landmark protocols. */
  gtLandmarks?: string;
  predLandmarks?: string;
  /** FaceScape protocols: the sample of the FaceScape data in `gt` (e.g. 000 or 00_0_00). */
  sample?: string;
  /** Write the JSON document to this file. */
  out?: string;
  /** Print the JSON document instead of text. */
  json?: boolean;
  quiet?: boolean;
}

/** The JSON document of `facebench score --json / --out` (lengths in mm). */
export function scoreJson(result: ScoreResult, config: ReturnType<typeof configFromFlags>): Record<string, unknown> {
  return {
    protocol: result.protocol,
    metrics: result.metrics,
    alignment: result.alignment,
    gt_normals: result.gtNormals,
    curve: { thresholds_mm: Array.from(result.curveThresholds), fractions: Array.from(result.curve) },
    warnings: result.warnings,
    config: configToJson(config),
    tool: TOOL,
  };
}

function formatMetrics(result: ScoreResult): string {
  const lines = Object.entries(result.metrics).map(([k, v]) => `  ${k.padEnd(8)} ${k === 'points' ? v : v.toFixed(4)}`);
  const a = result.alignment;
  lines.push(
    `  scale    ${a.scale.toFixed(6)}   icp iterations ${a.iterations}${a.converged ? '' : ' (not converged)'}   landmark rmse ${a.landmark_rmse.toFixed(3)} mm`,
  );
  if (result.gtNormals === 'estimated') lines.push('  note: the GT cloud has no normals; NC uses normals estimated by PCA');
  if (a.reflection) lines.push('  note: the landmark fit chose a reflection (NoW allows it)');
  return lines.join('\n');
}

/** `facebench score`: one prediction against one GT cloud, or (FaceScape protocols) one sample of FaceScape's data. */
export function scoreCommand(options: ScoreCommandOptions): void {
  const config = configFromFlags(options);
  if (isFacescapeProtocol(config.protocol)) {
    facescapeScore(options, config);
    return;
  }
  if (options.sample !== undefined) throw new InputError('--sample', `applies to the FaceScape protocols only, not ${config.protocol}`);
  if (options.gtLandmarks === undefined) throw new InputError('--gt-landmarks', `is required by protocol ${config.protocol}: pass the 7 GT landmarks (.npy, .txt, .json, .pp)`);
  const inputs = loadScoreInputs({
    pred: options.pred,
    predLandmarks: options.predLandmarks,
    gt: options.gt,
    gtLandmarks: options.gtLandmarks,
    predUnit: options.predUnit,
    gtUnit: options.gtUnit,
  });
  const result = scorePrediction(inputs, config);
  const doc = `${JSON.stringify(scoreJson(result, config), null, 1)}\n`;
  if (options.out) writeFileAtomic(options.out, doc);
  // Warnings go to stderr even with --quiet or --json: they say the numbers are probably wrong.
  for (const warning of result.warnings) console.error(`facebench: warning: ${options.pred}: ${warning}`);
  if (options.quiet) return;
  if (options.json) {
    process.stdout.write(doc);
    return;
  }
  console.log(`${result.protocol}: ${options.pred} vs ${options.gt}`);
  console.log(formatMetrics(result));
}

/**
 * `score --protocol facescape-wild|facescape-lab --gt <FaceScape benchmark> --sample NAME`:
 * the prediction against that sample's GT mesh, camera and unwrapping frame.
 */
function facescapeScore(options: ScoreCommandOptions, config: ProtocolConfig): void {
  if (!isFacescapeProtocol(config.protocol)) return;
  if (options.sample === undefined) throw new InputError('--sample', `is required by protocol ${config.protocol}: name the sample of the FaceScape data in --gt (e.g. ${config.protocol === 'facescape-wild' ? '000' : '00_0_00'})`);
  if (options.gtLandmarks !== undefined || options.predLandmarks !== undefined) throw new InputError(options.gtLandmarks !== undefined ? '--gt-landmarks' : '--pred-landmarks', `does not apply to protocol ${config.protocol}: it uses no landmarks`);
  const set = facescapeSetOf(config.protocol);
  const [sample] = readFacescapeBenchmark(options.gt, set, { samples: [options.sample] }).samples;
  const { record, result } = scoreFacescapeTask(facescapeTask(sample, options.pred), config, '');
  if (!result) throw new InputError(options.pred, record.error?.replace(`${options.pred}: `, '') ?? 'could not be scored');
  const doc = `${JSON.stringify({
    protocol: config.protocol,
    sample: options.sample,
    metrics: record.metrics,
    depth_alignment: record.depth_alignment,
    pixels: { depth_overlap: result.depthOverlap, gt: result.gtPixels, shared: result.sharedPixels },
    config: configToJson(config),
    tool: TOOL,
  }, null, 1)}\n`;
  if (options.out) writeFileAtomic(options.out, doc);
  if (options.quiet) return;
  if (options.json) {
    process.stdout.write(doc);
    return;
  }
  console.log(`${config.protocol}: ${options.pred} vs sample ${options.sample} of ${options.gt}`);
  console.log(`  cd       ${result.cd.toFixed(4)} mm\n  mne      ${result.mne.toFixed(4)} rad\n  cr       ${(100 * result.cr).toFixed(2)} %`);
  console.log(`  depth shift ${result.deltaZ.toFixed(3)} mm${set === 'fslab' ? `   scale ${result.scale.toFixed(6)}` : ''}   shared pixels ${result.sharedPixels}/${result.gtPixels}`);
}
