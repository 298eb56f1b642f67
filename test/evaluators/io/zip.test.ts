/**
 * evaluators/io/zip.ts against an independent implementation: Python's zipfile (Debian's
 * python3) reads the archives the writer makes and writes the archives the reader must read,
 * hostile ones included. Crafted archives that no tool writes on purpose (a lying size, a
 * ZIP64 end record, overlapping entries) are patched by hand here.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../../evaluators/errors.js';
import { crc32, encodeZip, openZip, readZipEntries, readZipFile, writeZip } from '../../../evaluators/io/zip.js';
import { rng } from '../../helpers/random.js';
import { scratchDir } from './support.js';

const PYTHON = spawnSync('python3', ['-c', 'import zipfile, json'], { encoding: 'utf8' }).status === 0 ? 'python3' : undefined;
if (!PYTHON) console.warn('skipping the python3 zipfile oracle: no python3 on PATH (apt-get install python3)');

/** Run a python3 script with arguments; its stdout. */
function python(script: string, ...args: string[]): string {
  const r = spawnSync(PYTHON!, ['-c', script, ...args], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`python3 failed: ${r.stderr}`);
  return r.stdout;
}

/** Run `fn`, expect one InputError naming `file` in one line matching `pattern`. */
function refused(fn: () => unknown, file: string, pattern: RegExp): string {
  let caught: unknown;
  try {
    fn();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(InputError);
  const e = caught as InputError;
  expect(e.file).toBe(file);
  expect(e.message).not.toContain('\n');
  expect(e.message).toMatch(pattern);
  return e.message;
}

const text = (s: string) => new TextEncoder().encode(s);
const dir = scratchDir('zip');

describe('zip writer', () => {
  const next = rng(7);
  const random = Uint8Array.from({ length: 4000 }, () => Math.floor(256 * next()));
  const entries = [
    { name: '017/EXP-1-head_007_222200040/mesh_posed.ply', data: text('ply\n'.repeat(500)) },
    { name: '017/EXP-1-head_007_222200040/', data: undefined },
    { name: 'random.bin', data: random },
    { name: 'empty.txt', data: new Uint8Array(0) },
    { name: 'ünï/名前.txt', data: text('utf-8 name') },
  ];

  it('is deterministic and reads back through its own reader', () => {
    const a = encodeZip(entries);
    expect(Buffer.from(encodeZip(entries)).equals(Buffer.from(a))).toBe(true);
    const back = openZip(a, 'a.zip');
    expect(back.entries.map((e) => [e.name, e.directory, e.method])).toEqual([
      [entries[0].name, false, 8], [entries[1].name, true, 0], ['random.bin', false, 0], ['empty.txt', false, 0], ['ünï/名前.txt', false, 0],
    ]);
    for (const e of entries) if (e.data) expect(Buffer.from(back.read(e.name)).equals(Buffer.from(e.data))).toBe(true);
    expect(crc32(text('123456789'))).toBe(0xcbf43926);
  });

  it('refuses unsafe and duplicate names', () => {
    for (const name of ['../x', '/abs', 'a\\b', 'C:/x', 'a//b', 'a/./b', '']) expect(() => encodeZip([{ name, data: text('x') }])).toThrow(/zip entry name/);
    expect(() => encodeZip([{ name: 'a', data: text('1') }, { name: 'a', data: text('2') }])).toThrow(/given twice/);
  });

  it('writes atomically: no temporary file is left, also when the target cannot be written', () => {
    const out = join(dir, 'atomic', 'sub.zip');
    expect(writeZip(out, entries)).toBe(readFileSync(out).length);
    expect(readdirSync(join(dir, 'atomic'))).toEqual(['sub.zip']);
    mkdirSync(join(dir, 'atomic', 'taken.zip'));
    expect(() => writeZip(join(dir, 'atomic', 'taken.zip'), entries)).toThrow();
    expect(readdirSync(join(dir, 'atomic')).sort()).toEqual(['sub.zip', 'taken.zip']);
  });

  it.skipIf(!PYTHON)("Python's zipfile reads it: names, contents, CRCs, fixed timestamps, Unix modes", () => {
    const path = join(dir, 'written.zip');
    writeZip(path, entries);
    const listed = JSON.parse(python(`
import json, sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
print(json.dumps({'bad': z.testzip(), 'entries': [
  {'name': i.filename, 'dir': i.is_dir(), 'date': list(i.date_time), 'method': i.compress_type, 'system': i.create_system,
   'mode': oct(i.external_attr >> 16), 'data': '' if i.is_dir() else z.read(i).hex()} for i in z.infolist()]}))`, path));
    expect(listed.bad).toBeNull();
    expect(listed.entries.map((e: { name: string }) => e.name)).toEqual(entries.map((e) => e.name));
    for (const [k, e] of listed.entries.entries()) {
      expect(e.date).toEqual([1980, 1, 1, 0, 0, 0]);
      expect(e.system).toBe(3);
      expect(e.mode).toBe(entries[k].data ? '0o100644' : '0o40755');
      expect(e.dir).toBe(entries[k].data === undefined);
      expect(e.data).toBe(Buffer.from(entries[k].data ?? new Uint8Array(0)).toString('hex'));
    }
    expect(listed.entries.map((e: { method: number }) => e.method)).toEqual([8, 0, 0, 0, 0]);
  });
});

describe.skipIf(!PYTHON)('zip reader on archives Python writes', () => {
  it('reads stored and deflated entries, folders, UTF-8 names, and numpy-style ZIP64 local headers', () => {
    const path = join(dir, 'python.zip');
    python(`
import sys, zipfile
with zipfile.ZipFile(sys.argv[1], 'w') as z:
    z.writestr('a/stored.bin', bytes(range(256)) * 4, compress_type=zipfile.ZIP_STORED)
    z.writestr('a/deflated.txt', 'hello ' * 1000, compress_type=zipfile.ZIP_DEFLATED)
    z.writestr(zipfile.ZipInfo('a/empty-dir/'), '')
    z.writestr('ünï/名前.txt', 'x')
    with z.open('forced64.bin', 'w', force_zip64=True) as f:
        f.write(b'abc')`, path);
    const archive = readZipFile(path);
    expect(archive.entries.map((e) => [e.name, e.directory])).toEqual([
      ['a/stored.bin', false], ['a/deflated.txt', false], ['a/empty-dir/', true], ['ünï/名前.txt', false], ['forced64.bin', false],
    ]);
    expect(Array.from(archive.read('a/stored.bin').subarray(250, 260))).toEqual([250, 251, 252, 253, 254, 255, 0, 1, 2, 3]);
    expect(new TextDecoder().decode(archive.read('a/deflated.txt'))).toBe('hello '.repeat(1000));
    expect(new TextDecoder().decode(archive.read('forced64.bin'))).toBe('abc');
    expect([...readZipEntries(readFileSync(path), path).keys()]).toEqual(['a/stored.bin', 'a/deflated.txt', 'ünï/名前.txt', 'forced64.bin']);
  });

  const hostile = (name: string, script: string): string => {
    const path = join(dir, `${name}.zip`);
    python(`
import sys, warnings, zipfile
warnings.simplefilter('ignore')
z = zipfile.ZipFile(sys.argv[1], 'w')
${script}
z.close()`, path);
    return path;
  };

  it.each([
    ['dotdot', "z.writestr('ok.txt', 'x'); z.writestr(zipfile.ZipInfo('017/../../evil'), 'x')", /entry name "017\/\.\.\/\.\.\/evil" is not a plain relative name \(it holds a \.\. component\)/],
    ['absolute', "z.writestr(zipfile.ZipInfo('/etc/passwd'), 'x')", /entry name "\/etc\/passwd" is not a plain relative name \(it is an absolute path\)/],
    ['backslash', "z.writestr(zipfile.ZipInfo('017\\\\evil.ply'), 'x')", /entry name "017\\\\evil\.ply" is not a plain relative name \(it holds a backslash\)/],
    ['drive', "z.writestr(zipfile.ZipInfo('C:/evil.ply'), 'x')", /entry name "C:\/evil\.ply" is not a plain relative name \(it starts with a drive letter\)/],
    ['dot', "z.writestr(zipfile.ZipInfo('a/./b'), 'x')", /entry name "a\/\.\/b" is not a plain relative name/],
    ['symlink', "i = zipfile.ZipInfo('017/link.ply'); i.create_system = 3; i.external_attr = 0o120777 << 16; z.writestr(i, '/etc/passwd')", /entry "017\/link\.ply" is a symbolic link/],
    ['fifo', "i = zipfile.ZipInfo('fifo'); i.create_system = 3; i.external_attr = 0o010644 << 16; z.writestr(i, '')", /entry "fifo" is a special file \(Unix mode 10644\)/],
    ['duplicate', "z.writestr('017/a.ply', '1'); z.writestr('017/a.ply', '2')", /entry "017\/a\.ply" appears twice/],
    ['bzip2', "z.writestr('a.txt', 'x' * 100, compress_type=zipfile.ZIP_BZIP2)", /entry "a\.txt" uses compression method 12 \(only stored and deflate are read\)/],
  ])('refuses %s entries with one line naming the zip and the entry', (name, script, pattern) => {
    const path = hostile(name, script);
    refused(() => readZipFile(path), path, pattern);
  });

  it('refuses more entries or more bytes than the limits, from the headers', () => {
    const many = hostile('many', "for k in range(20): z.writestr(f'f{k}', 'x')");
    refused(() => readZipFile(many, { maxEntries: 10 }), many, /holds 20 entries, more than the 10 accepted/);
    expect(readZipFile(many, { maxEntries: 20 }).entries).toHaveLength(20);
    const big = hostile('big', "z.writestr('zeros.bin', bytes(5 * 1024 * 1024), compress_type=zipfile.ZIP_DEFLATED)");
    expect(readFileSync(big).length).toBeLessThan(10_000);
    refused(() => readZipFile(big, { maxTotalBytes: 1024 * 1024 }), big, /would expand to more than the 1048576 bytes accepted .*zip bomb/);
  });

  it('refuses a real ZIP64 archive (65 536 entries)', () => {
    const path = hostile('zip64', "for k in range(65536): z.writestr(zipfile.ZipInfo(f'{k}'), b'')");
    refused(() => readZipFile(path), path, /is a ZIP64 archive, which is not supported/);
  });

  it('refuses a CRC mismatch, truncation and garbage', () => {
    const path = hostile('crc', "z.writestr('017/mesh_posed.ply', b'ply data ' * 10, compress_type=zipfile.ZIP_STORED)");
    const bytes = readFileSync(path);
    bytes[30 + '017/mesh_posed.ply'.length + 3] ^= 0xff;
    writeFileSync(path, bytes);
    const archive = readZipFile(path);
    refused(() => archive.read('017/mesh_posed.ply'), path, /entry "017\/mesh_posed\.ply" fails its CRC-32 check/);
    const whole = readFileSync(hostile('whole', "z.writestr('a.txt', 'hello ' * 100, compress_type=zipfile.ZIP_DEFLATED); z.writestr('b.txt', 'x')"));
    for (const cut of [1, 10, 22, 40, whole.length - 60, whole.length - 23]) {
      refused(() => openZip(whole.subarray(0, cut), 'cut.zip'), 'cut.zip', /not a zip archive|damaged|truncated/);
    }
    const inflated = Buffer.from(whole);
    inflated[30 + 5 + 2] ^= 0x55; // inside the deflate stream of a.txt
    refused(() => readZipEntries(inflated, 'flipped.zip'), 'flipped.zip', /entry "a\.txt" (does not inflate|fails its CRC-32 check|holds \d+ bytes|inflates to more)/);
    refused(() => openZip(Uint8Array.from({ length: 5000 }, (_v, i) => (i * 7919) % 251), 'noise.zip'), 'noise.zip', /not a zip archive/);
    refused(() => openZip(Buffer.concat([whole, Buffer.from('trailing garbage')]), 'tail.zip'), 'tail.zip', /not a zip archive/);
  });
});

/** Offsets of a one-entry archive written by encodeZip: local header 0, central record after the data. */
function centralOf(zip: Uint8Array): { view: DataView; central: number; eocd: number } {
  const view = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  const eocd = zip.length - 22;
  return { view, central: view.getUint32(eocd + 16, true), eocd };
}

describe('zip reader on crafted archives', () => {
  it('stops inflating at the size the header declares (a lying header), whatever the limit', () => {
    const zip = encodeZip([{ name: 'bomb.bin', data: new Uint8Array(4 * 1024 * 1024) }]);
    expect(zip.length).toBeLessThan(10_000);
    const { view, central } = centralOf(zip);
    view.setUint32(22, 1000, true); // local uncompressed size
    view.setUint32(central + 24, 1000, true); // central uncompressed size
    const archive = openZip(zip, 'bomb.zip', { maxTotalBytes: 2000 });
    refused(() => archive.read('bomb.bin'), 'bomb.zip', /entry "bomb\.bin" inflates to more than the 1000 bytes its header declares/);
  });

  it('refuses encrypted entries, overlapping entries, another name in the local header, and a ZIP64 end record', () => {
    const one = encodeZip([{ name: 'a.ply', data: text('hello') }], { compression: 'store' });
    const encrypted = Uint8Array.from(one);
    const e = centralOf(encrypted);
    e.view.setUint16(e.central + 8, 1, true);
    refused(() => openZip(encrypted, 'enc.zip'), 'enc.zip', /entry "a\.ply" is encrypted/);

    const renamed = Uint8Array.from(one);
    renamed[30] = 'b'.charCodeAt(0); // the local header's name
    refused(() => openZip(renamed, 'renamed.zip'), 'renamed.zip', /entry "a\.ply" has another name in its local header/);

    // Entry "b" whose local header and data lie inside entry "a"'s data (the overlapping-entry bomb).
    const inner = encodeZip([{ name: 'b', data: text('hello') }], { compression: 'store' });
    const innerLocal = inner.subarray(0, 30 + 1 + 5);
    const outer = encodeZip([{ name: 'a', data: innerLocal }], { compression: 'store' });
    const o = centralOf(outer), i = centralOf(inner);
    const recordB = Uint8Array.from(inner.subarray(i.central, i.eocd));
    new DataView(recordB.buffer).setUint32(42, 30 + 1, true);
    const overlapping = new Uint8Array(outer.length + recordB.length);
    overlapping.set(outer.subarray(0, o.eocd), 0);
    overlapping.set(recordB, o.eocd);
    overlapping.set(outer.subarray(o.eocd), o.eocd + recordB.length);
    const ov = new DataView(overlapping.buffer);
    const end = overlapping.length - 22;
    ov.setUint16(end + 8, 2, true);
    ov.setUint16(end + 10, 2, true);
    ov.setUint32(end + 12, o.eocd - o.central + recordB.length, true);
    refused(() => openZip(overlapping, 'overlap.zip'), 'overlap.zip', /entry "b" overlaps entry "a"/);

    // A ZIP64 end-of-central-directory locator before the end record.
    const locator = new Uint8Array(20);
    new DataView(locator.buffer).setUint32(0, 0x07064b50, true);
    const zip64 = new Uint8Array(one.length + 20);
    const c = centralOf(one);
    zip64.set(one.subarray(0, c.eocd), 0);
    zip64.set(locator, c.eocd);
    zip64.set(one.subarray(c.eocd), c.eocd + 20);
    refused(() => openZip(zip64, 'z64.zip'), 'z64.zip', /ZIP64/);
  });

  it('keeps the hint of the caller on archive-level errors only', () => {
    refused(() => openZip(text('not a zip at all'), 'x.frame', { hint: 'a torch.save file is a zip archive' }), 'x.frame', /^x\.frame: not a zip archive .*; a torch\.save file is a zip archive$/);
    expect(existsSync(join(dir, 'never.zip'))).toBe(false);
  });
});
