import { isInputError } from '../errors.js';
import type { TriangleMesh } from '../geometry/types.js';
import { validatePredictionMesh } from '../geometry/validate.js';
import { readMesh } from '../io/index.js';
import { cumulativeCurve, curveThresholds } from '../metrics/index.js';
import { scoreFacescape, type FacescapeResult, type ProtocolConfig } from '../protocols/index.js';
import { loadFacescapeGt, type EvalTask, type TaskRecord } from '../formats/index.js';
import { internalErrorLine } from './internal-error.js';

/** A scored FaceScape sample with what was computed on the way (for pictures of the error). */
export interface FacescapeOutcome {
  record: TaskRecord;
  result?: FacescapeResult;
  /** The prediction as read (in the protocol's input frame), absent when it could not be read. */
  pred?: TriangleMesh;
}

/**
 * Score one FaceScape task (docs/protocols.md#facescape): read the sample's GT mesh in the
 * protocol's frame and the prediction (`config.predUnit`; in-the-wild predictions are in
 * FaceScape's cube units), align in depth, measure CD, MNE and CR. An input error becomes a
 * failed record instead of an exception.
 */
export function scoreFacescapeTask(task: EvalTask, config: ProtocolConfig, key: string): FacescapeOutcome {
  const started = performance.now();
  const base = { person: task.person, item: task.item, task: task.task, key };
  const sample = task.facescape;
  try {
    if (!sample) throw new Error(`${task.item}: not a FaceScape task`);
    const gt = loadFacescapeGt(sample);
    const pred = readMesh(task.pred, { unit: config.predUnit });
    validatePredictionMesh(pred, task.pred, { unitOption: '--pred-unit' });
    const result = scoreFacescape({ gt, pred, view: sample.view, names: { gt: task.gt, pred: task.pred } });
    const thresholds = curveThresholds(config.curve.maxMm, config.curve.stepMm);
    const record: TaskRecord = {
      ...base,
      status: 'ok',
      metrics: { cd: result.cd, mne: result.mne, cr: result.cr },
      depth_alignment: { delta_z_mm: result.deltaZ, scale: result.scale, overlap_pixels: result.depthOverlap },
      curve: Array.from(cumulativeCurve(result.distances, thresholds)),
      seconds: (performance.now() - started) / 1000,
    };
    return { record, result, pred };
  } catch (error) {
    const message = isInputError(error) ? error.message : internalErrorLine(error);
    return { record: { ...base, status: 'error', error: message, seconds: (performance.now() - started) / 1000 } };
  }
}
