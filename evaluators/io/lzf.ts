/**
 * LZF, the byte-oriented LZ77 variant of Marc Lehmann's liblzf, as used by PCL/Open3D
 * `DATA binary_compressed` PCD files. The stream is a sequence of chunks:
 * - control byte c < 32: a literal run of c+1 bytes follows;
 * - otherwise a back-reference: len = c >> 5 (if len == 7, the next byte is added), then
 *   the offset is ((c & 0x1f) << 8) + next byte + 1 bytes back from the output end, and
 *   len + 2 bytes are copied (the copy may overlap its own output).
 * So references cover 3..264 bytes at distances 1..8192.
 */
import { InputError } from '../errors.js';

const MAX_LITERAL = 32;
const MAX_OFFSET = 8192;
const MAX_MATCH = 264;
const HASH_BITS = 14;

/**
 * Decompress an LZF stream into exactly `outputSize` bytes. A corrupt stream (a reference
 * before the start of the output, output overrun, a chunk cut short, or a size mismatch)
 * throws an InputError naming `file`.
 */
export function lzfDecompress(input: Uint8Array, outputSize: number, file: string): Uint8Array {
  const out = new Uint8Array(outputSize);
  const inEnd = input.length;
  let ip = 0;
  let op = 0;
  while (ip < inEnd) {
    const ctrl = input[ip++];
    if (ctrl < 32) {
      const len = ctrl + 1;
      if (ip + len > inEnd) throw new InputError(file, `corrupt LZF data: literal run at input byte ${ip - 1} runs past the end of the compressed data`);
      if (op + len > outputSize) throw new InputError(file, `corrupt LZF data: output overrun (more than the ${outputSize} bytes announced)`);
      out.set(input.subarray(ip, ip + len), op);
      ip += len;
      op += len;
      continue;
    }
    let len = ctrl >> 5;
    if (len === 7) {
      if (ip >= inEnd) throw new InputError(file, 'corrupt LZF data: back-reference cut short at the end of the compressed data');
      len += input[ip++];
    }
    if (ip >= inEnd) throw new InputError(file, 'corrupt LZF data: back-reference cut short at the end of the compressed data');
    const ref = op - ((ctrl & 0x1f) << 8) - input[ip++] - 1;
    if (ref < 0) throw new InputError(file, `corrupt LZF data: back-reference to ${-ref} bytes before the start of the output`);
    len += 2;
    if (op + len > outputSize) throw new InputError(file, `corrupt LZF data: output overrun (more than the ${outputSize} bytes announced)`);
    for (let k = 0; k < len; k++) out[op + k] = out[ref + k];
    op += len;
  }
  if (op !== outputSize) throw new InputError(file, `corrupt LZF data: decompressed to ${op} bytes, expected ${outputSize}`);
  return out;
}

function hash3(data: Uint8Array, i: number): number {
  const v = (data[i] << 16) | (data[i + 1] << 8) | data[i + 2];
  return Math.imul(v, 0x9e3779b1) >>> (32 - HASH_BITS);
}

/**
 * Compress `input` into an LZF stream (greedy parsing with a one-entry-per-bucket hash
 * table of 3-byte prefixes). Output never exceeds input + ceil(input / 32) bytes.
 */
export function lzfCompress(input: Uint8Array): Uint8Array {
  const n = input.length;
  const out = new Uint8Array(n + Math.ceil(n / MAX_LITERAL) + 1);
  const table = new Int32Array(1 << HASH_BITS).fill(-1);
  let op = 0;
  let literalStart = 0;
  let ip = 0;

  const flushLiterals = (end: number): void => {
    while (literalStart < end) {
      const run = Math.min(MAX_LITERAL, end - literalStart);
      out[op++] = run - 1;
      out.set(input.subarray(literalStart, literalStart + run), op);
      op += run;
      literalStart += run;
    }
  };

  while (ip + 2 < n) {
    const h = hash3(input, ip);
    const ref = table[h];
    table[h] = ip;
    const distance = ip - ref - 1;
    if (ref >= 0 && distance < MAX_OFFSET && input[ref] === input[ip] && input[ref + 1] === input[ip + 1] && input[ref + 2] === input[ip + 2]) {
      const limit = Math.min(MAX_MATCH, n - ip);
      let len = 3;
      while (len < limit && input[ref + len] === input[ip + len]) len++;
      flushLiterals(ip);
      const code = len - 2;
      if (code < 7) {
        out[op++] = (code << 5) | (distance >> 8);
      } else {
        out[op++] = (7 << 5) | (distance >> 8);
        out[op++] = code - 7;
      }
      out[op++] = distance & 0xff;
      const matchEnd = ip + len;
      for (let k = ip + 1; k < matchEnd && k + 2 < n; k++) table[hash3(input, k)] = k;
      ip = matchEnd;
      literalStart = ip;
      continue;
    }
    ip++;
  }
  flushLiterals(n);
  return out.slice(0, op);
}
