/** `facebench eval` over a generated benchmark (16 items, 32 tasks) with 1 and with 2 worker threads. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { writeLandmarksJson, writeNpy, writePly } from '../evaluators/io/index.js';
import { childrenCpuSeconds } from './timing.js';
import { cropMesh, ictFace, lcg, movedPrediction, sampleSurface, sevenLandmarks } from './synthetic.js';

export async function runEvalBench(persons = 2, itemsPerPerson = 8, points = 50_000): Promise<Record<string, number>> {
  const { mesh, landmarks68 } = ictFace();
  const face = cropMesh(mesh, 6706);
  const lm = sevenLandmarks(mesh.positions, landmarks68);
  const random = lcg(7);
  const root = mkdtempSync(join(tmpdir(), 'facebench-evalbench-'));
  const bench = join(root, 'bench');
  const preds = join(root, 'pred');
  for (let p = 0; p < persons; p++) {
    const pid = String(p + 1).padStart(3, '0');
    const neutral = sampleSurface(face, points, 0.2, random);
    writePly(join(bench, 'persons', pid, 'neutral', 'scan.ply'), { ...neutral, faces: new Uint32Array(0) }, { format: 'binary_little_endian' });
    writeLandmarksJson(join(bench, 'persons', pid, 'neutral', 'landmarks.json'), lm);
    for (let k = 0; k < itemsPerPerson; k++) {
      const item = `EXP-${k}_000_222200000`;
      const scan = sampleSurface(face, points, 0.2, random);
      writePly(join(bench, 'items', pid, item, 'scan.ply'), { ...scan, faces: new Uint32Array(0) }, { format: 'binary_little_endian' });
      writeLandmarksJson(join(bench, 'items', pid, item, 'landmarks.json'), lm);
      for (const task of ['posed', 'neutral']) {
        const moved = movedPrediction(mesh, landmarks68, random, { angle: random() - 0.5, scale: 0.9 + 0.2 * random() });
        writePly(join(preds, pid, item, `mesh_${task}.ply`), cropMesh(moved.mesh, 5023), { format: 'binary_little_endian' });
        writeNpy(join(preds, pid, item, `landmarks_${task}.npy`), moved.landmarks, [7, 3]);
      }
    }
  }
  const bin = fileURLToPath(new URL('../../bin/facebench.js', import.meta.url));
  const tasks = persons * itemsPerPerson * 2;
  const seconds: Record<number, number> = {};
  for (const workers of [1, 2]) {
    const started = performance.now();
    const cpuBefore = childrenCpuSeconds();
    const run = spawnSync(process.execPath, [bin, 'eval', '--bench', bench, '--pred', preds, '--out', join(root, `out${workers}`), '--workers', String(workers), '--quiet'], { encoding: 'utf8' });
    if (run.status !== 0) throw new Error(`facebench eval failed: ${run.stderr}`);
    seconds[workers] = (performance.now() - started) / 1000;
    const cores = (childrenCpuSeconds() - cpuBefore) / seconds[workers];
    console.log(
      `eval ${tasks} tasks (${points / 1000}k-point GT, 5023-vertex predictions), ${workers} worker${workers > 1 ? 's' : ''}: ` +
        `${seconds[workers].toFixed(2)} s, ${(tasks / seconds[workers]).toFixed(2)} tasks/s, ${cores.toFixed(2)} cores busy on average`,
    );
  }
  const speedup = seconds[1] / seconds[2];
  console.log(`eval speed-up with 2 workers: ${speedup.toFixed(2)}x`);
  rmSync(root, { recursive: true, force: true });
  return { eval_1_worker_seconds: seconds[1], eval_2_workers_seconds: seconds[2], speedup };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await runEvalBench();
}
