import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { applyTransform, type SimilarityTransform } from '../evaluators/alignment/index.js';
import { discoverTasks, type EvalTask, type ResultsDocument, type TaskRecord } from '../evaluators/formats/index.js';
import { gatherPoints, type PointCloud } from '../evaluators/geometry/index.js';
import { readLandmarks, readMesh, readPointCloud } from '../evaluators/io/index.js';
import { configFromJson, isNowProtocol, nowFaceCrop, pointsInCrop, type ProtocolConfig } from '../evaluators/protocols/index.js';
import { scoreTaskDetailed } from '../evaluators/scoring/index.js';
import { TriangleBVH } from '../evaluators/spatial/index.js';

/** GT points of one worst item with their distance to the aligned prediction (mm). */
export interface ErrorPicture {
  method: string;
  person: string;
  item: string;
  task: string;
  l2: number;
  /** Subsampled GT positions (3n, mm) and distances (n). */
  positions: number[];
  distances: number[];
  /** How many GT points were scored before subsampling. */
  points: number;
}

export interface WorstItemsResult {
  pictures: ErrorPicture[];
  /**
   * One line per item that got no picture (files gone, protocol without pictures), whose
   * picture needed ICP again (a record without a stored alignment), or whose GT changed since
   * `eval` (another number of scored points).
   */
  notes: string[];
}

/** The stored alignment of a task record: prediction ↦ GT frame. */
export type StoredAlignment = NonNullable<TaskRecord['alignment']>;

/** Pictured GT points of a scored task, with their distance to the prediction placed by a stored alignment. */
export interface AlignedDistances {
  /** The GT cloud (mm). */
  gt: PointCloud;
  /** How many GT points the protocol scores: every point (nersemble) or those in NoW's face crop. */
  scored: number;
  /**
   * Indices into the GT cloud of the pictured points: every ⌈scored / maxPoints⌉-th scored
   * point, in GT file order (all the scored points when maxPoints ≥ scored).
   */
  points: Uint32Array;
  /** Distance (mm) of each pictured point to the aligned prediction's surface. */
  distances: Float64Array;
}

/**
 * The stored figure that is the mean of the per-point distances of a scoring: L2 (mean
 * point-to-surface distance) for the nersemble protocols, `mean` for the NoW ones.
 */
export function meanDistanceMetric(config: ProtocolConfig): 'l2' | 'mean' {
  return isNowProtocol(config.protocol) ? 'mean' : 'l2';
}

/** A stored alignment as a transform, or undefined when it is not a finite 3×3 / 3-vector similarity. */
export function storedTransform(alignment: StoredAlignment | undefined): SimilarityTransform | undefined {
  if (!alignment) return undefined;
  const { scale, rotation, translation } = alignment;
  if (rotation.length !== 3 || rotation.some((row) => row.length !== 3) || translation.length !== 3) return undefined;
  const t: SimilarityTransform = { scale, rotation: Float64Array.from(rotation.flat()), translation: Float64Array.from(translation) };
  const finite = (v: number) => Number.isFinite(v);
  return scale > 0 && Number.isFinite(scale) && t.rotation.every(finite) && t.translation.every(finite) ? t : undefined;
}

/** Every `stride`-th of n indices so that at most `max` are kept (deterministic). */
function subsample(n: number, max: number): Uint32Array {
  const stride = Math.max(1, Math.ceil(n / max));
  const out: number[] = [];
  for (let i = 0; i < n; i += stride) out.push(i);
  return Uint32Array.from(out);
}

/**
 * The distances of a scored task's GT points to its prediction, from the transform `eval`
 * stored in the task record (docs/formats.md#task-records) instead of aligning again: the
 * prediction is placed by `x ↦ scale·rotation·x + translation` (a chosen reflection is part
 * of that rotation); the GT points are those the protocol scores, selected as `eval` does
 * (every point for nersemble; NoW's face ball from the GT landmarks and `config.crop` for the
 * NoW protocols), of which every ⌈scored / maxPoints⌉-th is measured, by one closest-point
 * pass over one BVH. Each distance is the one `eval` measured for that point, up to rounding,
 * so with maxPoints ≥ scored their mean is the stored L2 (nersemble) or mean (NoW).
 * Reads the prediction mesh, the GT cloud (through `readGt`, so callers can share clouds) and,
 * for NoW, the GT landmarks.
 */
export function distancesAtStoredAlignment(
  task: Pick<EvalTask, 'pred' | 'gt' | 'gtLandmarks'>,
  config: ProtocolConfig,
  transform: SimilarityTransform,
  options: { maxPoints?: number; readGt?: (path: string) => PointCloud } = {},
): AlignedDistances {
  const gt = options.readGt ? options.readGt(task.gt) : readPointCloud(task.gt, { unit: config.gtUnit });
  let scoredPoints: Uint32Array | undefined;
  if (isNowProtocol(config.protocol)) {
    const crop = config.crop ?? { centreFactor: 0.3, radiusFactor: 1.4 };
    const landmarks = readLandmarks(task.gtLandmarks, { count: 7, unit: config.gtUnit });
    scoredPoints = pointsInCrop(gt.positions, nowFaceCrop(landmarks, crop.centreFactor, crop.radiusFactor));
  }
  const scored = scoredPoints ? scoredPoints.length : gt.positions.length / 3;
  const picked = subsample(scored, options.maxPoints ?? Number.POSITIVE_INFINITY);
  const points = scoredPoints ? picked.map((k) => scoredPoints[k]) : picked;
  const pred = readMesh(task.pred, { unit: config.predUnit });
  // One pass of at most maxPoints queries: the build dominates, and Morton splits build about 4× faster than SAH.
  const bvh = TriangleBVH.build(applyTransform(transform, pred.positions), pred.faces, { strategy: 'morton' });
  const { distances } = bvh.closestPoints(gatherPoints(gt.positions, points));
  return { gt, scored, points, distances };
}

