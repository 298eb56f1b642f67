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
import { readNpy, writeLandmarksJson, writePly } from '../evaluators/io/index.js';
import type { TriangleMesh } from '../evaluators/geometry/types.js';

const FIXTURES = fileURLToPath(new URL('../../../shared/fixtures/ict-facekit/', import.meta.url));
const SEVEN = [36, 39, 42, 45, 33, 48, 54];

function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

/** The ICT face cropped to its first `maxVertex` vertices (compacted), ~FLAME size. */
function cropMesh(mesh: TriangleMesh, maxVertex: number): TriangleMesh {
  const faces: number[] = [];
  for (let f = 0; f < mesh.faces.length; f += 3) {
    if (mesh.faces[f] < maxVertex && mesh.faces[f + 1] < maxVertex && mesh.faces[f + 2] < maxVertex) faces.push(mesh.faces[f], mesh.faces[f + 1], mesh.faces[f + 2]);
  }
  return { positions: mesh.positions.slice(0, 3 * maxVertex), faces: Uint32Array.from(faces) };
}

/** n points on the surface (area-weighted), each with its face normal, plus Gaussian-ish noise. */
function sample(mesh: TriangleMesh, n: number, noise: number, random: () => number): { positions: Float64Array; normals: Float64Array } {
  const m = mesh.faces.length / 3;
  const cum = new Float64Array(m);
  const normals = new Float64Array(3 * m);
  let total = 0;
  const p = mesh.positions;
  for (let f = 0; f < m; f++) {
    const a = 3 * mesh.faces[3 * f], b = 3 * mesh.faces[3 * f + 1], c = 3 * mesh.faces[3 * f + 2];
    const e1 = [p[b] - p[a], p[b + 1] - p[a + 1], p[b + 2] - p[a + 2]];
    const e2 = [p[c] - p[a], p[c + 1] - p[a + 1], p[c + 2] - p[a + 2]];
    const nx = e1[1] * e2[2] - e1[2] * e2[1], ny = e1[2] * e2[0] - e1[0] * e2[2], nz = e1[0] * e2[1] - e1[1] * e2[0];
    const l = Math.hypot(nx, ny, nz) || 1;
    normals.set([nx / l, ny / l, nz / l], 3 * f);
    total += l / 2;
    cum[f] = total;
  }
  const out = new Float64Array(3 * n);
  const outN = new Float64Array(3 * n);
  for (let i = 0; i < n; i++) {
    const t = random() * total;
    let lo = 0, hi = m - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cum[mid] < t) lo = mid + 1;
      else hi = mid;
    }
    let u = random(), v = random();
    if (u + v > 1) { u = 1 - u; v = 1 - v; }
    const a = 3 * mesh.faces[3 * lo], b = 3 * mesh.faces[3 * lo + 1], c = 3 * mesh.faces[3 * lo + 2];
    const offset = noise * (random() + random() + random() - 1.5);
    for (let j = 0; j < 3; j++) {
      out[3 * i + j] = (1 - u - v) * p[a + j] + u * p[b + j] + v * p[c + j] + offset * normals[3 * lo + j];
      outN[3 * i + j] = normals[3 * lo + j];
    }
  }
  return { positions: out, normals: outN };
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

export async function runScoreBench(repeats = 3): Promise<Record<string, number>> {
  const template = readNpy(join(FIXTURES, 'template.npy'));
  const facesNpy = readNpy(join(FIXTURES, 'faces.npy'));
  const lm68 = (JSON.parse(readFileSync(join(FIXTURES, 'landmarks68.json'), 'utf8')) as { vertex_indices: number[] }).vertex_indices;
  const full: TriangleMesh = { positions: Float64Array.from(template.data as ArrayLike<number>), faces: Uint32Array.from(facesNpy.data as ArrayLike<number>) };
  const pred = cropMesh(full, 5023);
  const random = lcg(42);
  const gt = sample(cropMesh(full, 6706), 200_000, 0.2, random);
  const gtLm = Float64Array.from(SEVEN.flatMap((k) => Array.from(full.positions.subarray(3 * lm68[k], 3 * lm68[k] + 3))));
  // Prediction: the crop moved by a similarity, landmarks with ±1.5 mm noise.
  const angle = 0.35, s = 0.93, t = [12, -30, 45];
  const [c, sn] = [Math.cos(angle), Math.sin(angle)];
  const moved = new Float64Array(pred.positions.length);
  for (let i = 0; i < moved.length; i += 3) {
    const x = pred.positions[i], y = pred.positions[i + 1], z = pred.positions[i + 2];
    moved[i] = s * (c * x + sn * z) + t[0];
    moved[i + 1] = s * y + t[1];
    moved[i + 2] = s * (-sn * x + c * z) + t[2];
  }
  const predLm = new Float64Array(21);
  SEVEN.forEach((k, i) => {
    for (let j = 0; j < 3; j++) predLm[3 * i + j] = moved[3 * lm68[k] + j] + (random() - 0.5) * 3;
  });

  const dir = mkdtempSync(join(tmpdir(), 'facebench-bench-'));
  const files = { pred: join(dir, 'pred.ply'), gt: join(dir, 'gt.ply'), predLm: join(dir, 'pred_lm.json'), gtLm: join(dir, 'gt_lm.json'), json: join(dir, 'out.json') };
  writePly(files.pred, { positions: moved, faces: pred.faces }, { format: 'binary_little_endian', precision: 'double' });
  writePly(files.gt, { positions: gt.positions, normals: gt.normals, faces: new Uint32Array(0) }, { format: 'binary_little_endian', precision: 'double' });
  writeLandmarksJson(files.predLm, predLm);
  writeLandmarksJson(files.gtLm, gtLm);
  console.log(`score: prediction ${pred.positions.length / 3} vertices / ${pred.faces.length / 3} faces, GT cloud ${gt.positions.length / 3} points`);

  const bin = fileURLToPath(new URL('../../bin/facebench.js', import.meta.url));
  const ours: number[] = [];
  let ourMetrics: Record<string, number> = {};
  for (let r = 0; r < repeats; r++) {
    const started = performance.now();
    const run = spawnSync(process.execPath, [bin, 'score', '--pred', files.pred, '--gt', files.gt, '--gt-landmarks', files.gtLm, '--pred-landmarks', files.predLm, '--json', files.json], { encoding: 'utf8' });
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
