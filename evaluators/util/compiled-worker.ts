import { existsSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root, when this module runs from its TypeScript source (evaluators/util/). */
const SOURCE_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * The compiled worker-thread script `name` (e.g. `worker.js`) beside the module whose
 * `import.meta.url` is `moduleUrl`; when that module runs from its TypeScript source (under
 * vitest), the copy `npm run build` wrote under dist/. Undefined when neither exists.
 */
export function compiledWorker(moduleUrl: string, name: string): string | undefined {
  const beside = fileURLToPath(new URL(name, moduleUrl));
  if (existsSync(beside)) return beside;
  const dist = join(SOURCE_ROOT, 'dist', relative(SOURCE_ROOT, dirname(fileURLToPath(moduleUrl))), name);
  return existsSync(dist) ? dist : undefined;
}

/** {@link compiledWorker}, or an error naming `what` and saying to build first. */
export function requireCompiledWorker(moduleUrl: string, name: string, what: string): string {
  const file = compiledWorker(moduleUrl, name);
  if (!file) throw new Error(`the compiled ${what} is missing; run \`npm run build\` first`);
  return file;
}
