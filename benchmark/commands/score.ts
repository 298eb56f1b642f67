import { InputError } from '../../evaluators/errors.js';
import { writeFileAtomic } from '../../evaluators/io/atomic.js';
import { configToJson, isFacescapeProtocol, loadScoreInputs, scorePrediction, type ScoreResult } from '../../evaluators/protocols/index.js';
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

/**
 * `facebench score`: one prediction against one GT cloud, or (FaceScape protocols) one sample
 * of FaceScape's data. The FaceScape path (benchmark formats, their schemas, the scoring
 * stage) is loaded only when asked for, so that a one-off landmark-protocol scoring starts
 * without them.
 */
export async function scoreCommand(options: ScoreCommandOptions): Promise<void> {
  const config = configFromFlags(options);
  if (isFacescapeProtocol(config.protocol)) {
    const { facescapeScore } = await import('./score-facescape.js');
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
