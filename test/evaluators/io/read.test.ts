import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { PointCloud, TriangleMesh } from '../../../evaluators/geometry/types.js';
import { encodeObj, encodePcd, encodePly, readMesh, readPointCloud, writePly } from '../../../evaluators/io/index.js';
import { FIXTURES, expectInputError, fileSaver, scratchDir } from './support.js';

const tetra: TriangleMesh = {
  positions: Float64Array.of(0, 0, 0, 0.1, 0, 0, 0, 0.1, 0, 0, 0, 0.1),
  faces: Uint32Array.of(0, 2, 1, 0, 1, 3, 0, 3, 2, 1, 2, 3),
  normals: Float64Array.of(-1, -1, -1, 1, 0, 0, 0, 1, 0, 0, 0, 1),
};

describe('readMesh / readPointCloud', () => {
  const dir = scratchDir('read');
  const save = fileSaver(dir);

  it('dispatches on the extension (case-insensitive) and converts units at the boundary', () => {
    const ply = save('t.PLY', encodePly(tetra, { precision: 'double' }));
    const obj = save('t.obj', encodeObj(tetra));
    for (const path of [ply, obj]) {
      const mm = readMesh(path, { unit: 'm' });
      expect(mm.positions).toEqual(tetra.positions.map((v) => v * 1000));
      expect(mm.normals).toEqual(tetra.normals);
      expect(mm.faces).toEqual(tetra.faces);
      expect(readMesh(path).positions).toEqual(tetra.positions);
      expect(readMesh(path, { unit: 'cm' }).positions).toEqual(tetra.positions.map((v) => v * 10));
      // As a cloud: the vertices only.
      const cloud = readPointCloud(path, { unit: 'm' });
      expect(Object.keys(cloud).sort()).toEqual(['normals', 'positions']);
      expect(cloud.positions).toEqual(mm.positions);
    }
    const cloud: PointCloud = { positions: Float64Array.of(1, 2, 3), colors: Uint8Array.of(1, 2, 3) };
    const pcd = save('c.pcd', encodePcd(cloud, { data: 'ascii' }));
    expect(readPointCloud(pcd, { unit: 'm' })).toEqual({ positions: Float64Array.of(1000, 2000, 3000), colors: cloud.colors });
  });

  it('missing files, folders and unknown types', () => {
    const missing = join(dir, 'x.ply');
    expectInputError(() => readMesh(missing), missing, /^file not found$/);
    expectInputError(() => readPointCloud(missing), missing, /^file not found$/);
    expectInputError(() => readMesh(dir), dir, /^is a folder; expected a mesh file \(\.ply or \.obj\)$/);
    const stl = save('mesh.stl', 'solid x\nendsolid x\n');
    expectInputError(() => readMesh(stl), stl, /^unsupported mesh type '\.stl'; use \.ply or \.obj$/);
    expectInputError(() => readPointCloud(stl), stl, /^unsupported point cloud type '\.stl'; use \.ply, \.pcd, \.obj/);
    const none = save('noext', 'ply\n');
    expectInputError(() => readMesh(none), none, /unsupported mesh type '\(no extension\)'/);
    const below = join(stl, 'inner.ply');
    expectInputError(() => readMesh(below), below, /file not found/);
  });

  it('a COLMAP folder with fused.ply at its top level', () => {
    const colmap = join(dir, 'colmap');
    mkdirSync(join(colmap, 'sparse', '0'), { recursive: true });
    writePly(join(colmap, 'sparse', '0', 'ignored.ply'), { positions: new Float64Array(3) });
    expectInputError(() => readPointCloud(colmap), colmap, /is a folder without a COLMAP point cloud/);
    writePly(join(colmap, 'fused.ply'), { positions: Float64Array.of(0.5, 0.25, 1), normals: Float64Array.of(0, 0, 1) });
    expect(Array.from(readPointCloud(colmap, { unit: 'm' }).positions)).toEqual([500, 250, 1000]);
  });

  it('the fixtures load through both entry points', () => {
    const gt = readMesh(`${FIXTURES}colmap-ict/gt_mesh.ply`);
    expect([gt.positions.length / 3, gt.faces.length / 3]).toEqual([11248, 22288]);
    const template = readMesh(`${FIXTURES}ict-facekit/template.obj`);
    expect([template.positions.length / 3, template.faces.length / 3]).toEqual([11248, 22288]);
    expect(readPointCloud(`${FIXTURES}ict-facekit/template.obj`).positions.length).toBe(3 * 11248);
  });
});
