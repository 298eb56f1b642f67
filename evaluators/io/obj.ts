/**
 * Wavefront OBJ reader and writer (geometry subset of the "Object Files (.obj)" appendix
 * of the Wavefront Advanced Visualizer manual).
 *
 * Read: `v x y z [w]` (w ignored) and `v x y z r g b` (vertex colours, 0..1; if any
 * component exceeds 1 the colours are taken as 0..255), `vt u [v [w]]`, `vn x y z`, and
 * `f` with corners `v`, `v/vt`, `v//vn` or `v/vt/vn`; indices are 1-based, negative ones
 * count back from the last element defined so far. Polygons are fan-triangulated
 * (v0, vk, vk+1). Other statements (o, g, s, usemtl, mtllib, l, p, comments) are ignored.
 *
 * Per-vertex normals are attached when either
 *  (a) every face corner names a `vn`, every vertex is used by a face, and all corners of
 *      a vertex agree on its normal (same `vn` index or the same vector); or
 *  (b) no face corner names a `vn` and there are exactly as many `vn` as `v` lines (a
 *      point-cloud OBJ: normal i belongs to vertex i).
 * Otherwise normals are dropped (OBJ normals are per corner and need not be per vertex).
 * `texcoords` holds every `vt`; `faceTexcoords` is set when every face corner names a `vt`.
 * Vertex colours are kept only when every `v` line has them.
 */
import { InputError } from '../errors.js';
import type { TriangleMesh } from '../geometry/types.js';
import { writeFileAtomic } from './atomic.js';
import { GrowableFloat64, GrowableUint32 } from './growable.js';
import { formatFloat64 } from './number-format.js';
import { AsciiScanner } from './text-scan.js';

/** Index fields of one face corner (0 when absent; raw signed OBJ indices). */
interface Corner {
  v: number;
  t: number;
  n: number;
}

/** Parse a signed decimal integer in bytes[start, end); NaN when malformed. */
function parseIndex(bytes: Uint8Array, start: number, end: number): number {
  if (start >= end) return 0;
  let i = start;
  let negative = false;
  if (bytes[i] === 0x2d) {
    negative = true;
    i++;
  } else if (bytes[i] === 0x2b) {
    i++;
  }
  if (i >= end) return Number.NaN;
  let value = 0;
  for (; i < end; i++) {
    const d = bytes[i] - 0x30;
    if (d < 0 || d > 9) return Number.NaN;
    value = value * 10 + d;
  }
  return negative ? -value : value;
}

/** Split a corner token `v[/t[/n]]` into `corner`; false when malformed. */
function parseCorner(bytes: Uint8Array, start: number, end: number, corner: Corner): boolean {
  let s1 = -1;
  let s2 = -1;
  for (let i = start; i < end; i++) {
    if (bytes[i] === 0x2f) {
      if (s1 < 0) s1 = i;
      else if (s2 < 0) s2 = i;
      else return false;
    }
  }
  const vEnd = s1 < 0 ? end : s1;
  corner.v = parseIndex(bytes, start, vEnd);
  corner.t = s1 < 0 ? 0 : parseIndex(bytes, s1 + 1, s2 < 0 ? end : s2);
  corner.n = s2 < 0 ? 0 : parseIndex(bytes, s2 + 1, end);
  return corner.v !== 0 && !Number.isNaN(corner.v) && !Number.isNaN(corner.t) && !Number.isNaN(corner.n);
}

