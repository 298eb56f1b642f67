/**
 * The predictions folder (docs/formats.md#predictions-submission-layout), identical to the
 * NeRSemble single-view benchmark submission:
 * `<pred>/<pid>/<item>/mesh_{posed,neutral}.ply [landmarks_{posed,neutral}.npy]`, plus
 * `method.json` at the top and a `.done.json` marker per finished item, both written by
 * `facebench predict`. Defined once here: the predict stage writes it, validation, the
 * submission importer and `eval` read it.
 */
import { existsSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { z } from 'zod';
import { writeFileAtomic } from '../io/atomic.js';
import { plainName } from '../util/index.js';
import { readJsonFile } from './json-file.js';
import { TASKS, type TaskName } from './tasks.js';

/** The predictions folder's method description (beside the <pid>/ folders). */
export const METHOD_FILE = 'method.json';
/** Per-item marker of a finished prediction (resume key, files, timing). */
export const DONE_FILE = '.done.json';

/** File names of one task's prediction. */
export function predictionFiles(task: TaskName): { mesh: string; landmarks: string } {
  return { mesh: `mesh_${task}.ply`, landmarks: `landmarks_${task}.npy` };
}

/**
 * Optional screen-space maps of the item's input crop a method may write beside its meshes
 * (H×W×C float32 .npy, NaN where nothing is predicted): the normal map in the crop camera's
 * frame (OpenCV axes; what `facebench eval-normals` scores) and the UV map in the model's UV space.
 */
export const MAP_FILES = { normals: 'normals.npy', uv: 'uv.npy' } as const;

/** Every file name an item folder may hold. */
export const ITEM_FILE_NAMES: ReadonlySet<string> = new Set([...TASKS.flatMap((t) => Object.values(predictionFiles(t))), ...Object.values(MAP_FILES), DONE_FILE]);

const ToolSchema = z.object({ name: z.string(), version: z.string() });

/**
 * What a run predicted: a built benchmark (its folder and id; `export_map` when a method read
 * per-item inputs named as on exported images, `predict --map`) or the images of an SVFR
 * download (its `svfr/` folder). Part of the resume key.
 */
export const PredictSourceSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('benchmark'), path: z.string(), benchmark_id: z.string(), export_map: z.string().optional() }),
  z.object({ kind: z.literal('svfr'), path: z.string() }),
]);
export type PredictSourceRecord = z.infer<typeof PredictSourceSchema>;

/**
 * method.json. Documents written before `source` existed (benchmark runs only) have
 * `benchmark` and no `source`, and are read as they are; runs on an SVFR download have
 * `source` and no `benchmark`.
 */
export const MethodDocumentSchema = z.object({
  name: z.string().min(1),
  version: z.string(),
  description: z.string(),
  options: z.unknown(),
  /** Resume key: sha256 of name, version, parsed options and the method code's digest. */
  key: z.string(),
  tool: ToolSchema,
  /** Absolute path of the benchmark (benchmark runs). */
  benchmark: z.string().optional(),
  source: PredictSourceSchema.optional(),
  created: z.string(),
  items: z.number().int().nonnegative(),
  predicted: z.number().int().nonnegative(),
  timings: z.object({
    mean_seconds: z.number().nullable(),
    total_seconds: z.number(),
    per_item: z.record(z.string(), z.number()),
  }),
  failures: z.array(z.object({ person: z.string(), item: z.string(), error: z.string() })),
  /**
   * The tasks the method predicts, when not both (a neutral-only method such as MICA); `eval`
   * scores only these. `[]`: normal maps only (a normal estimator), which `eval` refuses and
   * `facebench eval-normals` scores.
   */
  tasks: z.array(z.enum(TASKS)).optional(),
});
export type MethodDocument = z.infer<typeof MethodDocumentSchema>;

export const DoneMarkerSchema = z.object({
  key: z.string(),
  method: z.string(),
  version: z.string(),
  seconds: z.number(),
  files: z.array(z.string()),
  created: z.string(),
});
export type DoneMarker = z.infer<typeof DoneMarkerSchema>;

/** The method.json of a predictions folder, or undefined when it has none. */
export function readMethodDocument(pred: string): MethodDocument | undefined {
  const path = join(pred, METHOD_FILE);
  return existsSync(path) ? readJsonFile(path, MethodDocumentSchema, 'a method.json written by `facebench predict`') : undefined;
}

export function writeMethodDocument(pred: string, doc: MethodDocument): void {
  writeFileAtomic(join(pred, METHOD_FILE), `${JSON.stringify(doc, null, 1)}\n`);
}

/** The marker of an item finished with `key` whose files are all there, else undefined. */
export function finishedItem(dir: string, key: string): DoneMarker | undefined {
  const path = join(dir, DONE_FILE);
  if (!existsSync(path)) return undefined;
  let marker: DoneMarker;
  try {
    marker = readJsonFile(path, DoneMarkerSchema, 'a prediction marker');
  } catch {
    return undefined; // a damaged marker: the item is redone
  }
  return marker.key === key && marker.files.every((f) => existsSync(join(dir, f))) ? marker : undefined;
}

export function writeDoneMarker(dir: string, marker: DoneMarker): void {
  writeFileAtomic(join(dir, DONE_FILE), `${JSON.stringify(marker)}\n`);
}

/**
 * The tasks a predictions folder's method.json declares (a neutral-only method; [] for a
 * maps-only method); undefined when it declares none or has no method.json.
 */
export function predictedTasks(pred: string): TaskName[] | undefined {
  const path = join(pred, METHOD_FILE);
  if (!existsSync(path)) return undefined;
  return readJsonFile(path, z.looseObject({ tasks: z.array(z.enum(TASKS)).optional() }), 'a method description').tasks;
}

/** The one line `eval` (and `validate`) give for a maps-only predictions folder (method.json `tasks` []). */
export const MAPS_ONLY_DETAIL = 'normal maps only (method.json tasks []): score them with facebench eval-normals';

/** What any method.json must hold (a submission made by another tool may hold only this). */
const MethodNameSchema = z.looseObject({ name: z.string() });

/**
 * The method name of a predictions folder: `explicit`, else `name` in its method.json
 * (which must then be valid JSON with a non-empty name), else the folder's name. It names
 * the results folder, so it must be a plain name (no `..`, no separators).
 */
export function methodName(pred: string, explicit?: string): string {
  if (explicit !== undefined) return plainName(explicit, 'method name', '--method');
  const path = join(pred, METHOD_FILE);
  if (existsSync(path)) return plainName(readJsonFile(path, MethodNameSchema, 'a method description').name, 'method name', path);
  return plainName(basename(resolve(pred)), 'method name (the predictions folder name; give --method)', pred);
}
