import { cpSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadFacescapeGt, readFacescapeBenchmark } from '../../../evaluators/formats/index.js';
import { readNpy, writeNpy } from '../../../evaluators/io/index.js';
import { writeFacescapeLayout, type FacescapeLayout } from '../../helpers/facescape-layout.js';
import { expectInputError } from '../io/support.js';

const S = (64.0 + 61.7) / 2;

const base = mkdtempSync(join(tmpdir(), 'facebench-facescape-data-'));
afterAll(() => rmSync(base, { recursive: true, force: true }));
let counter = 0;
function freshDir(): string {
  const dir = join(base, `b${counter++}`);
  mkdirSync(dir);
  return dir;
}

const WILD = [250, 3, 120, 399, 0, 101];
const LAB = [
  { subject: 1, focal: 2, view: 10 },
  { subject: 0, focal: 0, view: 0 },
  { subject: 0, focal: 1, view: 4 },
  { subject: 1, focal: 0, view: 9 },
];

/** A fresh layout (both sets, with images unless told). */
function layout(options: { images?: boolean; wild?: number[]; lab?: typeof LAB } = {}): FacescapeLayout {
  return writeFacescapeLayout(freshDir(), { wild: options.wild ?? WILD, lab: options.lab ?? LAB, images: options.images ?? true, resolution: [12, 16] });
}

function signedVolume(positions: Float64Array, faces: Uint32Array): number {
  let v = 0;
  for (let f = 0; f < faces.length; f += 3) {
    const [a, b, c] = [faces[f], faces[f + 1], faces[f + 2]].map((i) => positions.subarray(3 * i, 3 * i + 3));
    v += (a[0] * (b[1] * c[2] - b[2] * c[1]) - a[1] * (b[0] * c[2] - b[2] * c[0]) + a[2] * (b[0] * c[1] - b[1] * c[0])) / 6;
  }
  return v;
}

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tolerance = 1e-9): void {
  expect(actual.length).toBe(expected.length);
  let worst = 0;
  for (let i = 0; i < actual.length; i++) worst = Math.max(worst, Math.abs(actual[i] - expected[i]));
  expect(worst).toBeLessThan(tolerance);
}

