import { describe, expect, it } from 'vitest';
import { labelImage, rasterize, shadeImage, vertexNormals, type PinholeCamera } from '../../../evaluators/render/index.js';

const IDENTITY = [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1];
const F = 100;
/** 16x12 camera at the origin looking down +z, principal point at the image's top-left corner (0, 0). */
const cam: PinholeCamera = { K: [F, 0, 0, 0, F, 0, 0, 0, 1], world2cam: IDENTITY, width: 16, height: 12 };

/** Camera point at depth z projecting to image coordinates (u, v). */
function at(u: number, v: number, z: number): number[] {
  return [(u * z) / F, (v * z) / F, z];
}

/** A quad over image rectangle [u0, u1] × [v0, v1], at depth z, facing the camera (two triangles). */
function quad(u0: number, v0: number, u1: number, v1: number, z: number, reversed = false): { positions: Float64Array; faces: Uint32Array } {
  const positions = Float64Array.from([...at(u0, v0, z), ...at(u1, v0, z), ...at(u1, v1, z), ...at(u0, v1, z)]);
  // Facing the camera (normal towards −z) = counter-clockwise seen from −z: 0, 3, 2 / 0, 2, 1 in y-down image terms.
  const faces = reversed ? Uint32Array.of(0, 1, 2, 0, 2, 3) : Uint32Array.of(0, 2, 1, 0, 3, 2);
  return { positions, faces };
}

function covered(r: { triangle: Int32Array; width: number }): string[] {
  const out: string[] = [];
  r.triangle.forEach((f, p) => {
    if (f >= 0) out.push(`${p % r.width},${Math.floor(p / r.width)}`);
  });
  return out;
}

describe('z-buffer rasteriser', () => {
  it('covers exactly the pixels whose centres lie in a fronto-parallel quad, with exact depth', () => {
    const q = quad(2, 3, 6, 7, 2);
    const r = rasterize(q.positions, q.faces, cam);
    const expected: string[] = [];
    for (let y = 3; y < 7; y++) for (let x = 2; x < 6; x++) expected.push(`${x},${y}`);
    expect(covered(r).sort()).toEqual(expected.sort());
    for (let p = 0; p < r.depth.length; p++) {
      if (r.triangle[p] >= 0) expect(Math.abs(r.depth[p] - 2)).toBeLessThan(1e-12);
      else expect(r.depth[p]).toBe(0);
    }
  });

  it('samples at pixel centres (x + 0.5, y + 0.5)', () => {
    // Edges exactly at u = 3.0 and u = 3.4: no centre inside (3.5 is outside), nothing drawn.
    expect(covered(rasterize(quad(3, 3, 3.4, 6, 1).positions, quad(3, 3, 3.4, 6, 1).faces, cam))).toEqual([]);
    // [3.4, 3.6] × [4.4, 4.6] contains only the centre (3.5, 4.5) → pixel (3, 4).
    const q = quad(3.4, 4.4, 3.6, 4.6, 1);
    expect(covered(rasterize(q.positions, q.faces, cam))).toEqual(['3,4']);
    // A point projecting to (u, v) lies in pixel (floor u, floor v).
    const t = quad(7.45, 2.45, 7.55, 2.55, 3);
    expect(covered(rasterize(t.positions, t.faces, cam))).toEqual(['7,2']);
  });

  it('interpolates depth perspective-correctly on a slanted plane', () => {
    // Plane z = 2 + 0.5·x (camera frame); rays through pixel centres hit it at z = 2 / (1 − 0.5·(u/F)).
    const pts: number[] = [];
    const corners = [[-1, -1], [1.5, -1], [1.5, 1.5], [-1, 1.5]];
    for (const [x, y] of corners) pts.push(x, y, 2 + 0.5 * x);
    const K = [F, 0, 8, 0, F, 6, 0, 0, 1];
    const c: PinholeCamera = { K, world2cam: IDENTITY, width: 16, height: 12 };
    const faces = Uint32Array.of(0, 2, 1, 0, 3, 2);
    const r = rasterize(Float64Array.from(pts), faces, c, { cullBackFaces: false });
    let n = 0;
    for (let p = 0; p < r.depth.length; p++) {
      if (r.triangle[p] < 0) continue;
      const dx = (p % 16) + 0.5 - 8;
      const expected = 2 / (1 - (0.5 * dx) / F);
      expect(Math.abs(r.depth[p] - expected)).toBeLessThan(1e-12);
      n++;
    }
    expect(n).toBeGreaterThan(50);
  });

  it('culls back faces unless asked not to', () => {
    const back = quad(2, 3, 6, 7, 2, true);
    expect(covered(rasterize(back.positions, back.faces, cam))).toEqual([]);
    expect(covered(rasterize(back.positions, back.faces, cam, { cullBackFaces: false })).length).toBe(16);
  });

  it('keeps the nearest surface whatever the drawing order, and labels it', () => {
    const far = quad(1, 1, 9, 9, 5);
    const near = quad(4, 4, 12, 11, 2);
    for (const nearFirst of [false, true]) {
      const parts = nearFirst ? [near, far] : [far, near];
      const positions = Float64Array.from([...parts[0].positions, ...parts[1].positions]);
      const faces = Uint32Array.from([...parts[0].faces, ...Array.from(parts[1].faces, (v) => v + 4)]);
      const faceLabels = nearFirst ? Uint8Array.of(7, 7, 3, 3) : Uint8Array.of(3, 3, 7, 7);
      const r = rasterize(positions, faces, cam);
      const labels = labelImage(r, faceLabels);
      const px = (x: number, y: number): number => y * 16 + x;
      expect(labels[px(5, 5)]).toBe(7);
      expect(r.depth[px(5, 5)]).toBeCloseTo(2, 12);
      expect(labels[px(2, 2)]).toBe(3);
      expect(r.depth[px(2, 2)]).toBeCloseTo(5, 12);
      expect(labels[px(0, 0)]).toBe(0);
      expect(labels[px(13, 11)]).toBe(0);
    }
  });

  it('drops triangles behind the camera or nearer than `near`', () => {
    const q = quad(2, 3, 6, 7, 2);
    const behind = Float64Array.from(q.positions, (v, i) => (i % 3 === 2 ? -v : v));
    expect(covered(rasterize(behind, q.faces, cam, { cullBackFaces: false }))).toEqual([]);
    expect(covered(rasterize(q.positions, q.faces, cam, { near: 2.5 }))).toEqual([]);
  });

  it('applies world_2_cam (rotation and translation)', () => {
    // World quad at z = 0; camera 3 units in front looking back (rotation 180° about y).
    const q = quad(2, 3, 6, 7, 3);
    const world = Float64Array.from(q.positions);
    for (let i = 0; i < world.length; i += 3) {
      const x = world[i], z = world[i + 2];
      world[i] = -x; // camera x = −world x
      world[i + 2] = 3 - z; // camera z = 3 − world z
    }
    const c: PinholeCamera = { ...cam, world2cam: [-1, 0, 0, 0, 0, 1, 0, 0, 0, 0, -1, 3, 0, 0, 0, 1] };
    const r = rasterize(world, q.faces, c);
    expect(covered(r).length).toBe(16);
    expect(r.depth[4 * 16 + 3]).toBeCloseTo(3, 12);
  });

  it('shades with Lambert: albedo · (ambient + (1 − ambient) · n·l)', () => {
    const q = quad(0, 0, 16, 12, 2);
    const r = rasterize(q.positions, q.faces, cam);
    const normals = vertexNormals(q.positions, q.faces);
    expect(Array.from(normals.subarray(0, 3))).toEqual([0, 0, -1]);
    const albedo = new Uint8Array(12).fill(200);
    const rgb = shadeImage(r, q.faces, normals, albedo, { light: [0, 0.6, -0.8], ambient: 0.25 });
    const expected = Math.round(200 * (0.25 + 0.75 * 0.8));
    for (let k = 0; k < rgb.length; k++) expect(rgb[k]).toBe(expected);
    const bg = shadeImage(rasterize(q.positions, q.faces, cam, { near: 3 }), q.faces, normals, albedo, { background: [1, 2, 3] });
    expect(Array.from(bg.subarray(0, 3))).toEqual([1, 2, 3]);
  });
});

