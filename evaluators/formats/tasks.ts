import { existsSync, readdirSync, statSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join, relative, sep } from 'node:path';
import { InputError } from '../errors.js';
import { canonicalJson, plainName } from '../util/index.js';
import { benchmarkId, MANIFEST_NAME, readManifest, verifyBenchmarkFiles } from './manifest.js';
import type { FacescapeSet } from '../protocols/facescape-view.js';
import { readFacescapeBenchmark, type FacescapeSample } from './facescape-data.js';

export type TaskName = 'posed' | 'neutral';
export const TASKS: readonly TaskName[] = ['posed', 'neutral'];

/** One scoring job: a prediction of one item for one task, and the GT it is scored against. */
export interface EvalTask {
  person: string;
  item: string;
  task: TaskName;
  pred: string;
  predLandmarks?: string;
  gt: string;
  /** The GT landmark file; for a FaceScape task the sample's camera file (in-the-lab) or '' (in-the-wild). */
  gtLandmarks: string;
  /** Set for the FaceScape protocols: the sample scored (its GT mesh is `gt`). */
  facescape?: FacescapeSample;
}

function subfolders(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && !entry.name.startsWith('.'))
    .map((entry) => entry.name)
    .sort();
}

/**
 * The items of a built benchmark (docs/formats.md#built-benchmark; listed by its manifest, or found as
 * `<bench>/items/<pid>/<item>/`) with `scan.ply` and `landmarks.json`, and per person
 * `<bench>/persons/<pid>/neutral/scan.ply`.
 * Each item gives a posed and a neutral task; their prediction paths follow the
 * submission layout `<pred>/<pid>/<item>/mesh_{posed,neutral}.ply` (+ optional
 * `landmarks_{posed,neutral}.npy`). Missing predictions are listed, not skipped: they
 * become failed items.
 */
export function discoverTasks(bench: string, pred: string, tasks: readonly TaskName[] = TASKS): EvalTask[] {
  if (!existsSync(bench) || !statSync(bench).isDirectory()) throw new InputError(bench, 'benchmark folder not found');
  if (!existsSync(pred) || !statSync(pred).isDirectory()) throw new InputError(pred, 'predictions folder not found');
  const out: EvalTask[] = [];
  for (const { person, item, dir } of benchmarkItems(bench)) {
    const neutralDir = join(bench, 'persons', person, 'neutral');
    for (const task of tasks) {
      const gtDir = task === 'posed' ? dir : neutralDir;
      const predLandmarks = join(pred, person, item, `landmarks_${task}.npy`);
      out.push({
        person,
        item,
        task,
        pred: join(pred, person, item, `mesh_${task}.ply`),
        predLandmarks: existsSync(predLandmarks) ? predLandmarks : undefined,
        gt: join(gtDir, 'scan.ply'),
        gtLandmarks: join(gtDir, 'landmarks.json'),
      });
    }
  }
  return out;
}

/**
 * The items of a benchmark: from its manifest.json when it has one (what `facebench build`
 * writes; schema-checked), else from the `items/<pid>/<item>/` folders.
 */
function benchmarkItems(bench: string): { person: string; item: string; dir: string }[] {
  if (existsSync(join(bench, MANIFEST_NAME))) {
    const manifest = readManifest(bench);
    if (manifest.items.length === 0) throw new InputError(join(bench, MANIFEST_NAME), 'lists no items');
    return manifest.items.map((i) => ({ person: i.person, item: i.id, dir: join(bench, i.dir) }));
  }
  const itemsDir = join(bench, 'items');
  if (!existsSync(itemsDir)) {
    throw new InputError(bench, 'is not a built benchmark: it has no manifest.json and no items/ folder (build one with `facebench build`)');
  }
  const out = subfolders(itemsDir).flatMap((person) =>
    subfolders(join(itemsDir, person)).map((item) => ({
      person: plainName(person, 'person folder', itemsDir),
      item: plainName(item, 'item folder', join(itemsDir, person)),
      dir: join(itemsDir, person, item),
    })),
  );
  if (out.length === 0) throw new InputError(itemsDir, 'holds no items');
  return out;
}

/**
 * The id of the benchmark the tasks are scored on, after checking that every GT file they
 * read is still the one the benchmark was built with: a benchmark with a manifest is
 * verified against it (an InputError names changed files) and identified by `benchmarkId`;
 * a folder without one is identified by the sha256 of its GT files' paths and contents.
 * `hash` is the caller's (memoising) file hasher.
 */
export function verifiedBenchmarkId(bench: string, tasks: readonly EvalTask[], hash: (path: string) => string): string {
  const gtFiles = [...new Set(tasks.flatMap((t) => [t.gt, t.gtLandmarks]))].map((path) => relative(bench, path).split(sep).join('/')).sort();
  if (existsSync(join(bench, MANIFEST_NAME))) {
    const manifest = readManifest(bench);
    verifyBenchmarkFiles(bench, manifest, gtFiles, hash);
    return benchmarkId(manifest);
  }
  const content = gtFiles.map((rel) => [rel, hash(join(bench, rel))]);
  return createHash('sha256').update(canonicalJson(content)).digest('hex');
}

/** Stable identifier of a task, used for result files and resuming. */
export function taskId(t: Pick<EvalTask, 'person' | 'item' | 'task'>): string {
  return `${t.person}/${t.item}/${t.task}`;
}

/**
 * The tasks of a FaceScape benchmark (evaluators/formats/facescape-data.ts; docs/formats.md#facescape-benchmark-data):
 * one `posed` task per sample of the set, the prediction `<pred>/<name>.ply` (or `.obj`)
 * in the protocol's frame, person `wild` in-the-wild or the two-digit subject in-the-lab.
 * Missing predictions are listed, not skipped: they become failed samples (FaceScape's NaN).
 * Returns the tasks and the benchmark's id.
 */
export function discoverFacescapeTasks(bench: string, pred: string, set: FacescapeSet, options: { samples?: readonly string[] } = {}): { tasks: EvalTask[]; benchmarkId: string } {
  if (!existsSync(pred) || !statSync(pred).isDirectory()) throw new InputError(pred, 'predictions folder not found');
  const benchmark = readFacescapeBenchmark(bench, set, { samples: options.samples });
  const tasks = benchmark.samples.map((sample) => {
    const ply = join(pred, `${sample.name}.ply`), obj = join(pred, `${sample.name}.obj`);
    return facescapeTask(sample, existsSync(ply) || !existsSync(obj) ? ply : obj);
  });
  return { tasks, benchmarkId: benchmark.id };
}

/** The task scoring `pred` against a FaceScape sample. */
export function facescapeTask(sample: FacescapeSample, pred: string): EvalTask {
  return {
    person: sample.lab ? String(sample.lab.subject).padStart(2, '0') : 'wild',
    item: sample.name,
    task: 'posed',
    pred,
    gt: sample.gtMesh,
    gtLandmarks: sample.camera ?? '',
    facescape: sample,
  };
}