describe('FaceScape benchmark data reader', () => {
  const L = layout();

  it('generator: closed outward ellipsoids of head size, fast', () => {
    const t0 = performance.now();
    writeFacescapeLayout(freshDir(), { wild: [0, 1, 2], lab: [{ subject: 0, focal: 0, view: 0 }, { subject: 0, focal: 2, view: 9 }], images: true });
    expect(performance.now() - t0).toBeLessThan(1500);
    const lab = L.lab[0].gt;
    // Volume of a 75 × 100 × 90 mm ellipsoid, as a polyhedron a little below 4/3·π·abc.
    const vol = signedVolume(lab.positions, lab.faces);
    expect(vol).toBeGreaterThan(0.85 * (4 / 3) * Math.PI * 37.5 * 50 * 45);
    expect(vol).toBeLessThan((4 / 3) * Math.PI * 37.5 * 50 * 45 * 1.1);
    const wild = L.wild[0];
    expect(signedVolume(wild.gt.positions, wild.gt.faces)).toBeGreaterThan(0);
  });

  it('lists in-the-wild samples in index order with names, bins, views and images', () => {
    const b = readFacescapeBenchmark(L.root, 'fswild');
    expect(b.root).toBe(L.root);
    expect(b.set).toBe('fswild');
    expect(b.samples.map((s) => s.name)).toEqual(['000', '003', '101', '120', '250', '399']);
    expect(b.samples.map((s) => s.index)).toEqual([0, 3, 101, 120, 250, 399]);
    expect(b.samples.map((s) => s.angleBin)).toEqual(['0-5', '0-5', '5-30', '5-30', '30-60', '60-90']);
    for (const s of b.samples) {
      const truth = L.wild.find((w) => w.name === s.name)!;
      expect(s.gtMesh).toBe(truth.gtFile);
      expect(s.image).toBe(truth.image);
      expect(s.lab).toBeUndefined();
      expect(s.camera).toBeUndefined();
      expect(s.gtTransform).toBeUndefined();
      expect(s.view.set).toBe('fswild');
      expect(s.view.K).toBeUndefined();
      expect(s.view.pupilScale).toBe(truth.view.pupilScale);
      expect(s.view.headCentre).toEqual(Array.from(truth.view.headCentre));
      expect(s.view.rotation).toEqual(Array.from(truth.view.rotation));
      const gt = loadFacescapeGt(s);
      expectClose(gt.positions, truth.gt.positions, 1e-12);
      expect(Array.from(gt.faces)).toEqual(Array.from(truth.gt.faces));
    }
    expect(b.id).toMatch(/^[0-9a-f]{64}$/);
  });

  it('lists in-the-lab samples with triples, cameras, views and the GT in the camera frame', () => {
    const b = readFacescapeBenchmark(L.root, 'fslab');
    expect(b.samples.map((s) => s.name)).toEqual(['00_0_00', '00_1_04', '01_0_09', '01_2_10']);
    expect(b.samples.map((s) => s.index)).toEqual([0, 15, 33 + 9, 33 + 22 + 10]);
    expect(b.samples.map((s) => s.lab)).toEqual([
      { subject: 0, focal: 0, view: 0 }, { subject: 0, focal: 1, view: 4 }, { subject: 1, focal: 0, view: 9 }, { subject: 1, focal: 2, view: 10 },
    ]);
    expect(b.samples.map((s) => s.angleBin)).toEqual(['0', '30', '60', '60']);
    for (const s of b.samples) {
      const truth = L.lab.find((w) => w.name === s.name)!;
      expect(s.camera).toBe(truth.camera);
      expect(s.image).toBe(truth.image);
      expect(s.gtMesh).toBe(join(L.data, 'lab_gt_mesh', `${s.name.slice(0, 2)}.obj`));
      expect(s.view).toEqual({ ...truth.view, headCentre: Array.from(truth.view.headCentre), rotation: Array.from(truth.view.rotation) });
      expect(s.view.K).toEqual(truth.cam!.K.flat());
      const Rt = truth.cam!.Rt;
      expect(s.gtTransform!.rotation).toEqual([0, 1, 2].flatMap((r) => Rt[r].slice(0, 3)));
      expect(s.gtTransform!.translation).toEqual([0, 1, 2].map((r) => S * Rt[r][3]));
      // Independently: R·(62.85 v) + 62.85 t from the file's vertices and the JSON.
      const gt = loadFacescapeGt(s);
      const file = loadObjVertices(s.gtMesh);
      const expected = new Float64Array(file.length);
      for (let i = 0; i < file.length; i += 3) {
        for (let r = 0; r < 3; r++) {
          expected[i + r] = Rt[r][0] * S * file[i] + Rt[r][1] * S * file[i + 1] + Rt[r][2] * S * file[i + 2] + S * Rt[r][3];
        }
      }
      expectClose(gt.positions, expected, 1e-9);
      expectClose(gt.positions, truth.gt.positions, 1e-9);
    }
  });

  it('accepts the data/ folder as root and a predefDir override, with the same id', () => {
    const a = readFacescapeBenchmark(L.root, 'fslab');
    const b = readFacescapeBenchmark(L.data, 'fslab');
    expect(b.root).toBe(L.root);
    expect(b.samples).toEqual(a.samples);
    expect(b.id).toBe(a.id);
    const elsewhere = join(freshDir(), 'my-predef');
    cpSync(L.predef, elsewhere, { recursive: true });
    const c = readFacescapeBenchmark(L.root, 'fswild', { predefDir: elsewhere });
    expect(c.samples).toEqual(readFacescapeBenchmark(L.root, 'fswild').samples);
    expect(c.id).toBe(readFacescapeBenchmark(L.root, 'fswild').id);
    expect(c.id).not.toBe(a.id);
    // data/ form without ../code/predef: refused naming the folder, accepted with predefDir.
    const lone = join(freshDir(), 'data');
    cpSync(L.data, lone, { recursive: true });
    expectInputError(() => readFacescapeBenchmark(lone, 'fswild'), join(lone, '..', 'code', 'predef'), /no such folder.*predef/);
    expect(readFacescapeBenchmark(lone, 'fswild', { predefDir: elsewhere }).id).toBe(c.id);
  });

  it('restricts to the named samples; unknown names are refused', () => {
    const b = readFacescapeBenchmark(L.root, 'fswild', { samples: ['399', '003'] });
    expect(b.samples.map((s) => s.name)).toEqual(['003', '399']);
    expect(b.id).not.toBe(readFacescapeBenchmark(L.root, 'fswild').id);
    expect(readFacescapeBenchmark(L.root, 'fslab', { samples: ['01_0_09'] }).samples.map((s) => s.index)).toEqual([42]);
    expectInputError(() => readFacescapeBenchmark(L.root, 'fswild', { samples: ['400'] }), L.data, /"400" is not a FaceScape in-the-wild sample name/);
    expectInputError(() => readFacescapeBenchmark(L.root, 'fswild', { samples: ['../x'] }), L.data, /not a FaceScape in-the-wild sample name/);
    expectInputError(() => readFacescapeBenchmark(L.root, 'fswild', { samples: ['004'] }), L.data, /sample 004 .*not in the data.*wild_gt_mesh\/004\.obj/);
    expectInputError(() => readFacescapeBenchmark(L.root, 'fslab', { samples: ['00_0_01'] }), L.data, /sample 00_0_01 .*not in the data/);
  });

  it('images are optional; other files in the data folders are ignored', () => {
    const M = layout({ images: false });
    writeFileSync(join(M.data, 'wild_gt_mesh', 'readme.txt'), 'x');
    writeFileSync(join(M.data, 'wild_gt_mesh', '1000.obj'), 'x');
    writeFileSync(join(M.data, 'lab_cam', '20_0_00.json'), '[]');
    writeFileSync(join(M.data, 'lab_cam', '05_0_00.json'), '[]'); // no subject 05 GT: not a sample
    const wild = readFacescapeBenchmark(M.root, 'fswild');
    expect(wild.samples.every((s) => s.image === undefined)).toBe(true);
    expect(wild.samples).toHaveLength(WILD.length);
    expect(readFacescapeBenchmark(M.root, 'fslab').samples).toHaveLength(LAB.length);
    // Images in any subfolder of data/, .jpg too.
    mkdirSync(join(M.data, 'images'));
    writeFileSync(join(M.data, 'images', '003.jpg'), 'jpeg');
    writeFileSync(join(M.data, 'images', '01_2_10.JPG'), 'jpeg');
    expect(readFacescapeBenchmark(M.root, 'fswild').samples.find((s) => s.name === '003')!.image).toBe(join(M.data, 'images', '003.jpg'));
    expect(readFacescapeBenchmark(M.root, 'fslab').samples.find((s) => s.name === '01_2_10')!.image).toBe(join(M.data, 'images', '01_2_10.JPG'));
  });

  it('refuses a root without samples, naming the folder and what it expected', () => {
    const empty = freshDir();
    expectInputError(() => readFacescapeBenchmark(empty, 'fswild'), empty, /expected a data\/ folder.*wild_gt_mesh/);
    expectInputError(() => readFacescapeBenchmark(join(empty, 'nope'), 'fswild'), join(empty, 'nope'), /no such folder/);
    const onlyLab = writeFacescapeLayout(freshDir(), { lab: LAB.slice(0, 1), resolution: [8, 8] });
    expectInputError(() => readFacescapeBenchmark(onlyLab.root, 'fswild'), onlyLab.data, /no wild_gt_mesh\/ folder/);
    const onlyWild = writeFacescapeLayout(freshDir(), { wild: [1], resolution: [8, 8] });
    expectInputError(() => readFacescapeBenchmark(onlyWild.root, 'fslab'), onlyWild.data, /no lab_cam\/ folder/);
    mkdirSync(join(onlyWild.data, 'lab_cam'));
    mkdirSync(join(onlyWild.data, 'lab_gt_mesh'));
    writeFileSync(join(onlyWild.data, 'lab_cam', '00_0_00.json'), '[]');
    expectInputError(() => readFacescapeBenchmark(onlyWild.root, 'fslab'), join(onlyWild.data, 'lab_cam'), /no in-the-lab samples.*lab_gt_mesh\/<SS>\.obj/);
    rmSync(join(onlyWild.data, 'wild_gt_mesh', '001.obj'));
    expectInputError(() => readFacescapeBenchmark(onlyWild.root, 'fswild'), join(onlyWild.data, 'wild_gt_mesh'), /no in-the-wild GT meshes/);
  });

  describe('refusals name the file', () => {
    const small = () => writeFacescapeLayout(freshDir(), { wild: [5, 150], lab: [{ subject: 2, focal: 1, view: 3 }], resolution: [8, 8] });

    it('missing predef files', () => {
      const M = small();
      for (const [set, file] of [['fswild', 'wild_pupil_scales.npy'], ['fswild', 'wild_head_centers.npy'], ['fswild', 'wild_rotations.npy'], ['fslab', 'lab_head_centers.npy'], ['fslab', 'lab_rotations.npy']] as const) {
        const path = join(M.predef, file);
        renameSync(path, `${path}.bak`);
        expectInputError(() => readFacescapeBenchmark(M.root, set), path, /file not found/);
        renameSync(`${path}.bak`, path);
      }
    });

    it('wrong npy shapes; fewer wild rows only when they cover the highest sample index', () => {
      const M = small();
      const rot = join(M.predef, 'wild_rotations.npy');
      const rows = readNpy(rot).data;
      writeNpy(rot, rows.slice(0, 151 * 9), [151, 3, 3]);
      expect(readFacescapeBenchmark(M.root, 'fswild').samples).toHaveLength(2);
      writeNpy(rot, rows.slice(0, 150 * 9), [150, 3, 3]);
      expectInputError(() => readFacescapeBenchmark(M.root, 'fswild'), rot, /shape \(150, 3, 3\), expected \(400, 3, 3\).*sample index 150/);
      expect(readFacescapeBenchmark(M.root, 'fswild', { samples: ['005'] }).samples).toHaveLength(1);
      writeNpy(rot, rows.slice(0, 400 * 4), [400, 2, 2]);
      expectInputError(() => readFacescapeBenchmark(M.root, 'fswild'), rot, /shape \(400, 2, 2\)/);
      const scales = join(M.predef, 'wild_pupil_scales.npy');
      writeNpy(scales, new Float64Array(401).fill(150), [401]);
      expectInputError(() => readFacescapeBenchmark(M.root, 'fswild', { samples: ['005'] }), scales, /shape \(401\), expected \(400,\)/);
      const labRot = join(M.predef, 'lab_rotations.npy');
      writeNpy(labRot, readNpy(labRot).data.slice(0, 90), [10, 3, 3]);
      expectInputError(() => readFacescapeBenchmark(M.root, 'fslab'), labRot, /shape \(10, 3, 3\), expected \(11, 3, 3\)/);
      const labC = join(M.predef, 'lab_head_centers.npy');
      writeNpy(labC, [1, 2, 3, 4, 5, 6, 7, 8, 9], [9], '<i4');
      expectInputError(() => readFacescapeBenchmark(M.root, 'fslab'), labC, /dtype <i4/);
    });

    it('accepts float32 predef arrays', () => {
      const M = small();
      for (const [file, shape] of [['wild_pupil_scales.npy', [400]], ['wild_head_centers.npy', [400, 3]]] as const) {
        const path = join(M.predef, file);
        writeNpy(path, Float32Array.from(readNpy(path).data), shape);
      }
      const b = readFacescapeBenchmark(M.root, 'fswild');
      expect(b.samples[0].view.pupilScale).toBe(Math.fround(M.wild[0].view.pupilScale));
    });

    it('NaN / infinite values and a non-positive pupil scale', () => {
      const M = small();
      const centres = join(M.predef, 'wild_head_centers.npy');
      const c = Float64Array.from(readNpy(centres).data);
      c[3 * 150 + 2] = NaN;
      writeNpy(centres, c, [400, 3]);
      expectInputError(() => readFacescapeBenchmark(M.root, 'fswild'), centres, /row 150 .*non-finite/);
      expect(readFacescapeBenchmark(M.root, 'fswild', { samples: ['005'] }).samples).toHaveLength(1);
      const scales = join(M.predef, 'wild_pupil_scales.npy');
      const s = Float64Array.from(readNpy(scales).data);
      s[5] = Infinity;
      writeNpy(scales, s, [400]);
      expectInputError(() => readFacescapeBenchmark(M.root, 'fswild', { samples: ['005'] }), scales, /row 5 .*non-finite/);
      s[5] = 0;
      writeNpy(scales, s, [400]);
      expectInputError(() => readFacescapeBenchmark(M.root, 'fswild', { samples: ['005'] }), scales, /row 5: pupil scale 0 is not positive/);
      const labC = join(M.predef, 'lab_head_centers.npy');
      writeNpy(labC, [0, 0, 1, 0, 0, Infinity, 0, 0, 3], [3, 3]);
      expectInputError(() => readFacescapeBenchmark(M.root, 'fslab'), labC, /row 1 .*non-finite/);
    });

    it('rotations that are not orthonormal or are reflections', () => {
      const M = small();
      const rot = join(M.predef, 'wild_rotations.npy');
      const r = Float64Array.from(readNpy(rot).data);
      r[9 * 5] = 1.001;
      writeNpy(rot, r, [400, 3, 3]);
      expectInputError(() => readFacescapeBenchmark(M.root, 'fswild'), rot, /row 5 is not a rotation: not orthonormal/);
      r.set([1, 0, 0, 0, 1, 0, 0, 0, -1], 9 * 5);
      writeNpy(rot, r, [400, 3, 3]);
      expectInputError(() => readFacescapeBenchmark(M.root, 'fswild'), rot, /row 5 is not a rotation: a reflection/);
      r.set([1, 0, 0, 0, 1, 0, 0, 0, 1.00001], 9 * 5); // within 1e-4: accepted
      writeNpy(rot, r, [400, 3, 3]);
      expect(readFacescapeBenchmark(M.root, 'fswild').samples).toHaveLength(2);
      const labRot = join(M.predef, 'lab_rotations.npy');
      const l = Float64Array.from(readNpy(labRot).data);
      l.set([2, 0, 0, 0, 1, 0, 0, 0, 1], 9 * 7);
      writeNpy(labRot, l, [11, 3, 3]);
      expectInputError(() => readFacescapeBenchmark(M.root, 'fslab'), labRot, /row 7 is not a rotation/);
    });

    it('camera JSON that is not [3×3, 3×4] numbers, or K with a non-positive focal', () => {
      const M = small();
      const cam = M.lab[0].camera!;
      const { K, Rt } = M.lab[0].cam!;
      const cases: [unknown, RegExp][] = [
        [{ K, Rt }, /not a 2-element list/],
        [[K], /not a 2-element list/],
        [[K.slice(0, 2), Rt], /K is not a list of 3 rows/],
        [[K, [Rt[0], Rt[1], Rt[2].slice(0, 3)]], /Rt row 2 is not a list of 4 numbers/],
        [[[[1, 0, 128], [0, '600', 128], [0, 0, 1]], Rt], /K row 1 holds "600"/],
        [[[[0, 0, 128], [0, 600, 128], [0, 0, 1]], Rt], /non-positive focal/],
        [[[[600, 0, 128], [0, -600, 128], [0, 0, 1]], Rt], /non-positive focal/],
        [[K, [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, -1, 5]]], /rotation of Rt is a reflection/],
        [[K, [[1, 0.1, 0, 0], [0, 1, 0, 0], [0, 0, 1, 5]]], /rotation of Rt is not orthonormal/],
      ];
      for (const [doc, pattern] of cases) {
        writeFileSync(cam, JSON.stringify(doc));
        expectInputError(() => readFacescapeBenchmark(M.root, 'fslab'), cam, pattern);
      }
      writeFileSync(cam, '[[1,2');
      expectInputError(() => readFacescapeBenchmark(M.root, 'fslab'), cam, /not valid JSON/);
      writeFileSync(cam, '[[[600,0,128],[0,600,128],[0,0,1]],[[1,0,0,0],[0,1,0,0],[0,0,1,NaN]]]');
      expectInputError(() => readFacescapeBenchmark(M.root, 'fslab'), cam, /not valid JSON/);
    });

    it('GT meshes that do not parse', () => {
      const M = small();
      writeFileSync(M.wild[0].gtFile, 'v 0 0 0\nv 1 0 0\nf 1 2 7\n');
      const wild = readFacescapeBenchmark(M.root, 'fswild');
      expectInputError(() => loadFacescapeGt(wild.samples[0]), M.wild[0].gtFile, /./);
      writeFileSync(M.lab[0].gtFile, 'v 0 0 nan\nf 1 1 1\n');
      const lab = readFacescapeBenchmark(M.root, 'fslab');
      expectInputError(() => loadFacescapeGt(lab.samples[0]), M.lab[0].gtFile, /./);
    });

    it('symbolic links inside the data', () => {
      const M = small();
      const gt = M.wild[1].gtFile;
      const elsewhere = join(freshDir(), 'x.obj');
      renameSync(gt, elsewhere);
      symlinkSync(elsewhere, gt);
      expectInputError(() => readFacescapeBenchmark(M.root, 'fswild'), gt, /symbolic link inside FaceScape's data folder/);
      expectInputError(() => readFacescapeBenchmark(M.data, 'fswild'), gt, /symbolic link/);
      unlinkSync(gt);
      renameSync(elsewhere, gt);
      const pre = join(M.predef, 'lab_rotations.npy');
      const moved = join(freshDir(), 'r.npy');
      renameSync(pre, moved);
      symlinkSync(moved, pre);
      expectInputError(() => readFacescapeBenchmark(M.root, 'fslab'), pre, /symbolic link inside the predef folder/);
      unlinkSync(pre);
      renameSync(moved, pre);
      // A linked data/ folder below the given benchmark folder is refused; the given root itself may be a link.
      const link = join(freshDir(), 'bench-link');
      symlinkSync(M.root, link);
      expect(readFacescapeBenchmark(link, 'fslab').samples).toHaveLength(1);
    });
  });
});

/** Vertex coordinates of a plain `v x y z` OBJ, parsed here independently of the library. */
function loadObjVertices(path: string): Float64Array {
  const text = readFileSync(path, 'utf8');
  const out: number[] = [];
  for (const line of text.split('\n')) if (line.startsWith('v ')) out.push(...line.slice(2).trim().split(/\s+/).map(Number));
  return Float64Array.from(out);
}
