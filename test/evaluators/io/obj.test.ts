import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { TriangleMesh } from '../../../evaluators/geometry/types.js';
import { encodeObj, parseObj, readMesh, readNpy, readPointCloud, writeObj } from '../../../evaluators/io/index.js';
import { rng } from '../../helpers/random.js';
import { FIXTURES, concatBytes, expectInputError, scratchDir } from './support.js';

const obj = (text: string, name = 'test.obj'): TriangleMesh => parseObj(concatBytes(text), name);

describe('OBJ reader', () => {
  it('ICT-FaceKit template.obj equals template.npy + faces.npy (coordinates to %.4f)', () => {
    const mesh = readMesh(`${FIXTURES}ict-facekit/template.obj`);
    const template = readNpy(`${FIXTURES}ict-facekit/template.npy`);
    const faces = readNpy(`${FIXTURES}ict-facekit/faces.npy`);
    const uv = readNpy(`${FIXTURES}ict-facekit/uv_coords.npy`);
    const facesUv = readNpy(`${FIXTURES}ict-facekit/faces_uv.npy`);
    expect(template.shape).toEqual([11248, 3]);
    expect(mesh.positions.length).toBe(template.data.length);
    let worst = 0;
    for (let i = 0; i < mesh.positions.length; i++) worst = Math.max(worst, Math.abs(mesh.positions[i] - template.data[i]));
    expect(worst).toBeLessThanOrEqual(5e-5 + 1e-9);
    expect(mesh.faces).toEqual(Uint32Array.from(faces.data));
    // Per-corner texture coordinates: the same UVs as the npy wedge table (6-decimal text).
    const tex = mesh.texcoords as Float64Array;
    const ft = mesh.faceTexcoords as Uint32Array;
    expect(ft.length).toBe(mesh.faces.length);
    let uvWorst = 0;
    for (let c = 0; c < ft.length; c++) {
      const k = facesUv.data[c];
      uvWorst = Math.max(uvWorst, Math.abs(tex[2 * ft[c]] - uv.data[2 * k]), Math.abs(tex[2 * ft[c] + 1] - uv.data[2 * k + 1]));
    }
    expect(uvWorst).toBeLessThan(1e-6);
    expect(mesh.normals).toBeUndefined();
  });

  it('reads every face corner form, negative indices, polygons and ignores other statements', () => {
    const mesh = obj([
      '# comment', 'mtllib x.mtl', 'o thing', 'g group', 's 1', 'usemtl skin',
      'v 0 0 0', 'v 1 0 0', 'v 1 1 0', 'v 0 1 0 1.0', 'v 0.5 0.5 1',
      'vt 0 0', 'vt 1 0', 'vt 1 1 0', 'vt 0 1',
      'vn 0 0 1', 'vn 0 0 -1',
      'f 1 2 3', 'f 1/1 3/3 4/4', 'f 1//1 2//1 5//1', 'f -5/-4/-2 -4/-3/-2 -3/-2/-2 -2/-1/-2', 'f 1 2 3 4 5',
      'l 1 2', 'p 3',
    ].join('\n'));
    expect(mesh.positions.length).toBe(15);
    expect(Array.from(mesh.faces)).toEqual([
      0, 1, 2, 0, 2, 3, 0, 1, 4, 0, 1, 2, 0, 2, 3, 0, 1, 2, 0, 2, 3, 0, 3, 4,
    ]);
    expect(Array.from(mesh.texcoords as Float64Array)).toEqual([0, 0, 1, 0, 1, 1, 0, 1]);
    // Not every corner has a vt / vn: no per-corner texcoords, no per-vertex normals.
    expect(mesh.faceTexcoords).toBeUndefined();
    expect(mesh.normals).toBeUndefined();
  });

  it('per-vertex normals when every corner names a consistent vn', () => {
    const mesh = obj(['v 0 0 0', 'v 1 0 0', 'v 0 1 0', 'v 1 1 0', 'vn 0 0 1', 'vn 0 0 1', 'vn 0 1 0',
      'f 1//1 2//1 3//2', 'f 2//2 4//3 3//1'].join('\n'));
    expect(Array.from(mesh.normals as Float64Array)).toEqual([0, 0, 1, 0, 0, 1, 0, 0, 1, 0, 1, 0]);
    const split = obj(['v 0 0 0', 'v 1 0 0', 'v 0 1 0', 'vn 0 0 1', 'vn 1 0 0', 'f 1//1 2//1 3//1', 'f 1//2 3//1 2//1'].join('\n'));
    expect(split.normals).toBeUndefined();
    const cloud = obj(['v 0 0 0', 'v 1 2 3', 'vn 1 0 0', 'vn 0 1 0'].join('\n'));
    expect(Array.from(cloud.normals as Float64Array)).toEqual([1, 0, 0, 0, 1, 0]);
    expect(cloud.faces.length).toBe(0);
  });

  it('vertex colours: 0..1 floats, and 0..255 when a value exceeds 1; dropped when some vertices lack them', () => {
    expect(Array.from(obj('v 0 0 0 1 0.5 0\nv 1 1 1 0.2 0.4 0.6\n').colors as Uint8Array)).toEqual([255, 128, 0, 51, 102, 153]);
    expect(Array.from(obj('v 0 0 0 255 128 0\nv 1 1 1 3 4 5\n').colors as Uint8Array)).toEqual([255, 128, 0, 3, 4, 5]);
    expect(obj('v 0 0 0 1 0.5 0\nv 1 1 1\n').colors).toBeUndefined();
  });

  it('handles CRLF line ends, tabs and a last line without newline', () => {
    const mesh = obj('v\t1 2 3\r\nv 4 5 6\r\nv 7 8 9\r\nf 1 2 3');
    expect(Array.from(mesh.positions)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(Array.from(mesh.faces)).toEqual([0, 1, 2]);
  });

  it('bad input names the file and the line', () => {
    expectInputError(() => obj('v 1 2\n', 'a.obj'), 'a.obj', /line 1: a 'v' line needs 3 coordinates, got 2/);
    expectInputError(() => obj('v 1 2 x\n', 'a.obj'), 'a.obj', /line 1: 'x' in a 'v' line is not a number/);
    expectInputError(() => obj('v 0 0 0\nf 1 0 1\n', 'a.obj'), 'a.obj', /line 2: bad face corner '0'/);
    expectInputError(() => obj('v 0 0 0\nf 1 -2 1\n', 'a.obj'), 'a.obj', /line 2: relative vertex index -2 points before the first vertex/);
    expectInputError(() => obj('v 0 0 0\nvt 0 0\nf 1/1 1/2 1/1\n', 'a.obj'), 'a.obj', /refers to texture coordinate 2, but the file has 1/);
    expectInputError(() => obj('v 0 0 0\nf 1/a 1 1\n', 'a.obj'), 'a.obj', /bad face corner '1\/a'/);
    const dir = scratchDir('obj-bad');
    const path = join(dir, 'range.obj');
    writeFileSync(path, 'v 0 0 0\nv 1 0 0\nv 0 1 0\nf 1 2 4\n');
    expectInputError(() => readMesh(path), path, /face 0 refers to vertex 3, but the mesh has 3 vertices/);
  });
});

describe('OBJ writer', () => {
  it('round-trips positions, colours, normals, texcoords and faces exactly', () => {
    const rand = rng(5);
    const nv = 40;
    const mesh: TriangleMesh = {
      positions: Float64Array.from({ length: 3 * nv }, () => (rand() - 0.5) * 1e3),
      faces: Uint32Array.from({ length: 3 * 30 }, () => Math.floor(rand() * nv)),
      normals: Float64Array.from({ length: 3 * nv }, () => rand() - 0.5),
      colors: Uint8Array.from({ length: 3 * nv }, () => Math.floor(rand() * 256)),
      texcoords: Float64Array.from({ length: 2 * 50 }, () => rand()),
    };
    mesh.faceTexcoords = Uint32Array.from({ length: mesh.faces.length }, () => Math.floor(rand() * 50));
    // Every vertex must be used for per-vertex normals to come back.
    for (let v = 0; v < nv; v++) mesh.faces[v] = v;
    const back = parseObj(encodeObj(mesh, { comments: ['round trip'] }), 'rt.obj');
    expect(back).toEqual(mesh);
    for (const variant of [{ normals: undefined }, { texcoords: undefined, faceTexcoords: undefined }, { normals: undefined, texcoords: undefined, faceTexcoords: undefined, colors: undefined }]) {
      const m = { ...mesh, ...variant } as TriangleMesh;
      for (const key of Object.keys(variant) as (keyof TriangleMesh)[]) delete m[key];
      expect(parseObj(encodeObj(m), 'v.obj')).toEqual(m);
    }
  });

  it('writeObj writes a file that readPointCloud reads as vertices in mm', () => {
    const dir = scratchDir('obj');
    const path = join(dir, 'cloud.obj');
    writeObj(path, { positions: Float64Array.of(0.001, 0.002, 0.003, 1, 2, 3), faces: new Uint32Array(0) });
    expect(Array.from(readPointCloud(path, { unit: 'm' }).positions)).toEqual([1, 2, 3, 1000, 2000, 3000]);
  });
});
