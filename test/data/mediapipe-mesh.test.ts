import { describe, expect, it } from 'vitest';
import { findPackedAsset, GEOMETRY_METADATA_ASSET, loadCanonicalFaceMesh } from '../../data/mediapipe-mesh.js';

describe('MediaPipe canonical face mesh extraction', () => {
  const mesh = loadCanonicalFaceMesh();
  const n = mesh.positions.length / 3;
  const P = mesh.positions;

  it('has 468 vertices with UVs and 898 triangles', () => {
    expect(n).toBe(468);
    expect(mesh.uvs.length).toBe(936);
    expect(mesh.faces.length).toBe(3 * 898);
    for (const v of mesh.faces) expect(v).toBeLessThan(468);
    for (const u of mesh.uvs) {
      expect(u).toBeGreaterThanOrEqual(0);
      expect(u).toBeLessThanOrEqual(1);
    }
  });

  it('is in millimetres with a face-sized extent', () => {
    const ext = [0, 1, 2].map((c) => {
      let lo = Infinity, hi = -Infinity;
      for (let i = 0; i < n; i++) {
        lo = Math.min(lo, P[3 * i + c]);
        hi = Math.max(hi, P[3 * i + c]);
      }
      return hi - lo;
    });
    expect(ext[0]).toBeGreaterThan(130); // cheek to cheek
    expect(ext[0]).toBeLessThan(170);
    expect(ext[1]).toBeGreaterThan(150); // forehead to chin
    expect(ext[1]).toBeLessThan(200);
    expect(ext[2]).toBeGreaterThan(70);
    expect(ext[2]).toBeLessThan(120);
  });

  it('uses the documented axes: +x subject left, +y up, +z out of the face', () => {
    const x = (v: number): number => P[3 * v], y = (v: number): number => P[3 * v + 1], z = (v: number): number => P[3 * v + 2];
    expect(x(33)).toBeLessThan(-30); // right eye outer corner on the subject's right
    expect(x(263)).toBeGreaterThan(30);
    expect(y(10)).toBeGreaterThan(y(1)); // forehead above nose tip
    expect(y(1)).toBeGreaterThan(y(152)); // nose tip above chin
    let maxZ = -Infinity;
    for (let i = 0; i < n; i++) maxZ = Math.max(maxZ, z(i));
    expect(maxZ - z(4)).toBeLessThan(1); // nose tip is (nearly) the frontmost point
    // Triangles wind counter-clockwise around outward normals: most face +z.
    let front = 0;
    for (let f = 0; f < 898; f++) {
      const [a, b, c] = [mesh.faces[3 * f], mesh.faces[3 * f + 1], mesh.faces[3 * f + 2]];
      const nz = (x(b) - x(a)) * (y(c) - y(a)) - (y(b) - y(a)) * (x(c) - x(a));
      if (nz > 0) front++;
    }
    expect(front / 898).toBeGreaterThan(0.95);
  });

  it('finds asset ranges in loader text without hard-coded offsets', () => {
    const text = 'var x = {"files": [{"filename": "/a.bin", "start": 0, "end": 10}, {"filename": "/b.binarypb", "start": 10, "end": 42, "audio": 0}]}';
    expect(findPackedAsset(text, '/b.binarypb')).toEqual({ start: 10, end: 42 });
    expect(() => findPackedAsset(text, GEOMETRY_METADATA_ASSET)).toThrow(/not listed/);
  });

  it('is cached in memory', () => {
    expect(loadCanonicalFaceMesh()).toBe(mesh);
  });
});