describe('orthographic rasterisation', () => {
  it('places the image at u = (x/xmag + 1)·W/2, v = (1 − y/ymag)·H/2 with depth −z, affine over a tilted plane', () => {
    // A tilted quad z = −3 + 0.2x − 0.1y over [−0.5, 0.5]², counter-clockwise seen from +z (the camera).
    const corners = [[-0.5, -0.5], [0.5, -0.5], [0.5, 0.5], [-0.5, 0.5]];
    const positions = Float64Array.from(corners.flatMap(([x, y]) => [x, y, -3 + 0.2 * x - 0.1 * y]));
    const faces = Uint32Array.from([0, 1, 2, 0, 2, 3]);
    const raster = rasterize(positions, faces, { kind: 'orthographic', xmag: 1, ymag: 1, width: 64, height: 64 });
    let drawn = 0;
    for (let row = 0; row < 64; row++) {
      for (let col = 0; col < 64; col++) {
        const x = ((col + 0.5) / 32) - 1, y = 1 - (row + 0.5) / 32;
        const inside = Math.abs(x) < 0.5 && Math.abs(y) < 0.5;
        const d = raster.depth[row * 64 + col];
        if (inside) {
          expect(d).toBeCloseTo(3 - 0.2 * x + 0.1 * y, 12);
          drawn++;
        } else if (Math.abs(x) > 0.5 || Math.abs(y) > 0.5) expect(d).toBe(0);
      }
    }
    expect(drawn).toBe(32 * 32);
    // Seen from behind (clockwise), the quad is culled by default.
    const back = rasterize(positions, Uint32Array.from([0, 2, 1, 0, 3, 2]), { kind: 'orthographic', xmag: 1, ymag: 1, width: 64, height: 64 });
    expect(back.depth.every((v) => v === 0)).toBe(true);
  });
});

