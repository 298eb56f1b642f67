import { readPointCloud } from '../io/index.js';
import { isInputError } from '../errors.js';
import type { PointCloud } from '../geometry/types.js';
import { validateGroundTruthCloud } from '../geometry/validate.js';
import { isNowProtocol, loadScoreInputs, scorePrediction, type ProtocolConfig, type ScoreResult } from '../protocols/index.js';
import { estimateNormals, mortonOrder } from '../spatial/index.js';
import { errorMapOf, type ErrorMap, type EvalTask, type TaskRecord } from '../formats/index.js';
import { internalErrorLine } from './internal-error.js';
import { scoreFacescapeTask } from './score-facescape.js';

export interface TaskOutcome {
  record: TaskRecord;
  /** Per-point distances (only kept for protocols that pool points across items). */
  distances?: Float64Array;
  /** The distances the report pictures (a scored task of the nersemble and NoW protocols). */
  errorMap?: ErrorMap;
}

interface CachedCloud {
  cloud: PointCloud;
  estimated: boolean;
  /** The cloud's Morton order, which ICP sorts its points by (computed on first use). */
  order?: Uint32Array;
}

/** GT clouds are shared between items (the neutral scan of a person): keep the last few. */
const cloudCache = new Map<string, CachedCloud>();
const CLOUD_CACHE_SIZE = 4;

function cachedCloud(path: string, config: ProtocolConfig, needNormals: boolean): CachedCloud {
  const key = `${path}|${config.gtUnit}|${needNormals ? config.normalNeighbours : 0}`;
  let entry = cloudCache.get(key);
  if (!entry) {
    const cloud = readPointCloud(path, { unit: config.gtUnit });
    // Checked before the normals are estimated on it (loadScoreInputs checks it again).
    validateGroundTruthCloud(cloud, path, { unitOption: '--gt-unit' });
    let estimated = false;
    if (needNormals && !cloud.normals) {
      cloud.normals = estimateNormals(cloud.positions, { k: config.normalNeighbours });
      estimated = true;
    }
    entry = { cloud, estimated };
    cloudCache.set(key, entry);
    if (cloudCache.size > CLOUD_CACHE_SIZE) cloudCache.delete(cloudCache.keys().next().value as string);
  }
  return entry;
}

/** A scored task with what was computed on the way (for pictures of the error). */
export interface DetailedOutcome {
  record: TaskRecord;
  /** The full scoring (absent when the task failed). */
  result?: ScoreResult;
  /** The GT cloud it was scored against, in mm. */
  gt?: PointCloud;
}

/**
 * Score one task from its files (docs/protocols.md): read the prediction and the GT (GT
 * clouds are cached, as a person's neutral scan serves many items), align, measure. An
 * input error becomes a failed record instead of an exception.
 */
export function scoreTaskDetailed(task: EvalTask, config: ProtocolConfig, key: string): DetailedOutcome {
  const started = performance.now();
  const base = { person: task.person, item: task.item, task: task.task, key };
  try {
    const gt = cachedCloud(task.gt, config, !isNowProtocol(config.protocol));
    const inputs = loadScoreInputs({
      pred: task.pred,
      predLandmarks: task.predLandmarks,
      gt: task.gt,
      gtLandmarks: task.gtLandmarks,
      predUnit: config.predUnit,
      gtUnit: config.gtUnit,
      gtCloud: gt.cloud,
    });
    inputs.gtNormalsEstimated = gt.estimated;
    if (config.align === 'icp' && !isNowProtocol(config.protocol)) inputs.gtOrder = gt.order ??= mortonOrder(gt.cloud.positions);
    const result = scorePrediction(inputs, config);
    const record: TaskRecord = {
      ...base,
      status: 'ok',
      metrics: { ...result.metrics },
      alignment: result.alignment,
      gt_normals: result.gtNormals,
      curve: Array.from(result.curve),
      seconds: (performance.now() - started) / 1000,
    };
    if (result.warnings.length > 0) record.warnings = result.warnings;
    return { record, result, gt: gt.cloud };
  } catch (error) {
    const message = isInputError(error) ? error.message : internalErrorLine(error);
    return { record: { ...base, status: 'error', error: message, seconds: (performance.now() - started) / 1000 } };
  }
}

/** Score one task for `eval`: its record, its error map, and its distances when the protocol pools them. */
export function scoreTask(task: EvalTask, config: ProtocolConfig, key: string, keepDistances: boolean): TaskOutcome {
  if (task.facescape) return { record: scoreFacescapeTask(task, config, key).record };
  const { record, result } = scoreTaskDetailed(task, config, key);
  if (!result) return { record };
  return { record, errorMap: errorMapOf(key, result.distances), ...(keepDistances ? { distances: result.distances } : {}) };
}
