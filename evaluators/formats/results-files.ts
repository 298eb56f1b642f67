/** Reading the results.json documents that `facebench eval` writes. */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { InputError } from '../errors.js';
import { z } from 'zod';
import { checkJsonDocument, readJsonFile } from './json-file.js';
import { ResultsDocumentSchema, type ResultsDocument } from './results.js';

/** One results.json and where it was read from. */
export interface ResultsFile {
  path: string;
  doc: ResultsDocument;
}

/** Read and schema-check one results.json. */
export function readResultsFile(path: string): ResultsDocument {
  const doc = readJsonFile(path, z.unknown(), 'JSON');
  if (doc && typeof doc === 'object' && !('benchmark_id' in doc) && 'benchmark_manifest_sha256' in doc) {
    throw new InputError(path, 'was written by an earlier facebench, which identified benchmarks by their manifest file; re-run `facebench eval` on it to compare it with other results');
  }
  return checkJsonDocument(path, doc, ResultsDocumentSchema, 'a results.json written by `facebench eval`');
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

