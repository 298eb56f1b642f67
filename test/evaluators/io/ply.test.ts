import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { TriangleMesh } from '../../../evaluators/geometry/types.js';
import { encodePly, parsePly, parsePlyHeader, readMesh, readPointCloud, writePly, type PlyFormat } from '../../../evaluators/io/index.js';
import { rng } from '../../helpers/random.js';
import { FIXTURES, concatBytes, expectInputError, fileSaver, scratchDir } from './support.js';

/** Little binary writer for hand-built PLY bodies. */
class Body {
  private bytes: number[] = [];
  constructor(private readonly little: boolean) {}
  private put(size: number, write: (v: DataView) => void): this {
    const view = new DataView(new ArrayBuffer(size));
    write(view);
    for (let i = 0; i < size; i++) this.bytes.push(view.getUint8(i));
    return this;
  }
  i8(v: number): this { return this.put(1, (d) => d.setInt8(0, v)); }
  u8(v: number): this { return this.put(1, (d) => d.setUint8(0, v)); }
  i16(v: number): this { return this.put(2, (d) => d.setInt16(0, v, this.little)); }
  u16(v: number): this { return this.put(2, (d) => d.setUint16(0, v, this.little)); }
  i32(v: number): this { return this.put(4, (d) => d.setInt32(0, v, this.little)); }
  u32(v: number): this { return this.put(4, (d) => d.setUint32(0, v, this.little)); }
  f32(v: number): this { return this.put(4, (d) => d.setFloat32(0, v, this.little)); }
  f64(v: number): this { return this.put(8, (d) => d.setFloat64(0, v, this.little)); }
  build(): Uint8Array { return Uint8Array.from(this.bytes); }
}

function randomMesh(seed: number, nv: number, nf: number, withNormals: boolean, withColors: boolean): TriangleMesh {
  const rand = rng(seed);
  const positions = Float64Array.from({ length: 3 * nv }, () => (rand() - 0.5) * 300);
  const faces = Uint32Array.from({ length: 3 * nf }, () => Math.floor(rand() * nv));
  const mesh: TriangleMesh = { positions, faces };
  if (withNormals) mesh.normals = Float64Array.from({ length: 3 * nv }, () => rand() * 2 - 1);
  if (withColors) mesh.colors = Uint8Array.from({ length: 3 * nv }, () => Math.floor(rand() * 256));
  return mesh;
}

describe('PLY round trips', () => {
  const formats: PlyFormat[] = ['ascii', 'binary_little_endian', 'binary_big_endian'];
  const cases = formats.flatMap((format) => (['float', 'double'] as const).flatMap((precision) =>
    [[false, false, 0], [true, false, 0], [false, true, 40], [true, true, 40]].map(([n, c, f]) => ({ format, precision, normals: n as boolean, colors: c as boolean, faces: f as number }))));

  it.each(cases)('$format $precision normals=$normals colours=$colors faces=$faces', ({ format, precision, normals, colors, faces }) => {
    const mesh = randomMesh(7, 25, faces, normals, colors);
    const back = parsePly(encodePly(mesh, { format, precision }), 'rt.ply');
    const round = precision === 'float' ? (a: Float64Array) => a.map(Math.fround) : (a: Float64Array) => a;
    expect(back.positions).toEqual(round(mesh.positions));
    expect(back.faces).toEqual(mesh.faces);
    expect(back.normals).toEqual(normals ? round(mesh.normals as Float64Array) : undefined);
    expect(back.colors).toEqual(colors ? mesh.colors : undefined);
  });

  it('writePly writes atomically to disk and readMesh reads it back in mm', () => {
    const dir = scratchDir('ply');
    const mesh = randomMesh(3, 30, 20, true, false);
    const path = join(dir, 'sub', 'mesh.ply');
    writePly(path, mesh, { format: 'binary_little_endian', precision: 'double' });
    const back = readMesh(path, { unit: 'm' });
    expect(back.positions).toEqual(mesh.positions.map((v) => v * 1000));
    expect(back.normals).toEqual(mesh.normals);
    expect(back.faces).toEqual(mesh.faces);
  });
});

