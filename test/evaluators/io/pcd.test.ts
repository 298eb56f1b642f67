import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { PointCloud } from '../../../evaluators/geometry/types.js';
import { encodePcd, lzfCompress, packRgb, parsePcd, readPointCloud, writePcd, type PcdDataFormat } from '../../../evaluators/io/index.js';
import { rng } from '../../helpers/random.js';
import { concatBytes, expectInputError, fileSaver, scratchDir } from './support.js';

function randomCloud(seed: number, n: number, normals: boolean, colors: boolean): PointCloud {
  const rand = rng(seed);
  const cloud: PointCloud = { positions: Float64Array.from({ length: 3 * n }, () => Math.fround((rand() - 0.5) * 400)) };
  if (normals) cloud.normals = Float64Array.from({ length: 3 * n }, () => Math.fround(rand() * 2 - 1));
  if (colors) cloud.colors = Uint8Array.from({ length: 3 * n }, () => Math.floor(rand() * 256));
  return cloud;
}

function header(fields: string, size: string, type: string, count: string, n: number, data: string): string {
  return `# .PCD v0.7\nVERSION 0.7\nFIELDS ${fields}\nSIZE ${size}\nTYPE ${type}\nCOUNT ${count}\nWIDTH ${n}\nHEIGHT 1\nVIEWPOINT 0 0 0 1 0 0 0\nPOINTS ${n}\nDATA ${data}\n`;
}

describe('PCD round trips', () => {
  const modes: PcdDataFormat[] = ['ascii', 'binary', 'binary_compressed'];
  it.each(modes.flatMap((data) => [[false, false], [true, false], [false, true], [true, true]].map(([n, c]) => ({ data, normals: n, colors: c }))))(
    '$data normals=$normals colours=$colors', ({ data, normals, colors }) => {
      const cloud = randomCloud(21, 500, normals, colors);
      expect(parsePcd(encodePcd(cloud, { data }), 'rt.pcd')).toEqual(cloud);
    });

  it('writePcd + readPointCloud converts units', () => {
    const dir = scratchDir('pcd');
    const cloud = randomCloud(2, 10, true, true);
    const path = join(dir, 'c.pcd');
    writePcd(path, cloud, { data: 'binary_compressed' });
    const back = readPointCloud(path, { unit: 'cm' });
    expect(back.positions).toEqual(cloud.positions.map((v) => v * 10));
    expect(back.normals).toEqual(cloud.normals);
  });
});

describe('PCD reader: other field layouts', () => {
  it('skips F8/I1..I8/U1..U8 and COUNT>1 fields in binary, reads double positions and U4 rgba', () => {
    const n = 3;
    const text = header('_ x y z curvature normal_x normal_y normal_z desc rgba label', '1 8 8 8 4 4 4 4 2 4 8', 'U F F F F F F F I U I', '3 1 1 1 1 1 1 1 5 1 1', n, 'binary');
    const record = 3 + 24 + 4 + 12 + 10 + 4 + 8;
    const body = new Uint8Array(n * record);
    const view = new DataView(body.buffer);
    for (let i = 0; i < n; i++) {
      const o = i * record;
      body.fill(0xee, o, o + 3);
      view.setFloat64(o + 3, 0.1 * i, true);
      view.setFloat64(o + 11, -1e-3 * i, true);
      view.setFloat64(o + 19, 1000 + i, true);
      view.setFloat32(o + 27, 99, true);
      view.setFloat32(o + 31, 1, true);
      view.setFloat32(o + 35, 0, true);
      view.setFloat32(o + 39, 0.5, true);
      for (let k = 0; k < 5; k++) view.setInt16(o + 43 + 2 * k, -k, true);
      view.setUint32(o + 53, (0x80 << 24) | ((10 + i) << 16) | ((20 + i) << 8) | (30 + i), true);
      view.setBigInt64(o + 57, -5n, true);
    }
    const cloud = parsePcd(concatBytes(text, body), 'layout.pcd');
    expect(Array.from(cloud.positions)).toEqual([0, -0, 1000, 0.1, -1e-3, 1001, 0.2, -2e-3, 1002]);
    expect(Array.from(cloud.normals as Float64Array)).toEqual([1, 0, 0.5, 1, 0, 0.5, 1, 0, 0.5]);
    expect(Array.from(cloud.colors as Uint8Array)).toEqual([10, 20, 30, 11, 21, 31, 12, 22, 32]);
  });

  it('ASCII: skips COUNT>1 fields, reads rgb written as a float or as an unsigned integer', () => {
    const packed = packRgb(146, 112, 93);
    const asFloat = header('x y z hist rgb', '4 4 4 4 4', 'F F F F F', '1 1 1 3 1', 2, 'ascii')
      + `1 2 3 9 9 9 ${packed.toPrecision(10)}\n-1.5 nan 2.25 0 0 0 0\n`;
    const a = parsePcd(concatBytes(asFloat), 'f.pcd');
    expect(Array.from(a.positions)).toEqual([1, 2, 3, -1.5, Number.NaN, 2.25]);
    expect(Array.from(a.colors as Uint8Array)).toEqual([146, 112, 93, 0, 0, 0]);
    const asUint = header('x y z rgb', '4 4 4 4', 'F F F U', '1 1 1 1', 1, 'ascii') + `1 2 3 ${(146 << 16) | (112 << 8) | 93}\n`;
    expect(Array.from(parsePcd(concatBytes(asUint), 'u.pcd').colors as Uint8Array)).toEqual([146, 112, 93]);
  });

  it('binary_compressed with mixed field sizes is field-major', () => {
    const n = 4;
    const text = header('x y z intensity', '4 4 4 2', 'F F F U', '1 1 1 1', n, 'binary_compressed');
    const raw = new Uint8Array(n * 14);
    const view = new DataView(raw.buffer);
    for (let i = 0; i < n; i++) {
      view.setFloat32(4 * i, i, true);
      view.setFloat32(4 * n + 4 * i, 10 * i, true);
      view.setFloat32(8 * n + 4 * i, 100 * i, true);
      view.setUint16(12 * n + 2 * i, 7, true);
    }
    const compressed = lzfCompress(raw);
    const sizes = new Uint8Array(8);
    new DataView(sizes.buffer).setUint32(0, compressed.length, true);
    new DataView(sizes.buffer).setUint32(4, raw.length, true);
    const cloud = parsePcd(concatBytes(text, sizes, compressed), 'c.pcd');
    expect(Array.from(cloud.positions)).toEqual([0, 0, 0, 1, 10, 100, 2, 20, 200, 3, 30, 300]);
    expect(cloud.normals).toBeUndefined();
    expect(cloud.colors).toBeUndefined();
  });
});

