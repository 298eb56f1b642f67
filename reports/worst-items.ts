import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { applyTransform, type SimilarityTransform } from '../evaluators/alignment/index.js';
import { discoverTasks, errorMapDistances, pictureStride, ResultsStore, type ErrorMap, type EvalTask, type ResultsDocument, type TaskRecord } from '../evaluators/formats/index.js';
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
  /**
   * The prediction mesh placed by the stored alignment, in the GT frame (mm): positions (3n,
   * rounded to 0.01 mm) and triangle indices (3m), reduced by vertex clustering to at most the
   * `maxMeshVertices` of worstItemPictures; absent when the mesh could not be placed.
   */
  prediction?: { positions: number[]; faces: number[]; vertices: number };
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
   * Indices into the GT cloud of the pictured points: every stride-th scored point, stride
   * ⌈scored / maxPoints⌉ rounded up to a multiple of the error map's (formats' pictureStride),
   * in GT file order (all the scored points when maxPoints ≥ scored).
   */
  points: Uint32Array;
  /** Distance (mm) of each pictured point to the aligned prediction's surface. */
  distances: Float64Array;
  /** The prediction mesh in the GT frame (positions placed by the transform), as measured against. */
  prediction?: { positions: Float64Array; faces: Uint32Array };
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

/** Every `stride`-th of n scored points, so that at most `max` are kept (formats' pictureStride). */
function picturePoints(n: number, max: number): { stride: number; picked: Uint32Array } {
  const stride = pictureStride(n, max);
  const picked = new Uint32Array(Math.ceil(n / stride));
  for (let k = 0; k < picked.length; k++) picked[k] = k * stride;
  return { stride, picked };
}

/** The error map `eval` stored beside a task record of a results document, when there is a valid one. */
export type ErrorMapLookup = (doc: ResultsDocument, record: TaskRecord) => ErrorMap | undefined;

/** An {@link ErrorMapLookup} over results read from these results.json files (each method's store is the file's folder). */
export function storedErrorMaps(loaded: readonly { file: string; doc: ResultsDocument }[]): ErrorMapLookup {
  const stores = new Map(loaded.map((l) => [l.doc, new ResultsStore(dirname(l.file))]));
  return (doc, record) => stores.get(doc)?.readErrorMap(record);
}

/**
 * A reader of GT clouds for {@link distancesAtStoredAlignment}'s `readGt`: each path is read
 * once per unit, so the pictures of one report share a person's neutral scan and the items
 * several methods picture.
 */
export function sharedGtReader(): (unit: ProtocolConfig['gtUnit']) => (path: string) => PointCloud {
  const clouds = new Map<string, PointCloud>();
  return (unit) => (path) => {
    const key = `${path}|${unit}`;
    let cloud = clouds.get(key);
    if (!cloud) clouds.set(key, (cloud = readPointCloud(path, { unit })));
    return cloud;
  };
}

/**
 * The distances of a scored task's GT points to its prediction, from the transform `eval`
 * stored in the task record (docs/formats.md#task-records) instead of aligning again: the
 * prediction is placed by `x ↦ scale·rotation·x + translation` (a chosen reflection is part
 * of that rotation); the GT points are those the protocol scores, selected as `eval` does
 * (every point for nersemble; NoW's face ball from the GT landmarks and `config.crop` for the
 * NoW protocols), of which at most maxPoints are pictured (see {@link AlignedDistances.points}).
 * Their distances come from the task's error map (`errorMap`, docs/formats.md#error-maps) when it
 * holds them, else from one closest-point pass over one BVH. Each distance is the one `eval`
 * measured for that point, up to rounding (float32 in the map), so with maxPoints ≥ scored
 * their mean is the stored L2 (nersemble) or mean (NoW).
 * Reads the prediction mesh, the GT cloud (through `readGt`, so callers can share clouds) and,
 * for NoW, the GT landmarks.
 */
