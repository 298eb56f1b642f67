/**
 * A submission as a flat list of entries, whether it is a predictions folder or a submission
 * zip (docs/formats.md#submission-zip), so that one checker (submission-check.ts), `pack` and
 * the `submission` importer read both the same way. Paths are `/`-separated and relative to
 * the submission's root. A folder is walked without following symbolic links (a link is an
 * entry of its own, never read); a zip is read through the safe reader of evaluators/io/zip.ts,
 * and its folder entries are dropped (the benchmark server ignores them).
 */
import { closeSync, openSync, readdirSync, readSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { InputError } from '../errors.js';
import { readInputFile } from '../io/files.js';
import { looksLikeZip, openZip, type ZipLimits } from '../io/zip.js';

export interface SubmissionEntry {
  /** Path relative to the submission's root, `/`-separated, without a trailing `/`. */
  path: string;
  /** `folder` only for empty folders of a predictions folder; `link` and `special` are never read. */
  kind: 'file' | 'folder' | 'link' | 'special';
  /** Where the entry is, for error messages: a file path, or `<zip>:<path>`. */
  location: string;
  /** The bytes of a file entry. */
  read(): Uint8Array;
}

export interface SubmissionSource {
  /** The folder or zip as given. */
  location: string;
  kind: 'folder' | 'zip';
  entries: readonly SubmissionEntry[];
  /** The entry at `path`, if any. */
  get(path: string): SubmissionEntry | undefined;
}

function source(location: string, kind: SubmissionSource['kind'], entries: SubmissionEntry[]): SubmissionSource {
  const byPath = new Map(entries.map((e) => [e.path, e]));
  return { location, kind, entries, get: (path) => byPath.get(path) };
}

const notReadable = (location: string) => (): never => {
  throw new InputError(location, 'is not a regular file');
};

/** Every file, link and empty folder below `root`, sorted by path. */
export function folderSubmission(root: string): SubmissionSource {
  const entries: SubmissionEntry[] = [];
  const walk = (dir: string, prefix: string): void => {
    const children = readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    if (children.length === 0 && prefix !== '') {
      entries.push({ path: prefix.slice(0, -1), kind: 'folder', location: dir, read: notReadable(dir) });
    }
    for (const child of children) {
      const location = join(dir, child.name);
      const path = `${prefix}${child.name}`;
      if (child.isSymbolicLink()) entries.push({ path, kind: 'link', location, read: notReadable(location) });
      else if (child.isDirectory()) walk(location, `${path}/`);
      else if (child.isFile()) entries.push({ path, kind: 'file', location, read: () => readInputFile(location) });
      else entries.push({ path, kind: 'special', location, read: notReadable(location) });
    }
  };
  walk(resolve(root), '');
  return source(root, 'folder', entries);
}

/** The file entries of a submission zip (folder entries dropped), read on demand and checked. */
export function zipSubmission(path: string, limits: ZipLimits = {}): SubmissionSource {
  const archive = openZip(readInputFile(path), path, { ...limits, hint: 'a submission is a zip archive of <pid>/<item>/ folders' });
  const entries: SubmissionEntry[] = archive.entries
    .filter((e) => !e.directory)
    .map((e) => ({ path: e.name, kind: 'file' as const, location: `${path}:${e.name}`, read: () => archive.read(e) }));
  return source(path, 'zip', entries);
}

function firstBytes(path: string, n: number): Uint8Array {
  const fd = openSync(path, 'r');
  try {
    const out = new Uint8Array(n);
    return out.subarray(0, readSync(fd, out, 0, n, 0));
  } finally {
    closeSync(fd);
  }
}

/** Whether `pred` is a predictions folder, a zip, or missing (anything else is refused). */
export function submissionKind(pred: string): 'folder' | 'zip' | 'missing' {
  let stat;
  try {
    stat = statSync(pred);
  } catch {
    return 'missing';
  }
  if (stat.isDirectory()) return 'folder';
  if (stat.isFile() && looksLikeZip(firstBytes(pred, 4))) return 'zip';
  throw new InputError(pred, 'is neither a predictions folder nor a zip archive (a submission zip starts with "PK")');
}

/** A predictions folder or a submission zip. */
export function openSubmission(pred: string, limits: ZipLimits = {}): SubmissionSource {
  const kind = submissionKind(pred);
  if (kind === 'missing') throw new InputError(pred, 'predictions folder or submission zip not found');
  return kind === 'folder' ? folderSubmission(pred) : zipSubmission(pred, limits);
}
