import { existsSync, readFileSync } from 'node:fs';
import jpeg from 'jpeg-js';
import pngjs from 'pngjs';
import { InputError } from '../errors.js';
import { decodeDepthValue } from './encode.js';
import { decodeStoredPng, type StoredPng } from './png-codec.js';
import type { GrayImage, RgbImage } from './types.js';

const { PNG } = pngjs;

function readBytes(path: string): Buffer {
  if (!existsSync(path)) throw new InputError(path, 'file not found');
  return readFileSync(path);
}

/** The PNG's samples by png-codec.ts, null for the kinds it leaves to pngjs. */
function decodeStored(path: string, bytes: Buffer): StoredPng | null {
  try {
    return decodeStoredPng(bytes);
  } catch (error) {
    throw new InputError(path, `not a readable PNG (${(error as Error).message})`);
  }
}

/** pngjs's decoding (RGBA; 16-bit samples kept with skipRescale), for palette, low bit depths and interlacing. */
function decodePng(path: string, bytes: Buffer, skipRescale: boolean): ReturnType<typeof PNG.sync.read> {
  try {
    return PNG.sync.read(bytes, { skipRescale });
  } catch (error) {
    throw new InputError(path, `not a readable PNG (${(error as Error).message})`);
  }
}

/** Read a PNG or JPEG image as 8-bit RGB (alpha dropped, grey expanded). */
export function readRgbImage(path: string): RgbImage {
  const bytes = readBytes(path);
  const lower = path.toLowerCase();
  let width: number;
  let height: number;
  let rgba: Uint8Array;
  if (lower.endsWith('.png')) {
    const stored = decodeStored(path, bytes);
    if (stored && stored.bitDepth === 8) {
      // Grey expanded, alpha dropped.
      const { channels, samples } = stored;
      const data = new Uint8Array(stored.width * stored.height * 3);
      const colour = channels >= 3;
      for (let i = 0, j = 0; j < data.length; i += channels, j += 3) {
        data[j] = samples[i];
        data[j + 1] = samples[colour ? i + 1 : i];
        data[j + 2] = samples[colour ? i + 2 : i];
      }
      return { width: stored.width, height: stored.height, data };
    }
    const png = decodePng(path, bytes, false);
    ({ width, height } = png);
    rgba = png.data;
  } else if (lower.endsWith('.jpg') || lower.endsWith('.jpeg')) {
    try {
      const decoded = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true });
      ({ width, height } = decoded);
      rgba = decoded.data;
    } catch (error) {
      throw new InputError(path, `not a readable JPEG (${(error as Error).message})`);
    }
  } else {
    throw new InputError(path, 'unsupported image type; use .png or .jpg');
  }
  const data = new Uint8Array(width * height * 3);
  for (let i = 0, j = 0; j < data.length; i += 4, j += 3) {
    data[j] = rgba[i];
    data[j + 1] = rgba[i + 1];
    data[j + 2] = rgba[i + 2];
  }
  return { width, height, data };
}

/** Read an 8-bit label map (grayscale PNG; for colour PNGs the red channel). */
export function readLabelMap(path: string): GrayImage<Uint8Array> {
  const bytes = readBytes(path);
  const stored = decodeStored(path, bytes);
  if (stored) {
    if (stored.bitDepth !== 8) throw new InputError(path, `label maps must be 8-bit PNGs, this one is ${stored.bitDepth}-bit`);
    const out = new Uint8Array(stored.width * stored.height);
    for (let i = 0, k = 0; i < out.length; i++, k += stored.channels) out[i] = stored.samples[k];
    return { width: stored.width, height: stored.height, data: out };
  }
  const png = decodePng(path, bytes, true);
  if (png.depth !== 8) throw new InputError(path, `label maps must be 8-bit PNGs, this one is ${png.depth}-bit`);
  const out = new Uint8Array(png.width * png.height);
  const src = png.data;
  for (let i = 0; i < out.length; i++) out[i] = src[4 * i];
  return { width: png.width, height: png.height, data: out };
}

/**
 * Read a NeRSemble compressed depth map (16-bit grayscale PNG, docs/conventions.md#depth-maps):
 * 0 = no depth, depth_m = (q − 1)·2/65534. Returned in the capture's unit (metres for
 * NeRSemble) as float32, with 0 where there is no depth.
 */
export function readDepthMap(path: string): GrayImage<Float32Array> {
  const bytes = readBytes(path);
  const stored = decodeStored(path, bytes);
  if (stored) {
    if (stored.bitDepth !== 16) throw new InputError(path, `depth maps must be 16-bit PNGs (NeRSemble compressed depth), this one is ${stored.bitDepth}-bit`);
    const out = new Float32Array(stored.width * stored.height);
    for (let i = 0, k = 0; i < out.length; i++, k += stored.channels) out[i] = decodeDepthValue(stored.samples[k]);
    return { width: stored.width, height: stored.height, data: out };
  }
  const png = decodePng(path, bytes, true);
  if (png.depth !== 16) throw new InputError(path, `depth maps must be 16-bit PNGs (NeRSemble compressed depth), this one is ${png.depth}-bit`);
  const src = png.data as unknown as Uint16Array;
  const out = new Float32Array(png.width * png.height);
  for (let i = 0; i < out.length; i++) {
    out[i] = decodeDepthValue(src[4 * i]);
  }
  return { width: png.width, height: png.height, data: out };
}
