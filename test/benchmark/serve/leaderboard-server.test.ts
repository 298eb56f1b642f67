/**
 * The self-hosted leaderboard on loopback: `facebench serve` (in this process) with a private
 * redis-server, `facebench worker` processes, submissions over HTTP. Valid submissions end
 * `done` with exactly the figures `facebench eval` gives on the same predictions; invalid ones
 * are refused with their problems; a worker killed with SIGKILL mid-job and a server restarted
 * with jobs queued lose nothing and count nothing twice.
 */
import { readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { existsSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runEval } from '../../../benchmark/eval/run-eval.js';
import { addToken, hasRedisServer, startPrivateRedis, startServer, type PrivateRedis, type RunningServer } from '../../../benchmark/serve/index.js';
import { readManifest, type Manifest } from '../../../evaluators/formats/index.js';
import { encodeNpy } from '../../../evaluators/io/npy.js';
import { encodePly } from '../../../evaluators/io/ply.js';
import { readMesh } from '../../../evaluators/io/index.js';
import { encodeZip } from '../../../evaluators/io/zip.js';
import { protocolDefaults } from '../../../evaluators/protocols/index.js';
import { tempDir } from '../cli-helpers.js';
import { getJson, markSymlink, packed, renameInZip, smallBenchmark, spawnWorker, stopWorker, upload, waitFor, type WorkerProcess } from './helpers.js';

const noRedis = !hasRedisServer();
const CHROMIUM = '/usr/bin/chromium';
const noChromium = !existsSync(CHROMIUM);
const reason = 'redis-server is not installed (Debian package `redis-server`; .ci/run installs it as root)';

/** Every file of a predictions folder as zip entries, after `edit` (add, replace or delete entries). */
function zipFolder(dir: string, edit: (files: Map<string, Uint8Array>) => void = () => {}): Uint8Array {
  const files = new Map<string, Uint8Array>();
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const path = join(d, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (!name.startsWith('.') && name !== 'method.json') files.set(relative(dir, path).split('\\').join('/'), readFileSync(path));
    }
  };
  walk(dir);
  edit(files);
  return encodeZip([...files].sort(([a], [b]) => a.localeCompare(b)).map(([name, data]) => ({ name, data })));
}

async function evalFigures(bench: string, pred: string, out: string): Promise<Record<string, unknown>> {
  const { document } = await runEval({ bench, pred, out, config: protocolDefaults('nersemble'), workers: 1, progress: 'silent' });
  return Object.fromEntries(Object.entries(document.summary).map(([task, s]) => [task, { items: s.items, scored: s.scored, failed: s.failed, metrics: s.metrics }]));
}

