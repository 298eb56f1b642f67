/**
 * The official NeRSemble SVFR submission loop: an SVFR download (three persons, keys as the
 * download names them), a predictions folder with padded keys → `facebench pack` → the zip
 * → `facebench validate --images`; planted defects, each in a zip written here, reported in
 * their category and task; `pack` refusing invalid predictions; the `submission` method
 * importing a zip. Python's zipfile and numpy (Debian's python3) read the packed zip as an
 * independent oracle.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { submission } from '../../baselines/submission/index.js';
import { isInputError } from '../../evaluators/errors.js';
import { validateSvfrPredictions, type Manifest } from '../../evaluators/formats/index.js';
import { encodeRgbPng } from '../../evaluators/image/encode.js';
import { encodeNpy, encodePly, encodeZip, parseNpy, parsePly, readZipFile, writeNpy, writePly, type ZipInput } from '../../evaluators/io/index.js';
import type { TriangleMesh } from '../../evaluators/geometry/types.js';
import { facebench, listFiles, tempDir } from './cli-helpers.js';

const PYTHON = spawnSync('python3', ['-c', 'import zipfile, numpy'], { encoding: 'utf8' }).status === 0 ? 'python3' : undefined;
if (!PYTHON) console.warn('skipping the python3 oracle of the submission zip: no python3 with numpy (apt-get install python3-numpy)');

/** The download's items: person, key as downloaded, key as submitted. */
const ITEMS = [
  ['017', 'EXP-1-head_7_222200040', 'EXP-1-head_007_222200040'],
  ['017', 'EMO-1-shout+laugh_12_220700191', 'EMO-1-shout+laugh_012_220700191'],
  ['018', 'EXP-2-eyes_0_222200037', 'EXP-2-eyes_000_222200037'],
  ['018', 'FREE_786_222200038', 'FREE_786_222200038'],
  ['372', 'SEN-10-port_strong_smokey_105_221501007', 'SEN-10-port_strong_smokey_105_221501007'],
] as const;
/** The item whose meshes have FLAME's topology (no landmark files). */
const FLAME_ITEM = 3;

/** A wavy n×n grid in mm (any topology but FLAME's), shifted by `k`. */
function gridMesh(n: number, k: number): TriangleMesh {
  const positions = new Float64Array(3 * n * n);
  for (let r = 0; r < n; r++) for (let c = 0; c < n; c++) {
    const i = 3 * (r * n + c);
    positions[i] = 10 * c + k + 0.123456789;
    positions[i + 1] = 10 * r - k;
    positions[i + 2] = 5 * Math.sin(c + r + k);
  }
  const faces: number[] = [];
  for (let r = 0; r + 1 < n; r++) for (let c = 0; c + 1 < n; c++) {
    const a = r * n + c;
    faces.push(a, a + 1, a + n, a + 1, a + n + 1, a + n);
  }
  return { positions, faces: Uint32Array.from(faces) };
}

function flameMesh(): TriangleMesh {
  return {
    positions: Float64Array.from({ length: 3 * 5023 }, (_v, i) => 50 * Math.sin(i)),
    faces: Uint32Array.from({ length: 3 * 9976 }, (_v, i) => (i * 7) % 5023),
  };
}

function landmarksOf(mesh: TriangleMesh): Float64Array {
  return Float64Array.from([0, 3, 7, 11, 20, 30, 33].flatMap((v) => Array.from(mesh.positions.subarray(3 * v, 3 * v + 3))));
}

