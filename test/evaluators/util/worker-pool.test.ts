import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/**
 * A pool destroyed while its threads are still loading their modules, as after a task that
 * fails on bad input at once: with Node 20's require() of ES modules (piscina's first way to
 * load a script), the process aborted with a fatal error at some of these moments.
 */
describe('worker pools', () => {
  // The builder's and the methods' threads load onnxruntime-node only when a model is used:
  // a thread ended while its native library loaded aborted the process ("terminate called
  // after throwing an instance of 'Napi::Error'") in about one run in four of this loop.
  for (const [name, worker] of [['build', 'benchmark/construct/build-worker.js'], ['predict', 'benchmark/predict/worker.js'], ['eval', 'benchmark/eval/worker.js']] as const) {
    it(`are destroyed cleanly while their threads load (the ${name} worker, 40 moments from 0 to 312 ms)`, () => {
      const script = `
        import { Piscina } from 'piscina';
        import { workerPoolOptions } from './dist/evaluators/util/index.js';
        for (let i = 0; i < 40; i++) {
          const pool = new Piscina(workerPoolOptions('${ROOT}dist/${worker}', 2));
          await new Promise((resolve) => setTimeout(resolve, 8 * i));
          await pool.destroy();
        }
        console.log('destroyed 40 pools');
      `;
      const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
      expect(run.stderr).toBe('');
      expect(run.status).toBe(0);
      expect(run.stdout.trim()).toBe('destroyed 40 pools');
    }, 150_000);
  }
});
