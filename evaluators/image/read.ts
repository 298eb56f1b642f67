import { existsSync, readFileSync } from 'node:fs';
import jpeg from 'jpeg-js';
import pngjs from 'pngjs';
import { InputError } from '../errors.js';
import { decodeDepthValue } from './encode.js';
import { decodeStoredPng } from './png-codec.js';
import type { GrayImage, RgbImage } from './types.js';

const { PNG } = pngjs;

function readBytes(path: string): Buffer {
  if (!existsSync(path)) throw new InputError(path, 'file not found');
  return readFileSync(path);
}

/** Decoded samples: `stride` per pixel from index 0, red (or grey) first; `grey`: one channel to expand. */
interface Pixels {
  width: number;
  height: number;
  /** The file's bit depth (pngjs's data is rescaled to 8 bits unless `keep16`). */
  bitDepth: number;
  samples: ArrayLike<number>;
  stride: number;
  grey: boolean;
}

/**
 * A PNG's samples: by png-codec.ts for the kinds it reads (16-bit ones only with `keep16`,
 * since pngjs rescales those to 8 bits otherwise), else by pngjs as RGBA (grey expanded;
 * 16-bit samples kept with `keep16`) for palette, low bit depths and interlacing.
 */
function pngPixels(path: string, bytes: Buffer, keep16: boolean): Pixels {
  try {
    const stored = decodeStoredPng(bytes);
    if (stored && (keep16 || stored.bitDepth === 8)) {
      return { width: stored.width, height: stored.height, bitDepth: stored.bitDepth, samples: stored.samples, stride: stored.channels, grey: stored.channels < 3 };
    }
    const png = PNG.sync.read(bytes, { skipRescale: keep16 });
    return { width: png.width, height: png.height, bitDepth: png.depth, samples: png.data as ArrayLike<number>, stride: 4, grey: false };
  } catch (error) {
    throw new InputError(path, `not a readable PNG (${(error as Error).message})`);
  }
}

/** Read a PNG or JPEG image as 8-bit RGB (alpha dropped, grey expanded). */
export function readRgbImage(path: string): RgbImage {
  const bytes = readBytes(path);
  const lower = path.toLowerCase();
  let pixels: Pixels;
  if (lower.endsWith('.png')) {
    pixels = pngPixels(path, bytes, false);
  } else if (lower.endsWith('.jpg') || lower.endsWith('.jpeg')) {
    try {
      const decoded = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true });
      pixels = { width: decoded.width, height: decoded.height, bitDepth: 8, samples: decoded.data, stride: 4, grey: false };
    } catch (error) {
      throw new InputError(path, `not a readable JPEG (${(error as Error).message})`);
    }
  } else {
    throw new InputError(path, 'unsupported image type; use .png or .jpg');
  }
  const { width, height, samples, stride, grey } = pixels;
  const data = new Uint8Array(width * height * 3);
  const g = grey ? 0 : 1, b = grey ? 0 : 2;
  for (let i = 0, j = 0; j < data.length; i += stride, j += 3) {
    data[j] = samples[i];
    data[j + 1] = samples[i + g];
    data[j + 2] = samples[i + b];
  }
  return { width, height, data };
}

/** The first channel (grey, or red) of a PNG, which must have `bitDepth` bits per sample; `what` names the map in the refusal. */
function firstChannel(path: string, bitDepth: 8 | 16, what: string): Pixels {
  const pixels = pngPixels(path, readBytes(path), true);
  if (pixels.bitDepth !== bitDepth) throw new InputError(path, `${what} must be ${bitDepth}-bit PNGs${bitDepth === 16 ? ' (NeRSemble compressed depth)' : ''}, this one is ${pixels.bitDepth}-bit`);
  return pixels;
}

/** Read an 8-bit label map (grayscale PNG; for colour PNGs the red channel). */
export function readLabelMap(path: string): GrayImage<Uint8Array> {
  const { width, height, samples, stride } = firstChannel(path, 8, 'label maps');
  const out = new Uint8Array(width * height);
  for (let i = 0, k = 0; i < out.length; i++, k += stride) out[i] = samples[k];
  return { width, height, data: out };
}

/**
 * Read a NeRSemble compressed depth map (16-bit grayscale PNG, docs/conventions.md#depth-maps):
 * 0 = no depth, depth_m = (q − 1)·2/65534. Returned in the capture's unit (metres for
 * NeRSemble) as float32, with 0 where there is no depth.
 */
export function readDepthMap(path: string): GrayImage<Float32Array> {
  const { width, height, samples, stride } = firstChannel(path, 16, 'depth maps');
  const out = new Float32Array(width * height);
  for (let i = 0, k = 0; i < out.length; i++, k += stride) out[i] = decodeDepthValue(samples[k]);
  return { width, height, data: out };
}
