import { readPointCloud } from '../../evaluators/io/index.js';
import { isInputError } from '../../evaluators/errors.js';
import type { PointCloud } from '../../evaluators/geometry/types.js';
import { loadScoreInputs, scorePrediction, type AlignmentReport, type ProtocolConfig } from '../../evaluators/protocols/index.js';
import { estimateNormals } from '../../evaluators/spatial/index.js';
import type { EvalTask } from './discover.js';

/** The JSON record of one scored (or failed) task. */
export interface TaskRecord {
  person: string;
  item: string;
  task: EvalTask['task'];
  status: 'ok' | 'error';
  error?: string;
  metrics?: Record<string, number>;
  alignment?: AlignmentReport;
  gt_normals?: string;
  /** Cumulative fraction of GT points within d, on the protocol's curve thresholds. */
  curve?: number[];
  /** Key of the inputs and config that produced this record (resuming compares it). */
  key: string;
  seconds: number;
}

export interface TaskOutcome {
  record: TaskRecord;
  /** Per-point distances (only kept for protocols that pool points across items). */
  distances?: Float64Array;
}

interface CachedCloud {
  cloud: PointCloud;
  estimated: boolean;
}

/** GT clouds are shared between items (the neutral scan of a person): keep the last few. */
const cloudCache = new Map<string, CachedCloud>();
const CLOUD_CACHE_SIZE = 4;

function cachedCloud(path: string, config: ProtocolConfig, needNormals: boolean): CachedCloud {
  const key = `${path}|${config.gtUnit}|${needNormals ? config.normalNeighbours : 0}`;
  let entry = cloudCache.get(key);
  if (!entry) {
    const cloud = readPointCloud(path, { unit: config.gtUnit });
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

/** Score one task; input errors become a failed record instead of an exception. */
export function scoreTask(task: EvalTask, config: ProtocolConfig, key: string, keepDistances: boolean): TaskOutcome {
  const started = performance.now();
  const base = { person: task.person, item: task.item, task: task.task, key };
  try {
    const isNow = config.protocol.startsWith('now');
    const gt = cachedCloud(task.gt, config, !isNow);
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
    return { record, distances: keepDistances ? result.distances : undefined };
  } catch (error) {
    const message = isInputError(error) ? error.message : `internal error: ${(error as Error).stack ?? String(error)}`;
    return { record: { ...base, status: 'error', error: message, seconds: (performance.now() - started) / 1000 } };
  }
}
