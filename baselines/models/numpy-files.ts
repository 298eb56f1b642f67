/**
 * NumPy containers beyond plain `.npy`: object `.npy` files (a pickled value after the NPY header,
 * as `np.save` writes a dict: NEP 1 / `numpy.lib.format`) and `.npz` archives (a ZIP file of
 * `.npy` members, `numpy.savez` / `savez_compressed`). The ZIP reader follows PKWARE's APPNOTE.TXT
 * (end of central directory record, central directory file headers, local file headers; methods
 * 0 = stored and 8 = deflate, inflated with `node:zlib`); ZIP64 archives are refused.
 */
import { inflateRawSync } from 'node:zlib';
import { InputError } from '../../evaluators/errors.js';
import { parseNpy } from '../../evaluators/io/npy.js';
import { isNdArray, parsePickle, type NdArray, type PyValue } from './pickle.js';

/** Parse an NPY header; returns the header text and the offset of the data. */
function npyHeader(bytes: Uint8Array, file: string): { header: string; dataStart: number } {
  const magic = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59];
  if (bytes.length < 10 || magic.some((b, k) => bytes[k] !== b)) throw new InputError(file, 'not a .npy file (missing the \\x93NUMPY magic)');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const major = bytes[6];
  const len = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const start = major === 1 ? 10 : 12;
  if (start + len > bytes.length) throw new InputError(file, 'truncated .npy header');
  let header = '';
  for (let i = start; i < start + len; i++) header += String.fromCharCode(bytes[i]);
  return { header, dataStart: start + len };
}

/**
 * Read a `.npy` held in memory as a value: numeric arrays via the engine's NPY reader, object
 * arrays (`descr '|O'`) by unpickling the payload. A 0-d object array (what `np.save(dict)`
 * writes) yields the object itself, like `np.load(p, allow_pickle=True).item()`.
 */
export function parseNpyValue(bytes: Uint8Array, file: string): PyValue {
  const { header, dataStart } = npyHeader(bytes, file);
  if (!/'descr'\s*:\s*'\|O'/.test(header)) {
    const a = parseNpy(bytes, file);
    const out: NdArray = { kind: 'ndarray', dtype: a.descr, shape: a.shape, data: a.data };
    return out;
  }
  const value = parsePickle(bytes.subarray(dataStart), file);
  if (isNdArray(value) && value.dtype === '|O' && value.shape.length === 0 && Array.isArray(value.data)) return value.data[0];
  return value;
}

/** Members of a ZIP archive (name → uncompressed bytes). */
export function readZip(bytes: Uint8Array, file: string): Map<string, Uint8Array> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let eocd = -1;
  for (let i = bytes.length - 22; i >= Math.max(0, bytes.length - 22 - 65535); i--) {
    if (view.getUint32(i, true) === 0x06054b50) { eocd = i; break; }
  }
  if (eocd < 0) throw new InputError(file, 'not a .npz/zip archive (no end-of-central-directory record); the file is truncated or of another type');
  const count = view.getUint16(eocd + 10, true);
  let p = view.getUint32(eocd + 16, true);
  if (count === 0xffff || p === 0xffffffff) throw new InputError(file, 'ZIP64 archives are not supported; re-save with numpy.savez');
  const out = new Map<string, Uint8Array>();
  for (let k = 0; k < count; k++) {
    if (p + 46 > bytes.length || view.getUint32(p, true) !== 0x02014b50) throw new InputError(file, 'damaged zip central directory');
    const method = view.getUint16(p + 10, true);
    const compSize = view.getUint32(p + 20, true);
    const nameLen = view.getUint16(p + 28, true), extraLen = view.getUint16(p + 30, true), commentLen = view.getUint16(p + 32, true);
    const local = view.getUint32(p + 42, true);
    let name = '';
    for (let i = 0; i < nameLen; i++) name += String.fromCharCode(bytes[p + 46 + i]);
    p += 46 + nameLen + extraLen + commentLen;
    if (local + 30 > bytes.length || view.getUint32(local, true) !== 0x04034b50) throw new InputError(file, `damaged zip entry ${name}`);
    const start = local + 30 + view.getUint16(local + 26, true) + view.getUint16(local + 28, true);
    if (start + compSize > bytes.length) throw new InputError(file, `truncated zip entry ${name}`);
    const raw = bytes.subarray(start, start + compSize);
    if (method === 0) out.set(name, raw);
    else if (method === 8) out.set(name, new Uint8Array(inflateRawSync(raw)));
    else throw new InputError(file, `zip entry ${name} uses compression method ${method}; only stored and deflate are supported`);
  }
  return out;
}

/** An `.npz` archive as a dict of values (member names without the `.npy` suffix). */
export function parseNpz(bytes: Uint8Array, file: string): Map<string, PyValue> {
  const out = new Map<string, PyValue>();
  for (const [name, member] of readZip(bytes, file)) {
    out.set(name.replace(/\.npy$/, ''), parseNpyValue(member, `${file}:${name}`));
  }
  return out;
}
