/**
 * PNG on typed arrays with Node's zlib (PNG specification, W3C 2003, §11–12): the encoder
 * writes the images facebench makes (8-bit RGB, 8- and 16-bit grey; Sub filter on every
 * row, one IDAT chunk), the decoder reads the non-interlaced 8- and 16-bit grey, grey+alpha,
 * RGB and RGBA images that captures hold, with every row filter and the chunk CRCs checked.
 * Samples come out as they are stored, 16-bit ones as numbers 0–65535. Other PNGs (palette,
 * 1–4-bit, interlaced) are left to pngjs by the readers (`decodeStoredPng` returns null).
 */
import { crc32, deflateSync, inflateSync } from 'node:zlib';

/** The 8 bytes every PNG starts with. */
export const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
/** zlib settings: level 3 with the run-length strategy, fast for the thousands of PNGs of a capture. */
const DEFLATE = { level: 3, strategy: 3 } as const;
/** Largest decoded image (filtered bytes). */
const MAX_IMAGE_BYTES = 2 ** 31 - 1;
/** Channels per colour type (0 grey, 2 RGB, 4 grey + alpha, 6 RGBA). */
const CHANNELS: Readonly<Record<number, number>> = { 0: 1, 2: 3, 4: 2, 6: 4 };

/** A decoded PNG: `channels` samples per pixel, row by row. */
export interface StoredPng {
  width: number;
  height: number;
  bitDepth: 8 | 16;
  colorType: 0 | 2 | 4 | 6;
  channels: number;
  /** Uint8Array for 8-bit images, Uint16Array for 16-bit ones. */
  samples: Uint8Array | Uint16Array;
}