describe('PLY reader: hand-built variants', () => {
  it('reads properties in any order, skips unknown ones and an unknown element with a list before the vertices', () => {
    const header = [
      'ply', 'format binary_little_endian 1.0', 'comment odd layout', 'obj_info made by hand',
      'element camera 2', 'property list uchar float params', 'property int id',
      'element vertex 3', 'property uchar blue', 'property double z', 'property float quality', 'property uchar red',
      'property double x', 'property list ushort int junk', 'property uchar green', 'property double y',
      'property float nz', 'property float nx', 'property float ny',
      'element face 1', 'property uchar flags', 'property list uint8 uint32 vertex_indices', 'property list uchar float texcoord',
      'end_header', '',
    ].join('\n');
    const b = new Body(true);
    b.u8(3).f32(1).f32(2).f32(3).i32(10); // camera 0
    b.u8(0).i32(11); // camera 1: empty list
    const verts = [[1.5, -2.25, 3.125], [10, 20, 30], [-0.1, 0.2, -0.3]];
    verts.forEach(([x, y, z], i) => {
      b.u8(200 + i).f64(z).f32(0.5).u8(10 + i).f64(x);
      b.u16(2).i32(-7).i32(99); // junk list
      b.u8(100 + i).f64(y).f32(0.25 * i).f32(1).f32(-1);
    });
    b.u8(9).u8(3).u32(2).u32(0).u32(1).u8(6).f32(0).f32(0).f32(1).f32(0).f32(1).f32(1);
    const mesh = parsePly(concatBytes(header, b.build()), 'odd.ply');
    expect(Array.from(mesh.positions)).toEqual(verts.flat());
    expect(Array.from(mesh.colors as Uint8Array)).toEqual([10, 100, 200, 11, 101, 201, 12, 102, 202]);
    expect(Array.from(mesh.normals as Float64Array)).toEqual([1, -1, 0, 1, -1, 0.25, 1, -1, 0.5]);
    expect(Array.from(mesh.faces)).toEqual([2, 0, 1]);
    const parsed = parsePlyHeader(concatBytes(header), 'odd.ply');
    expect(parsed.comments).toEqual(['odd layout']);
    expect(parsed.objInfo).toEqual(['made by hand']);
    expect(parsed.elements.map((e) => [e.name, e.count])).toEqual([['camera', 2], ['vertex', 3], ['face', 1]]);
  });

  it('fan-triangulates quads and pentagons (big endian, int16 count, int indices, sized type aliases)', () => {
    const header = [
      'ply', 'format binary_big_endian 1.0',
      'element vertex 6', 'property float32 x', 'property float32 y', 'property float32 z',
      'element face 3', 'property list int16 int32 vertex_index',
      'end_header', '',
    ].join('\n');
    const b = new Body(false);
    for (let i = 0; i < 6; i++) b.f32(i).f32(2 * i).f32(0 - i);
    b.i16(4).i32(0).i32(1).i32(2).i32(3);
    b.i16(5).i32(5).i32(4).i32(3).i32(2).i32(1);
    b.i16(3).i32(0).i32(2).i32(4);
    const mesh = parsePly(concatBytes(header, b.build()), 'poly.ply');
    expect(Array.from(mesh.positions)).toEqual([0, 0, 0, 1, 2, -1, 2, 4, -2, 3, 6, -3, 4, 8, -4, 5, 10, -5]);
    expect(Array.from(mesh.faces)).toEqual([0, 1, 2, 0, 2, 3, 5, 4, 3, 5, 3, 2, 5, 2, 1, 0, 2, 4]);
  });

  it('reads double positions exactly and a ushort-count uint list', () => {
    const header = 'ply\nformat binary_little_endian 1.0\nelement vertex 3\nproperty double x\nproperty double y\nproperty double z\n'
      + 'element face 1\nproperty list ushort uint vertex_indices\nend_header\n';
    const b = new Body(true);
    const values = [0.1, 1e-300, -123456789.123456789, Math.PI, 2 ** 60, -0.3, 7, 8, 9];
    values.forEach((v) => b.f64(v));
    b.u16(3).u32(2).u32(1).u32(0);
    const mesh = parsePly(concatBytes(header, b.build()), 'double.ply');
    expect(Array.from(mesh.positions)).toEqual(values);
    expect(Array.from(mesh.faces)).toEqual([2, 1, 0]);
  });

  it('reads an ASCII file with \\r\\n line ends, float colours and a polygon spread over lines', () => {
    const text = [
      'ply', 'format ascii 1.0', 'comment crlf', 'element vertex 4', 'property float x', 'property float y', 'property float z',
      'property float red', 'property float green', 'property float blue', 'property float alpha',
      'element face 1', 'property list uchar int vertex_indices', 'end_header',
      '0 0 0 1 0 0.5 1', '1 0 0 0 1 0.25 1', '1 1 0 0.2 0.4 0.6 1', '0 1 1e0 0 0 0 0',
      '4 0 1', '2 3', '',
    ].join('\r\n');
    const mesh = parsePly(concatBytes(text), 'crlf.ply');
    expect(Array.from(mesh.positions)).toEqual([0, 0, 0, 1, 0, 0, 1, 1, 0, 0, 1, 1]);
    expect(Array.from(mesh.colors as Uint8Array)).toEqual([255, 0, 128, 0, 255, 64, 51, 102, 153, 0, 0, 0]);
    expect(Array.from(mesh.faces)).toEqual([0, 1, 2, 0, 2, 3]);
  });

  it('binary data right after a CRLF header keeps its first byte', () => {
    const header = 'ply\r\nformat binary_little_endian 1.0\r\nelement vertex 1\r\nproperty uchar x\r\nproperty uchar y\r\nproperty uchar z\r\nend_header\r\n';
    const mesh = parsePly(concatBytes(header, Uint8Array.of(13, 10, 32)), 'crlf-bin.ply');
    expect(Array.from(mesh.positions)).toEqual([13, 10, 32]);
  });

  it('reads the COLMAP fused.ply (22579 points with normals and colours) and the GT mesh', () => {
    const fused = readPointCloud(`${FIXTURES}colmap-ict/dense/fused.ply`);
    expect(fused.positions.length).toBe(3 * 22579);
    expect(fused.normals?.length).toBe(3 * 22579);
    expect(fused.colors?.length).toBe(3 * 22579);
    // Unit normals; points near the ICT face (mm).
    for (let i = 0; i < 22579; i += 997) {
      const n = fused.normals as Float64Array;
      expect(Math.hypot(n[3 * i], n[3 * i + 1], n[3 * i + 2])).toBeCloseTo(1, 5);
      expect(Math.abs(fused.positions[3 * i])).toBeLessThan(200);
    }
    const mesh = readMesh(`${FIXTURES}colmap-ict/gt_mesh.ply`);
    expect(mesh.positions.length).toBe(3 * 11248);
    expect(mesh.faces.length).toBe(3 * 22288);
    expect(Math.max(...mesh.faces)).toBe(11247);
  });
});

