/**
 * NumPy containers beyond plain `.npy`: object `.npy` files (a pickled value after the NPY header,
 * as `np.save` writes a dict: NEP 1 / `numpy.lib.format`) and `.npz` archives (a ZIP file of
 * `.npy` members, `numpy.savez` / `savez_compressed`), read with facebench's zip reader
 * (evaluators/io/zip.ts).
 */
import { InputError } from '../../evaluators/errors.js';
import { parseNpy } from '../../evaluators/io/npy.js';
import { readZipEntries } from '../../evaluators/io/zip.js';
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

/** An `.npz` archive as a dict of values (member names without the `.npy` suffix). */
export function parseNpz(bytes: Uint8Array, file: string): Map<string, PyValue> {
  const out = new Map<string, PyValue>();
  for (const [name, member] of readZipEntries(bytes, file, { hint: 'an .npz file is a zip archive of .npy members (numpy.savez)' })) {
    out.set(name.replace(/\.npy$/, ''), parseNpyValue(member, `${file}:${name}`));
  }
  return out;
}
