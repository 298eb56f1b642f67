import { createHash } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { z } from 'zod';
import { InputError } from '../errors.js';
import { canonicalJson, isPlainName } from '../util/index.js';
import { sha256File } from '../io/index.js';
import { readJsonFile } from './json-file.js';
import { PlainNameSchema as plain } from './plain-name-schema.js';

export const MANIFEST_NAME = 'manifest.json';
export const MANIFEST_SCHEMA = 'facebench-benchmark';
export const MANIFEST_VERSION = 1;

const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/, 'expected a sha256 hex digest');
/** A '/'-separated path inside the benchmark made of plain names. */
const relPath = z.string().min(1).superRefine((path, ctx) => {
  const bad = path.split('/').find((part) => !isPlainName(part));
  if (bad !== undefined) ctx.addIssue({ code: 'custom', message: `${JSON.stringify(path.slice(0, 120))} is not a path inside the benchmark (component ${JSON.stringify(bad.slice(0, 40))} is not a plain name)` });
});

export const ItemSchema = z.object({
  id: plain,
  person: plain,
  sequence: plain,
  frame: z.number().int().nonnegative(),
  camera: plain,
  /**
   * Angle (degrees) between the direction from the head to the item camera and the head's
   * forward direction in that frame; absent in benchmarks built before it was recorded.
   */
  view_angle_deg: z.number().min(0).max(180).optional(),
  /** Position in the furthest-point-sampling order (0 = farthest from neutral). */
  rank: z.number().int().nonnegative(),
  /** Landmark distance (mm) to the nearest of neutral and the earlier picks when chosen. */
  distance: z.number().nonnegative(),
  dir: relPath,
  points: z.number().int().positive(),
});

export const PersonSchema = z.object({
  id: plain,
  neutral: z.object({ sequence: plain, frame: z.number().int().nonnegative(), dir: relPath, points: z.number().int().positive(), rule: z.string() }),
  items: z.array(plain),
});

export const ManifestSchema = z.object({
  schema: z.literal(MANIFEST_SCHEMA),
  version: z.literal(MANIFEST_VERSION),
  tool: z.object({ name: z.string(), version: z.string() }),
  created: z.string(),
  source: z.object({ capture: z.string(), unit: z.enum(['mm', 'cm', 'm']), demo: z.boolean() }),
  protocol: z.object({ name: z.string(), tasks: z.array(z.enum(['posed', 'neutral'])), unit: z.literal('mm') }),
  build: z.record(z.string(), z.unknown()),
  persons: z.array(PersonSchema),
  items: z.array(ItemSchema),
  files: z.record(relPath, sha256Hex),
});

export type Manifest = z.infer<typeof ManifestSchema>;
export type ItemRecord = z.infer<typeof ItemSchema>;
export type PersonRecord = z.infer<typeof PersonSchema>;

/**
 * The identity of a benchmark: sha256 of its content and protocol (schema, protocol,
 * persons, items and the sha256 of every file), not of when, where or by which tool version
 * it was built. The same content built twice, in two folders, or resumed, has one id;
 * results are comparable exactly when their benchmark ids are equal.
 */
export function benchmarkId(manifest: Manifest): string {
  const { schema, version, protocol, persons, items, files } = manifest;
  return createHash('sha256').update(canonicalJson({ schema, version, protocol, persons, items, files })).digest('hex');
}

/** Every file below `dir` as a '/'-separated path relative to `root` (hidden files skipped). */
export function listFiles(root: string, dir = root): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name.startsWith('.')) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...listFiles(root, path));
    else if (entry.isFile()) out.push(relative(root, path).split(sep).join('/'));
  }
  return out.sort();
}

/** Parse and schema-check a manifest; every problem is one line naming the field. */
export function readManifest(bench: string): Manifest {
  const path = join(bench, MANIFEST_NAME);
  if (!existsSync(path)) throw new InputError(path, 'file not found: not a built benchmark (build one with `facebench build`)');
  return readJsonFile(path, ManifestSchema, 'a benchmark manifest written by `facebench build`');
}

/**
 * The files of a benchmark that no longer match its manifest, one line each (`rel: missing`
 * or `rel: sha256 differs …`): all listed files, or only `rels`. `hash` may be a memoising
 * hasher shared with the caller (default: read and hash each file).
 */
export function changedFiles(bench: string, manifest: Manifest, rels: Iterable<string> = Object.keys(manifest.files), hash: (path: string) => string = sha256File): string[] {
  const problems: string[] = [];
  for (const rel of rels) {
    const digest = manifest.files[rel];
    const path = join(bench, rel);
    if (digest === undefined) problems.push(`${rel}: not listed in the manifest`);
    else if (!existsSync(path)) problems.push(`${rel}: missing`);
    else if (hash(path) !== digest) problems.push(`${rel}: sha256 differs from the manifest (file changed or corrupt)`);
  }
  return problems;
}

/**
 * Refuse a benchmark whose files (all, or `rels`) changed since it was built: an edited scan
 * must never be scored under the identity of the original. One line naming the files.
 */
export function verifyBenchmarkFiles(bench: string, manifest: Manifest, rels?: Iterable<string>, hash?: (path: string) => string): void {
  const problems = changedFiles(bench, manifest, rels, hash);
  if (problems.length === 0) return;
  const names = problems.map((p) => p.slice(0, p.indexOf(':')));
  throw new InputError(
    join(bench, MANIFEST_NAME),
    `${problems.length} file${problems.length > 1 ? 's' : ''} of the benchmark changed since it was built (${names.slice(0, 5).join(', ')}${names.length > 5 ? ', …' : ''}); restore them or rebuild the benchmark (\`facebench check\` lists every problem)`,
  );
}

export interface CheckReport {
  files: number;
  problems: string[];
}

/**
 * Verify a built benchmark against its manifest: schema, every listed file present with its
 * sha256, no unlisted files, every item's and person's files listed. Lists every problem.
 */
export function checkBenchmark(bench: string): CheckReport {
  const manifest = readManifest(bench);
  const listed = new Set(Object.keys(manifest.files));
  const problems = changedFiles(bench, manifest);
  for (const rel of listFiles(bench)) {
    if (rel !== MANIFEST_NAME && !listed.has(rel)) problems.push(`${rel}: not listed in the manifest`);
  }
  const needed = (dir: string, names: string[]) => names.forEach((n) => listed.has(`${dir}/${n}`) || problems.push(`${dir}/${n}: required but not listed`));
  for (const item of manifest.items) needed(item.dir, ['image.png', 'scan.ply', 'landmarks.json', 'meta.json']);
  for (const person of manifest.persons) {
    needed(person.neutral.dir, ['scan.ply', 'landmarks.json']);
    for (const id of person.items) if (!manifest.items.some((i) => i.id === id && i.person === person.id)) problems.push(`persons: ${person.id} lists unknown item ${id}`);
  }
  return { files: listed.size, problems };
}