/** Parse an OBJ file held in memory. Structural problems throw an InputError naming `file`. */
export function parseObj(bytes: Uint8Array, file: string): TriangleMesh {
  const scanner = new AsciiScanner(bytes);
  const positions = new GrowableFloat64(Math.max(16, bytes.length >> 4));
  const colours = new GrowableFloat64(16);
  const texcoords = new GrowableFloat64(16);
  const normals = new GrowableFloat64(16);
  const faceV = new GrowableUint32(Math.max(16, bytes.length >> 4));
  const faceT = new GrowableUint32(16);
  const faceN = new GrowableUint32(16);
  const values = new Float64Array(8);
  let cornersV: Float64Array = new Float64Array(16);
  let cornersT: Float64Array = new Float64Array(16);
  let cornersN: Float64Array = new Float64Array(16);
  const corner: Corner = { v: 0, t: 0, n: 0 };
  let allColoured = true;
  let cornerCount = 0;
  let cornersWithT = 0;
  let cornersWithN = 0;

  const numberAt = (what: string): number => {
    const value = scanner.number();
    if (Number.isNaN(value) && !scanner.tokenIsNan()) {
      throw new InputError(file, `line ${scanner.line}: '${scanner.text()}' in a '${what}' line is not a number`);
    }
    return value;
  };
  const resolve = (index: number, count: number, what: string): number => {
    const resolved = index > 0 ? index - 1 : count + index;
    if (resolved < 0) {
      throw new InputError(file, `line ${scanner.line}: relative ${what} index ${index} points before the first ${what}`);
    }
    return resolved;
  };

  do {
    if (!scanner.nextOnLine()) continue;
    if (scanner.tokenIs('v')) {
      let k = 0;
      while (scanner.nextOnLine()) {
        if (k < values.length) values[k] = numberAt('v');
        k++;
      }
      if (k < 3) throw new InputError(file, `line ${scanner.line}: a 'v' line needs 3 coordinates, got ${k}`);
      positions.push3(values[0], values[1], values[2]);
      if (k >= 6) colours.push3(values[3], values[4], values[5]);
      else allColoured = false;
    } else if (scanner.tokenIs('vt')) {
      let k = 0;
      while (scanner.nextOnLine()) {
        if (k < 2) values[k] = numberAt('vt');
        k++;
      }
      if (k < 1) throw new InputError(file, `line ${scanner.line}: a 'vt' line needs at least 1 coordinate`);
      texcoords.push(values[0]);
      texcoords.push(k >= 2 ? values[1] : 0);
    } else if (scanner.tokenIs('vn')) {
      let k = 0;
      while (scanner.nextOnLine()) {
        if (k < 3) values[k] = numberAt('vn');
        k++;
      }
      if (k < 3) throw new InputError(file, `line ${scanner.line}: a 'vn' line needs 3 components, got ${k}`);
      normals.push3(values[0], values[1], values[2]);
    } else if (scanner.tokenIs('f')) {
      let k = 0;
      const nv = positions.length / 3;
      const nt = texcoords.length / 2;
      const nn = normals.length / 3;
      while (scanner.nextOnLine()) {
        if (!parseCorner(scanner.bytes, scanner.tokenStart, scanner.tokenEnd, corner)) {
          throw new InputError(file, `line ${scanner.line}: bad face corner '${scanner.text()}' (expected v, v/vt, v//vn or v/vt/vn with non-zero indices)`);
        }
        if (k >= cornersV.length) {
          const grow = (a: Float64Array): Float64Array => {
            const b = new Float64Array(2 * a.length);
            b.set(a);
            return b;
          };
          cornersV = grow(cornersV);
          cornersT = grow(cornersT);
          cornersN = grow(cornersN);
        }
        cornersV[k] = resolve(corner.v, nv, 'vertex');
        cornersT[k] = corner.t === 0 ? -1 : resolve(corner.t, nt, 'texture coordinate');
        cornersN[k] = corner.n === 0 ? -1 : resolve(corner.n, nn, 'normal');
        if (corner.t !== 0) cornersWithT++;
        if (corner.n !== 0) cornersWithN++;
        k++;
      }
      cornerCount += k;
      for (let c = 1; c + 1 < k; c++) {
        faceV.push3(cornersV[0], cornersV[c], cornersV[c + 1]);
        faceT.push3(cornersT[0] + 1, cornersT[c] + 1, cornersT[c + 1] + 1);
        faceN.push3(cornersN[0] + 1, cornersN[c] + 1, cornersN[c + 1] + 1);
      }
    }
  } while (scanner.nextLine());

  const mesh: TriangleMesh = { positions: positions.toArray(), faces: faceV.toArray() };
  const nv = mesh.positions.length / 3;
  const nt = texcoords.length / 2;
  const nn = normals.length / 3;
  const ft = faceT.toArray();
  const fn = faceN.toArray();
  // Stored +1 so that 0 marks "absent" in the unsigned arrays.
  for (let i = 0; i < ft.length; i++) {
    if (ft[i] > nt) throw new InputError(file, `a face refers to texture coordinate ${ft[i]}, but the file has ${nt}`);
    if (fn[i] > nn) throw new InputError(file, `a face refers to normal ${fn[i]}, but the file has ${nn}`);
  }
  if (allColoured && nv > 0) mesh.colors = colourBytes(colours.toArray());
  if (nt > 0) mesh.texcoords = texcoords.toArray();
  if (nt > 0 && cornerCount > 0 && cornersWithT === cornerCount) mesh.faceTexcoords = ft.map((t) => t - 1);
  const vertexNormals = perVertexNormals(mesh.faces, fn, normals.toArray(), nv, cornerCount > 0 && cornersWithN === cornerCount, cornersWithN === 0);
  if (vertexNormals) mesh.normals = vertexNormals;
  return mesh;
}

