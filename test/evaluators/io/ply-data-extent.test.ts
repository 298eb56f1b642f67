/**
 * PLY data that does not match its header: cut short, holding other element counts than
 * declared, or followed by more data. Files are built by hand here (header text and
 * records written byte by byte), so the expected counts are known independently of the
 * reader and writer.
 */
import { describe, expect, it } from 'vitest';
import { readMesh, readPointCloud } from '../../../evaluators/io/index.js';
import { rng } from '../../helpers/random.js';
import { expectInputError, fileSaver, scratchDir } from './support.js';

interface Body {
  vertices: Float32Array;
  faces: Int32Array;
}

/** `nv` random vertices and `nf` triangles whose indices are below `maxIndex`. */
function body(seed: number, nv: number, nf: number, maxIndex = nv): Body {
  const random = rng(seed);
  return {
    vertices: Float32Array.from({ length: 3 * nv }, () => (random() - 0.5) * 200),
    faces: Int32Array.from({ length: 3 * nf }, () => Math.floor(random() * maxIndex)),
  };
}

function header(format: string, nv: number, nf: number | undefined): string {
  const lines = ['ply', `format ${format} 1.0`, `element vertex ${nv}`, 'property float x', 'property float y', 'property float z'];
  if (nf !== undefined) lines.push(`element face ${nf}`, 'property list uchar int vertex_indices');
  lines.push('end_header', '');
  return lines.join('\n');
}

/** A binary little-endian PLY declaring `nv` vertices and `nf` faces around the records of `b`. */
function binaryPly(b: Body, nv: number, nf: number | undefined): Uint8Array {
  const head = Buffer.from(header('binary_little_endian', nv, nf), 'latin1');
  const n = b.vertices.length / 3;
  const m = b.faces.length / 3;
  const out = new Uint8Array(head.length + 12 * n + 13 * m);
  out.set(head, 0);
  const view = new DataView(out.buffer);
  let o = head.length;
  for (let i = 0; i < 3 * n; i++, o += 4) view.setFloat32(o, b.vertices[i], true);
  for (let f = 0; f < m; f++) {
    view.setUint8(o, 3);
    for (let c = 0; c < 3; c++) view.setInt32(o + 1 + 4 * c, b.faces[3 * f + c], true);
    o += 13;
  }
  return out;
}

/** The ASCII PLY of `b` (one record per line), declaring `nv` vertices and `nf` faces. */
function asciiPly(b: Body, nv: number, nf: number | undefined, tail = ''): string {
  const lines: string[] = [];
  for (let i = 0; i < b.vertices.length; i += 3) lines.push(`${b.vertices[i]} ${b.vertices[i + 1]} ${b.vertices[i + 2]}`);
  for (let f = 0; f < b.faces.length; f += 3) lines.push(`3 ${b.faces[f]} ${b.faces[f + 1]} ${b.faces[f + 2]}`);
  return `${header('ascii', nv, nf)}${lines.join('\n')}\n${tail}`;
}

/** Bytes in the binary header of `binaryPly(…, nv, nf)`. */
function headerBytes(nv: number, nf: number | undefined): number {
  return Buffer.byteLength(header('binary_little_endian', nv, nf), 'latin1');
}

const ADVICE_CUT = '; the file is cut short: copy or export it again';
const ADVICE_COUNTS = '; correct the counts in the header or export the file again';

