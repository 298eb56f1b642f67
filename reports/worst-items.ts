import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { discoverTasks, type ResultsDocument } from '../evaluators/formats/index.js';
import { configFromJson, type ProtocolConfig } from '../evaluators/protocols/index.js';
import { scoreTaskDetailed } from '../evaluators/scoring/index.js';

/** GT points of one re-scored item with their distance to the aligned prediction (mm). */
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
  /** One line per item that could not be re-scored (files gone, protocol without pictures). */
  notes: string[];
}

/** Every `stride`-th index so that at most `max` are kept (deterministic). */
function subsample(n: number, max: number): number[] {
  const stride = Math.max(1, Math.ceil(n / max));
  const out: number[] = [];
  for (let i = 0; i < n; i += stride) out.push(i);
  return out;
}

const round = (v: number, digits: number) => Math.round(v * 10 ** digits) / 10 ** digits;

/**
 * Re-score the `perMethod` scored items with the largest L2 of each method with the task
 * scoring of `eval` and the document's protocol config, and keep the GT points coloured by distance (≤ maxPoints each).
 * Items whose benchmark or prediction files are gone are skipped with a note.
 */
export function worstItemPictures(docs: ResultsDocument[], perMethod = 3, maxPoints = 5000): WorstItemsResult {
  const pictures: ErrorPicture[] = [];
  const notes: string[] = [];
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
    for (const r of worst) {
      const label = `${doc.method} ${r.person}/${r.item} ${r.task}`;
      const task = tasks.find((t) => t.person === r.person && t.item === r.item && t.task === r.task);
      const missing = task ? [task.pred, task.gt, task.gtLandmarks].find((p) => !existsSync(p)) : join(doc.benchmark, 'items', r.person, r.item);
      if (!task || missing) {
        notes.push(`${label}: skipped, ${missing} is gone`);
        continue;
      }
      const { record, result, gt } = scoreTaskDetailed(task, config, r.key);
      if (!result || !gt) {
        notes.push(`${label}: skipped, re-scoring failed (${(record.error ?? 'unknown error').split('\n')[0]})`);
        continue;
      }
      const n = result.distances.length;
      const positions: number[] = [];
      const distances: number[] = [];
      for (const k of subsample(n, maxPoints)) {
        const p = result.scoredPoints ? result.scoredPoints[k] : k;
        positions.push(round(gt.positions[3 * p], 2), round(gt.positions[3 * p + 1], 2), round(gt.positions[3 * p + 2], 2));
        distances.push(round(result.distances[k], 3));
      }
      pictures.push({ method: doc.method, person: r.person, item: r.item, task: r.task, l2: r.metrics!.l2, positions, distances, points: n });
    }
  }
  return { pictures, notes };
}
