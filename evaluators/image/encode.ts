/**
 * PNG encoders (png-codec.ts): 8-bit RGB images, 8-bit grayscale label maps and 16-bit grayscale
 * NeRSemble compressed depth maps (docs/conventions.md#depth-maps: 0 = no depth,
 * depth_m = (q − 1) · 2 / 65534, so q = round(depth_m · 65534 / 2) + 1, depths up to 2 m),
 * and the depth code itself, which the depth-map reader shares.
 */
import { writeFileAtomic } from '../io/atomic.js';
import { encodePng } from './png-codec.js';
import type { RgbImage } from './types.js';

/** Largest depth a NeRSemble compressed depth map can hold, metres. */
export const MAX_COMPRESSED_DEPTH_M = 2;
/** Quantisation step of a compressed depth map, metres. */
export const DEPTH_STEP_M = 2 / 65534;

/** Quantise a depth in metres (0 or non-finite = no depth) to the NeRSemble 16-bit code. */
export function encodeDepthValue(depthM: number): number {
  if (!(depthM > 0) || !Number.isFinite(depthM)) return 0;
  if (depthM > MAX_COMPRESSED_DEPTH_M) throw new Error(`depth ${depthM} m exceeds the ${MAX_COMPRESSED_DEPTH_M} m range of compressed depth maps`);
  return Math.round(depthM / DEPTH_STEP_M) + 1;
}

/** Depth in metres of a NeRSemble 16-bit code (0 → 0, meaning no depth). */
export function decodeDepthValue(q: number): number {
  return q === 0 ? 0 : (q - 1) * DEPTH_STEP_M;
}

/** 8-bit RGB PNG from 3 bytes per pixel. */
export function encodeRgbPng(rgb: Uint8Array, width: number, height: number): Buffer {
  if (rgb.length !== 3 * width * height) throw new Error(`RGB buffer of ${rgb.length} bytes for a ${width}x${height} image`);
  return encodePng(rgb, width, height, 2, 8);
}

/** 8-bit grayscale PNG (label ids) from one byte per pixel. */
export function encodeGray8Png(values: Uint8Array, width: number, height: number): Buffer {
  if (values.length !== width * height) throw new Error(`buffer of ${values.length} bytes for a ${width}x${height} image`);
  return encodePng(values, width, height, 0, 8);
}

/** 16-bit grayscale PNG from one uint16 per pixel. */
export function encodeGray16Png(values: Uint16Array, width: number, height: number): Buffer {
  if (values.length !== width * height) throw new Error(`buffer of ${values.length} values for a ${width}x${height} image`);
  return encodePng(values, width, height, 0, 16);
}

/** NeRSemble compressed depth PNG from camera depths in metres (0 = no depth). */
export function encodeDepthPng(depthM: ArrayLike<number>, width: number, height: number): Buffer {
  const q = new Uint16Array(width * height);
  for (let i = 0; i < q.length; i++) q[i] = encodeDepthValue(depthM[i]);
  return encodeGray16Png(q, width, height);
}

/** Encode 8-bit RGB as PNG and write it atomically. */
export function writeRgbPng(path: string, image: RgbImage): void {
  writeFileAtomic(path, encodeRgbPng(image.data, image.width, image.height));
}
