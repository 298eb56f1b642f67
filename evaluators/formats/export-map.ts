/**
 * `export-map.json` (docs/formats.md#export-map): written by `facebench export-images` beside
 * the `svfr/` folder it fills with a built benchmark's input crops in the official SVFR
 * download layout (svfr.ts). It maps every exported key back to the benchmark's person and
 * item, so that predictions made on the exported images — a folder or a zip in the SVFR
 * submission layout `<svfr person>/<svfr key>/…` — can be scored on the benchmark:
 * `facebench predict --bench BENCH --method submission --from PRED --map export-map.json`.
 * Entry names of a zip map through {@link mapExportedPath}.
 */
import { join } from 'node:path';
import { z } from 'zod';
import { InputError } from '../errors.js';
import { writeFileAtomic } from '../io/atomic.js';
import { readJsonFile } from './json-file.js';
import { PlainNameSchema as plain } from './plain-name-schema.js';
import { benchmarkId, type Manifest } from './manifest.js';
import { parseSvfrKey, submissionKey, SVFR_PERSON } from './svfr.js';

export const EXPORT_MAP_FILE = 'export-map.json';
export const EXPORT_MAP_SCHEMA = 'facebench-export-map';
export const EXPORT_MAP_VERSION = 1;

export const ExportMapItemSchema = z.object({
  /** The exported participant folder (three digits). */
  svfr_person: z.string().regex(SVFR_PERSON, 'expected a three-digit participant id'),
  /** The exported item folder as downloaded: `<SEQ>_<t>_<serial>`, timestep unpadded. */
  svfr_folder: plain,
  /** The submission key of that folder (timestep padded to three digits): a prediction's folder name. */
  svfr_key: plain,
  /** The benchmark's person id. */
  person: plain,
  /** The benchmark's item id. */
  item: plain,
});
export type ExportMapItem = z.infer<typeof ExportMapItemSchema>;

export const ExportMapSchema = z.object({
  schema: z.literal(EXPORT_MAP_SCHEMA),
  version: z.literal(EXPORT_MAP_VERSION),
  tool: z.object({ name: z.string(), version: z.string() }),
  created: z.string(),
  /** Absolute path of the benchmark exported (informative; `benchmark_id` identifies it). */
  benchmark: z.string(),
  benchmark_id: z.string().regex(/^[0-9a-f]{64}$/, 'expected a sha256 hex digest'),
  items: z.array(ExportMapItemSchema).min(1),
});
export type ExportMap = z.infer<typeof ExportMapSchema>;

/** The two directions of a map. */
export interface ExportMapLookup {
  map: ExportMap;
  /** The benchmark item of an exported participant and submission key (padded timestep), or undefined. */
  toBenchmark(svfrPerson: string, svfrKey: string): { person: string; item: string } | undefined;
  /** The exported entry of a benchmark item, or undefined. */
  toExport(person: string, item: string): ExportMapItem | undefined;
  /** The benchmark person of an exported participant, or undefined. */
  personOf(svfrPerson: string): string | undefined;
}

const pair = (a: string, b: string): string => `${a}/${b}`;

/**
 * The lookup of a schema-checked map; InputError naming `source` when the map is not one to one
 * (a key or item given twice, a participant standing for two persons or the reverse) or a
 * folder name disagrees with its key.
 */
