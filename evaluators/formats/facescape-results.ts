/**
 * FaceScape's own per-sample result files (zhuhao-nju/facescape, `benchmark/eval_result/`):
 * one folder `<fswild|fslab>_<method>/` per evaluated method and dataset, holding
 * `CD_full.txt`, `MNE_full.txt` and `CR_full.txt` as written by its `evaluator.py`
 * (`np.savetxt`: one value per line, `nan` for a sample without a result). In-the-wild has
 * 400 samples, in-the-lab 660 (20 subjects × 3 focal lengths × 11 views, index
 * `subject·33 + focal·11 + view`). docs/formats.md "FaceScape per-sample results".
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { InputError, fileSystemInputError } from '../errors.js';
import type { FacescapeSet } from '../protocols/facescape-view.js';
import { childPath, plainNameProblem } from '../util/safe-name.js';

export const FACESCAPE_DATASETS: readonly FacescapeSet[] = ['fswild', 'fslab'];
export type FacescapeDataset = FacescapeSet;
export const FACESCAPE_METRICS = ['CD', 'MNE', 'CR'] as const;
export type FacescapeMetric = (typeof FACESCAPE_METRICS)[number];
/** Samples per file: in-the-wild 400; in-the-lab 20 subjects × 3 focal lengths × 11 views. */
export const FACESCAPE_SAMPLES: Record<FacescapeDataset, number> = { fswild: 400, fslab: 660 };

/** One `<dataset>_<method>` folder: per metric the per-sample values in file order (NaN = failed). */
export interface FacescapeMethodResults {
  dataset: FacescapeDataset;
  method: string;
  folder: string;
  values: Record<FacescapeMetric, Float64Array>;
  /** Samples in the files: the set's size, or fewer for an in-the-wild folder (the first ones). */
  samples: number;
}

export interface FacescapeResultsFolder {
  /** The folder the `<dataset>_<method>` folders were read from (DIR or DIR/eval_result). */
  root: string;
  results: FacescapeMethodResults[];
  /** Entries of the folder that are not `<fswild|fslab>_<method>` folders, with the reason. */
  ignored: { name: string; reason: string }[];
}

const FOLDER = /^(fswild|fslab)_(.+)$/;

function listEntries(dir: string) {
  try {
    return readdirSync(dir, { withFileTypes: true });
  } catch (e) {
    throw fileSystemInputError(e) ?? e;
  }
}

/**
 * Read a FaceScape `eval_result` folder (DIR itself, or DIR/eval_result). Every
 * `<fswild|fslab>_<method>` folder must hold the three metric files with one value per sample;
 * other entries (FaceScape's exported `table_*.csv`, unknown folders) are listed in `ignored`.
 */
export function readFacescapeResults(dir: string): FacescapeResultsFolder {
  if (!existsSync(dir)) throw new InputError(dir, 'no such file or folder (give FaceScape\'s benchmark/eval_result folder or its parent)');
  if (!statSync(dir).isDirectory()) throw new InputError(dir, 'is a file; give FaceScape\'s benchmark/eval_result folder or its parent');
  const hasMethodFolders = (d: string) => listEntries(d).some((e) => e.isDirectory() && FOLDER.test(e.name));
  const nested = join(dir, 'eval_result');
  const root = !hasMethodFolders(dir) && existsSync(nested) && statSync(nested).isDirectory() ? nested : dir;
  const results: FacescapeMethodResults[] = [];
  const ignored: { name: string; reason: string }[] = [];
  for (const entry of listEntries(root).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const m = FOLDER.exec(entry.name);
    if (!entry.isDirectory()) {
      ignored.push({ name: entry.name, reason: entry.isSymbolicLink() ? 'a symbolic link, not read' : 'not a folder' });
      continue;
    }
    if (!m) {
      ignored.push({ name: entry.name, reason: 'not a fswild_<method> or fslab_<method> folder' });
      continue;
    }
    const problem = plainNameProblem(entry.name);
    if (problem !== undefined) {
      ignored.push({ name: entry.name, reason: `folder name ${problem}` });
      continue;
    }
    const dataset = m[1] as FacescapeDataset;
    const folder = childPath(root, [entry.name], 'FaceScape result folder', root);
    const values = {} as Record<FacescapeMetric, Float64Array>;
    // FaceScape's scripts slice in-the-wild files by position ([0:100] … [300:]), so they
    // take a file with fewer lines (its current fswild_DF2Net files hold 374); in-the-lab
    // they index by sample and need all 660.
    const fewer = dataset === 'fswild';
    for (const metric of FACESCAPE_METRICS) values[metric] = readMetricFile(join(folder, `${metric}_full.txt`), FACESCAPE_SAMPLES[dataset], dataset, fewer);
    const samples = values.CD.length;
    for (const metric of FACESCAPE_METRICS) {
      if (values[metric].length !== samples) throw new InputError(join(folder, `${metric}_full.txt`), `has ${values[metric].length} values but CD_full.txt has ${samples}: the three files hold one value per sample each`);
    }
    results.push({ dataset, method: m[2], folder, values, samples });
  }
  if (results.length === 0) {
    throw new InputError(root, `no fswild_<method> or fslab_<method> folders (FaceScape's benchmark/eval_result layout)${ignored.length ? `; ignored: ${ignored.map((i) => i.name).join(', ')}` : ''}`);
  }
  return { root, results, ignored };
}

/**
 * One `<metric>_full.txt`: `expected` lines (with `fewer`, 1 to `expected`), each one number or
 * `nan` (blank lines and `#` comments skipped, as np.loadtxt does).
 */
export function readMetricFile(path: string, expected: number, dataset: string, fewer = false): Float64Array {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    const fs = fileSystemInputError(e);
    if (fs && (e as { code?: string }).code === 'ENOENT') throw new InputError(path, 'file not found (each FaceScape result folder holds CD_full.txt, MNE_full.txt and CR_full.txt)');
    throw fs ?? e;
  }
  const out: number[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].replace(/#.*$/, '').trim();
    if (line === '') continue;
    const value = parseValue(line);
    if (value === undefined) throw new InputError(path, `line ${i + 1}: ${JSON.stringify(line.slice(0, 40))} is not a number or nan (one value per line)`);
    out.push(value);
  }
  if (fewer ? out.length === 0 || out.length > expected : out.length !== expected) {
    throw new InputError(path, `has ${out.length} values, expected ${fewer ? `1 to ${expected}` : expected} (${dataset}: one per sample)`);
  }
  return Float64Array.from(out);
}

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

function parseValue(token: string): number | undefined {
  if (/^[+-]?nan$/i.test(token)) return Number.NaN;
  if (!NUMBER.test(token)) return undefined;
  const v = Number(token);
  return Number.isFinite(v) ? v : undefined;
}
