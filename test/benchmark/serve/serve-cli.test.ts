/**
 * `facebench serve` and `facebench worker` refuse what they cannot run with one line and exit
 * 1, and the upload endpoint refuses malformed requests with every problem listed.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addToken, hasRedisServer, startPrivateRedis, startServer, type PrivateRedis, type RunningServer } from '../../../benchmark/serve/index.js';
import { tempDir } from '../cli-helpers.js';
import { BIN, packed, smallBenchmark, upload } from './helpers.js';

function cli(args: string[], env: Record<string, string> = {}) {
  return spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env: { ...process.env, ...env }, timeout: 60_000 });
}

describe('facebench serve and worker: one-line refusals', () => {
  const root = tempDir('serve-cli');
  let bench: string;
  beforeAll(async () => {
    bench = await smallBenchmark(root);
  }, 120_000);

  it('serve without --redis and without redis-server on PATH says how to install it', () => {
    const r = cli(['serve', '--bench', bench, '--data', join(root, 'data'), '--port', '0'], { PATH: join(root, 'empty-path') });
    expect(r.status).toBe(1);
    expect(r.stderr.trim()).toBe('facebench: redis-server: not found on PATH: install it (Debian/Ubuntu: sudo apt-get install redis-server) or pass --redis redis://HOST:PORT');
  });

  it('a worker whose Redis does not answer stops in one line', () => {
    const r = cli(['worker', '--redis', 'redis://127.0.0.1:1', '--bench', bench]);
    expect(r.status).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^facebench: redis:\/\/127\.0\.0\.1:1: Redis does not answer \(.*\); start redis-server or pass the URL facebench serve printed\n$/);
  });

  it('serve and tokens add need their folders; a token name is checked', () => {
    expect(cli(['serve', '--bench', bench]).stderr).toContain("required option '--data <dir>' not specified");
    const bad = cli(['serve', 'tokens', 'add', 'a/b', '--data', join(root, 'data')]);
    expect(bad.status).toBe(1);
    expect(bad.stderr.trim()).toBe('facebench: NAME: a token name is 1–64 letters, digits and . _ @ -');
    const good = cli(['serve', 'tokens', 'add', 'bob', '--data', join(root, 'data')]);
    expect(good.status).toBe(0);
    expect(good.stdout.trim().split('\n').pop()).toMatch(/^[\w-]{32}$/);
  });

  const noRedis = !hasRedisServer();
  describe.skipIf(noRedis)(`malformed uploads${noRedis ? ' (skipped: redis-server is not installed)' : ''}`, () => {
    let redis: PrivateRedis;
    let server: RunningServer;
    let token: string;
    let zip: Uint8Array;
    beforeAll(async () => {
      zip = (await packed(bench, root, 'mean', 'mean-shape')).zip;
      redis = await startPrivateRedis(join(root, 'redis'));
      token = addToken(join(root, 'srv'), 'carol');
      server = await startServer({ bench, data: join(root, 'srv'), port: 0, redis: redis.url, maxUploadBytes: zip.length - 1 });
    }, 120_000);
    afterAll(async () => {
      await server?.close();
      await redis?.stop();
    });

    it('too large, a bad method name, no file, not multipart: 400 with every problem; the server keeps serving', async () => {
      const large = await upload(server.url, token, 'mean', zip);
      expect(large).toEqual({ status: 400, body: { problems: [`field file: larger than this server's limit of ${zip.length - 1} bytes`] } });
      const form = new FormData();
      form.append('method', '../etc');
      const noFile = await fetch(`${server.url}/api/submissions`, { method: 'POST', body: form, headers: { Authorization: `Bearer ${token}` } });
      expect(noFile.status).toBe(400);
      expect(((await noFile.json()) as { problems: string[] }).problems).toEqual([
        'field file: missing (a submission zip as facebench pack writes it)',
        'field method: 1–64 letters, digits, spaces and . _ + ( ) -, starting with a letter or digit',
      ]);
      const json = await fetch(`${server.url}/api/submissions`, { method: 'POST', body: '{}', headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' } });
      expect(json.status).toBe(400);
      expect((await fetch(`${server.url}/api/submissions/0123456789abcdef`)).status).toBe(404);
      expect((await fetch(`${server.url}/api/leaderboard`)).status).toBe(200);
    });

    it('a port in use is refused in one line', async () => {
      const port = Number(new URL(server.url).port);
      const error = await startServer({ bench, data: join(root, 'srv2'), port }).then(() => undefined, (e: unknown) => e);
      expect((error as Error).message).toBe(`--port ${port}: 127.0.0.1:${port} is in use: choose another --port`);
    });
  });
});