function colourBytes(values: Float64Array): Uint8Array {
  let max = 0;
  for (let i = 0; i < values.length; i++) if (values[i] > max) max = values[i];
  const scale = max > 1 ? 1 : 255;
  const out = new Uint8Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = Math.round(values[i] * scale);
    out[i] = v > 255 ? 255 : v > 0 ? v : 0;
  }
  return out;
}

/** Apply the per-vertex normal rule documented at the top of the file. */
function perVertexNormals(
  faces: Uint32Array, faceNormals: Uint32Array, vn: Float64Array, nv: number, everyCorner: boolean, noCorner: boolean,
): Float64Array | undefined {
  const nn = vn.length / 3;
  if (noCorner) {
    return nn === nv && nv > 0 ? vn : undefined;
  }
  if (!everyCorner) return undefined;
  const chosen = new Int32Array(nv).fill(-1);
  for (let i = 0; i < faces.length; i++) {
    const v = faces[i];
    if (v >= nv) return undefined;
    const n = faceNormals[i] - 1;
    const prev = chosen[v];
    if (prev < 0) chosen[v] = n;
    else if (prev !== n && (vn[3 * prev] !== vn[3 * n] || vn[3 * prev + 1] !== vn[3 * n + 1] || vn[3 * prev + 2] !== vn[3 * n + 2])) {
      return undefined;
    }
  }
  const out = new Float64Array(3 * nv);
  for (let v = 0; v < nv; v++) {
    const n = chosen[v];
    if (n < 0) return undefined;
    out[3 * v] = vn[3 * n];
    out[3 * v + 1] = vn[3 * n + 1];
    out[3 * v + 2] = vn[3 * n + 2];
  }
  return out;
}

export interface ObjWriteOptions {
  /** Comment lines written at the top (`# …`). */
  comments?: string[];
}

/**
 * Encode a mesh (or a cloud, when `faces` is empty) as OBJ: `v x y z [r g b]` (colours as
 * 0..1), `vt` from `texcoords`, `vn` from per-vertex normals, then 1-based triangles using
 * `v/vt/vn`, `v/vt`, `v//vn` or `v` corners. Numbers are the shortest decimals that read
 * back as the same doubles.
 */
export function encodeObj(mesh: TriangleMesh, options: ObjWriteOptions = {}): Uint8Array {
  const { positions, faces, normals, colors, texcoords, faceTexcoords } = mesh;
  const n = positions.length / 3;
  if (!Number.isInteger(n)) throw new Error(`positions length ${positions.length} is not a multiple of 3`);
  if (normals && normals.length !== positions.length) throw new Error(`${normals.length / 3} normals for ${n} vertices`);
  if (colors && colors.length !== positions.length) throw new Error(`${colors.length / 3} colours for ${n} vertices`);
  if (faceTexcoords && faceTexcoords.length !== faces.length) throw new Error(`faceTexcoords has ${faceTexcoords.length} entries for ${faces.length} corners`);
  const f = formatFloat64;
  const lines: string[] = [];
  for (const c of options.comments ?? []) lines.push(`# ${c.replace(/[\r\n]+/g, ' ')}`);
  for (let i = 0; i < n; i++) {
    const o = 3 * i;
    let line = `v ${f(positions[o])} ${f(positions[o + 1])} ${f(positions[o + 2])}`;
    if (colors) line += ` ${f(colors[o] / 255)} ${f(colors[o + 1] / 255)} ${f(colors[o + 2] / 255)}`;
    lines.push(line);
  }
  if (texcoords) for (let i = 0; i < texcoords.length; i += 2) lines.push(`vt ${f(texcoords[i])} ${f(texcoords[i + 1])}`);
  if (normals) for (let i = 0; i < normals.length; i += 3) lines.push(`vn ${f(normals[i])} ${f(normals[i + 1])} ${f(normals[i + 2])}`);
  const withT = texcoords !== undefined && faceTexcoords !== undefined;
  for (let t = 0; t < faces.length; t += 3) {
    let line = 'f';
    for (let c = 0; c < 3; c++) {
      const v = faces[t + c] + 1;
      if (withT && normals) line += ` ${v}/${faceTexcoords[t + c] + 1}/${v}`;
      else if (withT) line += ` ${v}/${faceTexcoords[t + c] + 1}`;
      else if (normals) line += ` ${v}//${v}`;
      else line += ` ${v}`;
    }
    lines.push(line);
  }
  return Buffer.from(lines.length > 0 ? lines.join('\n') + '\n' : '', 'latin1');
}

/** Write a mesh as an OBJ file (atomically). */
export function writeObj(path: string, mesh: TriangleMesh, options: ObjWriteOptions = {}): void {
  writeFileAtomic(path, encodeObj(mesh, options));
}