export function distancesAtStoredAlignment(
  task: Pick<EvalTask, 'pred' | 'gt' | 'gtLandmarks'>,
  config: ProtocolConfig,
  transform: SimilarityTransform,
  options: { maxPoints?: number; readGt?: (path: string) => PointCloud; errorMap?: ErrorMap } = {},
): AlignedDistances {
  const gt = options.readGt ? options.readGt(task.gt) : readPointCloud(task.gt, { unit: config.gtUnit });
  let scoredPoints: Uint32Array | undefined;
  if (isNowProtocol(config.protocol)) {
    const crop = config.crop ?? { centreFactor: 0.3, radiusFactor: 1.4 };
    const landmarks = readLandmarks(task.gtLandmarks, { count: 7, unit: config.gtUnit });
    scoredPoints = pointsInCrop(gt.positions, nowFaceCrop(landmarks, crop.centreFactor, crop.radiusFactor));
  }
  const scored = scoredPoints ? scoredPoints.length : gt.positions.length / 3;
  const { stride, picked } = picturePoints(scored, options.maxPoints ?? Number.POSITIVE_INFINITY);
  const points = scoredPoints ? picked.map((k) => scoredPoints[k]) : picked;
  const pred = readMesh(task.pred, { unit: config.predUnit });
  const placed = applyTransform(transform, pred.positions);
  // The distances eval stored for these points when it has them; else one pass of at most
  // maxPoints queries, where the build dominates and Morton splits build about 4× faster than SAH.
  let distances = options.errorMap && errorMapDistances(options.errorMap, scored, stride);
  if (!distances) {
    const bvh = TriangleBVH.build(placed, pred.faces, { strategy: 'morton' });
    distances = bvh.closestPoints(gatherPoints(gt.positions, points)).distances;
  }
  return { gt, scored, points, distances, prediction: { positions: placed, faces: pred.faces } };
}

const round = (v: number, digits: number) => Math.round(v * 10 ** digits) / 10 ** digits;

/** Largest target of {@link simplifyMesh}: a triangle's three cell ids then fit one exact integer key (< 2^53). */
const MAX_SIMPLIFIED_VERTICES = 2 ** 17;

/**
 * A triangle mesh reduced to at most `maxVertices` vertices by vertex clustering: vertices are
 * merged per cell of a cubic grid (the cell grown until few enough cells are occupied), each
 * cell's vertex at the mean of its members, and triangles whose corners fall into fewer than
 * three cells dropped. Returned unchanged (copied) when it already has few enough vertices.
 * Deterministic; keeps the shape's outline to about one cell.
 */
export function simplifyMesh(positions: ArrayLike<number>, faces: ArrayLike<number>, maxVertices: number): { positions: Float64Array; faces: Uint32Array } {
  const n = positions.length / 3;
  if (n <= maxVertices) return { positions: Float64Array.from(positions), faces: Uint32Array.from(faces) };
  if (!(maxVertices >= 1 && maxVertices <= MAX_SIMPLIFIED_VERTICES)) {
    throw new RangeError(`simplifyMesh: maxVertices must be from 1 to ${MAX_SIMPLIFIED_VERTICES}, got ${maxVertices}`);
  }
  const lo = [Infinity, Infinity, Infinity];
  const hi = [-Infinity, -Infinity, -Infinity];
  for (let i = 0; i < n; i++) {
    for (let a = 0; a < 3; a++) {
      const v = positions[3 * i + a];
      if (v < lo[a]) lo[a] = v;
      if (v > hi[a]) hi[a] = v;
    }
  }
  const extent = Math.max(hi[0] - lo[0], hi[1] - lo[1], hi[2] - lo[2], 1e-9);
  // A surface of n vertices in a cube of side `extent` occupies about (extent / cell)² cells.
  let cell = extent / Math.sqrt(maxVertices);
  const cellOf = new Int32Array(n);
  for (;;) {
    // Cell (a, b, c) keyed as one integer (a·ny + b)·nz + c: exact while the cell count stays below 2^53.
    const ny = Math.floor((hi[1] - lo[1]) / cell) + 1;
    const nz = Math.floor((hi[2] - lo[2]) / cell) + 1;
    const ids = new Map<number, number>();
    for (let i = 0; i < n; i++) {
      const key = (Math.floor((positions[3 * i] - lo[0]) / cell) * ny + Math.floor((positions[3 * i + 1] - lo[1]) / cell)) * nz + Math.floor((positions[3 * i + 2] - lo[2]) / cell);
      let id = ids.get(key);
      if (id === undefined) ids.set(key, (id = ids.size));
      cellOf[i] = id;
    }
    if (ids.size <= maxVertices) {
      const sum = new Float64Array(3 * ids.size);
      const count = new Uint32Array(ids.size);
      for (let i = 0; i < n; i++) {
        const c = cellOf[i];
        count[c]++;
        for (let a = 0; a < 3; a++) sum[3 * c + a] += positions[3 * i + a];
      }
      for (let c = 0; c < ids.size; c++) for (let a = 0; a < 3; a++) sum[3 * c + a] /= count[c];
      const out: number[] = [];
      const seen = new Set<number>();
      const cells = ids.size;
      for (let f = 0; f + 2 < faces.length; f += 3) {
        const a = cellOf[faces[f]];
        const b = cellOf[faces[f + 1]];
        const c = cellOf[faces[f + 2]];
        if (a === b || b === c || a === c) continue;
        // The corner cells sorted, as one integer (cells ≤ maxVertices, so cells³ stays exact).
        const lo3 = Math.min(a, b, c), hi3 = Math.max(a, b, c);
        const key = (lo3 * cells + (a + b + c - lo3 - hi3)) * cells + hi3;
        if (seen.has(key)) continue;
        seen.add(key);
        out.push(a, b, c);
      }
      return { positions: sum, faces: Uint32Array.from(out) };
    }
    cell *= 1.25;
  }
}