describe('PLY reader: bad input', () => {
  const dir = scratchDir('ply-bad');
  const save = fileSaver(dir);
  const cube = randomMesh(11, 2000, 100, false, false);

  it('truncated binary vertices: says how many vertices were complete', () => {
    const full = encodePly(cube, { format: 'binary_little_endian' });
    const headerLength = parsePlyHeader(full, 'x').dataOffset;
    const path = save('scan.ply', full.subarray(0, headerLength + 1234 * 12 + 5));
    expectInputError(() => readPointCloud(path), path, /^truncated: the header declares 2000 vertices and 100 faces, the data ends after 1234 vertices; the file is cut short: copy or export it again$/);
  });

  it('truncated binary faces', () => {
    const full = encodePly(cube, { format: 'binary_big_endian' });
    const path = save('faces-cut.ply', full.subarray(0, full.length - 13 * 10 - 4));
    expectInputError(() => readMesh(path), path, /^truncated: the header declares 2000 vertices and 100 faces, the data ends after 2000 vertices and 89 faces; the file is cut short: copy or export it again$/);
  });

  it('ASCII data that ends early', () => {
    const path = save('short.ply', 'ply\nformat ascii 1.0\nelement vertex 3\nproperty float x\nproperty float y\nproperty float z\nend_header\n0 0 0\n1 1 1\n');
    expectInputError(() => readPointCloud(path), path, /^truncated: the header declares 3 vertices, the data ends after 2 vertices; the file is cut short: copy or export it again$/);
  });

  it('header errors', () => {
    const cases: [string, string, RegExp][] = [
      ['nomagic.ply', 'plx\nformat ascii 1.0\nend_header\n', /not a PLY file/],
      ['noend.ply', 'ply\nformat ascii 1.0\nelement vertex 1\nproperty float x\n', /no 'end_header' line/],
      ['badformat.ply', 'ply\nformat binary_middle_endian 1.0\nend_header\n', /line 2: unknown format 'binary_middle_endian'/],
      ['badtype.ply', 'ply\nformat ascii 1.0\nelement vertex 1\nproperty float128 x\nend_header\n', /line 4: unknown property type 'float128'/],
      ['badcount.ply', 'ply\nformat ascii 1.0\nelement vertex -4\nend_header\n', /line 3: expected 'element <name> <count>'/],
      ['orphan.ply', 'ply\nformat ascii 1.0\nproperty float x\nend_header\n', /property declared before any element/],
      ['noxyz.ply', 'ply\nformat ascii 1.0\nelement vertex 1\nproperty float x\nproperty float y\nend_header\n1 2\n', /no x, y and z properties/],
      ['novertex.ply', 'ply\nformat ascii 1.0\nelement face 0\nproperty list uchar int vertex_indices\nend_header\n', /no 'vertex' element/],
      ['listfloat.ply', 'ply\nformat ascii 1.0\nelement vertex 0\nproperty list float int junk\nend_header\n', /list count type must be an integer type/],
      ['nan-token.ply', 'ply\nformat ascii 1.0\nelement vertex 1\nproperty float x\nproperty float y\nproperty float z\nend_header\n1 abc 3\n', /vertex 0 \(line 8\): 'abc' is not a number/],
    ];
    for (const [name, text, pattern] of cases) {
      const path = save(name, text);
      expectInputError(() => readPointCloud(path), path, pattern);
    }
  });

  it('face index out of range and negative index', () => {
    const mesh: TriangleMesh = { positions: new Float64Array(9), faces: Uint32Array.of(0, 1, 3) };
    const path = save('range.ply', encodePly(mesh, { format: 'ascii' }));
    expectInputError(() => readMesh(path), path, /face 0 refers to vertex 3, but the mesh has 3 vertices/);
    const neg = save('neg.ply', 'ply\nformat ascii 1.0\nelement vertex 3\nproperty float x\nproperty float y\nproperty float z\nelement face 1\nproperty list uchar int vertex_indices\nend_header\n0 0 0\n1 0 0\n0 1 0\n3 0 -1 2\n');
    expectInputError(() => readMesh(neg), neg, /face 0 has an invalid vertex index \(-1\)/);
  });

  it('NaN vertex, empty mesh and a cloud given as a mesh', () => {
    const nan = save('nan.ply', encodePly({ positions: Float64Array.of(0, 0, 0, 1, Number.NaN, 0, 0, 1, 0), faces: Uint32Array.of(0, 1, 2) }, { format: 'ascii' }));
    expectInputError(() => readMesh(nan), nan, /vertex 1 has a non-finite coordinate \(NaN\)/);
    const nanBin = save('nan-bin.ply', encodePly({ positions: Float64Array.of(0, 0, Number.POSITIVE_INFINITY), faces: new Uint32Array(0) }));
    expectInputError(() => readPointCloud(nanBin), nanBin, /point 0 has a non-finite coordinate \(Infinity\)/);
    const empty = save('empty.ply', encodePly({ positions: new Float64Array(0), faces: new Uint32Array(0) }));
    expectInputError(() => readMesh(empty), empty, /the mesh is empty \(0 vertices\)/);
    expectInputError(() => readPointCloud(empty), empty, /the point cloud is empty/);
    const cloud = save('cloud.ply', encodePly({ positions: new Float64Array(9) }));
    expectInputError(() => readMesh(cloud), cloud, /no faces/);
  });

  it('the binary header written lists exactly the documented properties', () => {
    const text = Buffer.from(encodePly(randomMesh(1, 3, 1, true, true), { format: 'binary_little_endian', precision: 'double' })).toString('latin1');
    expect(text.slice(0, text.indexOf('end_header'))).toBe([
      'ply', 'format binary_little_endian 1.0', 'element vertex 3', 'property double x', 'property double y', 'property double z',
      'property double nx', 'property double ny', 'property double nz', 'property uchar red', 'property uchar green', 'property uchar blue',
      'element face 1', 'property list uchar int vertex_indices', '',
    ].join('\n'));
    expect(readFileSync(`${FIXTURES}colmap-ict/gt_mesh.ply`).subarray(0, 3).toString()).toBe('ply');
  });
});
