/**
 * facebench's one zip implementation (PKWARE APPNOTE.TXT: local file headers, central
 * directory, end of central directory record; methods 0 = stored and 8 = deflate through
 * `node:zlib`). It reads torch.save checkpoints, NumPy `.npz` archives and benchmark
 * submissions, and writes submissions (docs/formats.md#submission-zip).
 *
 * The reader is meant for archives from strangers. Entry names are keys, never paths, and
 * every one must be a plain relative name (no `..` or `.` component, no leading `/`, no
 * backslash, no drive letter, no control character). Refused, each with one line naming the
 * archive (and the entry): symbolic links and other special files (a Unix mode in the
 * external attributes), duplicate names, overlapping entries, encryption, methods other than
 * stored and deflate, ZIP64 and split archives, more entries or more uncompressed bytes than
 * the limits (checked on the headers, and again while inflating: an entry never inflates past
 * the size its header declares), CRC-32 mismatches, and truncated or garbage archives.
 * A ZIP64 extra field in a *local* header whose central record holds the real sizes (what
 * `numpy.savez` writes) is accepted: only the central directory is trusted for sizes.
 *
 * The writer is deterministic (entries in the order given, fixed 1980-01-01 timestamps,
 * Unix mode 0644 files and 0755 folders) and writes atomically.
 */
import { constants as bufferConstants } from 'node:buffer';
import * as zlib from 'node:zlib';
import { InputError } from '../errors.js';
import { writeFileAtomic } from './atomic.js';
import { readInputFile } from './files.js';

const EOCD_SIGNATURE = 0x06054b50;
const ZIP64_LOCATOR_SIGNATURE = 0x07064b50;
const CENTRAL_SIGNATURE = 0x02014b50;
const LOCAL_SIGNATURE = 0x04034b50;
const EOCD_SIZE = 22;
const CENTRAL_SIZE = 46;
const LOCAL_SIZE = 30;
const MAX_COMMENT = 0xffff;
const STORED = 0;
const DEFLATE = 8;
/** General-purpose flags: encrypted (bit 0), strong encryption (bit 6), UTF-8 names (bit 11). */
const FLAG_ENCRYPTED = 0x0001;
const FLAG_STRONG_ENCRYPTION = 0x0040;
const FLAG_UTF8 = 0x0800;
/** "Version made by" hosts whose external attributes hold a Unix mode: Unix, OS X. */
const UNIX_HOSTS = new Set([3, 19]);
const S_IFMT = 0o170000;
const S_IFREG = 0o100000;
const S_IFDIR = 0o040000;
const S_IFLNK = 0o120000;

/** Limits of what a reader accepts (zip bombs, absurd archives). */
export interface ZipLimits {
  /** Most entries (folders included); default 100 000. */
  maxEntries?: number;
  /** Most uncompressed bytes over all entries; default 2 GiB. */
  maxTotalBytes?: number;
}

export interface ZipReadOptions extends ZipLimits {
  /** Appended to archive-level errors, e.g. what the archive should have been. */
  hint?: string;
}

export const DEFAULT_ZIP_LIMITS: Required<ZipLimits> = { maxEntries: 100_000, maxTotalBytes: 2 * 1024 ** 3 };

/** One entry of an archive as its central directory describes it. */
export interface ZipEntry {
  /** The entry's name; a folder's ends with `/`. */
  name: string;
  directory: boolean;
  /** Uncompressed size in bytes. */
  size: number;
  compressedSize: number;
  method: number;
  crc32: number;
}

/** An opened archive: its entries (archive order) and their contents on demand. */
export interface ZipArchive {
  /** The archive's name in errors. */
  file: string;
  entries: readonly ZipEntry[];
  /** The uncompressed bytes of an entry (checked against its size and CRC-32). */
  read(entry: ZipEntry | string): Uint8Array;
}

/** CRC-32 (IEEE 802.3, as zip uses it): node:zlib's when it has one, else a table. */
export const crc32: (data: Uint8Array) => number = typeof (zlib as { crc32?: unknown }).crc32 === 'function'
  ? (data) => (zlib as unknown as { crc32(d: Uint8Array): number }).crc32(data) >>> 0
  : tableCrc32;