describe.skipIf(noRedis)(`facebench serve and worker on loopback${noRedis ? ` (skipped: ${reason})` : ''}`, () => {
  const root = tempDir('serve');
  const data = join(root, 'data');
  let bench: string;
  let manifest: Manifest;
  let redis: PrivateRedis;
  let server: RunningServer;
  let token: string;
  let meshVertices: number;
  const workers: WorkerProcess[] = [];
  const valid: { name: string; pred: string; zip: Uint8Array }[] = [];
  const serverOptions = () => ({ bench, data, port: 0, redis: redis.url, limits: { maxVertices: meshVertices, maxUnpackedBytes: 20 * 1024 ** 2 } });

  beforeAll(async () => {
    bench = await smallBenchmark(root);
    manifest = readManifest(bench);
    valid.push({ name: 'mean-shape', ...(await packed(bench, root, 'mean-shape', 'mean-shape')) });
    for (let k = 1; k <= 6; k++) valid.push({ name: `oracle ${k}`, ...(await packed(bench, root, `oracle-${k}`, 'oracle', { noise: 0.05 * k, seed: k })) });
    const first = manifest.items[0];
    meshVertices = readMesh(join(valid[0].pred, first.person, first.id, 'mesh_posed.ply')).positions.length / 3;
    redis = await startPrivateRedis(join(root, 'redis'));
    token = addToken(data, 'alice');
    server = await startServer(serverOptions());
  }, 300_000);

  afterAll(async () => {
    await Promise.all(workers.map(stopWorker));
    await server?.close();
    await redis?.stop();
    rmSync(root, { recursive: true, force: true });
  });

  it('twenty submissions, three workers: every valid one done with the figures of facebench eval, every invalid one refused with its problems', async () => {
    const first = manifest.items[0];
    const base = `${first.person}/${first.id}`;
    const pred = valid[1].pred;
    // Refused without a token, before anything is read.
    expect((await upload(server.url, undefined, 'x', valid[0].zip)).status).toBe(401);
    expect((await upload(server.url, 'not-a-token', 'x', valid[0].zip)).status).toBe(401);

    // All uploaded before any worker runs, so the duplicate arrives while its first copy is queued.
    const accepted = new Map<string, string>();
    for (const v of valid) {
      const answer = await upload(server.url, token, v.name, v.zip);
      expect(answer).toMatchObject({ status: 201, body: { status: 'queued' } });
      accepted.set(v.name, answer.body.id as string);
    }
    const text = (t: string) => new TextEncoder().encode(t);
    const posedMesh = () => readMesh(join(pred, base, 'mesh_posed.ply'));
    const invalid: [string, Uint8Array, RegExp][] = [
      ['traversal', renameInZip(zipFolder(pred, (f) => f.set('zz/evil.ply', new Uint8Array([1]))), 'zz/evil.ply', '../evil.ply'), /"\.\.\/evil\.ply"/],
      ['absolute path', renameInZip(zipFolder(pred, (f) => f.set('zz/evil.ply', new Uint8Array([1]))), 'zz/evil.ply', '/z/evil.ply'), /"\/z\/evil\.ply"/],
      ['symlink', markSymlink(zipFolder(pred, (f) => f.set(`${base}/link.ply`, text('/etc/passwd'))), `${base}/link.ply`), /symbolic link/],
      ['not a zip', text('PK? no: a text file named .zip'), /zip/i],
      ['not a PLY', zipFolder(pred, (f) => f.set(`${base}/mesh_neutral.ply`, text('hello, not a mesh'))), new RegExp(`${base}/mesh_neutral\\.ply`)],
      ['NaN vertex', zipFolder(pred, (f) => {
        const mesh = posedMesh();
        mesh.positions[4] = Number.NaN;
        f.set(`${base}/mesh_posed.ply`, encodePly({ positions: mesh.positions, faces: mesh.faces }));
      }), new RegExp(`${base}/mesh_posed\\.ply.*(NaN|non-finite)`, 'i')],
      ['no faces', zipFolder(pred, (f) => f.set(`${base}/mesh_posed.ply`, encodePly({ positions: posedMesh().positions, faces: new Uint32Array(0) }))), new RegExp(`${base}/mesh_posed\\.ply`)],
      ['landmarks of the wrong shape', zipFolder(pred, (f) => f.set(`${base}/landmarks_posed.npy`, encodeNpy(new Float64Array(15), [5, 3]))), new RegExp(`${base}/landmarks_posed\\.npy`)],
      ['missing item', zipFolder(pred, (f) => { for (const k of [...f.keys()]) if (k.startsWith(`${base}/`)) f.delete(k); }), new RegExp(first.id)],
      ['stray item', zipFolder(pred, (f) => f.set(`${first.person}/EXTRA_000_222200000/mesh_posed.ply`, f.get(`${base}/mesh_posed.ply`)!)), /EXTRA_000_222200000/],
      ['too many vertices', zipFolder(pred, (f) => {
        const mesh = posedMesh();
        const positions = new Float64Array(mesh.positions.length + 3000);
        positions.set(mesh.positions);
        for (let i = mesh.positions.length; i < positions.length; i++) positions[i] = mesh.positions[i % 3];
        f.set(`${base}/mesh_posed.ply`, encodePly({ positions, faces: mesh.faces }));
      }), /vertices, more than this server's limit/],
      ['zip bomb', zipFolder(pred, (f) => f.set(`${base}/mesh_posed.ply`, new Uint8Array(40 * 1024 ** 2))), /would expand to more than the 20971520 bytes accepted/],
    ];
    for (const [label, zip, problem] of invalid) {
      const answer = await upload(server.url, token, label, zip);
      expect(answer.status, label).toBe(400);
      const problems = answer.body.problems as string[];
      expect(problems.length, label).toBeGreaterThan(0);
      expect(problems.join('\n'), label).toMatch(problem);
      for (const p of problems) expect(p).not.toContain(root); // the server's paths stay private
    }
    const duplicate = await upload(server.url, token, 'again', valid[3].zip);
    expect(duplicate.status).toBe(409);
    expect(duplicate.body.problems).toEqual([`the same file is already being scored as submission ${accepted.get(valid[3].name)}`]);
    expect(accepted.size + invalid.length + 1).toBe(20);
    // Nothing was written outside the data folder, and nothing of the refused uploads stayed.
    expect(readdirSync(join(data, 'submissions')).sort()).toEqual([...accepted.values()].sort());
    expect(readdirSync(join(data, 'uploads')).sort()).toEqual([...accepted.values()].map((id) => `${id}.zip`).sort());

    for (let i = 0; i < 3; i++) workers.push(spawnWorker(redis.url, bench));
    for (const v of valid) {
      const id = accepted.get(v.name)!;
      const status = await waitFor(`submission ${v.name}`, 120_000, async () => {
        const s = await getJson(`${server.url}/api/submissions/${id}`);
        return s.status === 'done' || s.status === 'failed' ? s : undefined;
      });
      expect(status).toMatchObject({ id, method: v.name, status: 'done', progress: { done: 4, total: 4 } });
      expect(status.figures).toEqual(await evalFigures(bench, v.pred, join(root, 'eval', v.name)));
    }
    // The three workers shared the work.
    const busy = workers.map((w) => w.lines.filter((l) => l.startsWith('scoring ')).length);
    expect(busy.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(valid.length * 4);
    expect(busy.filter((n) => n > 0).length).toBeGreaterThanOrEqual(2);

    // The leaderboard ranks every method once, by posed L2.
    const rows = await getJson(`${server.url}/api/leaderboard`);
    expect(rows.map((r: { method: string }) => r.method).sort()).toEqual(valid.map((v) => v.name).sort());
    const scores = rows.map((r: { score: number }) => r.score);
    expect(scores).toEqual([...scores].sort((a: number, b: number) => a - b));
    expect(rows[0]).toMatchObject({ rank: 1, method: 'oracle 1' });
    expect(rows[rows.length - 1]).toMatchObject({ method: 'mean-shape' });
    // GT files are never served.
    for (const path of ['/bench/manifest.json', `/${manifest.items[0].dir}/scan.ply`, '/../bench/manifest.json', '/api/submissions/..%2F..%2Fetc']) {
      expect((await fetch(`${server.url}${path}`)).status).toBe(404);
    }
  }, 400_000);

  it('a worker killed with SIGKILL mid-job, and the server restarted with jobs queued: every submission done, no task counted twice', async () => {
    await Promise.all(workers.splice(0).map(stopWorker));
    const env = { FACEBENCH_LOCK_MS: '1500', FACEBENCH_WORKER_PAUSE_MS: '200' };
    const victim = spawnWorker(redis.url, bench, env);
    workers.push(victim);
    const extra = [];
    for (let k = 13; k <= 14; k++) extra.push({ name: `oracle ${k}`, ...(await packed(bench, root, `oracle-${k}`, 'oracle', { noise: 0.05 * k, seed: k })) });
    const ids: string[] = [];
    for (const v of extra) ids.push((await upload(server.url, token, v.name, v.zip)).body.id as string);
    // Kill the victim while it holds a job.
    const held = await waitFor('the victim to take a job', 30_000, async () => victim.lines.find((l) => l.startsWith('scoring ')));
    victim.child.kill('SIGKILL');
    await new Promise((r) => victim.child.once('exit', r));
    // Stop the server with jobs still queued; start it again on the same data and queue.
    await server.close();
    // The rescuer runs two worker processes under one command (--concurrency 2).
    const rescuer = spawnWorker(redis.url, bench, env, ['--concurrency', '2']);
    workers.push(rescuer);
    await new Promise((r) => setTimeout(r, 1500));
    server = await startServer(serverOptions());
    for (const [i, v] of extra.entries()) {
      const status = await waitFor(`submission ${v.name}`, 120_000, async () => {
        const s = await getJson(`${server.url}/api/submissions/${ids[i]}`);
        return s.status === 'done' || s.status === 'failed' ? s : undefined;
      });
      expect(status).toMatchObject({ status: 'done', progress: { done: 4, total: 4 } });
      expect(status.figures).toEqual(await evalFigures(bench, v.pred, join(root, 'eval', v.name)));
      const results = JSON.parse(readFileSync(join(data, 'results', ids[i], 'results.json'), 'utf8'));
      expect(results.items).toHaveLength(4);
    }
    // The job the victim held was scored again by the rescuer.
    const [, heldSubmission, heldTask] = held.split(' ');
    expect(rescuer.lines).toContain(`scoring ${heldSubmission} ${heldTask}`);
    expect(rescuer.lines.filter((l) => l.startsWith('facebench worker: taking jobs'))).toHaveLength(2);
    await stopWorker(rescuer);
    expect(rescuer.child.exitCode).toBe(0);
    expect(rescuer.lines.filter((l) => l.startsWith('facebench worker: stopped after'))).toHaveLength(2);
  }, 300_000);

  it.skipIf(noChromium)(`pages in Chromium: the leaderboard, an upload through the form, the submission's live page${noChromium ? ` (skipped: ${CHROMIUM} not installed)` : ''}`, async () => {
    workers.push(spawnWorker(redis.url, bench));
    const extra = { name: 'oracle browser', ...(await packed(bench, root, 'oracle-browser', 'oracle', { noise: 0.33, seed: 33 })) };
    const zipPath = join(root, 'zips', 'oracle-browser.zip');
    const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'] });
    try {
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(`${server.url}/`);
      const board = await getJson(`${server.url}/api/leaderboard`);
      const methods = await page.locator('#leaderboard tbody tr td:nth-child(2)').allTextContents();
      expect(methods).toEqual(board.map((r: { method: string }) => r.method));

      await page.goto(`${server.url}/submit`);
      await page.fill('input[name=token]', 'wrong');
      await page.fill('input[name=method]', extra.name);
      await page.setInputFiles('input[name=file]', zipPath);
      await page.click('button[type=submit]');
      await page.locator('#problems li').first().waitFor();
      expect(await page.locator('#problems li').allTextContents()).toEqual(['a valid token is required: header Authorization: Bearer <token> (facebench serve tokens add NAME)']);

      await page.fill('input[name=token]', token);
      await page.click('button[type=submit]');
      await page.waitForURL(/\/submissions\/[0-9a-f]{16}$/);
      const id = page.url().split('/').pop()!;
      await page.locator('#status', { hasText: 'done' }).waitFor({ timeout: 60_000 });
      await page.locator('#figures').waitFor({ state: 'visible' });
      const api = await getJson(`${server.url}/api/submissions/${id}`);
      expect(api.method).toBe(extra.name);
      const posed = await page.locator('#figures tbody tr', { hasText: 'posed' }).locator('td').allTextContents();
      expect(posed).toEqual(['posed', '2', '2', ...['l1', 'l2', 'nc', 'r2_5'].map((k) => api.figures.posed.metrics[k].toFixed(3))]);
      expect(await page.locator('#progress').textContent()).toBe('(4 / 4 tasks)');
      // The full report: Table 2 with this method's posed L2; no GT-derived pictures.
      await page.click('#report a');
      await page.waitForURL(new RegExp(`/submissions/${id}/report$`));
      const html = await page.content();
      expect(html).toContain(extra.name);
      expect(html).toContain(api.figures.posed.metrics.l2.toFixed(3));
      expect(await page.locator('img').count()).toBe(0);
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
    }
  }, 200_000);
});
