/**
 * `normals.json`, the normal-map results that `facebench eval-normals` writes and `facebench
 * report` reads (paper Table 4): one zod schema for the writer and the reader.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { stringify } from 'csv-stringify/sync';
import { z } from 'zod';
import { InputError } from '../errors.js';
import { writeFileAtomic } from '../io/atomic.js';
import { checkJsonDocument, readJsonValue } from './json-file.js';

export const NORMALS_FILE = 'normals.json';

/** Per-item scores of one predicted normal map (evaluators/metrics/normal-maps.ts). */
export const NormalsItemSchema = z.object({
  person: z.string().min(1),
  item: z.string().min(1),
  /** GT-valid pixels of the item's crop. */
  pixels: z.number().int().positive(),
  /** Of those, pixels without a predicted normal (scored as cosine 0, 90°). */
  missing: z.number().int().nonnegative(),
  meanCosine: z.number().min(-1).max(1),
  meanAngleDeg: z.number().nonnegative(),
  medianAngleDeg: z.number().nonnegative(),
});
export type NormalsItem = z.infer<typeof NormalsItemSchema>;

/** The figures over the items with a prediction: per-item values averaged over items. */
export const NormalsOverallSchema = z.object({
  /** Items with a normal map (scored). */
  items: z.number().int().positive(),
  /** Items of the benchmark without one (left out of the means). */
  missingItems: z.number().int().nonnegative(),
  meanCosine: z.number().min(-1).max(1),
  meanAngleDeg: z.number().nonnegative(),
  medianAngleDeg: z.number().nonnegative(),
  /** GT-valid pixels over the scored items. */
  pixels: z.number().int().nonnegative(),
});
export type NormalsOverall = z.infer<typeof NormalsOverallSchema>;

export const NormalsDocumentSchema = z
  .object({
    tool: z.object({ name: z.string(), version: z.string() }).optional(),
    /** The method's name (`eval-normals --method`; files written before it: the predictions folder's name). */
    method: z.string().min(1),
    /** The benchmark's identity (docs/formats.md#benchmark-identity); absent in files written before it was recorded. */
    benchmark_id: z.string().min(1).optional(),
    /** Benchmark and predictions folders. */
    bench: z.string(),
    pred: z.string(),
    created: z.string().optional(),
    overall: NormalsOverallSchema,
    /** `<pid>/<item>` of the items without a normal map. */
    missing: z.array(z.string()),
    items: z.array(NormalsItemSchema),
  })
  .superRefine((doc, ctx) => {
    if (doc.items.length !== doc.overall.items) ctx.addIssue({ code: 'custom', path: ['overall', 'items'], message: `is ${doc.overall.items} but ${doc.items.length} items are listed` });
    if (doc.missing.length !== doc.overall.missingItems) ctx.addIssue({ code: 'custom', path: ['overall', 'missingItems'], message: `is ${doc.overall.missingItems} but ${doc.missing.length} missing items are listed` });
  });
export type NormalsDocument = z.infer<typeof NormalsDocumentSchema>;

/** The columns of normals.csv: one row per scored item. */
export const NORMALS_CSV_COLUMNS = ['person', 'item', 'pixels', 'missing', 'meanCosine', 'meanAngleDeg', 'medianAngleDeg'] as const;

/**
 * Write `<dir>/normals.json` and `normals.csv` atomically. The document is checked against the
 * schema first, so the writer never leaves a file the reader would refuse.
 */
export function writeNormalsDocument(dir: string, doc: NormalsDocument): { json: string; csv: string } {
  const checked = NormalsDocumentSchema.parse(doc);
  const json = join(dir, NORMALS_FILE);
  const csv = join(dir, 'normals.csv');
  writeFileAtomic(json, `${JSON.stringify(checked, null, 1)}\n`);
  writeFileAtomic(csv, stringify(checked.items.map((r) => NORMALS_CSV_COLUMNS.map((c) => r[c])), { header: true, columns: [...NORMALS_CSV_COLUMNS] }));
  return { json, csv };
}

/** One normals.json and where it was read from. */
export interface NormalsFile {
  path: string;
  doc: NormalsDocument;
}

const WHAT = 'a normals.json written by `facebench eval-normals`';

/**
 * Read and schema-check one normals.json (one-line InputError naming the file). A file written
 * before `eval-normals --method` existed has no `method`: it is named after its predictions
 * folder, the default of `--method` without a method.json.
 */
export function readNormalsFile(path: string): NormalsDocument {
  const value = readJsonValue(path);
  if (value && typeof value === 'object' && !Array.isArray(value) && !('method' in value)) {
    const pred = (value as { pred?: unknown }).pred;
    if (typeof pred === 'string' && pred !== '') return checkJsonDocument(path, { ...value, method: basename(resolve(pred)) }, NormalsDocumentSchema, WHAT);
  }
  return checkJsonDocument(path, value, NormalsDocumentSchema, WHAT);
}

/** The normals.json of `dir` (a normals.json itself or a folder holding one), or undefined when it has none. */
export function findNormalsFile(dir: string): string | undefined {
  const path = resolve(dir);
  if (!existsSync(path)) return undefined;
  if (statSync(path).isFile()) return basename(path) === NORMALS_FILE ? path : undefined;
  const direct = join(path, NORMALS_FILE);
  return existsSync(direct) && statSync(direct).isFile() ? direct : undefined;
}

/**
 * Normal-map results named by `dir`: a normals.json, a folder holding one (an `eval-normals
 * --out` folder), or a folder of such folders (every one is read). A path with none is refused.
 */
export function readNormalsDir(dir: string): NormalsFile[] {
  const path = resolve(dir);
  if (!existsSync(path)) throw new InputError(path, 'not found: pass a folder written by `facebench eval-normals --out`');
  if (statSync(path).isFile()) return [{ path, doc: readNormalsFile(path) }];
  const direct = findNormalsFile(path);
  if (direct) return [{ path: direct, doc: readNormalsFile(direct) }];
  const found = readdirSync(path, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => findNormalsFile(join(path, e.name)))
    .filter((p): p is string => p !== undefined)
    .sort();
  if (found.length === 0) throw new InputError(path, `no ${NORMALS_FILE} here nor in its subfolders: pass a folder written by \`facebench eval-normals --out\``);
  return found.map((p) => ({ path: p, doc: readNormalsFile(p) }));
}
