/**
 * One item of `facebench predict`: skip it when its `.done.json` marker shows the same
 * resume key and its files exist; otherwise make its input (sources.ts), run the adapter,
 * check and write the prediction atomically, then write the marker. Errors become a failed
 * outcome (never thrown), so one item never stops a run. Used in the main thread and in
 * worker threads (worker.ts).
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { MethodAdapter, PredictItem } from '../../baselines/adapter.js';
import { InputError } from '../../evaluators/errors.js';
import type { ItemRecord, Manifest, PersonRecord } from '../../evaluators/formats/index.js';
import { DONE_FILE, finishedItem, writeDoneMarker, type DoneMarker } from '../../evaluators/formats/index.js';
import { checkPrediction, writePrediction } from './write-prediction.js';

/** One item's result. */
export interface ItemOutcome {
  person: string;
  item: string;
  status: 'ok' | 'skipped' | 'error';
  /** Seconds the adapter took (for skipped items: the stored figure of the run that made them). */
  seconds: number;
  error?: string;
}

/** The PredictItem of a manifest item (reads meta.json). */
export function predictItem(bench: string, manifest: Manifest, item: ItemRecord): PredictItem {
  const person = manifest.persons.find((p) => p.id === item.person) as PersonRecord | undefined;
  if (!person) throw new InputError(join(bench, 'manifest.json'), `item ${item.id} names person ${item.person}, who is not in persons`);
  const metaPath = join(bench, item.dir, 'meta.json');
  let meta: Record<string, unknown>;
  try {
    meta = JSON.parse(readFileSync(metaPath, 'utf8')) as Record<string, unknown>;
  } catch (error) {
    throw new InputError(metaPath, `cannot be read as JSON (${(error as Error).message})`);
  }
  return {
    bench,
    item,
    person,
    imagePath: join(bench, item.dir, 'image.png'),
    meta,
    capture: existsSync(manifest.source.capture) ? manifest.source.capture : undefined,
  };
}

/** First line of an error's message. */
export function errorLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0];
}

/** What runItem needs of a source (sources.ts SourceReader): each item's input. */
export interface ItemInputs<I> {
  input(item: I): PredictItem;
}

/** Predict one item into `<out>/<person>/<id>/` (or skip it when finished); never throws. */
export async function runItem<I extends { person: string; id: string }>(adapter: MethodAdapter<any>, options: unknown, key: string, source: ItemInputs<I>, item: I, out: string): Promise<ItemOutcome> {
  const dir = join(out, item.person, item.id);
  const base = { person: item.person, item: item.id };
  const done = finishedItem(dir, key);
  if (done) return { ...base, status: 'skipped', seconds: done.seconds };
  const started = performance.now();
  try {
    rmSync(join(dir, DONE_FILE), { force: true });
    const input = source.input(item);
    const prediction = await adapter.predict(input, options);
    const seconds = (performance.now() - started) / 1000;
    checkPrediction(prediction, adapter.name, adapter.tasks);
    const files = writePrediction(dir, prediction, `facebench predict: ${adapter.name} ${adapter.version}, mm`, adapter.tasks);
    const marker: DoneMarker = { key, method: adapter.name, version: adapter.version, seconds, files, created: new Date().toISOString() };
    writeDoneMarker(dir, marker);
    return { ...base, status: 'ok', seconds };
  } catch (error) {
    return { ...base, status: 'error', seconds: (performance.now() - started) / 1000, error: errorLine(error) };
  }
}
