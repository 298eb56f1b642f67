import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { z } from 'zod';
import { InputError } from '../errors.js';
import { readJsonFile } from './json-file.js';

export const MANIFEST_NAME = 'manifest.json';
export const MANIFEST_SCHEMA = 'facebench-benchmark';
export const MANIFEST_VERSION = 1;

const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/, 'expected a sha256 hex digest');
const relPath = z.string().min(1).refine((p) => !p.startsWith('/') && !p.split('/').includes('..'), 'expected a path inside the benchmark');

export const ItemSchema = z.object({
  id: z.string().min(1),
  person: z.string().min(1),
  sequence: z.string().min(1),
  frame: z.number().int().nonnegative(),
  camera: z.string().min(1),
  /** Position in the furthest-point-sampling order (0 = farthest from neutral). */
  rank: z.number().int().nonnegative(),
  /** Landmark distance (mm) to the nearest of neutral and the earlier picks when chosen. */
  distance: z.number().nonnegative(),
  dir: relPath,
  points: z.number().int().positive(),
});

export const PersonSchema = z.object({
  id: z.string().min(1),
  neutral: z.object({ sequence: z.string(), frame: z.number().int().nonnegative(), dir: relPath, points: z.number().int().positive(), rule: z.string() }),
  items: z.array(z.string()),
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

export function sha256File(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
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
  const problems: string[] = [];
  const listed = new Set(Object.keys(manifest.files));
  for (const [rel, digest] of Object.entries(manifest.files)) {
    const path = join(bench, rel);
    if (!existsSync(path)) problems.push(`${rel}: missing`);
    else if (sha256File(path) !== digest) problems.push(`${rel}: sha256 differs from the manifest (file changed or corrupt)`);
  }
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