describe('PCD reader: bad input', () => {
  const dir = scratchDir('pcd-bad');
  const save = fileSaver(dir);

  it('truncated binary, corrupt and mis-sized compressed data', () => {
    const full = encodePcd(randomCloud(4, 100, true, true), { data: 'binary' });
    const cut = save('cut.pcd', full.subarray(0, full.length - 28 * 60 - 3));
    expectInputError(() => readPointCloud(cut), cut, /^truncated binary data: expected 100 points, file ends after 39$/);

    const compressed = encodePcd(randomCloud(4, 100, true, true), { data: 'binary_compressed' });
    const header = Buffer.from(compressed.buffer, compressed.byteOffset, compressed.byteLength);
    const dataStart = header.indexOf(0x0a, header.indexOf('DATA')) + 1;
    const corrupt = Uint8Array.from(compressed);
    // First chunk is a literal run; turn it into a back-reference before the start.
    corrupt[dataStart + 8] = 0xe0;
    const bad = save('corrupt.pcd', corrupt);
    expectInputError(() => readPointCloud(bad), bad, /corrupt LZF data: back-reference to \d+ bytes before the start of the output/);

    const wrongSize = Uint8Array.from(compressed);
    new DataView(wrongSize.buffer).setUint32(dataStart + 4, 123, true);
    const ws = save('wrongsize.pcd', wrongSize);
    expectInputError(() => readPointCloud(ws), ws, /announces 123 uncompressed bytes, but 100 points × 28 bytes = 2800/);

    const short = save('short-lzf.pcd', compressed.subarray(0, compressed.length - 10));
    expectInputError(() => readPointCloud(short), short, /truncated binary_compressed data: \d+ compressed bytes announced, file has \d+/);
  });

  it('header errors and NaN points', () => {
    const cases: [string, string, RegExp][] = [
      ['nodata.pcd', 'VERSION 0.7\nFIELDS x y z\nSIZE 4 4 4\nTYPE F F F\nWIDTH 1\n', /no 'DATA' line/],
      ['badsize.pcd', header('x y z', '4 4', 'F F F', '1 1 1', 1, 'ascii') + '1 2 3\n', /SIZE has 2 entries for 3 FIELDS/],
      ['badtype.pcd', header('x y z', '4 4 2', 'F F F', '1 1 1', 1, 'ascii') + '1 2 3\n', /field 'z' has unsupported TYPE\/SIZE F2/],
      ['noxyz.pcd', header('x y', '4 4', 'F F', '1 1', 1, 'ascii') + '1 2\n', /no x, y and z fields/],
      ['baddata.pcd', header('x y z', '4 4 4', 'F F F', '1 1 1', 1, 'zipped') + '1 2 3\n', /DATA must be ascii, binary or binary_compressed, got 'zipped'/],
      ['points.pcd', header('x y z', '4 4 4', 'F F F', '1 1 1', 2, 'ascii').replace('POINTS 2', 'POINTS 3') + '1 2 3\n', /POINTS 3 differs from WIDTH × HEIGHT = 2/],
      ['notpcd.pcd', 'hello world\n', /not a PCD file/],
      ['short.pcd', header('x y z', '4 4 4', 'F F F', '1 1 1', 3, 'ascii') + '1 2 3\n4 5 6\n', /ASCII data ends early: expected 3 points, file ends after 2/],
      ['nan.pcd', header('x y z', '4 4 4', 'F F F', '1 1 1', 2, 'ascii') + '1 2 3\nnan 5 6\n', /point 1 has a non-finite coordinate \(NaN\)/],
    ];
    for (const [name, text, pattern] of cases) {
      const path = save(name, text);
      expectInputError(() => readPointCloud(path), path, pattern);
    }
  });
});
