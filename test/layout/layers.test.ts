/**
 * The layering of the code folders (README "Layout"): imports run one way, from the CLI down
 * to `evaluators/`. Read from the sources' import statements, so a back-import fails here.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Who may import whom, lowest first (a folder may always import itself). */
const ALLOWED: Record<string, readonly string[]> = {
  evaluators: [],
  data: ['evaluators'],
  baselines: ['evaluators', 'data'],
  reports: ['evaluators'],
  benchmark: ['evaluators', 'data', 'baselines', 'reports'],
  bench: ['evaluators', 'data', 'baselines', 'reports', 'benchmark'],
};

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(path);
    return e.isFile() && e.name.endsWith('.ts') ? [path] : [];
  });
}

/** Relative module specifiers of a source file: static and dynamic imports and re-exports. */
export function importSpecifiers(source: string): string[] {
  const out: string[] = [];
  const pattern = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)['"](\.{1,2}\/[^'"]+)['"]/g;
  for (let m = pattern.exec(source); m; m = pattern.exec(source)) out.push(m[1]);
  return out;
}

/** Folder-level edges `from → to` with one example file each. */
function folderEdges(): Map<string, string> {
  const edges = new Map<string, string>();
  for (const folder of Object.keys(ALLOWED)) {
    for (const file of sourceFiles(join(ROOT, folder))) {
      for (const spec of importSpecifiers(readFileSync(file, 'utf8'))) {
        const target = relative(ROOT, resolve(dirname(file), spec)).split(sep);
        const to = target[0];
        if (to !== folder) edges.set(`${folder} → ${to}`, `${relative(ROOT, file)} imports ${spec}`);
      }
    }
  }
  return edges;
}

describe('folder layering', () => {
  it('finds imports of every form', () => {
    expect(importSpecifiers(`import { a } from '../x/a.js';\nexport * from "./b.js";\nconst m = await import('../c/d.js');\nimport '../side.js';`))
      .toEqual(['../x/a.js', './b.js', '../c/d.js', '../side.js']);
  });

  it('imports run one way: every folder-to-folder import is an allowed one', () => {
    const edges = folderEdges();
    expect(edges.size).toBeGreaterThan(5); // the scan sees the code
    const bad = [...edges].filter(([edge]) => {
      const [from, to] = edge.split(' → ');
      return !ALLOWED[from].includes(to);
    });
    expect(bad.map(([edge, example]) => `${edge} (${example})`)).toEqual([]);
  });

  it('the allowed imports form no cycle, and evaluators/ imports nothing outside itself', () => {
    expect(ALLOWED.evaluators).toEqual([]);
    const state = new Map<string, 'open' | 'done'>();
    const visit = (folder: string, path: string[]): void => {
      if (state.get(folder) === 'done') return;
      if (state.get(folder) === 'open') throw new Error(`cycle: ${[...path, folder].join(' → ')}`);
      state.set(folder, 'open');
      for (const next of ALLOWED[folder]) visit(next, [...path, folder]);
      state.set(folder, 'done');
    };
    for (const folder of Object.keys(ALLOWED)) visit(folder, []);
  });

  it('nothing reads a file outside the repository by a relative path', () => {
    const escaping = Object.keys(ALLOWED)
      .concat('test')
      .flatMap((folder) => sourceFiles(join(ROOT, folder)))
      .filter((file) => /['"`](\.\.\/)+shared\//.test(readFileSync(file, 'utf8')))
      .map((file) => relative(ROOT, file));
    expect(escaping).toEqual([]);
  });
});
