/**
 * Whole-score benchmark: `facebench score` (Umeyama + ICP + closest-point metrics) on a
 * 200k-point GT cloud and a FLAME-size prediction mesh, against the Open3D script a user
 * would otherwise write (bench/reference/open3d_score.py), both run here in the same session.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { writeLandmarksJson, writePly } from '../evaluators/io/index.js';
import { cropMesh, ictFace, lcg, movedPrediction, sampleSurface, sevenLandmarks } from './synthetic.js';
import { median } from './timing.js';

export async function runScoreBench(repeats = 3): Promise<Record<string, number>> {
  const { mesh: full, landmarks68 } = ictFace();
  const random = lcg(42);
  const gt = sampleSurface(cropMesh(full, 6706), 200_000, 0.2, random);
  const gtLm = sevenLandmarks(full.positions, landmarks68);
  // FLAME-size prediction: the moved face, cut to its first 5023 vertices (landmarks taken before the cut).
  const moved = movedPrediction(full, landmarks68, random);
  const pred = cropMesh(moved.mesh, 5023);
  const predLm = moved.landmarks;

  const dir = mkdtempSync(join(tmpdir(), 'facebench-bench-'));
  const files = { pred: join(dir, 'pred.ply'), gt: join(dir, 'gt.ply'), predLm: join(dir, 'pred_lm.json'), gtLm: join(dir, 'gt_lm.json'), json: join(dir, 'out.json') };
  writePly(files.pred, pred, { format: 'binary_little_endian', precision: 'double' });
  writePly(files.gt, { positions: gt.positions, normals: gt.normals, faces: new Uint32Array(0) }, { format: 'binary_little_endian', precision: 'double' });
  writeLandmarksJson(files.predLm, predLm);
  writeLandmarksJson(files.gtLm, gtLm);
  console.log(`score: prediction ${pred.positions.length / 3} vertices / ${pred.faces.length / 3} faces, GT cloud ${gt.positions.length / 3} points`);

  const bin = fileURLToPath(new URL('../../bin/facebench.js', import.meta.url));
  const ours: number[] = [];
  let ourMetrics: Record<string, number> = {};
  for (let r = 0; r < repeats; r++) {
    const started = performance.now();
    const run = spawnSync(process.execPath, [bin, 'score', '--pred', files.pred, '--gt', files.gt, '--gt-landmarks', files.gtLm, '--pred-landmarks', files.predLm, '--out', files.json], { encoding: 'utf8' });
    ours.push((performance.now() - started) / 1000);
    if (run.status !== 0) throw new Error(`facebench score failed: ${run.stderr}`);
    const doc = JSON.parse(readFileSync(files.json, 'utf8'));
    ourMetrics = { ...doc.metrics, iterations: doc.alignment.iterations };
  }
  const result: Record<string, number> = { score_seconds: median(ours) };
  console.log(`facebench score (whole command, median of ${repeats}): ${median(ours).toFixed(2)} s   l2 ${ourMetrics.l2.toFixed(4)} mm, nc ${ourMetrics.nc.toFixed(4)}, r2.5 ${ourMetrics.r2_5.toFixed(4)}, ${ourMetrics.iterations} ICP iterations`);

  const script = fileURLToPath(new URL('../../bench/reference/open3d_score.py', import.meta.url));
  const probe = spawnSync('/usr/bin/python3', ['-c', 'import open3d'], { encoding: 'utf8' });
  if (probe.status !== 0) {
    console.log('open3d reference: skipped (install Debian python3-open3d to compare: apt-get install python3-open3d)');
  } else {
    const theirs: number[] = [];
    const inner: number[] = [];
    let theirMetrics: Record<string, number> = {};
    for (let r = 0; r < repeats; r++) {
      const started = performance.now();
      const run = spawnSync('/usr/bin/python3', [script, files.pred, files.gt, files.predLm, files.gtLm], { encoding: 'utf8' });
      theirs.push((performance.now() - started) / 1000);
      if (run.status !== 0) throw new Error(`open3d script failed: ${run.stderr}`);
      theirMetrics = JSON.parse(run.stdout.trim().split('\n').pop()!);
      inner.push(theirMetrics.seconds);
    }
    result.open3d_seconds = median(theirs);
    result.open3d_compute_seconds = median(inner);
    result.ratio = median(theirs) / median(ours);
    console.log(`open3d script (whole command, median of ${repeats}): ${median(theirs).toFixed(2)} s (of which load+compute ${median(inner).toFixed(2)} s)   l2 ${theirMetrics.l2.toFixed(4)} mm, nc ${theirMetrics.nc?.toFixed(4)}, r2.5 ${theirMetrics.r2_5.toFixed(4)}`);
    console.log(`facebench score is ${result.ratio.toFixed(2)}x the speed of the Open3D script (>1 = faster)`);
  }
  rmSync(dir, { recursive: true, force: true });
  return result;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await runScoreBench();
}