describe('facebench pack and validate: the SVFR submission loop', () => {
  const root = tempDir('svfr-submission');
  const download = join(root, 'download');
  const pred = join(root, 'pred');
  const zip = join(root, 'out', 'submission.zip');
  const meshes = new Map<string, TriangleMesh>();
  const landmarks = new Map<string, Float64Array>();
  let good: { name: string; data: Uint8Array }[] = [];

  beforeAll(() => {
    ITEMS.forEach(([person, folder, key], k) => {
      const dir = join(download, 'svfr', person, folder);
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'rgb.png'), encodeRgbPng(new Uint8Array(8 * 8 * 3).fill(40 * k), 8, 8));
      const item = join(pred, person, key);
      mkdirSync(item, { recursive: true });
      for (const task of ['posed', 'neutral'] as const) {
        const mesh = k === FLAME_ITEM ? flameMesh() : gridMesh(6 + k, task === 'posed' ? k : -k);
        meshes.set(`${person}/${key}/mesh_${task}.ply`, mesh);
        writePly(join(item, `mesh_${task}.ply`), mesh);
        if (k !== FLAME_ITEM) {
          const lm = landmarksOf(mesh);
          landmarks.set(`${person}/${key}/landmarks_${task}.npy`, lm);
          writeNpy(join(item, `landmarks_${task}.npy`), lm, [7, 3], '<f8');
        }
      }
      // What predict writes beside the meshes, left out of the zip.
      writeFileSync(join(item, '.done.json'), '{}');
      writeNpy(join(item, 'normals.npy'), new Float32Array(12), [2, 2, 3], '<f4');
    });
    writeFileSync(join(pred, 'method.json'), JSON.stringify({ name: 'grid', version: '1' }));
  });

  it('pack writes the official layout: padded keys, meshes and the landmarks of non-FLAME meshes only', () => {
    const r = facebench(['pack', '--pred', pred, '--out', zip]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/submission\.zip: 5 items, tasks posed and neutral, 18 files, \d+ bytes/);
    const expected = ITEMS.flatMap(([person, , key], k) => [
      ...(k === FLAME_ITEM ? [] : [`${person}/${key}/landmarks_neutral.npy`, `${person}/${key}/landmarks_posed.npy`]),
      `${person}/${key}/mesh_neutral.ply`, `${person}/${key}/mesh_posed.ply`,
    ]).sort();
    const archive = readZipFile(zip);
    expect(archive.entries.map((e) => e.name)).toEqual(expected);
    good = archive.entries.map((e) => ({ name: e.name, data: archive.read(e) }));
    expect(readdirSync(join(root, 'out'))).toEqual(['submission.zip']);
    expect(facebench(['pack', '--pred', pred, '--out', join(root, 'quiet.zip'), '--quiet']).stdout).toBe('');
  });

  it('meshes are binary little-endian PLY (float32 xyz, uchar+int faces) and read back; landmarks (7,3) float64', () => {
    for (const { name, data } of good) {
      if (name.endsWith('.ply')) {
        const mesh = meshes.get(name)!;
        const header = `ply\nformat binary_little_endian 1.0\nelement vertex ${mesh.positions.length / 3}\nproperty float x\nproperty float y\nproperty float z\n`
          + `element face ${mesh.faces.length / 3}\nproperty list uchar int vertex_indices\nend_header\n`;
        expect(Buffer.from(data.subarray(0, header.length)).toString('latin1')).toBe(header);
        expect(data.length).toBe(header.length + 12 * (mesh.positions.length / 3) + 13 * (mesh.faces.length / 3));
        const back = parsePly(data, name);
        expect(Array.from(back.positions)).toEqual(Array.from(Float32Array.from(mesh.positions)));
        expect(Array.from(back.faces)).toEqual(Array.from(mesh.faces));
      } else {
        const npy = parseNpy(data, name);
        expect([npy.descr, npy.shape]).toEqual(['<f8', [7, 3]]);
        expect(Array.from(npy.data)).toEqual(Array.from(landmarks.get(name)!));
      }
    }
  });

  it.skipIf(!PYTHON)("Python's zipfile and numpy read the zip: names, CRCs, PLY headers, (7,3) landmarks", () => {
    const out = spawnSync(PYTHON!, ['-c', `
import io, json, struct, sys, zipfile
import numpy as np
z = zipfile.ZipFile(sys.argv[1])
report = {'bad': z.testzip(), 'names': z.namelist(), 'ply': {}, 'npy': {}}
for name in z.namelist():
    data = z.read(name)
    if name.endswith('.ply'):
        head, body = data.split(b'end_header\\n', 1)
        lines = head.decode('ascii').splitlines()
        nv = int([l for l in lines if l.startswith('element vertex')][0].split()[2])
        first = struct.unpack('<3f', body[:12])
        count, a, b, c = struct.unpack('<B3i', body[12 * nv:12 * nv + 13])
        report['ply'][name] = {'format': lines[1], 'vertices': nv, 'first': first, 'face0': [count, a, b, c]}
    else:
        arr = np.load(io.BytesIO(data))
        report['npy'][name] = {'shape': list(arr.shape), 'dtype': str(arr.dtype), 'values': arr.ravel().tolist()}
print(json.dumps(report))`, zip], { encoding: 'utf8' });
    expect(out.status, out.stderr).toBe(0);
    const report = JSON.parse(out.stdout);
    expect(report.bad).toBeNull();
    expect(report.names).toEqual(good.map((e) => e.name));
    for (const [name, ply] of Object.entries(report.ply) as [string, { format: string; vertices: number; first: number[]; face0: number[] }][]) {
      const mesh = meshes.get(name)!;
      expect(ply.format).toBe('format binary_little_endian 1.0');
      expect(ply.vertices).toBe(mesh.positions.length / 3);
      expect(ply.first).toEqual(Array.from(Float32Array.from(mesh.positions.subarray(0, 3))));
      expect(ply.face0).toEqual([3, ...Array.from(mesh.faces.subarray(0, 3))]);
    }
    for (const [name, npy] of Object.entries(report.npy) as [string, { shape: number[]; dtype: string; values: number[] }][]) {
      expect([npy.shape, npy.dtype]).toEqual([[7, 3], 'float64']);
      expect(npy.values).toEqual(Array.from(landmarks.get(name)!));
    }
  });

  it('validate --images accepts the zip (and the folder), text and --json', () => {
    const r = facebench(['validate', '--images', download, '--pred', zip]);
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe(`${zip}: valid submission (5 items, 10 meshes; tasks posed and neutral)`);
    const json = JSON.parse(facebench(['validate', '--images', download, '--pred', zip, '--json']).stdout);
    expect(json).toMatchObject({ source: 'zip', valid: true, items: 5, meshes: 10, tasks: { posed: 'checked', neutral: 'checked' }, problems: [] });
    expect(facebench(['validate', '--images', join(download, 'svfr'), '--pred', pred]).status).toBe(0);
  });

  /** The good zip with `edit` applied to its entries, written to `name`. */
  const variant = (name: string, edit: (entries: ZipInput[]) => ZipInput[]): string => {
    const path = join(root, 'defects', name);
    mkdirSync(join(root, 'defects'), { recursive: true });
    writeFileSync(path, encodeZip(edit(good.map((e) => ({ ...e })))));
    return path;
  };
  const [p0, , key0] = ITEMS[0];
  const [p2, , key2] = ITEMS[2];
  const [p4, , key4] = ITEMS[4];
  const replace = (entries: ZipInput[], name: string, data: Uint8Array) => entries.map((e) => (e.name === name ? { name, data } : e));
  const nanMesh = gridMesh(6, 0);
  nanMesh.positions[4] = Number.NaN;
  const defects: [string, (e: ZipInput[]) => ZipInput[], string][] = [
    ['missing-mesh', (e) => e.filter((x) => x.name !== `${p0}/${key0}/mesh_posed.ply`),
      `${p0}/${key0}/mesh_posed.ply: missing (the posed task of item ${key0}) [missing mesh, posed]`],
    ['empty-mesh', (e) => replace(e, `${p2}/${key2}/mesh_neutral.ply`, encodePly({ positions: new Float64Array(9), faces: new Uint32Array(0) })),
      `${p2}/${key2}/mesh_neutral.ply: the mesh is empty (3 vertices, 0 faces) [empty mesh, neutral]`],
    ['nan-vertex', (e) => replace(e, `${p4}/${key4}/mesh_posed.ply`, encodePly(nanMesh)),
      `${p4}/${key4}/mesh_posed.ply: vertex 1 has a non-finite coordinate (NaN) [invalid mesh, posed]`],
    ['landmarks-5x3', (e) => replace(e, `${p0}/${key0}/landmarks_neutral.npy`, encodeNpy(new Float64Array(15), [5, 3], '<f8')),
      `${p0}/${key0}/landmarks_neutral.npy: has shape (5,3), expected the 7 landmarks as (7,3) [wrong landmark shape, neutral]`],
    ['landmarks-1x7x3', (e) => replace(e, `${p0}/${key0}/landmarks_neutral.npy`, encodeNpy(new Float64Array(21), [1, 7, 3], '<f8')),
      `${p0}/${key0}/landmarks_neutral.npy: has shape (1,7,3), expected the 7 landmarks as (7,3) (facebench reads (1,7,3), the NeRSemble server wants (7,3); \`facebench pack\` writes (7,3)) [wrong landmark shape, neutral]`],
    ['missing-landmarks', (e) => e.filter((x) => x.name !== `${p2}/${key2}/landmarks_posed.npy`),
      `${p2}/${key2}/mesh_posed.ply: has ${(6 + 2) ** 2} vertices, not FLAME's 5023 and there is no landmarks_posed.npy with its 7 landmarks (7,3) [missing landmarks, posed]`],
    ['stray-file', (e) => [...e, { name: `${p0}/notes.txt`, data: new TextEncoder().encode('x') }],
      `${p0}/notes.txt: stray file [unexpected file]`],
    ['method-json', (e) => [{ name: 'method.json', data: new TextEncoder().encode('{}') }, ...e],
      'method.json: stray file (a submission zip holds only <pid>/<item>/ folders) [unexpected file]'],
    ['done-marker', (e) => [...e, { name: `${p4}/${key4}/.done.json`, data: new TextEncoder().encode('{}') }],
      `${p4}/${key4}/.done.json: stray file (an item of a submission zip holds only mesh_{posed,neutral}.ply and landmarks_{posed,neutral}.npy) [unexpected file]`],
    ['unknown-item', (e) => [...e, { name: `${p0}/EXP-1-head_008_222200040/mesh_posed.ply`, data: new Uint8Array(1) }],
      `${p0}/EXP-1-head_008_222200040: stray folder (not an item of this SVFR download) [unexpected file]`],
  ];

  it.each(defects)('a zip with %s: one problem, in its category and task', (name, edit, line) => {
    const report = validateSvfrPredictions(download, variant(`${name}.zip`, edit));
    expect(report.problems).toEqual([line]);
  });

  it('every defect at once: all listed, exit 1; --json gives category and task', () => {
    const all = variant('all.zip', (e) => defects.filter(([n]) => n !== 'landmarks-1x7x3').reduce((acc, [, edit]) => edit(acc), e));
    const r = facebench(['validate', '--images', download, '--pred', all]);
    expect(r.status).toBe(1);
    const lines = r.stdout.trim().split('\n');
    for (const [name, , line] of defects) if (name !== 'landmarks-1x7x3') expect(lines).toContain(line);
    expect(lines).toHaveLength(defects.length - 1);
    expect(r.stderr.trim()).toBe(`facebench: ${all}: ${defects.length - 1} problems over 5 items; not a valid submission`);
    const json = JSON.parse(facebench(['validate', '--images', download, '--pred', all, '--json']).stdout);
    expect(json.valid).toBe(false);
    expect(json.problems.map((p: { category: string; task: string | null }) => [p.category, p.task])).toEqual(expect.arrayContaining([
      ['missing mesh', 'posed'], ['empty mesh', 'neutral'], ['invalid mesh', 'posed'], ['wrong landmark shape', 'neutral'],
      ['missing landmarks', 'posed'], ['unexpected file', null],
    ]));
  });

  it.skipIf(!PYTHON)('folder entries (written by Python) are ignored: no problem', () => {
    const path = join(root, 'defects', 'with-folders.zip');
    const r = spawnSync(PYTHON!, ['-c', `
import sys, zipfile
src = zipfile.ZipFile(sys.argv[1])
with zipfile.ZipFile(sys.argv[2], 'w', zipfile.ZIP_DEFLATED) as z:
    folders = sorted({n.split('/')[0] + '/' for n in src.namelist()} | {'/'.join(n.split('/')[:2]) + '/' for n in src.namelist()} | {'extra-empty-folder/'})
    for f in folders:
        z.writestr(zipfile.ZipInfo(f), b'')
    for n in src.namelist():
        z.writestr(n, src.read(n))`, zip, path], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(readZipFile(path).entries.filter((e) => e.directory).map((e) => e.name)).toContain('extra-empty-folder/');
    expect(validateSvfrPredictions(download, path).problems).toEqual([]);
  });

  it('a task with no mesh is "not submitted" (a note), unless --task asks for it', () => {
    const posedOnly = variant('posed-only.zip', (e) => e.filter((x) => !x.name.includes('_neutral.')));
    const r = facebench(['validate', '--images', download, '--pred', posedOnly]);
    expect(r.status, r.stdout).toBe(0);
    expect(r.stdout).toContain('note: neutral: not submitted (no mesh_neutral.ply of any item); the server scores only the tasks present');
    expect(r.stdout).toContain('valid submission (5 items, 5 meshes; task posed)');
    const asked = facebench(['validate', '--images', download, '--pred', posedOnly, '--task', 'both']);
    expect(asked.status).toBe(1);
    expect(asked.stdout.trim().split('\n').filter((l) => l.endsWith('[missing mesh, neutral]'))).toHaveLength(5);
    const none = validateSvfrPredictions(download, variant('nothing.zip', () => [{ name: 'readme.txt', data: new Uint8Array(1) }]));
    expect(none.problems).toEqual([
      '.: holds no mesh_posed.ply or mesh_neutral.ply of any of the 5 items: nothing would be scored [no task submitted]',
      'readme.txt: stray file (a submission zip holds only <pid>/<item>/ folders) [unexpected file]',
    ]);
  });

  it('a folder may hold (1,7,3) landmarks, a zip may not: pack writes them as (7,3)', () => {
    const batched = join(root, 'pred-batched');
    cpSync(pred, batched, { recursive: true });
    const name = `${ITEMS[0][0]}/${ITEMS[0][2]}/landmarks_posed.npy`;
    writeNpy(join(batched, name), landmarks.get(name)!, [1, 7, 3], '<f8');
    expect(validateSvfrPredictions(download, batched).problems).toEqual([]);
    const out = join(root, 'batched.zip');
    expect(facebench(['pack', '--pred', batched, '--out', out, '--quiet']).status).toBe(0);
    const npy = parseNpy(readZipFile(out).read(name), name);
    expect([npy.shape, Array.from(npy.data)]).toEqual([[7, 3], Array.from(landmarks.get(name)!)]);
    expect(validateSvfrPredictions(download, out).problems).toEqual([]);
  });

  it('pack refuses invalid predictions: one line per problem, exit 1, no zip written', () => {
    const bad = join(root, 'pred-bad');
    cpSync(pred, bad, { recursive: true });
    const at = (k: number, file: string) => join(bad, ITEMS[k][0], ITEMS[k][2], file);
    writePly(at(0, 'mesh_posed.ply'), nanMesh);
    const inf = gridMesh(6, 1);
    inf.positions[0] = Number.POSITIVE_INFINITY;
    writePly(at(0, 'mesh_neutral.ply'), inf);
    writePly(at(1, 'mesh_posed.ply'), { positions: new Float64Array(0), faces: new Uint32Array(0) });
    rmSync(at(2, 'landmarks_posed.npy'));
    writeNpy(at(2, 'landmarks_neutral.npy'), new Float64Array(15), [5, 3], '<f8');
    rmSync(at(4, 'mesh_neutral.ply'));
    const out = join(root, 'refused', 'submission.zip');
    mkdirSync(join(root, 'refused'));
    const r = facebench(['pack', '--pred', bad, '--out', out]);
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    const lines = r.stderr.trim().split('\n');
    const key = (k: number) => `${bad}/${ITEMS[k][0]}/${ITEMS[k][2]}`;
    // Items in folder order: EMO-1-… before EXP-1-… of person 017.
    expect(lines).toEqual([
      `facebench: ${key(1)}/mesh_posed.ply: the mesh is empty (0 vertices, 0 faces) [empty mesh, posed]`,
      `facebench: ${key(0)}/mesh_posed.ply: vertex 1 has a non-finite coordinate (NaN) [invalid mesh, posed]`,
      `facebench: ${key(0)}/mesh_neutral.ply: vertex 0 has a non-finite coordinate (Infinity) [invalid mesh, neutral]`,
      `facebench: ${key(2)}/mesh_posed.ply: has 64 vertices, not FLAME's 5023 and there is no landmarks_posed.npy with its 7 landmarks (7,3) [missing landmarks, posed]`,
      `facebench: ${key(2)}/landmarks_neutral.npy: has shape (5,3), expected the 7 landmarks as (7,3) [wrong landmark shape, neutral]`,
      `facebench: ${key(4)}/mesh_neutral.ply: missing (the neutral task of item ${ITEMS[4][2]}) [missing mesh, neutral]`,
      `facebench: ${bad}: 6 problems over 5 items; no zip written`,
    ]);
    expect(listFiles(join(root, 'refused'))).toEqual([]);
    // Only the tasks asked for are checked and packed.
    const posed = join(root, 'refused', 'posed.zip');
    rmSync(at(0, 'mesh_posed.ply'));
    const p = facebench(['pack', '--pred', bad, '--out', posed, '--task', 'posed']);
    expect(p.status).toBe(1);
    expect(p.stderr).toMatch(/\[missing mesh, posed\]/);
    expect(p.stderr).not.toMatch(/neutral\]/);
  });

  it('pack pads the keys of a folder named as downloaded, and leaves out an unasked task', () => {
    const unpadded = join(root, 'pred-unpadded');
    for (const [person, folder, key] of ITEMS) cpSync(join(pred, person, key), join(unpadded, person, folder), { recursive: true });
    const out = join(root, 'posed.zip');
    const r = facebench(['pack', '--pred', unpadded, '--out', out, '--task', 'posed']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('note: neutral: its meshes are left out (not asked for)');
    expect(readZipFile(out).entries.map((e) => e.name)).toEqual(good.map((e) => e.name).filter((n) => n.endsWith('_posed.ply') || n.endsWith('_posed.npy')));
    const twice = join(root, 'pred-twice');
    cpSync(unpadded, twice, { recursive: true });
    cpSync(join(pred, ITEMS[0][0], ITEMS[0][2]), join(twice, ITEMS[0][0], ITEMS[0][2]), { recursive: true });
    const t = facebench(['pack', '--pred', twice, '--out', join(root, 'twice.zip')]);
    expect(t.status).toBe(1);
    expect(t.stderr).toContain(`${twice}/${ITEMS[0][0]}/${ITEMS[0][1]}: has the same submission key ${ITEMS[0][2]} as ${ITEMS[0][0]}/${ITEMS[0][2]} [unexpected file]`);
    expect(facebench(['pack', '--pred', pred, '--out', join(pred, 'inside.zip')]).stderr).toMatch(/inside\.zip: is inside the predictions folder/);
    expect(facebench(['pack', '--pred', zip, '--out', join(root, 'x.zip')]).stderr).toMatch(/is a zip already/);
  });

  /** A benchmark manifest listing the download's items (padded keys), with no files: enough to validate against. */
  const handMadeBench = (): { bench: string; manifest: Manifest } => {
    const bench = join(root, 'hand-made-bench');
    const persons = [...new Set(ITEMS.map(([person]) => person))];
    const manifest = {
      schema: 'facebench-benchmark', version: 1, tool: { name: 'facebench', version: 'test' }, created: '2025-01-01T00:00:00.000Z',
      source: { capture: 'hand-made', unit: 'mm', demo: false }, protocol: { name: 'nersemble', tasks: ['posed', 'neutral'], unit: 'mm' }, build: {},
      persons: persons.map((id) => ({ id, neutral: { sequence: 'EXP-1-head', frame: 0, dir: `persons/${id}/neutral`, points: 1000, rule: 'given' }, items: ITEMS.filter(([p]) => p === id).map(([, , key]) => key) })),
      items: ITEMS.map(([person, , key], k) => ({ id: key, person, sequence: key.split('_')[0], frame: k, camera: key.split('_').at(-1)!, rank: k, distance: 1, dir: `items/${person}/${key}`, points: 1000 })),
      files: {},
    };
    mkdirSync(bench, { recursive: true });
    writeFileSync(join(bench, 'manifest.json'), JSON.stringify(manifest));
    return { bench, manifest: manifest as unknown as Manifest };
  };

  it('validate --bench takes a zip too; the submission method imports a zip as a folder (both tasks required)', async () => {
    const { bench, manifest } = handMadeBench();
    const v = facebench(['validate', '--bench', bench, '--pred', zip]);
    expect(v.status, v.stdout).toBe(0);
    expect(v.stdout).toContain('valid submission (5 items, 10 meshes; tasks posed and neutral)');
    await submission.prepare!({ bench, manifest, options: { from: zip } });
    for (const [person, , key] of ITEMS) {
      const p = await submission.predict({ bench, item: { id: key, person } } as never, { from: zip });
      expect(Array.from(p.posed!.positions)).toEqual(Array.from(Float32Array.from(meshes.get(`${person}/${key}/mesh_posed.ply`)!.positions)));
      expect(Array.from(p.neutral!.faces)).toEqual(Array.from(meshes.get(`${person}/${key}/mesh_neutral.ply`)!.faces));
      expect(p.landmarksPosed === undefined).toBe(key === ITEMS[FLAME_ITEM][2]);
    }
    const posedOnly = join(root, 'defects', 'posed-only.zip');
    const error = await submission.prepare!({ bench, manifest, options: { from: posedOnly } }).then(() => undefined, (e: unknown) => e);
    expect(isInputError(error)).toBe(true);
    expect((error as Error).message).toMatch(/is not a valid submission: 5 problems .*\[missing mesh, neutral\].*--task both` lists them all/);
  });

  it('the loop on the download: predict --images → pack → validate → predict --method submission --from ZIP', () => {
    const predicted = join(root, 'loop', 'mean-shape');
    const packed = join(root, 'loop', 'mean-shape.zip');
    const imported = join(root, 'loop', 'imported');
    const run = (args: string[]) => {
      const r = facebench(args);
      expect(r.status, `${args.join(' ')}: ${r.stderr}`).toBe(0);
      return r;
    };
    run(['predict', '--images', download, '--method', 'mean-shape', '--out', predicted, '--quiet', '--workers', '1']);
    run(['pack', '--pred', predicted, '--out', packed, '--quiet']);
    expect(run(['validate', '--images', download, '--pred', packed]).stdout).toContain('valid submission (5 items, 10 meshes; tasks posed and neutral)');
    run(['predict', '--images', download, '--method', 'submission', '--from', packed, '--out', imported, '--quiet', '--workers', '1']);
    for (const [person, , key] of ITEMS) {
      for (const task of ['posed', 'neutral']) {
        const a = parsePly(readFileSync(join(predicted, person, key, `mesh_${task}.ply`)), 'a');
        const b = parsePly(readFileSync(join(imported, person, key, `mesh_${task}.ply`)), 'b');
        expect(Array.from(b.positions)).toEqual(Array.from(a.positions));
        expect(Array.from(b.faces)).toEqual(Array.from(a.faces));
      }
    }
  });
});
