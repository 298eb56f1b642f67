/**
 * The pcd fixture: one 3000-point cloud written by Open3D (3 PCD encodings, a double PLY)
 * and by an independent writer (ASCII/binary PLY), checked against expected.json, which
 * an independent parser and Open3D produced.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { PointCloud } from '../../../evaluators/geometry/types.js';
import { encodePcd, encodePly, lzfDecompress, parsePcdHeader, readPointCloud } from '../../../evaluators/io/index.js';
import { FIXTURES } from './support.js';

const DIR = `${FIXTURES}pcd/`;
interface Sample { x: number; y: number; z: number; nx: number; ny: number; nz: number; r: number; g: number; b: number; rgb_packed_uint32: number }
const expected = JSON.parse(readFileSync(`${DIR}expected.json`, 'utf8')) as {
  count: number;
  first: Sample;
  last: Sample;
  index_1234: Sample;
  sums_float64_of_float32_values: Record<'x' | 'y' | 'z' | 'nx' | 'ny' | 'nz' | 'r' | 'g' | 'b', number>;
  bbox_min: number[];
  bbox_max: number[];
  binary_compressed: { compressed_size: number; uncompressed_size: number };
  files: Record<string, { bytes: number }>;
};

const FILES = [
  'points_ascii.pcd', 'points_binary.pcd', 'points_binary_compressed.pcd',
  'points_ascii.ply', 'points_binary_little_endian.ply', 'points_open3d_double.ply',
];

const clouds = new Map<string, PointCloud>(FILES.map((f) => [f, readPointCloud(DIR + f)]));

function sampleOf(cloud: PointCloud, i: number): Omit<Sample, 'rgb_packed_uint32'> {
  const n = cloud.normals as Float64Array;
  const c = cloud.colors as Uint8Array;
  const p = cloud.positions;
  return { x: p[3 * i], y: p[3 * i + 1], z: p[3 * i + 2], nx: n[3 * i], ny: n[3 * i + 1], nz: n[3 * i + 2], r: c[3 * i], g: c[3 * i + 1], b: c[3 * i + 2] };
}

function withoutPacked(s: Sample): Omit<Sample, 'rgb_packed_uint32'> {
  const { rgb_packed_uint32: packed, ...rest } = s;
  expect(packed).toBe((s.r << 16) | (s.g << 8) | s.b);
  return rest;
}

describe('pcd fixture: all six files', () => {
  it.each(FILES)('%s matches expected.json exactly', (file) => {
    const cloud = clouds.get(file) as PointCloud;
    expect(cloud.positions.length).toBe(3 * expected.count);
    expect(cloud.normals?.length).toBe(3 * expected.count);
    expect(cloud.colors?.length).toBe(3 * expected.count);
    expect(sampleOf(cloud, 0)).toEqual(withoutPacked(expected.first));
    expect(sampleOf(cloud, expected.count - 1)).toEqual(withoutPacked(expected.last));
    expect(sampleOf(cloud, 1234)).toEqual(withoutPacked(expected.index_1234));

    const sums = { x: 0, y: 0, z: 0, nx: 0, ny: 0, nz: 0, r: 0, g: 0, b: 0 };
    const min = [Infinity, Infinity, Infinity];
    const max = [-Infinity, -Infinity, -Infinity];
    for (let i = 0; i < expected.count; i++) {
      const s = sampleOf(cloud, i);
      for (const key of Object.keys(sums) as (keyof typeof sums)[]) sums[key] += s[key];
      [s.x, s.y, s.z].forEach((v, a) => {
        min[a] = Math.min(min[a], v);
        max[a] = Math.max(max[a], v);
        // Every value is a float32.
        expect(Math.fround(v)).toBe(v);
      });
    }
    // The reference sums were accumulated in a different order: compare to 1e-12 relative.
    for (const key of ['x', 'y', 'z', 'nx', 'ny', 'nz'] as const) {
      const ref = expected.sums_float64_of_float32_values[key];
      expect(Math.abs(sums[key] - ref)).toBeLessThan(1e-12 * Math.max(1, Math.abs(ref)) * 3000);
    }
    for (const key of ['r', 'g', 'b'] as const) expect(sums[key]).toBe(expected.sums_float64_of_float32_values[key]);
    expect(min).toEqual(expected.bbox_min);
    expect(max).toEqual(expected.bbox_max);
  });

  it('all six files hold bit-identical positions, normals and colours', () => {
    const reference = clouds.get('points_binary.pcd') as PointCloud;
    for (const file of FILES) {
      const cloud = clouds.get(file) as PointCloud;
      expect(Buffer.from(cloud.positions.buffer).equals(Buffer.from(reference.positions.buffer)), file).toBe(true);
      expect(Buffer.from((cloud.normals as Float64Array).buffer).equals(Buffer.from((reference.normals as Float64Array).buffer)), file).toBe(true);
      expect(cloud.colors).toEqual(reference.colors);
    }
  });

  it('binary_compressed announces the sizes of expected.json', () => {
    const bytes = readFileSync(`${DIR}points_binary_compressed.pcd`);
    const header = parsePcdHeader(bytes, 'points_binary_compressed.pcd');
    expect(header.data).toBe('binary_compressed');
    expect(header.fields.map((f) => f.name)).toEqual(['x', 'y', 'z', 'normal_x', 'normal_y', 'normal_z', 'rgb']);
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    expect(view.getUint32(header.dataOffset, true)).toBe(expected.binary_compressed.compressed_size);
    expect(view.getUint32(header.dataOffset + 4, true)).toBe(expected.binary_compressed.uncompressed_size);
    expect(header.dataOffset + 8 + expected.binary_compressed.compressed_size).toBe(expected.files['points_binary_compressed.pcd'].bytes);
  });
});

describe('writers reproduce the fixture files', () => {
  const cloud = clouds.get('points_binary.pcd') as PointCloud;

  it("PCD ascii is byte-identical to Open3D's (C %.10g formatting)", () => {
    const ours = encodePcd(cloud, { data: 'ascii' });
    expect(Buffer.from(ours).equals(readFileSync(`${DIR}points_ascii.pcd`))).toBe(true);
  });

  it("PCD binary is byte-identical to Open3D's", () => {
    const ours = encodePcd(cloud, { data: 'binary' });
    expect(Buffer.from(ours).equals(readFileSync(`${DIR}points_binary.pcd`))).toBe(true);
  });

  it("PCD binary_compressed decompresses to the same field-major bytes as Open3D's", () => {
    const theirs = readFileSync(`${DIR}points_binary_compressed.pcd`);
    const ours = encodePcd(cloud, { data: 'binary_compressed' });
    const unpack = (bytes: Uint8Array): Uint8Array => {
      const header = parsePcdHeader(bytes, 'x.pcd');
      const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      const size = view.getUint32(header.dataOffset, true);
      const start = header.dataOffset + 8;
      return lzfDecompress(bytes.subarray(start, start + size), view.getUint32(header.dataOffset + 4, true), 'x.pcd');
    };
    expect(Buffer.from(unpack(ours)).equals(Buffer.from(unpack(theirs)))).toBe(true);
    // Same header apart from the data.
    expect(Buffer.from(ours.subarray(0, parsePcdHeader(ours, 'x').dataOffset)).equals(theirs.subarray(0, parsePcdHeader(theirs, 'y').dataOffset))).toBe(true);
  });

  const comments = ['point cloud in mm (ICT-FaceKit instance surface samples)'];
  it('PLY binary_little_endian float is byte-identical to the fixture', () => {
    const ours = encodePly(cloud, { format: 'binary_little_endian', precision: 'float', comments });
    expect(Buffer.from(ours).equals(readFileSync(`${DIR}points_binary_little_endian.ply`))).toBe(true);
  });

  it('PLY ascii float (shortest round-trip decimals) is byte-identical to the fixture', () => {
    const ours = encodePly(cloud, { format: 'ascii', precision: 'float', comments });
    expect(Buffer.from(ours).toString('latin1')).toBe(readFileSync(`${DIR}points_ascii.ply`, 'latin1'));
  });

  it("PLY binary double matches Open3D's file apart from the header comment", () => {
    const ours = encodePly(cloud, { format: 'binary_little_endian', precision: 'double', comments: ['Created by Open3D'] });
    expect(Buffer.from(ours).equals(readFileSync(`${DIR}points_open3d_double.ply`))).toBe(true);
  });
});
