/**
 * `facebench export-images`: a built benchmark's input crops in the official SVFR download
 * layout, `<out>/svfr/<pid>/<SEQ>_<t>_<serial>/rgb.png` (byte-identical copies of the items'
 * `image.png`, named by export-names.ts), with `<out>/export-map.json` mapping every exported
 * key back to the benchmark's person and item (evaluators/formats/export-map.ts). A pipeline
 * made for the official benchmark runs unchanged on the export; its predictions come back with
 * `facebench predict --bench BENCH --method submission --from PRED --map <out>/export-map.json`.
 *
 * The images are written into a hidden staging folder that is renamed to `svfr/` when complete,
 * then the map is written atomically. An output folder that is not empty is refused unless
 * `force`, which replaces its `svfr/` and `export-map.json` (and nothing else).
 */
import { copyFileSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { InputError } from '../../evaluators/errors.js';
import {
  benchmarkId, EXPORT_MAP_FILE, EXPORT_MAP_SCHEMA, EXPORT_MAP_VERSION, readManifest, SVFR_FOLDER, SVFR_IMAGE, verifyBenchmarkFiles, writeExportMap,
  type ExportMap,
} from '../../evaluators/formats/index.js';
import { assertNoLinks, childPath, TOOL } from '../../evaluators/util/index.js';
import { isInside } from '../predict/sources.js';
import { exportNames } from './export-names.js';

export interface ExportOptions {
  bench: string;
  out: string;
  /** Replace the `svfr/` and `export-map.json` of a folder that is not empty. */
  force?: boolean;
}

export interface ExportSummary {
  outDir: string;
  /** `<out>/svfr`. */
  svfrDir: string;
  mapPath: string;
  map: ExportMap;
  persons: number;
}

/** Export the benchmark's input crops; InputError before anything is written for bad input. */
export function runExport(options: ExportOptions): ExportSummary {
  const bench = resolve(options.bench);
  const out = resolve(options.out);
  const manifest = readManifest(bench);
  const svfrDir = join(out, SVFR_FOLDER);
  if (isInside(out, bench)) throw new InputError(options.out, 'is inside the benchmark folder; export elsewhere (the benchmark must stay as its manifest lists it)');
  if (isInside(bench, svfrDir)) throw new InputError(options.out, `its ${SVFR_FOLDER}/ folder holds the benchmark; export elsewhere`);
  const items = exportNames(manifest, bench);
  const records = new Map(manifest.items.map((i) => [`${i.person}/${i.id}`, i]));
  const image = (person: string, item: string) => `${records.get(`${person}/${item}`)!.dir}/image.png`;
  verifyBenchmarkFiles(bench, manifest, items.map((e) => image(e.person, e.item)));
  if (existsSync(out)) {
    if (!statSync(out).isDirectory()) throw new InputError(options.out, 'is a file; give a folder to export into');
    if (readdirSync(out).length > 0 && !options.force) throw new InputError(options.out, `is not empty; choose an empty folder, or give --force to replace its ${SVFR_FOLDER}/ and ${EXPORT_MAP_FILE}`);
  }
  assertNoLinks(out);

  const map: ExportMap = {
    schema: EXPORT_MAP_SCHEMA,
    version: EXPORT_MAP_VERSION,
    tool: { ...TOOL },
    created: new Date().toISOString(),
    benchmark: bench,
    benchmark_id: benchmarkId(manifest),
    items,
  };
  const stage = join(out, `.${SVFR_FOLDER}.tmp-${process.pid}`);
  mkdirSync(stage, { recursive: true });
  try {
    for (const entry of items) {
      const dir = childPath(stage, [entry.svfr_person, entry.svfr_folder], 'exported name', EXPORT_MAP_FILE);
      mkdirSync(dir, { recursive: true });
      copyFileSync(join(bench, image(entry.person, entry.item)), join(dir, SVFR_IMAGE));
    }
    rmSync(join(out, EXPORT_MAP_FILE), { force: true });
    rmSync(svfrDir, { recursive: true, force: true });
    renameSync(stage, svfrDir);
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
  const mapPath = writeExportMap(out, map);
  return { outDir: out, svfrDir, mapPath, map, persons: new Set(items.map((i) => i.svfr_person)).size };
}
