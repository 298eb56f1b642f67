import { describe, expect, it } from 'vitest';
import { splatPoints, type PinholeCamera } from '../../../evaluators/render/index.js';

const F = 100;
/** 20x20 camera at the origin looking down +z, principal point at the top-left corner. */
const cam: PinholeCamera = { K: [F, 0, 0, 0, F, 0, 0, 0, 1], world2cam: [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1], width: 20, height: 20 };
const at = (u: number, v: number, z: number) => [(u * z) / F, (v * z) / F, z];

describe('splatPoints', () => {
  it('draws a disc of pixel centres within the radius; the nearer point wins; points behind the camera are skipped', () => {
    const positions = [...at(10, 10, 2), ...at(10, 10, 1), ...at(5, 5, -1)];
    const colours = Uint8Array.of(255, 0, 0, 0, 0, 255, 0, 255, 0);
    const rgb = splatPoints(positions, colours, cam, { radius: 2, background: [9, 9, 9] });
    let covered = 0;
    for (let y = 0; y < 20; y++) {
      for (let x = 0; x < 20; x++) {
        const inside = (x + 0.5 - 10) ** 2 + (y + 0.5 - 10) ** 2 <= 4;
        const px = Array.from(rgb.subarray(3 * (20 * y + x), 3 * (20 * y + x) + 3));
        expect(px).toEqual(inside ? [0, 0, 255] : [9, 9, 9]);
        if (inside) covered++;
      }
    }
    expect(covered).toBe(12);
    expect(() => splatPoints(positions, new Uint8Array(3), cam)).toThrow(/colour bytes/);
  });
});