let crcTable: Uint32Array | undefined;
function tableCrc32(data: Uint8Array): number {
  if (!crcTable) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  let c = 0xffffffff;
  for (let i = 0; i < data.length; i++) c = crcTable[(c ^ data[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/**
 * Why `name` is not a safe entry name (a plain relative path, `/`-separated; a folder's ends
 * with `/`), or undefined when it is one.
 */
export function zipNameProblem(name: string): string | undefined {
  if (name === '' || name === '/') return 'is empty';
  if (name.startsWith('/')) return 'is an absolute path';
  if (/^[A-Za-z]:/.test(name)) return 'starts with a drive letter';
  if (name.includes('\\')) return 'holds a backslash';
  if (/[\u0000-\u001f\u007f]/.test(name)) return 'holds a control character';
  const parts = (name.endsWith('/') ? name.slice(0, -1) : name).split('/');
  if (parts.includes('..')) return 'holds a .. component';
  if (parts.includes('.') || parts.includes('')) return 'holds an empty or . component';
  return undefined;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Open a zip archive held in memory: the central directory is read and every entry checked
 * (names, kinds, sizes against the limits, local headers, overlaps) before anything is
 * inflated. `file` names the archive in errors.
 */
export function openZip(bytes: Uint8Array, file: string, options: ZipReadOptions = {}): ZipArchive {
  const maxEntries = options.maxEntries ?? DEFAULT_ZIP_LIMITS.maxEntries;
  const maxTotalBytes = options.maxTotalBytes ?? DEFAULT_ZIP_LIMITS.maxTotalBytes;
  const hint = options.hint ? `; ${options.hint}` : '';
  const fail = (detail: string): never => {
    throw new InputError(file, `${detail}${hint}`);
  };
  const failEntry = (name: string, detail: string): never => {
    throw new InputError(file, `entry ${JSON.stringify(name.slice(0, 120))} ${detail}`);
  };
  if (bytes.length < EOCD_SIZE) fail(`not a zip archive (${bytes.length} bytes, less than an end-of-central-directory record)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const u16 = (p: number): number => view.getUint16(p, true);
  const u32 = (p: number): number => view.getUint32(p, true);

  let eocd = -1;
  for (let p = bytes.length - EOCD_SIZE; p >= Math.max(0, bytes.length - EOCD_SIZE - MAX_COMMENT); p--) {
    if (u32(p) === EOCD_SIGNATURE && p + EOCD_SIZE + u16(p + 20) === bytes.length) { eocd = p; break; }
  }
  if (eocd < 0) fail('not a zip archive (no end-of-central-directory record): truncated, or a file of another type');
  if (eocd >= 20 && u32(eocd - 20) === ZIP64_LOCATOR_SIGNATURE) fail('is a ZIP64 archive, which is not supported (write it without ZIP64: fewer than 65 535 entries and 4 GiB)');
  const disk = u16(eocd + 4), cdDisk = u16(eocd + 6), onDisk = u16(eocd + 8), count = u16(eocd + 10);
  const cdSize = u32(eocd + 12), cdOffset = u32(eocd + 16);
  if (count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) fail('is a ZIP64 archive, which is not supported');
  if (disk !== 0 || cdDisk !== 0 || onDisk !== count) fail('is a split (multi-volume) archive, which is not supported');
  if (count > maxEntries) fail(`holds ${count} entries, more than the ${maxEntries} accepted`);
  if (cdOffset + cdSize !== eocd) fail('is damaged (the central directory does not end where the end record begins): truncated or garbage');

  interface Located extends ZipEntry { headerStart: number; dataStart: number; dataEnd: number }
  const entries: Located[] = [];
  const seen = new Set<string>();
  let total = 0;
  let p = cdOffset;
  for (let i = 0; i < count; i++) {
    if (p + CENTRAL_SIZE > eocd || u32(p) !== CENTRAL_SIGNATURE) fail(`is damaged (central directory record ${i} is not one)`);
    const madeBy = u16(p + 4), flags = u16(p + 8), method = u16(p + 10), crc = u32(p + 16);
    const compressedSize = u32(p + 20), size = u32(p + 24);
    const nameLength = u16(p + 28), extraLength = u16(p + 30), commentLength = u16(p + 32);
    const external = u32(p + 38), headerStart = u32(p + 42);
    const next = p + CENTRAL_SIZE + nameLength + extraLength + commentLength;
    if (next > eocd) fail(`is damaged (central directory record ${i} runs past the directory)`);
    const nameBytes = bytes.subarray(p + CENTRAL_SIZE, p + CENTRAL_SIZE + nameLength);
    let name: string;
    try {
      name = utf8.decode(nameBytes);
    } catch {
      return fail(`entry ${i} has a name that is not valid UTF-8`);
    }
    p = next;
    const problem = zipNameProblem(name);
    if (problem !== undefined) throw new InputError(file, `entry name ${JSON.stringify(name.slice(0, 120))} is not a plain relative name (it ${problem})`);
    if (flags & (FLAG_ENCRYPTED | FLAG_STRONG_ENCRYPTION)) failEntry(name, 'is encrypted, which is not supported');
    if (compressedSize === 0xffffffff || size === 0xffffffff || headerStart === 0xffffffff) failEntry(name, 'needs ZIP64, which is not supported');
    const directory = name.endsWith('/');
    if (UNIX_HOSTS.has(madeBy >> 8)) {
      const type = (external >>> 16) & S_IFMT;
      if (type === S_IFLNK) failEntry(name, 'is a symbolic link (an archive read here holds regular files and folders only)');
      if (type !== 0 && type !== (directory ? S_IFDIR : S_IFREG)) failEntry(name, `is a special file (Unix mode ${((external >>> 16) & 0o177777).toString(8)}), not a regular ${directory ? 'folder' : 'file'}`);
    }
    const key = directory ? name.slice(0, -1) : name;
    if (seen.has(key)) failEntry(name, 'appears twice');
    seen.add(key);
    if (method !== STORED && method !== DEFLATE) failEntry(name, `uses compression method ${method} (only stored and deflate are read)`);
    if (method === STORED && compressedSize !== size) failEntry(name, `is stored but its sizes differ (${compressedSize} and ${size} bytes)`);
    if (directory && size !== 0) failEntry(name, `is a folder holding ${size} bytes`);
    total += size;
    if (total > maxTotalBytes) fail(`would expand to more than the ${maxTotalBytes} bytes accepted (${count} entries; a zip bomb?)`);
    if (headerStart + LOCAL_SIZE > cdOffset || u32(headerStart) !== LOCAL_SIGNATURE) failEntry(name, 'has no local header where the central directory says (damaged archive)');
    const localNameLength = u16(headerStart + 26), localExtraLength = u16(headerStart + 28);
    const localName = bytes.subarray(headerStart + LOCAL_SIZE, headerStart + LOCAL_SIZE + localNameLength);
    if (localNameLength !== nameLength || !localName.every((b, k) => b === nameBytes[k])) failEntry(name, 'has another name in its local header (damaged or crafted archive)');
    const dataStart = headerStart + LOCAL_SIZE + localNameLength + localExtraLength;
    const dataEnd = dataStart + compressedSize;
    if (dataEnd > cdOffset) failEntry(name, 'is truncated (its data runs into the central directory)');
    entries.push({ name, directory, size, compressedSize, method, crc32: crc, headerStart, dataStart, dataEnd });
  }
  // Entries may not share bytes: overlapping entries are how small archives expand to terabytes.
  const byOffset = [...entries].sort((a, b) => a.headerStart - b.headerStart);
  for (let k = 1; k < byOffset.length; k++) {
    if (byOffset[k].headerStart < byOffset[k - 1].dataEnd) failEntry(byOffset[k].name, `overlaps entry ${JSON.stringify(byOffset[k - 1].name)} (a crafted archive)`);
  }

  const byName = new Map(entries.map((e) => [e.name, e]));
  const counted = new Set<string>();
  let inflated = 0;
  const read = (which: ZipEntry | string): Uint8Array => {
    const entry = byName.get(typeof which === 'string' ? which : which.name);
    if (!entry) throw new InputError(file, `holds no entry ${JSON.stringify(typeof which === 'string' ? which : which.name)}`);
    const raw = bytes.subarray(entry.dataStart, entry.dataEnd);
    let data: Uint8Array;
    if (entry.method === STORED) data = raw;
    else {
      // Never more than the header declares (so never more than the limit over all entries).
      const cap = Math.max(1, Math.min(entry.size, bufferConstants.MAX_LENGTH));
      try {
        data = zlib.inflateRawSync(raw, { maxOutputLength: cap });
      } catch (error) {
        const e = error as { code?: string; message: string };
        if (e.code === 'ERR_BUFFER_TOO_LARGE') return failEntry(entry.name, `inflates to more than the ${entry.size} bytes its header declares (a zip bomb or a damaged archive)`);
        return failEntry(entry.name, `does not inflate (${e.message}): damaged or truncated archive`);
      }
    }
    if (data.length !== entry.size) failEntry(entry.name, `holds ${data.length} bytes, its header says ${entry.size} (damaged archive)`);
    if (!counted.has(entry.name)) {
      counted.add(entry.name);
      inflated += data.length;
      if (inflated > maxTotalBytes) fail(`expands to more than the ${maxTotalBytes} bytes accepted (a zip bomb?)`);
    }
    if (crc32(data) !== entry.crc32) failEntry(entry.name, 'fails its CRC-32 check (damaged archive)');
    return data;
  };
  const listed: ZipEntry[] = entries.map(({ name, directory, size, compressedSize, method, crc32: c }) => ({ name, directory, size, compressedSize, method, crc32: c }));
  return { file, entries: listed, read };
}

/** Open the zip archive at `path` (read whole into memory). */
export function readZipFile(path: string, options: ZipReadOptions = {}): ZipArchive {
  return openZip(readInputFile(path), path, options);
}

/** Every file entry of an archive held in memory, name → bytes (folder entries are skipped). */
export function readZipEntries(bytes: Uint8Array, file: string, options: ZipReadOptions = {}): Map<string, Uint8Array> {
  const archive = openZip(bytes, file, options);
  const out = new Map<string, Uint8Array>();
  for (const entry of archive.entries) if (!entry.directory) out.set(entry.name, archive.read(entry));
  return out;
}

/** True when `bytes` start like a zip archive (a local header or an empty archive's end record). */
export function looksLikeZip(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && ((bytes[2] === 3 && bytes[3] === 4) || (bytes[2] === 5 && bytes[3] === 6));
}

/** An entry to write: a file with its bytes, or a folder (name ending with `/`, no data). */
export interface ZipInput {
  name: string;
  data?: Uint8Array;
}

export interface ZipWriteOptions {
  /** `deflate` (default: each entry deflated unless that does not make it smaller) or `store`. */
  compression?: 'deflate' | 'store';
  /** zlib level for deflate, 0–9 (default 6). */
  level?: number;
}

/** DOS date 1980-01-01 (the earliest a zip can say), time 00:00:00: every entry's timestamp. */
const FIXED_DOS_DATE = (0 << 9) | (1 << 5) | 1;
const FIXED_DOS_TIME = 0;

/**
 * Encode `entries` as a zip archive: deterministic (the same entries give the same bytes),
 * with the entries in the order given. Unsafe or duplicate names, and archives that would
 * need ZIP64 (65 535 entries or 4 GiB and more), are refused with an Error.
 */
export function encodeZip(entries: readonly ZipInput[], options: ZipWriteOptions = {}): Uint8Array {
  if (entries.length >= 0xffff) throw new Error(`${entries.length} entries need ZIP64, which the writer does not write`);
  const encoder = new TextEncoder();
  const seen = new Set<string>();
  const parts: Uint8Array[] = [];
  const central: Uint8Array[] = [];
  let offset = 0;
  for (const entry of entries) {
    const problem = zipNameProblem(entry.name);
    if (problem !== undefined) throw new Error(`zip entry name ${JSON.stringify(entry.name)} ${problem}`);
    const directory = entry.name.endsWith('/');
    const key = directory ? entry.name.slice(0, -1) : entry.name;
    if (seen.has(key)) throw new Error(`zip entry ${JSON.stringify(entry.name)} given twice`);
    seen.add(key);
    const data = entry.data ?? new Uint8Array(0);
    if (directory && data.length > 0) throw new Error(`zip folder entry ${JSON.stringify(entry.name)} with data`);
    const name = encoder.encode(entry.name);
    const ascii = name.every((b) => b < 0x80);
    let method = STORED;
    let packed = data;
    if (options.compression !== 'store' && data.length > 0) {
      const deflated = zlib.deflateRawSync(data, { level: options.level ?? 6 });
      if (deflated.length < data.length) { method = DEFLATE; packed = deflated; }
    }
    const crc = crc32(data);
    if (data.length >= 0xffffffff || packed.length >= 0xffffffff || offset >= 0xffffffff) throw new Error('the archive would need ZIP64, which the writer does not write');
    const flags = ascii ? 0 : FLAG_UTF8;
    const local = new Uint8Array(LOCAL_SIZE);
    const lv = new DataView(local.buffer);
    lv.setUint32(0, LOCAL_SIGNATURE, true);
    lv.setUint16(4, 20, true);
    lv.setUint16(6, flags, true);
    lv.setUint16(8, method, true);
    lv.setUint16(10, FIXED_DOS_TIME, true);
    lv.setUint16(12, FIXED_DOS_DATE, true);
    lv.setUint32(14, crc, true);
    lv.setUint32(18, packed.length, true);
    lv.setUint32(22, data.length, true);
    lv.setUint16(26, name.length, true);
    const record = new Uint8Array(CENTRAL_SIZE);
    const cv = new DataView(record.buffer);
    cv.setUint32(0, CENTRAL_SIGNATURE, true);
    cv.setUint16(4, (3 << 8) | 20, true);
    cv.setUint16(6, 20, true);
    cv.setUint16(8, flags, true);
    cv.setUint16(10, method, true);
    cv.setUint16(12, FIXED_DOS_TIME, true);
    cv.setUint16(14, FIXED_DOS_DATE, true);
    cv.setUint32(16, crc, true);
    cv.setUint32(20, packed.length, true);
    cv.setUint32(24, data.length, true);
    cv.setUint16(28, name.length, true);
    cv.setUint32(38, directory ? (((S_IFDIR | 0o755) << 16) | 0x10) >>> 0 : ((S_IFREG | 0o644) << 16) >>> 0, true);
    cv.setUint32(42, offset, true);
    parts.push(local, name, packed);
    central.push(record, name);
    offset += LOCAL_SIZE + name.length + packed.length;
  }
  const cdSize = central.reduce((n, b) => n + b.length, 0);
  if (offset + cdSize >= 0xffffffff) throw new Error('the archive would need ZIP64, which the writer does not write');
  const end = new Uint8Array(EOCD_SIZE);
  const ev = new DataView(end.buffer);
  ev.setUint32(0, EOCD_SIGNATURE, true);
  ev.setUint16(8, entries.length, true);
  ev.setUint16(10, entries.length, true);
  ev.setUint32(12, cdSize, true);
  ev.setUint32(16, offset, true);
  const out = new Uint8Array(offset + cdSize + EOCD_SIZE);
  let o = 0;
  for (const b of [...parts, ...central, end]) { out.set(b, o); o += b.length; }
  return out;
}

/** Write `entries` as a zip archive at `path` (atomically: temporary name, then rename); returns its size in bytes. */
export function writeZip(path: string, entries: readonly ZipInput[], options: ZipWriteOptions = {}): number {
  const bytes = encodeZip(entries, options);
  writeFileAtomic(path, bytes);
  return bytes.length;
}
