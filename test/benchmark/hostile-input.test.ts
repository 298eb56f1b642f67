/**
 * Hostile and careless input to the commands that write: names read from files never become
 * paths outside `--out`, a changed benchmark is never scored under its old identity, and
 * every refusal is one line naming the file, a non-zero exit and no output written.
 */
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runBuild } from '../../benchmark/construct/index.js';
import { runPredict } from '../../benchmark/predict/index.js';
import { registerBuiltinMethods } from '../../baselines/builtin.js';
import { DEMO_NEUTRAL, generateDemoCapture } from '../../data/index.js';
import { benchmarkId, readManifest, validatePredictions, type Manifest } from '../../evaluators/formats/index.js';
import { facebench, tempDir, type CliResult } from './cli-helpers.js';

/** A refusal: exit 1 and one stderr line, starting `facebench: <file>:` and matching `message`. */
function expectRefused(r: CliResult, file: string | RegExp, message: RegExp): void {
  expect(r.status, r.stderr).toBe(1);
  const lines = r.stderr.trim().split('\n');
  expect(lines, r.stderr).toHaveLength(1);
  const prefix = typeof file === 'string' ? `facebench: ${file}:` : undefined;
  if (prefix) expect(lines[0].startsWith(prefix), lines[0]).toBe(true);
  else expect(lines[0]).toMatch(file as RegExp);
  expect(lines[0]).toMatch(message);
}

