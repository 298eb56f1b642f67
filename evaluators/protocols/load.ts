import { InputError } from '../errors.js';
import type { LengthUnit, PointCloud } from '../geometry/types.js';
import { validateGroundTruthCloud, validateLandmarkBounds, validatePredictionMesh } from '../geometry/validate.js';
import { readLandmarks, readMesh, readPointCloud } from '../io/index.js';
import { flameLandmarks, isFlameTopology, FLAME_VERTEX_COUNT } from './flame-landmarks.js';
import type { ScoreInputs } from './score.js';

export interface ScoreFiles {
  pred: string;
  gt: string;
  gtLandmarks: string;
  /** Optional for FLAME-topology predictions (their landmarks come from FLAME's embedding). */
  predLandmarks?: string;
  predUnit: LengthUnit;
  gtUnit: LengthUnit;
  /** The GT cloud already read from `gt` (in mm), to share it between scorings. */
  gtCloud?: PointCloud;
}

/**
 * Read the four inputs of a scoring, converting each to millimetres at the boundary, and
 * refuse what cannot be scored (docs/protocols.md#inputs-that-cannot-be-scored): besides
 * the readers' checks, a prediction with no triangle of non-zero area, coordinates beyond
 * ±MAX_COORDINATE_MM in any input, and a GT cloud of fewer than MIN_GT_POINTS points.
 * A prediction without a landmark file must have FLAME's topology (5023 vertices, 9976
 * faces); its 7 landmarks then come from FLAME's static embedding.
 */
export function loadScoreInputs(files: ScoreFiles): ScoreInputs {
  const predHint = { unitOption: '--pred-unit' };
  const gtHint = { unitOption: '--gt-unit' };
  const pred = readMesh(files.pred, { unit: files.predUnit });
  validatePredictionMesh(pred, files.pred, predHint);
  const gt = files.gtCloud ?? readPointCloud(files.gt, { unit: files.gtUnit });
  validateGroundTruthCloud(gt, files.gt, gtHint);
  const gtLandmarks = readLandmarks(files.gtLandmarks, { count: 7, unit: files.gtUnit });
  validateLandmarkBounds(gtLandmarks, files.gtLandmarks, gtHint);
  let predLandmarks: Float64Array;
  if (files.predLandmarks) {
    predLandmarks = readLandmarks(files.predLandmarks, { count: 7, unit: files.predUnit });
    validateLandmarkBounds(predLandmarks, files.predLandmarks, predHint);
  } else if (isFlameTopology(pred)) {
    predLandmarks = flameLandmarks(pred);
  } else {
    const nv = pred.positions.length / 3;
    const why = nv === FLAME_VERTEX_COUNT ? `has FLAME's ${nv} vertices but ${pred.faces.length / 3} faces instead of 9976` : `has ${nv} vertices, not FLAME's ${FLAME_VERTEX_COUNT}`;
    throw new InputError(files.pred, `${why}, so its landmarks cannot be embedded; pass a (7,3) landmark file with --pred-landmarks`);
  }
  return {
    pred,
    predLandmarks,
    gt,
    gtLandmarks,
    names: { pred: files.pred, predLandmarks: files.predLandmarks ?? `${files.pred} (FLAME embedding)`, gt: files.gt, gtLandmarks: files.gtLandmarks },
  };
}