function chunk(type: string, data: Uint8Array): Buffer {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'latin1');
  out.set(data, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

/**
 * PNG of `samples` (channels per pixel by colour type 0 or 2; 16-bit samples as numbers),
 * every row with the Sub filter. The bytes equal pngjs's with deflateLevel 3 and filterType 1.
 */
export function encodePng(samples: Uint8Array | Uint16Array, width: number, height: number, colorType: 0 | 2, bitDepth: 8 | 16): Buffer {
  const channels = CHANNELS[colorType];
  if (samples.length !== width * height * channels) throw new RangeError(`${samples.length} samples for a ${width}×${height} image of ${channels} channels`);
  const bpp = (channels * bitDepth) / 8;
  const stride = width * bpp;
  // Filtered rows: the filter byte (1, Sub), then each byte minus the byte bpp to its left.
  const filtered = new Uint8Array(height * (stride + 1));
  const row = new Uint8Array(stride);
  for (let y = 0; y < height; y++) {
    const s0 = y * width * channels;
    if (bitDepth === 8) {
      row.set(samples.subarray(s0, s0 + width * channels));
    } else {
      for (let k = 0; k < width * channels; k++) {
        const v = samples[s0 + k];
        row[2 * k] = v >>> 8;
        row[2 * k + 1] = v & 255;
      }
    }
    const o = y * (stride + 1);
    filtered[o] = 1;
    for (let x = 0; x < bpp; x++) filtered[o + 1 + x] = row[x];
    for (let x = bpp; x < stride; x++) filtered[o + 1 + x] = (row[x] - row[x - bpp]) & 255;
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = bitDepth;
  header[9] = colorType;
  return Buffer.concat([PNG_SIGNATURE, chunk('IHDR', header), chunk('IDAT', deflateSync(filtered, DEFLATE)), chunk('IEND', new Uint8Array(0))]);
}

/** Paeth predictor (§9.4). */
function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const pa = Math.abs(p - a), pb = Math.abs(p - b), pc = Math.abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

/**
 * Decode a PNG held in `bytes`, or null when it is a kind this decoder leaves to others
 * (palette, bit depths below 8, interlaced). Throws an Error naming the fault for a damaged
 * file (bad signature, chunk or CRC, missing IHDR/IDAT, data that does not inflate to the
 * image's size, unknown row filter).
 */
export function decodeStoredPng(bytes: Uint8Array): StoredPng | null {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buf.length < 8 || !buf.subarray(0, 8).equals(PNG_SIGNATURE)) throw new Error('not a PNG (bad signature)');
  let width = 0, height = 0, bitDepth = 0, colorType = -1, interlace = 0;
  const idat: Buffer[] = [];
  let at = 8;
  let ended = false;
  while (!ended) {
    if (at + 12 > buf.length) throw new Error('file ends inside a chunk');
    const length = buf.readUInt32BE(at);
    const type = buf.toString('latin1', at + 4, at + 8);
    if (length > buf.length - at - 12) throw new Error(`chunk ${type} runs past the end of the file`);
    const data = buf.subarray(at + 8, at + 8 + length);
    if (crc32(buf.subarray(at + 4, at + 8 + length)) !== buf.readUInt32BE(at + 8 + length)) throw new Error(`CRC mismatch in chunk ${type}`);
    if (at === 8 && type !== 'IHDR') throw new Error('first chunk is not IHDR');
    if (type === 'IHDR') {
      if (length !== 13) throw new Error('IHDR of the wrong length');
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      bitDepth = data[8];
      colorType = data[9];
      interlace = data[12];
      if (data[10] !== 0 || data[11] !== 0) throw new Error('unknown compression or filter method');
    } else if (type === 'IDAT') {
      idat.push(data);
    } else if (type === 'IEND') {
      ended = true;
    }
    at += 12 + length;
  }
  if (width === 0 || height === 0) throw new Error(`an image of ${width}×${height} pixels`);
  const channels = CHANNELS[colorType];
  if (channels === undefined || (bitDepth !== 8 && bitDepth !== 16) || interlace !== 0) return null;
  if (idat.length === 0) throw new Error('no IDAT chunk');
  const bpp = (channels * bitDepth) / 8;
  const stride = width * bpp;
  const expected = height * (stride + 1);
  if (expected > MAX_IMAGE_BYTES) throw new Error(`an image of ${width}×${height} pixels is too large`);
  let raw: Buffer;
  try {
    // Never inflated past the image's size (a small file cannot claim gigabytes).
    raw = inflateSync(idat.length === 1 ? idat[0] : Buffer.concat(idat), { maxOutputLength: expected });
  } catch (error) {
    throw new Error(`image data does not inflate to ${expected} bytes (${(error as Error).message})`);
  }
  if (raw.length < expected) throw new Error(`image data of ${raw.length} bytes, ${expected} expected`);
  // Undo the row filters in place: each row's bytes follow its filter byte.
  for (let y = 0; y < height; y++) {
    const o = y * (stride + 1) + 1;
    const up = o - stride - 1;
    const filter = raw[o - 1];
    if (filter === 0) continue;
    if (filter === 1) {
      for (let x = bpp; x < stride; x++) raw[o + x] = (raw[o + x] + raw[o + x - bpp]) & 255;
    } else if (filter === 2) {
      if (y > 0) for (let x = 0; x < stride; x++) raw[o + x] = (raw[o + x] + raw[up + x]) & 255;
    } else if (filter === 3) {
      for (let x = 0; x < stride; x++) {
        const left = x >= bpp ? raw[o + x - bpp] : 0, above = y > 0 ? raw[up + x] : 0;
        raw[o + x] = (raw[o + x] + ((left + above) >> 1)) & 255;
      }
    } else if (filter === 4) {
      for (let x = 0; x < stride; x++) {
        const left = x >= bpp ? raw[o + x - bpp] : 0, above = y > 0 ? raw[up + x] : 0, corner = y > 0 && x >= bpp ? raw[up + x - bpp] : 0;
        raw[o + x] = (raw[o + x] + paeth(left, above, corner)) & 255;
      }
    } else {
      throw new Error(`unknown row filter ${filter} in row ${y}`);
    }
  }
  const count = width * height * channels;
  const per = width * channels;
  let samples: Uint8Array | Uint16Array;
  if (bitDepth === 8) {
    samples = new Uint8Array(count);
    for (let y = 0; y < height; y++) samples.set(raw.subarray(y * (stride + 1) + 1, y * (stride + 1) + 1 + stride), y * per);
  } else {
    samples = new Uint16Array(count);
    for (let y = 0; y < height; y++) {
      const o = y * (stride + 1) + 1;
      for (let k = 0; k < per; k++) samples[y * per + k] = (raw[o + 2 * k] << 8) | raw[o + 2 * k + 1];
    }
  }
  return { width, height, bitDepth, colorType: colorType as StoredPng['colorType'], channels, samples };
}
