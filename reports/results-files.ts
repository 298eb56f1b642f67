/** Reading the results.json documents that `facebench eval` writes. */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { InputError } from '../evaluators/errors.js';
import type { ResultsDocument } from './results-store.js';

/** One results.json and where it was read from. */
export interface ResultsFile {
  path: string;
  doc: ResultsDocument;
}

function readResultsFile(path: string): ResultsDocument {
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new InputError(path, `not valid JSON (${(error as Error).message})`);
  }
  const d = doc as Partial<ResultsDocument> | null;
  if (!d || typeof d !== 'object') throw new InputError(path, 'not a results document (expected the results.json written by `facebench eval`)');
  for (const key of ['method', 'benchmark_manifest_sha256'] as const) {
    if (typeof d[key] !== 'string') throw new InputError(path, `field "${key}" missing: not a results.json written by \`facebench eval\``);
  }
  if (!d.summary || typeof d.summary !== 'object' || !Array.isArray(d.items) || !d.protocol || typeof d.protocol !== 'object') {
    throw new InputError(path, 'fields "summary", "items" or "protocol" missing: not a results.json written by `facebench eval`');
  }
  return d as ResultsDocument;
}

/**
 * Results of one or more methods: `dir` may be a results.json file, a method folder holding
 * one, or an eval output folder holding `<method>/results.json` (every such method is read).
 */
export function readResultsDir(dir: string): ResultsFile[] {
  const path = resolve(dir);
  if (!existsSync(path)) throw new InputError(path, 'not found: pass a folder written by `facebench eval --out`');
  if (statSync(path).isFile()) return [{ path, doc: readResultsFile(path) }];
  const direct = join(path, 'results.json');
  if (existsSync(direct)) return [{ path: direct, doc: readResultsFile(direct) }];
  const found = readdirSync(path, { withFileTypes: true })
    .filter((e) => e.isDirectory() && existsSync(join(path, e.name, 'results.json')))
    .map((e) => join(path, e.name, 'results.json'))
    .sort();
  if (found.length === 0) throw new InputError(path, 'no results.json here nor in its subfolders: pass a folder written by `facebench eval --out`');
  return found.map((p) => ({ path: p, doc: readResultsFile(p) }));
}

/** All results below the given folders (a results.json reached twice is read once). */
export function readResultsDirs(dirs: string[]): ResultsFile[] {
  const all = dirs.flatMap(readResultsDir);
  return all.filter((r, i) => all.findIndex((o) => o.path === r.path) === i);
}