describe('hostile and careless input', () => {
  const root = tempDir('hostile');
  const capture = join(root, 'capture');
  const bench = join(root, 'bench');
  const pred = join(root, 'pred');
  const buildOptions = {
    capture, unit: 'm' as const, expressions: 2, neutral: `${DEMO_NEUTRAL.sequence}/${DEMO_NEUTRAL.frame}`,
    imageSize: 64, visibilityToleranceMm: 2, progress: 'silent' as const,
  };
  /** A fresh folder `name` under root holding a copy of `from` (or nothing). */
  const copyOf = (from: string | undefined, name: string): string => {
    const dir = join(root, name);
    rmSync(dir, { recursive: true, force: true });
    if (from) cpSync(from, dir, { recursive: true });
    return dir;
  };
  const editManifest = (dir: string, edit: (m: Manifest) => unknown): void => {
    const path = join(dir, 'manifest.json');
    const m = JSON.parse(readFileSync(path, 'utf8')) as Manifest;
    edit(m);
    writeFileSync(path, JSON.stringify(m));
  };

  beforeAll(async () => {
    registerBuiltinMethods();
    generateDemoCapture(capture, { persons: 1, framesPerPerson: 21, cameras: 6, imageSize: [120, 160] });
    await runBuild({ ...buildOptions, out: bench });
    await runPredict({ bench, method: 'mean-shape', out: pred, progress: 'silent' });
  });

  describe('one benchmark identity', () => {
    it('is the same for the same content built in two folders, and for a resumed build', async () => {
      const other = copyOf(undefined, 'bench-elsewhere');
      await runBuild({ ...buildOptions, out: other });
      const a = readManifest(bench);
      const b = readManifest(other);
      expect(b.created).not.toBe(a.created);
      expect(benchmarkId(b)).toBe(benchmarkId(a));
      await runBuild({ ...buildOptions, out: bench }); // resumed: every person reused, manifest rewritten
      expect(benchmarkId(readManifest(bench))).toBe(benchmarkId(a));
      // Nothing in the benchmark's files names the folder it was built from.
      for (const rel of Object.keys(a.files).filter((f) => f.endsWith('.json'))) {
        expect(readFileSync(join(bench, rel), 'utf8'), rel).not.toContain(root);
      }
      // Results of the two copies are comparable: one benchmark id.
      const results = join(root, 'results-identity');
      expect(facebench(['eval', '--bench', bench, '--pred', pred, '--out', join(results, 'a'), '--quiet']).status).toBe(0);
      expect(facebench(['eval', '--bench', other, '--pred', pred, '--out', join(results, 'b'), '--method', 'mean-shape-2', '--quiet']).status).toBe(0);
      const id = (dir: string) => JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')).benchmark_id;
      expect(id(join(results, 'b', 'mean-shape-2'))).toBe(id(join(results, 'a', 'mean-shape')));
      expect(id(join(results, 'a', 'mean-shape'))).toBe(benchmarkId(a));
      const board = facebench(['leaderboard', '--results', join(results, 'a'), join(results, 'b'), '--out', join(results, 'board'), '--quiet']);
      expect(board.status, board.stderr).toBe(0);
    });

    it('results written before benchmark ids are refused with one line saying to re-run eval', () => {
      const old = copyOf(undefined, 'old-results');
      mkdirSync(join(old, 'm'), { recursive: true });
      writeFileSync(join(old, 'm', 'results.json'), JSON.stringify({ method: 'm', benchmark_manifest_sha256: 'a'.repeat(64), summary: {}, items: [], protocol: {} }));
      expectRefused(facebench(['leaderboard', '--results', old, '--out', join(old, 'board')]), join(old, 'm', 'results.json'), /earlier facebench.*re-run `facebench eval`/);
      expect(existsSync(join(old, 'board'))).toBe(false);
    });
  });

  describe('a changed benchmark is refused, naming the files', () => {
    it('eval, predict and validate', () => {
      const edited = copyOf(bench, 'bench-edited');
      const item = readManifest(edited).items[0];
      const scan = join(edited, item.dir, 'scan.ply');
      const bytes = readFileSync(scan);
      bytes[bytes.length - 5] ^= 0xff; // one coordinate changed
      writeFileSync(scan, bytes);
      const out = join(root, 'results-edited');
      expectRefused(facebench(['eval', '--bench', edited, '--pred', pred, '--out', out]), join(edited, 'manifest.json'), new RegExp(`changed since it was built \\(${item.dir}/scan\\.ply\\)`));
      expect(existsSync(out)).toBe(false);

      const image = join(edited, item.dir, 'image.png');
      writeFileSync(image, Buffer.concat([readFileSync(image), Buffer.from([0])]));
      const predOut = join(root, 'pred-edited');
      expectRefused(facebench(['predict', '--bench', edited, '--method', 'mean-shape', '--out', predOut]), join(edited, 'manifest.json'), /image\.png/);
      expect(existsSync(predOut)).toBe(false);

      const v = facebench(['validate', '--bench', edited, '--pred', pred]);
      expect(v.status).toBe(1);
      expect(v.stdout).toContain(`${item.dir}/scan.ply: sha256 differs from the manifest`);
      expect(v.stdout).toContain(`${item.dir}/image.png: sha256 differs from the manifest`);
      // A caller that verified the files itself (facebench serve, at start) skips the hashing: only the submission's problems remain.
      expect(validatePredictions(edited, pred).issues.filter((p) => p.category === 'changed benchmark')).toHaveLength(2);
      expect(validatePredictions(edited, pred, undefined, { benchmarkVerified: true }).problems).toEqual(validatePredictions(bench, pred).problems);
    });
  });

  describe('names read from files never become paths outside --out', () => {
    const hostileNames = ['../../escaped_method', '..', '.', '/tmp/absolute', 'a/b', 'back\\slash', 'nul\u0000byte', 'x'.repeat(200), '-leading-dash', ''];

    it.each(hostileNames.map((n) => [JSON.stringify(n).slice(0, 40), n]))('method.json name %s: eval and validate refuse it, nothing is written', (_label, name) => {
      const hostile = copyOf(pred, 'pred-hostile-name');
      writeFileSync(join(hostile, 'method.json'), JSON.stringify({ name, version: '1' }));
      const out = join(root, 'deep', 'er', 'results-hostile');
      const r = facebench(['eval', '--bench', bench, '--pred', hostile, '--out', out]);
      expectRefused(r, join(hostile, 'method.json'), /method name .* is (empty|not a plain name|\d+ characters long)/);
      expect(existsSync(join(root, 'deep'))).toBe(false);
      expect(existsSync(join(root, 'escaped_method'))).toBe(false);
      const v = facebench(['validate', '--bench', bench, '--pred', hostile]);
      expect(v.status).toBe(1);
      expect(v.stdout).toMatch(/method\.json: method name/);
    });

    it.each([['..'], ['../x'], ['/abs'], ['x'.repeat(129)]])('--method %s is refused before anything is written', (name) => {
      const out = join(root, 'results-method-flag');
      expectRefused(facebench(['eval', '--bench', bench, '--pred', pred, '--out', out, '--method', name]), '--method', /method name/);
      expect(existsSync(out)).toBe(false);
    });

    it.each([
      ['person id with ..', (m: Manifest) => { m.persons[0].id = '../../EVILP'; m.items.forEach((i) => (i.person = '../../EVILP')); }, /persons\.0\.id: "\.\.\/\.\.\/EVILP" is not a plain name/],
      ['item id with a separator', (m: Manifest) => { m.items[0].id = 'a/b'; }, /items\.0\.id: "a\/b" is not a plain name/],
      ['absolute item folder', (m: Manifest) => { m.items[0].dir = '/etc'; }, /items\.0\.dir: "\/etc" is not a path inside the benchmark/],
      ['item folder climbing out', (m: Manifest) => { m.items[0].dir = 'items/../../x'; }, /items\.0\.dir: .* is not a path inside the benchmark/],
      ['very long id', (m: Manifest) => { m.items[0].id = 'y'.repeat(300); }, /items\.0\.id: .* 300 characters long/],
    ])('manifest with a %s: check, predict and eval refuse it, nothing is written', (_label, edit, message) => {
      const hostile = copyOf(bench, 'bench-hostile-ids');
      editManifest(hostile, edit);
      const manifest = join(hostile, 'manifest.json');
      expectRefused(facebench(['check', '--bench', hostile]), manifest, message);
      const predOut = join(root, 'pred-hostile-ids');
      expectRefused(facebench(['predict', '--bench', hostile, '--method', 'mean-shape', '--out', predOut]), manifest, message);
      expect(existsSync(predOut)).toBe(false);
      const out = join(root, 'results-hostile-ids');
      expectRefused(facebench(['eval', '--bench', hostile, '--pred', pred, '--out', out]), manifest, message);
      expect(existsSync(out)).toBe(false);
      expect(existsSync(join(root, 'EVILP'))).toBe(false);
      expect(existsSync(join(dirname(root), 'EVILP'))).toBe(false);
    });

    it('a capture whose camera serial or sequence folder is no plain name is refused before the build writes', () => {
      const hostile = copyOf(capture, 'capture-hostile');
      const params = join(hostile, '001', 'camera_params.json');
      const doc = JSON.parse(readFileSync(params, 'utf8'));
      const [serial] = Object.keys(doc.world_2_cam);
      doc.world_2_cam['../../evil'] = doc.world_2_cam[serial];
      writeFileSync(params, JSON.stringify(doc));
      const out = join(root, 'bench-hostile-capture');
      expectRefused(facebench(['build', '--capture', hostile, '--out', out, '--expressions', '2']), params, /camera serial "\.\.\/\.\.\/evil" is not a plain name/);
      expect(existsSync(out)).toBe(false);

      const spaced = copyOf(capture, 'capture-hostile-sequence');
      const sequences = join(spaced, '001', 'sequences');
      const [first] = readdirSync(sequences);
      cpSync(join(sequences, first), join(sequences, 'EXP 9 spaced'), { recursive: true });
      expectRefused(facebench(['build', '--capture', spaced, '--out', out, '--expressions', '2']), sequences, /sequence folder "EXP 9 spaced" is not a plain name/);
      expect(existsSync(out)).toBe(false);
    });
  });

  describe('symbolic links pointing out of the tree', () => {
    it('eval refuses a results folder that is a link elsewhere; the target stays untouched', () => {
      const outside = copyOf(undefined, 'outside-target');
      mkdirSync(outside);
      const out = copyOf(undefined, 'results-linked');
      mkdirSync(out);
      symlinkSync(outside, join(out, 'mean-shape'));
      expectRefused(facebench(['eval', '--bench', bench, '--pred', pred, '--out', out]), join(out, 'mean-shape'), /symbolic link inside the output folder/);
      expect(readdirSync(outside)).toEqual([]);
    });

    it('predict and build refuse an output tree holding a link', () => {
      const outside = copyOf(undefined, 'outside-target-2');
      mkdirSync(outside);
      const predOut = copyOf(undefined, 'pred-linked');
      mkdirSync(predOut);
      symlinkSync(outside, join(predOut, readManifest(bench).items[0].person));
      expectRefused(facebench(['predict', '--bench', bench, '--method', 'mean-shape', '--out', predOut]), new RegExp(`^facebench: ${predOut}/\\d+: is a symbolic link`), /symbolic link/);
      const benchOut = copyOf(undefined, 'bench-linked');
      mkdirSync(join(benchOut, 'persons'), { recursive: true });
      symlinkSync(outside, join(benchOut, 'persons', '001'));
      expectRefused(facebench(['build', '--capture', capture, '--out', benchOut, '--expressions', '2']), join(benchOut, 'persons', '001'), /symbolic link/);
      expect(readdirSync(outside)).toEqual([]);
    });

    it('validate lists a link in a submission as a problem', () => {
      const linked = copyOf(pred, 'pred-with-link');
      const item = readManifest(bench).items[0];
      const mesh = join(linked, item.person, item.id, 'mesh_posed.ply');
      rmSync(mesh);
      symlinkSync('/etc/hostname', mesh);
      const v = facebench(['validate', '--bench', bench, '--pred', linked]);
      expect(v.status).toBe(1);
      expect(v.stdout).toContain(`${item.person}/${item.id}/mesh_posed.ply: a symbolic link`);
    });
  });

  describe('arguments are checked before any work', () => {
    it('build --neutral naming a missing frame leaves no output folder', () => {
      const out = join(root, 'bench-bad-neutral');
      expectRefused(facebench(['build', '--capture', capture, '--out', out, '--neutral', 'FOO/00001']), join(capture, '001'), /has no frame FOO\/frame_00001 \(given by --neutral\)/);
      expect(existsSync(out)).toBe(false);
    });

    it('build --item-cameras naming an unknown camera leaves no output folder', () => {
      const out = join(root, 'bench-bad-camera');
      expectRefused(facebench(['build', '--capture', capture, '--out', out, '--item-cameras', '999']), join(capture, '001', 'camera_params.json'), /has no camera 999/);
      expect(existsSync(out)).toBe(false);
    });

    it('run --methods with an unknown method is refused at once, writing nothing', () => {
      const out = join(root, 'run-unknown');
      expectRefused(facebench(['run', '--out', out, '--methods', 'mean-shape', 'nope']), '--method', /unknown method "nope"/);
      expect(existsSync(out)).toBe(false);
    });

    it('an output path through a file is one line naming it, not a stack trace', () => {
      const file = join(root, 'a-file');
      writeFileSync(file, 'x');
      const r = facebench(['eval', '--bench', bench, '--pred', pred, '--out', join(file, 'results'), '--quiet']);
      expectRefused(r, /^facebench: .*a-file\/results/, /a part of this path is a file, not a folder.*ENOTDIR/);
      expect(readFileSync(file, 'utf8')).toBe('x');
    });
  });
});
