import { closeSync, existsSync, openSync, readFileSync, readSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'csv-stringify/sync';
import { writeFileAtomic } from '../io/atomic.js';
import { InputError } from '../errors.js';
import { cumulativeCurve, curveThresholds, mean, medianInPlace, standardDeviation } from '../metrics/index.js';
import { isNowProtocol, type ProtocolConfig } from '../protocols/index.js';
import { z } from 'zod';
import { decodeErrorMap, encodeErrorMap, type ErrorMap } from './error-map.js';
import { readJsonFile } from './json-file.js';
import { PlainNameSchema } from './plain-name-schema.js';
import { TASKS } from './tasks.js';


/** A metric value; NaN (e.g. NC without normals) is written as null and read back as NaN. */
const MetricValue = z.number().nullable().transform((v) => v ?? Number.NaN);

export const AlignmentReportSchema = z.object({
  scale: z.number(),
  rotation: z.array(z.array(z.number())),
  translation: z.array(z.number()),
  iterations: z.number().int().nonnegative(),
  converged: z.boolean(),
  landmark_rmse: z.number(),
  icp_rmse: z.number().nullable(),
  reflection: z.boolean(),
});

/** The record of one scored (or failed) task: `items/<pid>/<item>/<task>.json`. */
export const TaskRecordSchema = z.object({
  person: PlainNameSchema,
  item: PlainNameSchema,
  task: z.enum(TASKS),
  status: z.enum(['ok', 'error']),
  error: z.string().optional(),
  metrics: z.record(z.string(), MetricValue).optional(),
  alignment: AlignmentReportSchema.optional(),
  gt_normals: z.string().optional(),
  /** Cumulative fraction of GT points within d, on the protocol's curve thresholds. */
  curve: z.array(z.number()).optional(),
  /** Key of the inputs, config and scoring code that produced this record (resuming compares it). */
  key: z.string(),
  seconds: z.number(),
  /** FaceScape protocols: the depth alignment found (docs/protocols.md#facescape). */
  depth_alignment: z.object({ delta_z_mm: z.number(), scale: z.number(), overlap_pixels: z.number().int().nonnegative() }).optional(),
  /** Signs of a unit or landmark mistake found while scoring (docs/protocols.md#warnings); absent when none. */
  warnings: z.array(z.string()).optional(),
});
export type TaskRecord = z.infer<typeof TaskRecordSchema>;

export const TaskSummarySchema = z.object({
  items: z.number().int().nonnegative(),
  scored: z.number().int().nonnegative(),
  failed: z.number().int().nonnegative(),
  /** Mean over scored items (nersemble) or pooled over all points (NoW). */
  metrics: z.record(z.string(), MetricValue),
  /** Per metric, the scored items whose value is undefined (NaN) and left out of its mean; absent when none. */
  undefined_values: z.record(z.string(), z.number().int().positive()).optional(),
  curve: z.array(z.number()),
});
export type TaskSummary = z.infer<typeof TaskSummarySchema>;

/** `<results>/<method>/results.json`: the whole run of one method. */
export const ResultsDocumentSchema = z.object({
  tool: z.object({ name: z.string(), version: z.string() }),
  method: z.string().min(1),
  benchmark: z.string(),
  /** sha256 of the benchmark's manifest.json ('missing' for a benchmark without one). */
  benchmark_id: z.string(),
  predictions: z.string(),
  protocol: z.record(z.string(), z.unknown()),
  created: z.string(),
  summary: z.record(z.string(), TaskSummarySchema),
  curve_thresholds_mm: z.array(z.number()),
  items: z.array(TaskRecordSchema),
});
export type ResultsDocument = z.infer<typeof ResultsDocumentSchema>;

/**
 * On-disk store of `facebench eval` results for one method:
 * `<method>/items/<pid>/<item>/<task>.json` per task (what resuming reads),
 * `<task>.distances.f32` beside it for protocols that pool points (NoW),
 * `<task>.errors.bin` beside it for the report's pictures (error-map.ts),
 * and `results.json` + `metrics.csv` for the whole run.
 */
export class ResultsStore {
  constructor(readonly dir: string) {}

  private recordPath(r: Pick<TaskRecord, 'person' | 'item' | 'task'>): string {
    return join(this.dir, 'items', r.person, r.item, `${r.task}.json`);
  }

  private distancesPath(r: Pick<TaskRecord, 'person' | 'item' | 'task'>): string {
    return join(this.dir, 'items', r.person, r.item, `${r.task}.distances.f32`);
  }

  /** The stored record of a task, or undefined when absent or unreadable. */
  read(r: Pick<TaskRecord, 'person' | 'item' | 'task'>): TaskRecord | undefined {
    const path = this.recordPath(r);
    if (!existsSync(path)) return undefined;
    try {
      return readJsonFile(path, TaskRecordSchema, 'a task record');
    } catch {
      return undefined; // damaged: the task is scored again
    }
  }

  private errorMapPath(r: Pick<TaskRecord, 'person' | 'item' | 'task'>): string {
    return join(this.dir, 'items', r.person, r.item, `${r.task}.errors.bin`);
  }

  /**
   * Store a task's record with its pooled distances and its error map when it has them; the
   * record goes last, so a record on disk always has its files beside it. An error map left
   * from an earlier scoring of the task is removed when this one has none.
   */
  write(record: TaskRecord, distances?: Float64Array, errorMap?: ErrorMap): void {
    if (distances) {
      writeFileAtomic(this.distancesPath(record), new Uint8Array(Float32Array.from(distances).buffer));
    }
    if (errorMap) writeFileAtomic(this.errorMapPath(record), encodeErrorMap(errorMap));
    else rmSync(this.errorMapPath(record), { force: true });
    writeFileAtomic(this.recordPath(record), `${JSON.stringify(record, null, 1)}\n`);
  }

  /**
   * The error map stored with `record`, or undefined when there is none, it cannot be read, or
   * it belongs to another scoring (its key is not the record's).
   */
  readErrorMap(record: Pick<TaskRecord, 'person' | 'item' | 'task' | 'key'>): ErrorMap | undefined {
    const path = this.errorMapPath(record);
    try {
      const map = decodeErrorMap(readFileSync(path), path);
      return map.key === record.key ? map : undefined;
    } catch {
      return undefined; // absent or damaged: the picture is measured instead
    }
  }

  /**
   * Whether the distances file of a scored record holds its `metrics.points` float32 values
   * (a missing or cut file would silently leave points out of the pooled figures).
   */
  hasDistances(record: TaskRecord): boolean {
    const points = record.metrics?.points;
    if (!Number.isInteger(points)) return false;
    try {
      return statSync(this.distancesPath(record)).size === 4 * points!;
    } catch {
      return false;
    }
  }

  /**
   * The distances of every record, one after another, as stored (float32): read straight
   * into one array, without a copy per task. A file that is missing or does not hold its
   * record's `metrics.points` values is an InputError naming it.
   */
  pooledDistances(records: readonly TaskRecord[]): Float32Array {
    for (const record of records) {
      if (!this.hasDistances(record)) {
        throw new InputError(this.distancesPath(record), `missing or not the ${record.metrics?.points} float32 distances its record counts: score the task again (eval --force)`);
      }
    }
    const counts = records.map((r) => r.metrics!.points);
    const pooled = new Float32Array(counts.reduce((n, c) => n + c, 0));
    const bytes = new Uint8Array(pooled.buffer);
    let offset = 0;
    records.forEach((record, k) => {
      const path = this.distancesPath(record);
      const size = 4 * counts[k];
      const fd = openSync(path, 'r');
      try {
        for (let done = 0; done < size;) {
          const read = readSync(fd, bytes, 4 * offset + done, size - done, done);
          if (read === 0) throw new InputError(path, `ended after ${done} of its ${size} bytes while being read`);
          done += read;
        }
      } finally {
        closeSync(fd);
      }
      offset += counts[k];
    });
    return pooled;
  }
}

/**
 * Benchmark figures per task. nersemble: the mean over scored items of each per-item
 * metric (docs/protocols.md#aggregation-and-failed-items), so failed items do not vanish: they are counted in `failed`.
 * An item whose value of a metric is undefined (NaN, e.g. NC without any defined normal)
 * is left out of that metric's mean and counted in `undefined_values`.
 * NoW: statistics of the distances pooled over every scored item, as NoW's evaluation does.
 */
export function summarise(records: TaskRecord[], config: ProtocolConfig, store: ResultsStore): Record<string, TaskSummary> {
  const out: Record<string, TaskSummary> = {};
  const tasks = [...new Set(records.map((r) => r.task))];
  const thresholds = curveThresholds(config.curve.maxMm, config.curve.stepMm);
  for (const task of tasks) {
    const all = records.filter((r) => r.task === task);
    const ok = all.filter((r) => r.status === 'ok' && r.metrics);
    const summary: TaskSummary = { items: all.length, scored: ok.length, failed: all.length - ok.length, metrics: {}, curve: [] };
    if (isNowProtocol(config.protocol)) {
      // The float32 values as stored, 4 bytes a point (the benchmark's 33M points: 131 MB);
      // the median goes last, as its selection reorders them.
      const pooled = store.pooledDistances(ok);
      if (pooled.length > 0) {
        summary.curve = Array.from(cumulativeCurve(pooled, thresholds));
        const spread = { mean: mean(pooled), std: standardDeviation(pooled), points: pooled.length };
        summary.metrics = { median: medianInPlace(pooled), ...spread };
      }
    } else if (ok.length > 0) {
      const keys = Object.keys(ok[0].metrics!);
      for (const key of keys) {
        const values = ok.map((r) => r.metrics![key] ?? Number.NaN);
        const defined = values.filter((v) => !Number.isNaN(v));
        const total = defined.reduce((a, b) => a + b, 0);
        summary.metrics[key] = key === 'points' ? total : defined.length > 0 ? total / defined.length : Number.NaN;
        if (defined.length < values.length) (summary.undefined_values ??= {})[key] = values.length - defined.length;
      }
      summary.curve = Array.from(thresholds, (_t, i) => ok.reduce((a, r) => a + (r.curve?.[i] ?? 0), 0) / ok.length);
    }
    out[task] = summary;
  }
  return out;
}

/** Column order of metrics.csv. */
const METRIC_COLUMNS = ['l1', 'l2', 'nc', 'r1', 'r2_5', 'r5', 'r10', 'median', 'mean', 'std', 'cd', 'mne', 'cr', 'points'];

/** One row per item and task (and one summary row per task, item = `ALL`). */
export function metricsCsv(doc: ResultsDocument): string {
  const present = METRIC_COLUMNS.filter((key) => doc.items.some((r) => r.metrics && key in r.metrics));
  const header = ['method', 'person', 'item', 'task', 'status', ...present, 'scale', 'icp_iterations', 'landmark_rmse', 'seconds', 'error'];
  const rows: unknown[][] = [header];
  for (const r of doc.items) {
    rows.push([
      doc.method,
      r.person,
      r.item,
      r.task,
      r.status,
      ...present.map((key) => r.metrics?.[key] ?? ''),
      r.alignment?.scale ?? '',
      r.alignment?.iterations ?? '',
      r.alignment?.landmark_rmse ?? '',
      r.seconds.toFixed(3),
      r.error ?? '',
    ]);
  }
  for (const [task, s] of Object.entries(doc.summary)) {
    rows.push([doc.method, 'ALL', 'ALL', task, `${s.scored}/${s.items} scored`, ...present.map((key) => s.metrics[key] ?? ''), '', '', '', '', s.failed ? `${s.failed} failed` : '']);
  }
  return stringify(rows);
}

export function writeResults(dir: string, doc: ResultsDocument): void {
  writeFileAtomic(join(dir, 'results.json'), `${JSON.stringify(doc, null, 1)}\n`);
  writeFileAtomic(join(dir, 'metrics.csv'), metricsCsv(doc));
}