describe('binary PLY data that does not match the header', () => {
  const save = fileSaver(scratchDir('ply-extent-bin'));

  it('a header that promises more vertices than the data holds names both counts', () => {
    // 3000 vertices and 9976 faces written, 5023 vertices declared.
    const path = save('more-vertices.ply', binaryPly(body(1, 3000, 9976), 5023, 9976));
    const error = expectInputError(() => readMesh(path), path, /disagree/);
    expect(error.detail).toBe(`the header and the data disagree: the header declares 5023 vertices and 9976 faces, the data holds 3000 vertices and 9976 faces${ADVICE_COUNTS}`);
  });

  it('a header that promises fewer vertices than the data holds', () => {
    const path = save('fewer-vertices.ply', binaryPly(body(2, 3000, 500), 2000, 500));
    expectInputError(() => readMesh(path), path, /^the header and the data disagree: the header declares 2000 vertices and 500 faces, the data holds 3000 vertices and 500 faces;/);
  });

  it('a file cut inside the vertices says after how many vertices the data ends', () => {
    const full = binaryPly(body(3, 5023, 9976), 5023, 9976);
    const path = save('cut-vertices.ply', full.subarray(0, headerBytes(5023, 9976) + 3000 * 12 + 7));
    const error = expectInputError(() => readMesh(path), path, /^truncated/);
    expect(error.detail).toBe(`truncated: the header declares 5023 vertices and 9976 faces, the data ends after 3000 vertices${ADVICE_CUT}`);
  });

  it('a file cut inside the faces counts the complete faces', () => {
    const full = binaryPly(body(4, 500, 1000), 500, 1000);
    const path = save('cut-faces.ply', full.subarray(0, headerBytes(500, 1000) + 500 * 12 + 89 * 13 + 6));
    expectInputError(() => readMesh(path), path, new RegExp(`^truncated: the header declares 500 vertices and 1000 faces, the data ends after 500 vertices and 89 faces${ADVICE_CUT}$`));
  });

  it('a header that promises more faces than the data holds reads as a file cut after the last face', () => {
    const path = save('more-faces.ply', binaryPly(body(5, 500, 700), 500, 1000));
    expectInputError(() => readMesh(path), path, /^truncated: the header declares 500 vertices and 1000 faces, the data ends after 500 vertices and 700 faces;/);
  });

  it('a file cut before the first vertex', () => {
    const full = binaryPly(body(6, 10, 4), 10, 4);
    const path = save('no-data.ply', full.subarray(0, headerBytes(10, 4) + 5));
    expectInputError(() => readMesh(path), path, /^truncated: the header declares 10 vertices and 4 faces, the data ends before the first vertex;/);
  });

  it('bytes left after the declared data are refused with their count', () => {
    const ply = binaryPly(body(7, 500, 1000), 500, 1000);
    const padded = new Uint8Array(ply.length + 100);
    padded.set(ply, 0);
    padded.fill(0xab, ply.length);
    const path = save('trailing.ply', padded);
    const error = expectInputError(() => readMesh(path), path, /after the declared data/);
    expect(error.detail).toBe(`100 bytes after the declared data (500 vertices and 1000 faces): the header and the data disagree${ADVICE_COUNTS}`);
  });

  it('more faces than declared are named', () => {
    const path = save('extra-faces.ply', binaryPly(body(8, 500, 1000), 500, 900));
    expectInputError(() => readMesh(path), path, /^the header and the data disagree: the header declares 500 vertices and 900 faces, the data holds 500 vertices and 1000 faces;/);
  });

  it('a point cloud with more points than declared', () => {
    const path = save('extra-points.ply', binaryPly(body(9, 1200, 0), 1000, undefined));
    expectInputError(() => readPointCloud(path), path, /^the header and the data disagree: the header declares 1000 vertices, the data holds 1200 vertices;/);
  });

  it('a point cloud cut short', () => {
    const path = save('cut-points.ply', binaryPly(body(10, 1000, 0), 1200, undefined));
    expectInputError(() => readPointCloud(path), path, /^truncated: the header declares 1200 vertices, the data ends after 1000 vertices;/);
  });

  it('an absurd declared count is refused with the counts the data holds, not by running out of memory', () => {
    const mesh = save('huge.ply', binaryPly(body(11, 10, 4), 1e12, 4));
    expectInputError(() => readMesh(mesh), mesh, /^the header and the data disagree: the header declares 1000000000000 vertices and 4 faces, the data holds 10 vertices and 4 faces;/);
    const cloud = save('huge-cloud.ply', binaryPly(body(11, 10, 0), 1e12, undefined));
    expectInputError(() => readPointCloud(cloud), cloud, /^truncated: the header declares 1000000000000 vertices, the data ends after 10 vertices;/);
  });

  it('the exact data is read as before', () => {
    const b = body(12, 500, 1000);
    const mesh = readMesh(save('exact.ply', binaryPly(b, 500, 1000)));
    expect(mesh.positions.length).toBe(1500);
    expect(Array.from(mesh.faces)).toEqual(Array.from(b.faces));
  });
});

