import { describe, expect, it } from 'vitest';
import { cropNormalMap } from '../../../benchmark/construct/normal-map.js';

describe('GT normal map of a crop', () => {
  it('splats a plane facing a rotated camera: every covered pixel has the plane normal in the camera frame, oriented to the camera', () => {
    // camera: rotated 30° about y, at the origin; plane: points on z_cam = 500 mm in front of it
    const a = Math.PI / 6;
    const R = Float64Array.from([Math.cos(a), 0, -Math.sin(a), 0, 1, 0, Math.sin(a), 0, Math.cos(a)]);
    const camera = { serial: 'c', K: Float64Array.from([1000, 0, 320, 0, 1000, 240, 0, 0, 1]), R, t: new Float64Array(3) };
    const positions: number[] = [];
    const normals: number[] = [];
    for (let i = -60; i <= 60; i += 0.5) for (let j = -60; j <= 60; j += 0.5) {
      const pc = [i, j, 500];
      // world = Rᵀ·pc; its normal (0, 0, +1) in the camera frame, stored pointing away to test orientation
      positions.push(R[0] * pc[0] + R[3] * pc[1] + R[6] * pc[2], R[1] * pc[0] + R[4] * pc[1] + R[7] * pc[2], R[2] * pc[0] + R[5] * pc[1] + R[8] * pc[2]);
      normals.push(R[6], R[7], R[8]);
    }
    const box = { x: 220, y: 140, size: 200 };
    const size = 64;
    const map = cropNormalMap({ positions: Float64Array.from(positions), normals: Float64Array.from(normals) }, camera, box, size);
    let valid = 0;
    for (let p = 0; p < size * size; p++) {
      if (Number.isNaN(map[3 * p])) continue;
      valid++;
      expect(map[3 * p]).toBeCloseTo(0, 6);
      expect(map[3 * p + 1]).toBeCloseTo(0, 6);
      expect(map[3 * p + 2]).toBeCloseTo(-1, 6);
    }
    // the plane covers source x in 320 ± 120 px (all of the box): every crop pixel
    expect(valid).toBe(size * size);
  });

  it('leaves pixels the cloud does not reach NaN and keeps the nearest point', () => {
    const camera = { serial: 'c', K: Float64Array.from([100, 0, 8, 0, 100, 8, 0, 0, 1]), R: Float64Array.from([1, 0, 0, 0, 1, 0, 0, 0, 1]), t: new Float64Array(3) };
    // two points on the optical axis: the near one faces +x-ish, the far one −z
    const near = [0.6, 0, -0.8];
    const cloud = { positions: Float64Array.from([0, 0, 100, 0, 0, 200]), normals: Float64Array.from([...near, 0, 0, -1]) };
    const map = cropNormalMap(cloud, camera, { x: 0, y: 0, size: 16 }, 16);
    const centre = 3 * (8 * 16 + 8);
    expect([...map.subarray(centre, centre + 3)].map((v) => Number(v.toFixed(6)))).toEqual(near);
    expect(Number.isNaN(map[0])).toBe(true);
  });
});
