/**
 * Reader throughput: binary and ASCII PLY and PCD of a 200k-point cloud; PNG encoding and
 * decoding of a capture's images (512² RGB, 16-bit depth) against pngjs in the same run.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { PNG } from 'pngjs';
import { decodeStoredPng, encodePng } from '../evaluators/image/png-codec.js';
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
  Object.assign(out, pngBench());
  return out;
}

/** Encode and decode of a 512² RGB image and a 512² 16-bit depth map: png-codec.ts against pngjs (same settings, same bytes). */
function pngBench(): Record<string, number> {
  const side = 512;
  const rgb = new Uint8Array(3 * side * side);
  const depth = new Uint16Array(side * side);
  for (let y = 0; y < side; y++) {
    for (let x = 0; x < side; x++) {
      const p = y * side + x;
      const inside = (x - 256) ** 2 + (y - 240) ** 2 < 180 ** 2;
      for (let c = 0; c < 3; c++) rgb[3 * p + c] = inside ? (90 + c * 40 + ((x * 7 + y * 3) % 23)) & 255 : 20;
      depth[p] = inside ? 32000 + ((x * x + y * y) >> 6) : 0;
    }
  }
  const pngjsWrite = (data: Uint8Array | Uint16Array, colorType: 0 | 2, bitDepth: 8 | 16): Buffer => {
    const png = new PNG({ width: side, height: side, colorType, inputColorType: colorType, bitDepth, inputHasAlpha: false });
    png.data = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    return PNG.sync.write(png, { colorType, inputColorType: colorType, bitDepth, inputHasAlpha: false, deflateLevel: 3, filterType: 1 });
  };
  const out: Record<string, number> = {};
  for (const [label, data, colorType, bitDepth] of [['RGB 8-bit', rgb, 2, 8], ['depth 16-bit', depth, 0, 16]] as const) {
    const bytes = encodePng(data, side, side, colorType, bitDepth);
    const encode = timeIt(() => encodePng(data, side, side, colorType, bitDepth), 9);
    const encodeRef = timeIt(() => pngjsWrite(data, colorType, bitDepth), 9);
    const decode = timeIt(() => decodeStoredPng(bytes), 9);
    const decodeRef = timeIt(() => PNG.sync.read(bytes, { skipRescale: true } as Parameters<typeof PNG.sync.read>[1]), 9);
    out[`png encode ${label} (s)`] = encode;
    out[`png decode ${label} (s)`] = decode;
    console.log(
      `PNG ${label} ${side}²: encode ${(encode * 1000).toFixed(1)} ms (pngjs ${(encodeRef * 1000).toFixed(1)} ms, ${(encodeRef / encode).toFixed(1)}x), ` +
        `decode ${(decode * 1000).toFixed(1)} ms (pngjs ${(decodeRef * 1000).toFixed(1)} ms, ${(decodeRef / decode).toFixed(1)}x)`,
    );
  }
  return out;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await runIoBench();
}
