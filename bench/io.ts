/** Reader throughput: binary and ASCII PLY and PCD of a 200k-point cloud. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { readPointCloud, writePcd, writePly } from '../evaluators/io/index.js';
import { timeIt } from './timing.js';

export async function runIoBench(n = 200_000): Promise<Record<string, number>> {
  const positions = new Float64Array(3 * n);
  const normals = new Float64Array(3 * n);
  for (let i = 0; i < 3 * n; i++) {
    positions[i] = Math.fround(Math.sin(i * 12.9898) * 100);
    normals[i] = Math.fround(Math.cos(i * 78.233));
  }
  const cloud = { positions, normals, faces: new Uint32Array(0) };
  const dir = mkdtempSync(join(tmpdir(), 'facebench-io-'));
  const out: Record<string, number> = {};
  const files: [string, () => void][] = [
    ['ply binary', () => writePly(join(dir, 'b.ply'), cloud, { format: 'binary_little_endian' })],
    ['ply ascii', () => writePly(join(dir, 'a.ply'), cloud, { format: 'ascii' })],
    ['pcd binary_compressed', () => writePcd(join(dir, 'c.pcd'), cloud, { data: 'binary_compressed' })],
  ];
  const paths = ['b.ply', 'a.ply', 'c.pcd'];
  files.forEach(([name, write], i) => {
    write();
    const seconds = timeIt(() => readPointCloud(join(dir, paths[i])), 5, { warmUp: false });
    out[name] = n / seconds;
    console.log(`read ${name} (${n / 1000}k points with normals): ${(seconds * 1000).toFixed(1)} ms, ${(n / seconds / 1e6).toFixed(2)} M points/s`);
  });
  rmSync(dir, { recursive: true, force: true });
  return out;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await runIoBench();
}
