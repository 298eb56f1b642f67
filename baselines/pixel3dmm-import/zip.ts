/**
 * A small reader for the zip archives `torch.save` writes (PKWARE APPNOTE: end of central
 * directory record, central directory file headers, local file headers; methods 0 stored and
 * 8 deflate). Entry names are only keys of the returned map, never paths; an archive holding
 * an absolute name, a backslash or a `..` component is refused, as are zip64 and encrypted
 * archives and entries whose sizes disagree with their data.
 */
import { inflateRawSync } from 'node:zlib';
import { InputError } from '../../evaluators/errors.js';

const EOCD = 0x06054b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;
/** Largest uncompressed entry accepted (a tracker checkpoint is a few kilobytes). */
const MAX_ENTRY_BYTES = 256 * 1024 * 1024;

function unsafeName(name: string): boolean {
  return name === '' || name.startsWith('/') || name.includes('\\') || name.includes('\0') || /^[A-Za-z]:/.test(name) || name.split('/').includes('..');
}

/** The entries of a zip archive held in memory, name → bytes; `file` names the archive in errors. */
export function readZipEntries(bytes: Uint8Array, file: string): Map<string, Uint8Array> {
  const fail = (detail: string): never => {
    throw new InputError(file, `${detail}; a torch.save file is a zip archive — is this the tracker's .frame file?`);
  };
  if (bytes.length < 22 || bytes[0] !== 0x50 || bytes[1] !== 0x4b) fail('not a zip archive');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let eocd = -1;
  for (let p = bytes.length - 22; p >= Math.max(0, bytes.length - 22 - 65535); p--) {
    if (view.getUint32(p, true) === EOCD) { eocd = p; break; }
  }
  if (eocd < 0) fail('not a zip archive (no end of central directory record)');
  const count = view.getUint16(eocd + 10, true);
  const cdSize = view.getUint32(eocd + 12, true);
  const cdOffset = view.getUint32(eocd + 16, true);
  if (count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) fail('zip64 archives are not supported');
  if (cdOffset + cdSize > eocd) fail('damaged zip archive (central directory out of range)');
  const decoder = new TextDecoder('utf-8');
  const entries = new Map<string, Uint8Array>();
  let p = cdOffset;
  for (let i = 0; i < count; i++) {
    if (p + 46 > bytes.length || view.getUint32(p, true) !== CENTRAL) fail(`damaged zip archive (central directory entry ${i})`);
    const flags = view.getUint16(p + 8, true);
    const method = view.getUint16(p + 10, true);
    const compressed = view.getUint32(p + 20, true);
    const size = view.getUint32(p + 24, true);
    const nameLength = view.getUint16(p + 28, true);
    const extraLength = view.getUint16(p + 30, true);
    const commentLength = view.getUint16(p + 32, true);
    const local = view.getUint32(p + 42, true);
    if (p + 46 + nameLength > bytes.length) fail(`damaged zip archive (central directory entry ${i})`);
    const name = decoder.decode(bytes.subarray(p + 46, p + 46 + nameLength));
    p += 46 + nameLength + extraLength + commentLength;
    if (unsafeName(name)) fail(`entry name ${JSON.stringify(name.slice(0, 80))} is not a plain relative name`);
    if (flags & 1) fail(`entry ${name} is encrypted`);
    if (compressed === 0xffffffff || size === 0xffffffff || local === 0xffffffff) fail('zip64 archives are not supported');
    if (size > MAX_ENTRY_BYTES) fail(`entry ${name} is ${size} bytes, more than a tracker checkpoint holds`);
    if (entries.has(name)) fail(`entry ${name} appears twice`);
    if (local + 30 > bytes.length || view.getUint32(local, true) !== LOCAL) fail(`damaged zip archive (local header of ${name})`);
    const start = local + 30 + view.getUint16(local + 26, true) + view.getUint16(local + 28, true);
    if (start + compressed > bytes.length) fail(`entry ${name} is truncated`);
    const raw = bytes.subarray(start, start + compressed);
    let data: Uint8Array;
    if (method === 0) data = raw;
    else if (method === 8) {
      try {
        data = new Uint8Array(inflateRawSync(raw, { maxOutputLength: Math.max(1, size) }));
      } catch (error) {
        return fail(`entry ${name} does not inflate (${(error as Error).message})`);
      }
    } else return fail(`entry ${name} uses compression method ${method} (only stored and deflate are read)`);
    if (data.length !== size) fail(`entry ${name} holds ${data.length} bytes, its header says ${size}`);
    entries.set(name, data);
  }
  return entries;
}