export function exportMapLookup(map: ExportMap, source: string): ExportMapLookup {
  const forward = new Map<string, ExportMapItem>();
  const backward = new Map<string, ExportMapItem>();
  const personOf = new Map<string, string>(), svfrOf = new Map<string, string>();
  map.items.forEach((entry, i) => {
    const where = `items.${i}`;
    const key = parseSvfrKey(entry.svfr_folder);
    if (!key) throw new InputError(source, `${where}: svfr_folder ${JSON.stringify(entry.svfr_folder)} is not an SVFR item folder (<SEQUENCE>_<timestep>_<serial>)`);
    if (submissionKey(key) !== entry.svfr_key) throw new InputError(source, `${where}: svfr_key ${entry.svfr_key} is not the submission key ${submissionKey(key)} of svfr_folder ${entry.svfr_folder}`);
    if (forward.has(pair(entry.svfr_person, entry.svfr_key))) throw new InputError(source, `${where}: ${pair(entry.svfr_person, entry.svfr_key)} is listed twice`);
    if (backward.has(pair(entry.person, entry.item))) throw new InputError(source, `${where}: benchmark item ${pair(entry.person, entry.item)} is listed twice`);
    if ((personOf.get(entry.svfr_person) ?? entry.person) !== entry.person) throw new InputError(source, `${where}: participant ${entry.svfr_person} stands for two benchmark persons (${personOf.get(entry.svfr_person)}, ${entry.person})`);
    if ((svfrOf.get(entry.person) ?? entry.svfr_person) !== entry.svfr_person) throw new InputError(source, `${where}: person ${entry.person} is exported as two participants (${svfrOf.get(entry.person)}, ${entry.svfr_person})`);
    personOf.set(entry.svfr_person, entry.person);
    svfrOf.set(entry.person, entry.svfr_person);
    forward.set(pair(entry.svfr_person, entry.svfr_key), entry);
    backward.set(pair(entry.person, entry.item), entry);
  });
  return {
    map,
    toBenchmark: (svfrPerson, svfrKey) => {
      const entry = forward.get(pair(svfrPerson, svfrKey));
      return entry && { person: entry.person, item: entry.item };
    },
    toExport: (person, item) => backward.get(pair(person, item)),
    personOf: (svfrPerson) => personOf.get(svfrPerson),
  };
}

/**
 * Read and check an export map. With the benchmark's manifest, the map must have been
 * written for that benchmark (same `benchmark_id`) and cover exactly its items.
 */
export function readExportMap(path: string, manifest?: Manifest): ExportMapLookup {
  const lookup = exportMapLookup(readJsonFile(path, ExportMapSchema, 'an export-map.json written by `facebench export-images`'), path);
  if (manifest) {
    const id = benchmarkId(manifest);
    const { map } = lookup;
    if (map.benchmark_id !== id) {
      throw new InputError(path, `was written for benchmark ${map.benchmark_id.slice(0, 12)}… (${map.benchmark}), not for this one (${id.slice(0, 12)}…): map predictions back onto the benchmark the images were exported from`);
    }
    const missing = manifest.items.filter((i) => !lookup.toExport(i.person, i.id));
    if (missing.length > 0) throw new InputError(path, `does not map benchmark item ${pair(missing[0].person, missing[0].id)}${missing.length > 1 ? ` (and ${missing.length - 1} more)` : ''}`);
    if (map.items.length !== manifest.items.length) throw new InputError(path, `maps ${map.items.length} items, the benchmark has ${manifest.items.length}`);
  }
  return lookup;
}

export function writeExportMap(dir: string, map: ExportMap): string {
  const path = join(dir, EXPORT_MAP_FILE);
  writeFileAtomic(path, `${JSON.stringify(map, null, 1)}\n`);
  return path;
}

/**
 * The benchmark-layout path of an entry of predictions made on exported images (a file or
 * folder of a predictions folder, or a zip's entry name; '/'-separated, relative, a trailing
 * '/' kept): `<svfr person>/<svfr key>[/rest]` → `<person>/<item>[/rest]`, a participant folder
 * `<svfr person>` → `<person>`, and any other top-level name (`method.json`) unchanged. An entry
 * below a participant whose key the map does not hold gives undefined.
 */
export function mapExportedPath(lookup: ExportMapLookup, path: string): string | undefined {
  const slash = path.endsWith('/') ? '/' : '';
  const parts = path.replace(/\/+$/, '').split('/');
  if (parts[0] === '') return undefined;
  if (parts.length === 1) return `${lookup.personOf(parts[0]) ?? parts[0]}${slash}`;
  const target = lookup.toBenchmark(parts[0], parts[1]);
  return target && `${[target.person, target.item, ...parts.slice(2)].join('/')}${slash}`;
}
