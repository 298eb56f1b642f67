import { InputError } from '../../evaluators/errors.js';
import { facescapeTask, readFacescapeBenchmark } from '../../evaluators/formats/index.js';
import { writeFileAtomic } from '../../evaluators/io/atomic.js';
import { configToJson, facescapeSetOf, isFacescapeProtocol, type ProtocolConfig } from '../../evaluators/protocols/index.js';
import { scoreFacescapeTask } from '../../evaluators/scoring/index.js';
import { TOOL } from '../../evaluators/util/index.js';
import type { ScoreCommandOptions } from './score.js';

/**
 * `score --protocol facescape-wild|facescape-lab --gt <FaceScape benchmark> --sample NAME`:
 * the prediction against that sample's GT mesh, camera and unwrapping frame.
 */
export function facescapeScore(options: ScoreCommandOptions, config: ProtocolConfig): void {
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
