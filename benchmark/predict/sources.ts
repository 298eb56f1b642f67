/**
 * What `facebench predict` runs a method over: a list of items, each with its output folder
 * `<person>/<id>` and a way to make the method's input (baselines/adapter.ts PredictItem).
 * Two sources give such a list:
 *
 * - a built benchmark (`--bench`): the manifest's items; with an export map (`--map`) the
 *   method sees each item under the ids its exported image has (`<svfr person>/<svfr key>`,
 *   as a pipeline run on `facebench export-images` output named it) while the output keeps
 *   the benchmark's ids;
 * - an SVFR download (`--images`, evaluators/formats/svfr.ts): `<pid>/<padded key>` per
 *   `rgb.png`, with nothing known but the image.
 *
 * A source is reopened from its plain-data `spec` in worker threads.
 */
import { existsSync } from 'node:fs';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import type { PredictItem } from '../../baselines/adapter.js';
import { InputError } from '../../evaluators/errors.js';
import {
  benchmarkId, listSvfrItems, MANIFEST_NAME, readExportMap, readManifest, svfrRoot, SVFR_IMAGE,
  type ExportMapLookup, type ItemRecord, type Manifest, type PredictSourceRecord, type SvfrItem,
} from '../../evaluators/formats/index.js';
import { pngSize } from '../../evaluators/image/index.js';
import { sha256File } from '../../evaluators/io/index.js';
import { plainName } from '../../evaluators/util/index.js';
import { predictItem } from './predict-item.js';

/** How to open a source (plain data, sent to worker threads). */
export type SourceSpec = { kind: 'benchmark'; bench: string; map?: string } | { kind: 'svfr'; root: string };

/** One item to predict: its output folder `<person>/<id>`, plus what its source needs to read it. */
export interface RunItem {
  person: string;
  id: string;
}

/** What a worker thread needs of a source: the manifest `prepare` sees and each item's input. */
export interface SourceReader {
  spec: SourceSpec;
  /** The benchmark's or the `svfr/` folder (absolute): `PrepareContext.bench`, `PredictItem.bench`. */
  root: string;
  /** The manifest `prepare` sees (under the exported ids with a map); undefined for an SVFR download. */
  manifest?: Manifest;
  /** The method's input for one item; throws for an unreadable item (which then fails alone). */
  input(item: RunItem): PredictItem;
}

/** A source with its items, as the main thread sees it. */
export interface PredictSource extends SourceReader {
  items: RunItem[];
  /** What method.json records. */
  record: PredictSourceRecord;
  /** What the resume key holds of the source: predictions of another source are never reused. */
  identity: string;
  /** Benchmark files the inputs of `items` come from (checked against the manifest before a run). */
  inputFiles(items: readonly RunItem[]): string[];
}

/** A manifest under the exported ids of an export map (persons and items renamed). */
function exportedManifest(manifest: Manifest, lookup: ExportMapLookup): Manifest {
  const exported = (person: string, item: string) => lookup.toExport(person, item)!;
  return {
    ...manifest,
    persons: manifest.persons.map((p) => ({ ...p, id: lookup.toExport(p.id, p.items[0])?.svfr_person ?? p.id, items: p.items.map((i) => exported(p.id, i).svfr_key) })),
    items: manifest.items.map((i) => ({ ...i, person: exported(i.person, i.id).svfr_person, id: exported(i.person, i.id).svfr_key })),
  };
}

/** The PredictItem of a benchmark item, under its exported ids when there is a map. */
function benchmarkInput(bench: string, manifest: Manifest, item: ItemRecord, lookup?: ExportMapLookup): PredictItem {
  const input = predictItem(bench, manifest, item);
  if (!lookup) return input;
  const entry = lookup.toExport(item.person, item.id)!;
  const person = input.person && { ...input.person, id: entry.svfr_person, items: input.person.items.map((i) => lookup.toExport(item.person, i)!.svfr_key) };
  const ids = { person: entry.svfr_person, id: entry.svfr_key };
  return { ...input, item: { ...input.item, ...ids }, person, meta: { ...input.meta, ...ids } };
}

/**
 * The PredictItem of an SVFR image: its ids, sequence, timestep (frame) and serial (camera),
 * and a meta whose crop box is the whole image, its side read from the PNG header. A
 * non-square or unreadable image fails this item.
 */
export function svfrInput(root: string, item: SvfrItem): PredictItem {
  const { width, height } = pngSize(item.imagePath);
  if (width !== height) throw new InputError(item.imagePath, `a ${width}×${height} image; SVFR inputs are square face crops (512×512)`);
  const record = { id: item.id, person: item.person, sequence: item.key.sequence, frame: item.key.timestep, camera: item.key.serial, dir: `${item.person}/${item.folder}` };
  return {
    bench: root,
    item: record,
    imagePath: item.imagePath,
    meta: { ...record, crop_box: { x: 0, y: 0, size: width, output_size: width }, source_image: `${record.dir}/${SVFR_IMAGE}` },
  };
}

/** The reader of a source (worker threads): no listing, no checks beyond what inputs need. */
export function sourceReader(spec: SourceSpec, read?: Manifest): SourceReader {
  if (spec.kind === 'svfr') return { spec, root: spec.root, input: (item) => svfrInput(spec.root, item as SvfrItem) };
  const manifest = read ?? readManifest(spec.bench);
  const lookup = spec.map === undefined ? undefined : readExportMap(spec.map, manifest);
  return {
    spec,
    root: spec.bench,
    manifest: lookup ? exportedManifest(manifest, lookup) : manifest,
    input: (item) => benchmarkInput(spec.bench, manifest, item as ItemRecord, lookup),
  };
}

/** A built benchmark's items (optionally seen through an export map). */
export function benchmarkSource(benchDir: string, mapFile?: string): PredictSource {
  const bench = resolve(benchDir);
  const map = mapFile === undefined ? undefined : resolve(mapFile);
  const spec: SourceSpec = map === undefined ? { kind: 'benchmark', bench } : { kind: 'benchmark', bench, map };
  const manifest = readManifest(bench);
  const reader = sourceReader(spec, manifest);
  const id = benchmarkId(manifest);
  return {
    ...reader,
    items: manifest.items,
    record: { kind: 'benchmark', path: bench, benchmark_id: id, ...(map === undefined ? {} : { export_map: map }) },
    identity: JSON.stringify({ benchmark_id: id, export_map: map === undefined ? null : sha256File(map) }),
    inputFiles: (items) => items.flatMap((i) => [`${(i as ItemRecord).dir}/image.png`, `${(i as ItemRecord).dir}/meta.json`]),
  };
}

/** The images of an SVFR download (`dir` holds `svfr/` or is it). */
export function svfrSource(dir: string): PredictSource {
  if (existsSync(join(resolve(dir), MANIFEST_NAME))) throw new InputError(resolve(dir), 'is a built benchmark, not an SVFR download: give it as --bench');
  const root = svfrRoot(dir);
  const items = listSvfrItems(root);
  for (const item of items) plainName(item.id, 'item key', join(root, item.person, item.folder));
  return {
    ...sourceReader({ kind: 'svfr', root }),
    items,
    record: { kind: 'svfr', path: root },
    identity: JSON.stringify({ svfr: root }),
    inputFiles: () => [],
  };
}

/** True when `path` is `dir` or inside it. */
export function isInside(path: string, dir: string): boolean {
  const rel = relative(resolve(dir), resolve(path));
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel));
}
