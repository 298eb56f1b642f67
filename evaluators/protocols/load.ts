import { InputError } from '../errors.js';
import type { LengthUnit, PointCloud } from '../geometry/types.js';
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
 * Read the four inputs of a scoring, converting each to millimetres at the boundary.
 * A prediction without a landmark file must have FLAME's topology (5023 vertices, 9976
 * faces); its 7 landmarks then come from FLAME's static embedding.
 */
export function loadScoreInputs(files: ScoreFiles): ScoreInputs {
  const pred = readMesh(files.pred, { unit: files.predUnit });
  const gt = files.gtCloud ?? readPointCloud(files.gt, { unit: files.gtUnit });
  const gtLandmarks = readLandmarks(files.gtLandmarks, { count: 7, unit: files.gtUnit });
  let predLandmarks: Float64Array;
  if (files.predLandmarks) {
    predLandmarks = readLandmarks(files.predLandmarks, { count: 7, unit: files.predUnit });
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
