/**
 * The size of a PNG image from its first 24 bytes (signature and IHDR chunk), without reading
 * or decoding the rest: enough to know a crop's side before a method opens it.
 */
import { closeSync, existsSync, openSync, readSync } from 'node:fs';
import { InputError } from '../errors.js';
import { PNG_SIGNATURE } from './png-codec.js';

/** Width and height of the PNG at `path`; InputError when it is missing or not a PNG. */
export function pngSize(path: string): { width: number; height: number } {
  if (!existsSync(path)) throw new InputError(path, 'file not found');
  const head = Buffer.alloc(24);
  const fd = openSync(path, 'r');
  let read: number;
  try {
    read = readSync(fd, head, 0, head.length, 0);
  } finally {
    closeSync(fd);
  }
  if (read < head.length || !head.subarray(0, 8).equals(PNG_SIGNATURE) || head.toString('latin1', 12, 16) !== 'IHDR') throw new InputError(path, 'not a PNG image');
  const width = head.readUInt32BE(16), height = head.readUInt32BE(20);
  if (width === 0 || height === 0) throw new InputError(path, `a PNG image of ${width}×${height} pixels (its header is damaged)`);
  return { width, height };
}
