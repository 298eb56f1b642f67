/**
 * A digest of facebench's own code, for resume keys: a result stored by one version of the
 * code is reused only by the same code, so editing a metric (or a method, or the builder)
 * and running again recomputes instead of returning stale numbers. The package version
 * alone would not see an edit.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { extname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The folder holding the top-level code folders: the repository (sources) or dist/ (compiled). */
const CODE_ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** The kind of file this module runs from: `.js` compiled, `.ts` under a TypeScript runner. */
const CODE_EXT = extname(fileURLToPath(import.meta.url));

const memo = new Map<string, string>();

function codeFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...codeFiles(path));
    else if (entry.isFile() && entry.name.endsWith(CODE_EXT) && !entry.name.endsWith(`.d${CODE_EXT}`)) out.push(path);
  }
  return out;
}

/**
 * sha256 over the path and bytes of every code file below the given folders of the package
 * (e.g. `['evaluators']`, `['benchmark/construct', 'data', 'evaluators']`), computed once per
 * process and folder list.
 */
export function codeDigest(folders: readonly string[]): string {
  const id = folders.join('\n');
  let digest = memo.get(id);
  if (digest === undefined) {
    const hash = createHash('sha256');
    const files = [...new Set(folders.flatMap((f) => codeFiles(join(CODE_ROOT, f))))].sort();
    for (const file of files) {
      hash.update(relative(CODE_ROOT, file).split(sep).join('/')).update('\0').update(readFileSync(file)).update('\0');
    }
    digest = hash.digest('hex');
    memo.set(id, digest);
  }
  return digest;
}