describe('ASCII PLY data that does not match the header', () => {
  const save = fileSaver(scratchDir('ply-extent-ascii'));

  it('a header that promises more vertices than the data holds names both counts', () => {
    const path = save('more-vertices.ply', asciiPly(body(21, 300, 600), 500, 600));
    expectInputError(() => readMesh(path), path, new RegExp(`^the header and the data disagree: the header declares 500 vertices and 600 faces, the data holds 300 vertices and 600 faces${ADVICE_COUNTS}$`));
  });

  it('a file that ends inside the vertices', () => {
    const path = save('cut.ply', asciiPly(body(22, 3, 0), 5, 2));
    expectInputError(() => readMesh(path), path, new RegExp(`^truncated: the header declares 5 vertices and 2 faces, the data ends after 3 vertices${ADVICE_CUT}$`));
  });

  it('a file that ends inside the faces', () => {
    const path = save('cut-faces.ply', asciiPly(body(23, 40, 30), 40, 35));
    expectInputError(() => readMesh(path), path, /^truncated: the header declares 40 vertices and 35 faces, the data ends after 40 vertices and 30 faces;/);
  });

  it('lines left after the declared data are refused, naming the first', () => {
    // 9 header lines, 40 + 30 records: the first extra line is line 80.
    const path = save('extra-lines.ply', asciiPly(body(24, 40, 30), 40, 30, 'junk 1 2\n\n0 0 0\n'));
    const error = expectInputError(() => readMesh(path), path, /after the declared data/);
    expect(error.detail).toBe(`2 lines after the declared data (40 vertices and 30 faces), from line 80: the header and the data disagree${ADVICE_COUNTS}`);
  });

  it('more faces than declared are named', () => {
    const path = save('extra-faces.ply', asciiPly(body(25, 40, 30), 40, 25));
    expectInputError(() => readMesh(path), path, /^the header and the data disagree: the header declares 40 vertices and 25 faces, the data holds 40 vertices and 30 faces;/);
  });

  it('whitespace after the data is accepted', () => {
    const b = body(26, 40, 30);
    const mesh = readMesh(save('whitespace.ply', asciiPly(b, 40, 30, '\n  \r\n\t\n')));
    expect(mesh.positions.length).toBe(120);
    expect(Array.from(mesh.faces)).toEqual(Array.from(b.faces));
  });

  it('an absurd declared count is refused as truncation', () => {
    const path = save('huge.ply', asciiPly(body(27, 4, 0), 1e12, undefined));
    expectInputError(() => readPointCloud(path), path, /^truncated: the header declares 1000000000000 vertices, the data ends after 4 vertices;/);
  });
});

describe('PLY with a UTF-8 byte-order mark', () => {
  const save = fileSaver(scratchDir('ply-bom'));

  it('is read like the same file without it', () => {
    const b = body(31, 20, 10);
    const text = asciiPly(b, 20, 10);
    const plain = readMesh(save('plain.ply', text));
    const marked = readMesh(save('bom.ply', `\uFEFF${text}`));
    expect(Array.from(marked.positions)).toEqual(Array.from(plain.positions));
    expect(Array.from(marked.faces)).toEqual(Array.from(b.faces));
  });
});