/**
 * Pictures of the `perMethod` scored items with the largest L2 of each method: the GT points
 * the protocol scores, coloured by their distance to the prediction placed by the alignment
 * stored in the item's task record (no ICP: the distances `eval` stored in the task's error
 * map, found through `errorMaps`, else one closest-point pass per picture), at most
 * maxPoints each. A record without a stored alignment (results of an older `eval`) is
 * re-scored with `eval`'s task scoring instead, with a note. Items whose benchmark or
 * prediction files are gone are skipped with a note; a picture whose GT now holds another
 * number of scored points than `eval` scored (`metrics.points`: the benchmark changed) is
 * kept, with a note. Each picture also carries the prediction mesh as placed (in the GT frame),
 * reduced by vertex clustering (simplifyMesh) to at most maxMeshVertices vertices (0: none).
 */
export function worstItemPictures(docs: ResultsDocument[], perMethod = 3, maxPoints = 5000, maxMeshVertices = 2500, errorMaps?: ErrorMapLookup): WorstItemsResult {
  const pictures: ErrorPicture[] = [];
  const notes: string[] = [];
  // GT clouds shared between methods (their worst items often coincide) and a person's tasks.
  const readGtIn = sharedGtReader();
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
    const readGt = readGtIn(config.gtUnit);
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
          measured = distancesAtStoredAlignment(task, config, transform, { maxPoints, readGt, errorMap: errorMaps?.(doc, r) });
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
        const { picked } = picturePoints(result.distances.length, maxPoints);
        const again = storedTransform(record.alignment);
        let prediction: AlignedDistances['prediction'];
        if (again) {
          try {
            const pred = readMesh(task.pred, { unit: config.predUnit });
            prediction = { positions: applyTransform(again, pred.positions), faces: pred.faces };
          } catch {
            prediction = undefined;
          }
        }
        measured = {
          prediction,
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
      const picture: ErrorPicture = { method: doc.method, person: r.person, item: r.item, task: r.task, l2: r.metrics!.l2, positions, distances, points: measured.scored };
      if (measured.prediction && maxMeshVertices > 0) {
        const small = simplifyMesh(measured.prediction.positions, measured.prediction.faces, maxMeshVertices);
        picture.prediction = { positions: Array.from(small.positions, (v) => round(v, 2)), faces: Array.from(small.faces), vertices: measured.prediction.positions.length / 3 };
      }
      pictures.push(picture);
    }
  }
  return { pictures, notes };
}
