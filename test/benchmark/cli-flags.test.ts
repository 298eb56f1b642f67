/** One meaning per flag across the commands, and the documented exit codes (0, 1 bad input, 2 usage). */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeLandmarksJson, writePly } from '../../evaluators/io/index.js';
import { ictFace, ictFaceRegion, ictSevenLandmarks, sampleSurface } from '../helpers/faces.js';
import { rng } from '../helpers/random.js';
import { facebench, tempDir } from './cli-helpers.js';

const PIPELINE_ORDER = ['run', 'build', 'check', 'export-images', 'methods', 'predict', 'validate', 'pack', 'eval', 'eval-normals', 'score', 'report', 'leaderboard', 'compare', 'ablate', 'tables', 'serve', 'worker'];

describe('facebench command line', () => {
  it('--help lists the commands in pipeline order', () => {
    const r = facebench(['--help']);
    expect(r.status).toBe(0);
    const listed = [...r.stdout.matchAll(/^ {2}([a-z][\w-]*)/gm)].map((m) => m[1]).filter((c) => c !== 'help');
    expect(listed).toEqual(PIPELINE_ORDER);
  });

  it('every command has --quiet; --workers, --force and --json where they apply', () => {
    for (const command of PIPELINE_ORDER) {
      const help = facebench([command, '--help']).stdout;
      expect(help, command).toMatch(/--quiet +print only errors/);
    }
    for (const command of ['run', 'predict', 'eval']) expect(facebench([command, '--help']).stdout).toMatch(/--workers <n> +worker threads \(default and maximum: the cores/);
    for (const command of ['run', 'build', 'export-images', 'predict', 'eval']) expect(facebench([command, '--help']).stdout).toMatch(/--force/);
    for (const command of ['check', 'methods', 'validate', 'score']) expect(facebench([command, '--help']).stdout).toMatch(/--json +print the result as JSON on stdout/);
  });

  it.each([
    [['report', '--results', 'x', '--out', 'r.html', '--worst', '-1'], /--worst.*whole number ≥ 0/],
    [['compare', '--base', 'a', '--variant', 'b', '--seed', 'abc'], /--seed.*whole number/],
    [['compare', '--base', 'a', '--variant', 'b', '--resamples', '2.5'], /--resamples.*whole number ≥ 1/],
    [['eval', '--bench', 'a', '--pred', 'b', '--out', 'c', '--workers', '0'], /--workers.*whole number ≥ 1/],
    [['build', '--demo', '--out', 'x', '--expressions', '1e3'], /--expressions.*whole number ≥ 1/],
    [['eval', '--bench', 'a', '--pred', 'b', '--out', 'c', '--protocol', 'nope'], /--protocol.*expected one of/],
    [['pack', '--pred', 'a', '--out', 'b.zip', '--task', 'all'], /--task.*expected posed, neutral or both/],
    [['validate', '--pred', 'a.zip'], /give --bench <dir> \(a built benchmark\) or --images <dir>/],
    [['predict', '--method', 'mean-shape', '--out', 'x'], /give --bench <dir> .* or --images <dir>/],
    [['predict', '--bench', 'a', '--images', 'b', '--method', 'mean-shape', '--out', 'x'], /'--bench <dir>' cannot be used with option '--images <dir>'/],
    [['nonsense'], /unknown command/],
    [['score', '--pred', 'a', '--gt', 'b', '--gt-landmarks', 'c', '--bogus'], /unknown option/],
  ])('usage error %j: one message, exit 2, nothing run', (args, message) => {
    const cwd = tempDir('usage');
    const r = facebench(args as string[], cwd);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stdout).toBe('');
  });

  it('bad input exits 1 with one line naming the file', () => {
    const r = facebench(['check', '--bench', '/nonexistent/bench']);
    expect(r.status).toBe(1);
    expect(r.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^facebench: \/nonexistent\/bench\/manifest\.json: file not found/)]);
  });

  it('--workers above the cores is capped, and says so', () => {
    const r = facebench(['eval', '--bench', '/nonexistent/bench', '--pred', '/nonexistent/pred', '--out', tempDir('cap'), '--workers', '100000']);
    expect(r.stderr).toMatch(/--workers 100000 capped at \d+, the cores of this machine/);
  });

  describe('score: --json prints the document, --out writes it, --quiet prints nothing', () => {
    const dir = tempDir('flags');
    const { mesh } = ictFace();
    const gt = sampleSurface(mesh, 2000, rng(5), ictFaceRegion);
    const files = { pred: join(dir, 'pred.ply'), gt: join(dir, 'gt.ply'), lm: join(dir, 'lm.json'), out: join(dir, 'score.json') };
    writePly(files.pred, mesh, { format: 'binary_little_endian' });
    writePly(files.gt, { positions: gt.positions, normals: gt.normals, faces: new Uint32Array(0) }, { format: 'binary_little_endian' });
    writeLandmarksJson(files.lm, ictSevenLandmarks());
    const base = ['score', '--pred', files.pred, '--gt', files.gt, '--gt-landmarks', files.lm, '--pred-landmarks', files.lm];

    it('the three agree', () => {
      const json = facebench([...base, '--json']);
      expect(json.status).toBe(0);
      const printed = JSON.parse(json.stdout);
      expect(printed.metrics.l2).toBeLessThan(1e-4);
      const quiet = facebench([...base, '--quiet', '--out', files.out]);
      expect(quiet.status).toBe(0);
      expect(quiet.stdout).toBe('');
      const written = JSON.parse(readFileSync(files.out, 'utf8'));
      expect(written.metrics).toEqual(printed.metrics);
      const text = facebench(base);
      expect(text.stdout).toMatch(/l2 +0\.0000/);
    });
  });

  it('methods --json prints the registry as JSON; --quiet prints nothing', () => {
    const json = JSON.parse(facebench(['methods', '--json']).stdout) as { name: string }[];
    expect(json.map((m) => m.name)).toEqual(expect.arrayContaining(['mean-shape', 'oracle', 'landmark-fit']));
    const quiet = facebench(['methods', '--quiet']);
    expect(quiet.status).toBe(0);
    expect(quiet.stdout).toBe('');
  });
});
