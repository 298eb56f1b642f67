/**
 * Z-buffered point splats: each point drawn as a disc of `radius` pixels in its RGB colour,
 * the nearest point winning each pixel. Same camera and pixel convention as rasterize.
 */
import { projectPoints, type PinholeCamera } from './rasterizer.js';

/** Options of splatPoints. */
export interface SplatOptions {
  /** Disc radius in pixels (default 2). */
  radius?: number;
  /** Background RGB (default white). */
  background?: [number, number, number];
}

let projected = new Float64Array(0);

/**
 * RGB image (3 bytes per pixel) of the points (3n) splatted as discs, `colours` 3 bytes per
 * point. A pixel is covered by a point when its centre lies within `radius` of the point's
 * projection; the point with the largest 1/z (nearest) wins. Points behind the camera are skipped.
 */
export function splatPoints(positions: ArrayLike<number>, colours: Uint8Array, camera: PinholeCamera, options: SplatOptions = {}, out?: Uint8Array): Uint8Array {
  const { width: w, height: h } = camera;
  const n = positions.length / 3;
  if (colours.length < 3 * n) throw new Error(`splatPoints: ${n} points need ${3 * n} colour bytes, got ${colours.length}`);
  const rgb = out ?? new Uint8Array(3 * w * h);
  const [br, bg, bb] = options.background ?? [255, 255, 255];
  for (let p = 0; p < w * h; p++) {
    rgb[3 * p] = br;
    rgb[3 * p + 1] = bg;
    rgb[3 * p + 2] = bb;
  }
  const r = options.radius ?? 2;
  const r2 = r * r;
  if (projected.length < 3 * n) projected = new Float64Array(3 * n);
  const P = projected;
  projectPoints(positions, camera, P);
  const Z = new Float64Array(w * h);
  for (let i = 0; i < n; i++) {
    const u = P[3 * i], v = P[3 * i + 1], iz = P[3 * i + 2];
    if (!(iz > 0) || !Number.isFinite(u) || !Number.isFinite(v)) continue;
    const x0 = Math.max(0, Math.ceil(u - r - 0.5)), x1 = Math.min(w - 1, Math.floor(u + r - 0.5));
    const y0 = Math.max(0, Math.ceil(v - r - 0.5)), y1 = Math.min(h - 1, Math.floor(v + r - 0.5));
    for (let y = y0; y <= y1; y++) {
      const dy = y + 0.5 - v;
      for (let x = x0; x <= x1; x++) {
        const dx = x + 0.5 - u;
        if (dx * dx + dy * dy > r2) continue;
        const q = y * w + x;
        if (iz <= Z[q]) continue;
        Z[q] = iz;
        rgb[3 * q] = colours[3 * i];
        rgb[3 * q + 1] = colours[3 * i + 1];
        rgb[3 * q + 2] = colours[3 * i + 2];
      }
    }
  }
  return rgb;
}
