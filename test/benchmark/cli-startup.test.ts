/**
 * `facebench --help` starts fast because the CLI defines its commands without loading them:
 * each action imports its command's module when it runs (benchmark/program.ts). Guarded here
 * without timing, by the list of modules the compiled CLI resolves: a hook registered with
 * `node --import` appends every resolved URL to a file, and `--help` (or a usage error) must
 * not reach onnxruntime, zod, tfjs, plotly, the worker pools or any command's code.
 * (`npm run bench` measures the time itself, against `node -e 0`.)
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { tempDir } from './cli-helpers.js';

const BIN = fileURLToPath(new URL('../../bin/facebench.js', import.meta.url));
const DIST = pathToFileURL(fileURLToPath(new URL('../../dist/', import.meta.url))).href;

/** The compiled modules `--help` may load: the definitions and the light helpers they use. */
const LIGHT_MODULES = [
  'benchmark/cli.js',
  'benchmark/program.js',
  'benchmark/options.js',
  'benchmark/commands/demo-methods.js',
  'benchmark/commands/task-option.js',
  'evaluators/errors.js',
  'evaluators/util/version.js',
  'evaluators/protocols/config.js',
  'evaluators/geometry/types.js',
];

/** Packages that must never load for `--help`: native runtimes, model code, schemas, pools, plotting. */
const HEAVY_PACKAGES = ['onnxruntime-node', 'onnxruntime-common', 'zod', '@tensorflow/tfjs-core', '@tensorflow/tfjs-backend-wasm', '@tensorflow/tfjs-converter', '@vladmandic/human', 'plotly.js-basic-dist-min', 'piscina', 'listr2', 'mathjs', 'csv-stringify', 'pngjs', 'jpeg-js', '@mediapipe/face_mesh'];

/** A `node --import` file that registers a resolve hook writing every resolved URL to `out`. */
function writeHook(dir: string, out: string): string {
  const hooks = join(dir, 'hooks.mjs');
  writeFileSync(hooks, [
    "import { appendFileSync } from 'node:fs';",
    'let out;',
    'export function initialize(data) { out = data.out; }',
    'export async function resolve(specifier, context, next) {',
    '  const result = await next(specifier, context);',
    "  appendFileSync(out, result.url + '\\n');",
    '  return result;',
    '}',
  ].join('\n'));
  const register = join(dir, 'register.mjs');
  writeFileSync(register, [
    "import { register } from 'node:module';",
    "import { createRequire } from 'node:module';",
    "import { appendFileSync, writeFileSync } from 'node:fs';",
    `const out = ${JSON.stringify(out)};`,
    "writeFileSync(out, '');",
    `register(${JSON.stringify(pathToFileURL(hooks).href)}, { data: { out } });`,
    // CommonJS modules loaded by require() inside packages bypass the ESM hook: list them at exit.
    "const cache = createRequire(import.meta.url).cache;",
    "process.on('exit', () => appendFileSync(out, Object.keys(cache).map((p) => 'file://' + p + '\\n').join('')));",
  ].join('\n'));
  return pathToFileURL(register).href;
}

interface Loaded { status: number | null; stdout: string; stderr: string; dist: string[]; packages: string[] }

/** Run the compiled CLI with the hook; the dist modules (relative) and packages it loaded. */
function loadedBy(args: string[]): Loaded {
  const dir = tempDir('startup');
  const out = join(dir, 'loaded.txt');
  const r = spawnSync(process.execPath, ['--import', writeHook(dir, out), BIN, ...args], { encoding: 'utf8', env: { ...process.env, FORCE_COLOR: '0', NODE_OPTIONS: '' } });
  const urls = [...new Set(readFileSync(out, 'utf8').split('\n').filter(Boolean))];
  const dist = urls.filter((u) => u.startsWith(DIST)).map((u) => u.slice(DIST.length)).sort();
  const packages = [...new Set(urls.flatMap((u) => {
    const m = /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(u);
    return m ? [m[1]] : [];
  }))].sort();
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, dist, packages };
}

describe('CLI start-up: --help loads no command code', () => {
  it.each([
    [['--help']],
    [['eval', '--help']],
    [['build', '--help']],
    [['report', '--help']],
    [['predict', '--help']],
    [['--version']],
  ])('facebench %j loads only commander and the light definitions', (args) => {
    const r = loadedBy(args);
    expect(r.status).toBe(0);
    expect(r.stdout.length).toBeGreaterThan(0);
    expect(r.dist).toContain('benchmark/program.js'); // the hook sees the CLI's modules
    expect(r.packages).toEqual(['commander']);
    expect(r.packages.filter((p) => HEAVY_PACKAGES.includes(p))).toEqual([]);
    expect(r.dist.filter((m) => !LIGHT_MODULES.includes(m))).toEqual([]);
  });

  it('a usage error is refused before any command code loads', () => {
    const r = loadedBy(['eval', '--bench', 'a', '--pred', 'b', '--out', 'c', '--protocol', 'nope']);
    expect(r.status).toBe(2);
    expect(r.packages).toEqual(['commander']);
    expect(r.dist.filter((m) => !LIGHT_MODULES.includes(m))).toEqual([]);
  });

  it('a command loads its own code when it runs (the hook sees dynamic imports and packages)', () => {
    const r = loadedBy(['check', '--bench', '/nonexistent/bench']);
    expect(r.status).toBe(1);
    expect(r.dist).toContain('benchmark/commands/build.js');
    expect(r.packages).toContain('zod');
  });

  it('score with a landmark protocol loads neither the benchmark formats nor their schemas; a FaceScape protocol does', () => {
    const missing = ['--pred', '/nonexistent/p.ply', '--gt', '/nonexistent/gt'];
    const landmark = loadedBy(['score', ...missing, '--gt-landmarks', '/nonexistent/lm.txt']);
    expect(landmark.status).toBe(1);
    expect(landmark.stderr).toContain('/nonexistent/');
    expect(landmark.dist).toContain('benchmark/commands/score.js');
    expect(landmark.dist).toContain('evaluators/protocols/score.js');
    expect(landmark.dist.filter((m) => m.startsWith('evaluators/formats/') || m.startsWith('evaluators/scoring/'))).toEqual([]);
    expect(landmark.packages).toEqual(['commander']);

    const facescape = loadedBy(['score', ...missing, '--protocol', 'facescape-wild', '--sample', '000']);
    expect(facescape.status).toBe(1);
    expect(facescape.dist).toContain('benchmark/commands/score-facescape.js');
    expect(facescape.dist).toContain('evaluators/formats/index.js');
    expect(facescape.packages).toContain('zod');
  });
});