const round = (v: number, digits: number) => Math.round(v * 10 ** digits) / 10 ** digits;

/**
 * Pictures of the `perMethod` scored items with the largest L2 of each method: the GT points
 * the protocol scores, coloured by their distance to the prediction placed by the alignment
 * stored in the item's task record (no ICP: one closest-point pass per picture), at most
 * maxPoints each. A record without a stored alignment (results of an older `eval`) is
 * re-scored with `eval`'s task scoring instead, with a note. Items whose benchmark or
 * prediction files are gone are skipped with a note; a picture whose GT now holds another
 * number of scored points than `eval` scored (`metrics.points`: the benchmark changed) is
 * kept, with a note.
 */
export function worstItemPictures(docs: ResultsDocument[], perMethod = 3, maxPoints = 5000): WorstItemsResult {
  const pictures: ErrorPicture[] = [];
  const notes: string[] = [];
  // GT clouds shared between methods (their worst items often coincide) and a person's tasks.
  const clouds = new Map<string, PointCloud>();
  for (const doc of docs) {
    const worst = doc.items
      .filter((r) => r.status === 'ok' && typeof r.metrics?.l2 === 'number')
      .sort((a, b) => b.metrics!.l2 - a.metrics!.l2)
      .slice(0, perMethod);
    if (worst.length === 0) continue;
    let config: ProtocolConfig;
    try {
      config = configFromJson(doc.protocol);
    } catch (error) {
      notes.push(`${doc.method}: no error pictures (${(error as Error).message})`);
      continue;
    }
    if (!existsSync(doc.benchmark) || !existsSync(doc.predictions)) {
      notes.push(`${doc.method}: no error pictures (benchmark ${doc.benchmark} or predictions ${doc.predictions} no longer exist)`);
      continue;
    }
    let tasks: ReturnType<typeof discoverTasks>;
    try {
      tasks = discoverTasks(doc.benchmark, doc.predictions);
    } catch (error) {
      notes.push(`${doc.method}: no error pictures (${(error as Error).message})`);
      continue;
    }
    const readGt = (path: string): PointCloud => {
      const key = `${path}|${config.gtUnit}`;
      let cloud = clouds.get(key);
      if (!cloud) {
        cloud = readPointCloud(path, { unit: config.gtUnit });
        clouds.set(key, cloud);
      }
      return cloud;
    };
    for (const r of worst) {
      const label = `${doc.method} ${r.person}/${r.item} ${r.task}`;
      const task = tasks.find((t) => t.person === r.person && t.item === r.item && t.task === r.task);
      const missing = task ? [task.pred, task.gt, task.gtLandmarks].find((p) => !existsSync(p)) : join(doc.benchmark, 'items', r.person, r.item);
      if (!task || missing) {
        notes.push(`${label}: skipped, ${missing} is gone`);
        continue;
      }
      let measured: AlignedDistances;
      const transform = storedTransform(r.alignment);
      if (transform) {
        try {
          measured = distancesAtStoredAlignment(task, config, transform, { maxPoints, readGt });
        } catch (error) {
          notes.push(`${label}: skipped, its files could not be read (${(error as Error).message.split('\n')[0]})`);
          continue;
        }
      } else {
        const { record, result, gt } = scoreTaskDetailed(task, config, r.key);
        if (!result || !gt) {
          notes.push(`${label}: skipped, re-scoring failed (${(record.error ?? 'unknown error').split('\n')[0]})`);
          continue;
        }
        notes.push(`${label}: its record stores no alignment (results of an older eval), so ICP was run again for its picture`);
        const picked = subsample(result.distances.length, maxPoints);
        measured = {
          gt,
          scored: result.distances.length,
          points: result.scoredPoints ? picked.map((k) => result.scoredPoints![k]) : picked,
          distances: picked.length === result.distances.length ? result.distances : Float64Array.from(picked, (k) => result.distances[k]),
        };
      }
      const stored = r.metrics?.points;
      if (typeof stored === 'number' && stored !== measured.scored) {
        notes.push(`${label}: its GT now has ${measured.scored} scored points where eval scored ${stored}; the benchmark changed since eval, so the picture may not match the figures`);
      }
      const { gt, points, distances: measuredDistances } = measured;
      const positions: number[] = [];
      const distances: number[] = [];
      points.forEach((p, k) => {
        positions.push(round(gt.positions[3 * p], 2), round(gt.positions[3 * p + 1], 2), round(gt.positions[3 * p + 2], 2));
        distances.push(round(measuredDistances[k], 3));
      });
      pictures.push({ method: doc.method, person: r.person, item: r.item, task: r.task, l2: r.metrics!.l2, positions, distances, points: measured.scored });
    }
  }
  return { pictures, notes };
}
