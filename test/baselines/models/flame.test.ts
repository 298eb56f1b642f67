import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { InputError } from '../../../evaluators/errors.js';
import { encodeNpy } from '../../../evaluators/io/npy.js';
import {
  cscToDense, evaluateModel, flameSplit, isCsc, loadFlame, modelLandmarks, parsePickle, restJoints,
  sevenLandmarks, type FlameModel, type LinearFaceModel, type NdArray, type PyValue,
} from '../../../baselines/models/index.js';
import { rotationFromRotationVector as rodrigues } from '../../../evaluators/alignment/index.js';
import { EXPECTED, FLAME_SCHEMA, checkArray } from './fixture-check.js';

const MODEL = join(FLAME_SCHEMA, 'generic_model.pkl');
const EMBEDDING = join(FLAME_SCHEMA, 'landmark_embedding.npy');
const MASKS = join(FLAME_SCHEMA, 'FLAME_masks.pkl');
const exp = EXPECTED['generic_model.pkl'];

/** The raw fixture arrays (metres) as the pickle holds them, for independent references. */
const raw = parsePickle(new Uint8Array(readFileSync(MODEL)), MODEL) as Map<string, PyValue>;
const rawArray = (key: string): Float64Array => Float64Array.from((raw.get(key) as NdArray).data as ArrayLike<number>);
const vT = rawArray('v_template');
const shapedirs = rawArray('shapedirs');
const posedirs = rawArray('posedirs');
const weights = rawArray('weights');
const Jrest = rawArray('J');

const flame = loadFlame(MODEL, { landmarkEmbedding: EMBEDDING, masks: MASKS });
const n = 200;

function noPoseBasis(m: FlameModel): LinearFaceModel {
  return { ...m, skeleton: { ...m.skeleton, poseBasis: undefined } };
}

function rotationFor(joint: number, axisAngle: number[]): Float64Array {
  const r = new Float64Array(15);
  r.set(axisAngle, 3 * joint);
  return r;
}

/** R·(p − c) + c with R row-major. */
function rotateAbout(R: Float64Array, p: number[], c: number[]): number[] {
  const d = [p[0] - c[0], p[1] - c[1], p[2] - c[2]];
  return [0, 1, 2].map((a) => R[3 * a] * d[0] + R[3 * a + 1] * d[1] + R[3 * a + 2] * d[2] + c[a]);
}

const vertex = (pos: Float64Array, v: number): number[] => [pos[3 * v], pos[3 * v + 1], pos[3 * v + 2]];

describe('loadFlame on the flame-schema fixture', () => {
  it('converts the pickle to millimetres with the expected sizes, split and skeleton', () => {
    expect(flame.template.length).toBe(3 * n);
    expect(flame.faces.length).toBe(3 * exp.arrays.f.shape[0]);
    checkArray('f', '<u4', exp.arrays.f.shape, flame.faces, exp.arrays.f);
    for (let i = 0; i < 3 * n; i++) expect(flame.template[i]).toBe(vT[i] * 1000);
    expect(flame.identityCount).toBe(10);
    expect(flame.expressionCount).toBe(10);
    expect(flame.skeleton.names).toEqual(['global', 'neck', 'jaw', 'eye_left', 'eye_right']);
    expect(Array.from(flame.skeleton.parents)).toEqual([-1, 0, 1, 1, 1]);
    expect(flame.skeleton.poseBasis?.length).toBe(36 * 3 * n);
    expect(flame.info).toEqual({ bs_style: 'lbs', bs_type: 'lrotmin' });
    // Regressed rest joints of the template equal the file's J (converted to mm).
    const J = restJoints(flame, flame.template);
    for (let i = 0; i < 15; i++) expect(J[i]).toBeCloseTo(Jrest[i] * 1000, 10);
    const dense = cscToDense(raw.get('J_regressor') as never);
    expect(isCsc(raw.get('J_regressor'))).toBe(true);
    expect(Array.from(flame.skeleton.jointRegressor)).toEqual(Array.from(dense));
    checkArray('weights', '<f8', [n, 5], flame.skeleton.weights, exp.arrays.weights);
  });

  it('splits shapedirs: 10/10 for K = 20 by default, as configured, and 300/100 for FLAME 2020', () => {
    expect(flameSplit(400)).toEqual({ shape: 300, expression: 100 });
    expect(flameSplit(20)).toEqual({ shape: 10, expression: 10 });
    expect(flameSplit(20, 15)).toEqual({ shape: 15, expression: 5 });
    expect(flameSplit(20, 12, 4)).toEqual({ shape: 12, expression: 4 });
    expect(flameSplit(20, undefined, 5)).toEqual({ shape: 15, expression: 5 });
    const m = loadFlame(MODEL, { shapeCount: 15 });
    expect([m.identityCount, m.expressionCount]).toEqual([15, 5]);
    expect(() => loadFlame(MODEL, { shapeCount: 30 })).toThrow(InputError);
  });

  it('identity mode k and expression mode j are shapedirs[:, :, k] and [:, :, 10 + j] in mm', () => {
    const a = evaluateModel(flame, { identity: [0, 0, 2] });
    const e = evaluateModel(flame, { expression: [0, 0, 0, -1.5] });
    for (let i = 0; i < 3 * n; i++) {
      expect(a[i] - flame.template[i]).toBeCloseTo(2 * shapedirs[i * 20 + 2] * 1000, 10);
      expect(e[i] - flame.template[i]).toBeCloseTo(-1.5 * shapedirs[i * 20 + 13] * 1000, 10);
    }
  });

  it('reads the 68 (full) and 51 (static) landmark embeddings and the masks', () => {
    const le = EXPECTED['landmark_embedding.npy'].arrays;
    checkArray('full faces', '<i8', le.full_lmk_faces_idx.shape, flame.landmarks68!.faces, le.full_lmk_faces_idx);
    checkArray('full bary', '<f4', le.full_lmk_bary_coords.shape, flame.landmarks68!.barycentrics, le.full_lmk_bary_coords);
    checkArray('static faces', '<i8', le.static_lmk_faces_idx.shape, flame.landmarks51!.faces, le.static_lmk_faces_idx);
    checkArray('static bary', '<f8', le.static_lmk_bary_coords.shape, flame.landmarks51!.barycentrics, le.static_lmk_bary_coords);
    const me = EXPECTED['FLAME_masks.pkl'];
    expect([...flame.masks!.keys()]).toEqual(me.keys_in_file_order);
    for (const [k, v] of flame.masks!) expect(Array.from(v)).toEqual(me.arrays[k].values);
  });

  it('landmarks are barycentric combinations of face corners; the 7 are iBUG 36, 39, 42, 45, 33, 48, 54', () => {
    const pos = evaluateModel(flame, { identity: [1, -1], expression: [0.5] });
    const l68 = modelLandmarks(flame, pos);
    const emb = flame.landmarks68!;
    for (const k of [0, 33, 67]) {
      const f = emb.faces[k];
      for (let c = 0; c < 3; c++) {
        let s = 0;
        for (let corner = 0; corner < 3; corner++) s += emb.barycentrics[3 * k + corner] * pos[3 * flame.faces[3 * f + corner] + c];
        expect(l68[3 * k + c]).toBeCloseTo(s, 12);
      }
    }
    const seven = sevenLandmarks(flame, pos);
    [36, 39, 42, 45, 33, 48, 54].forEach((id, k) => {
      for (let c = 0; c < 3; c++) expect(seven[3 * k + c]).toBe(l68[3 * id + c]);
    });
    expect(modelLandmarks(flame, pos, flame.landmarks51).length).toBe(153);
  });

  it('refuses files that are not FLAME models with a one-line error naming the file', () => {
    expect(() => loadFlame(MASKS)).toThrow(/FLAME_masks\.pkl: missing the 'v_template' entry/);
    expect(() => loadFlame(join(FLAME_SCHEMA, 'missing.pkl'))).toThrow(InputError);
  });
});

describe('linear blend skinning of the FLAME fixture', () => {
  const shaped = evaluateModel(flame, { identity: [1.2, -0.7, 0.3], expression: [0.8, 0, -0.4] });
  const coeffs = { identity: [1.2, -0.7, 0.3], expression: [0.8, 0, -0.4] };
  const J = restJoints(flame, shaped);
  const joint = (j: number): number[] => [J[3 * j], J[3 * j + 1], J[3 * j + 2]];

  it('zero rotations reproduce the shaped mesh', () => {
    const posed = evaluateModel(flame, { ...coeffs, jointRotations: new Float64Array(15) });
    for (let i = 0; i < 3 * n; i++) expect(Math.abs(posed[i] - shaped[i])).toBeLessThan(1e-12);
  });

  it('a global rotation rotates every vertex about the root joint (root rotation drives no correctives)', () => {
    const r = [0.3, -0.5, 0.2];
    const R = rodrigues(r[0], r[1], r[2]);
    const posed = evaluateModel(flame, { ...coeffs, jointRotations: rotationFor(0, r) });
    for (let v = 0; v < n; v++) {
      const want = rotateAbout(R, vertex(shaped, v), joint(0));
      for (let c = 0; c < 3; c++) expect(posed[3 * v + c]).toBeCloseTo(want[c], 10);
    }
  });

  it('a jaw rotation moves only jaw-weighted vertices (no correctives), each by w·(R(v − J_jaw) + J_jaw − v)', () => {
    const r = [0.25, 0, 0];
    const R = rodrigues(r[0], r[1], r[2]);
    // The synthetic weights are dense: give every even vertex's jaw weight to the root joint.
    const w5 = Float64Array.from(weights);
    for (let v = 0; v < n; v += 2) { w5[5 * v] += w5[5 * v + 2]; w5[5 * v + 2] = 0; }
    const base = noPoseBasis(flame);
    const model: LinearFaceModel = { ...base, skeleton: { ...base.skeleton!, weights: w5 } };
    const posed = evaluateModel(model, { ...coeffs, jointRotations: rotationFor(2, r) });
    let moved = 0;
    for (let v = 0; v < n; v++) {
      const w = w5[5 * v + 2];
      const p = vertex(shaped, v);
      const rot = rotateAbout(R, p, joint(2));
      for (let c = 0; c < 3; c++) expect(posed[3 * v + c]).toBeCloseTo((1 - w) * p[c] + w * rot[c], 10);
      const d = Math.hypot(posed[3 * v] - p[0], posed[3 * v + 1] - p[1], posed[3 * v + 2] - p[2]);
      if (w === 0) expect(d).toBeLessThan(1e-12);
      else if (d > 1e-6) moved++;
    }
    expect(moved).toBeGreaterThan(50);
  });

  it('pose correctives follow the SMPL/FLAME convention: feature = flattened (R_j − I) of joints 1..4 times posedirs', () => {
    const r = [0.25, -0.1, 0.05];
    const R = rodrigues(r[0], r[1], r[2]);
    const posed = evaluateModel(flame, { ...coeffs, jointRotations: rotationFor(2, r) });
    const feature = new Float64Array(36);
    for (let e = 0; e < 9; e++) feature[9 + e] = R[e] - (e % 4 === 0 ? 1 : 0);
    for (let v = 0; v < n; v++) {
      const w = weights[5 * v + 2];
      const p = vertex(shaped, v);
      for (let c = 0; c < 3; c++) {
        let off = 0;
        for (let k = 0; k < 36; k++) off += feature[k] * posedirs[(3 * v + c) * 36 + k] * 1000;
        p[c] += off;
      }
      const rot = rotateAbout(R, p, joint(2));
      for (let c = 0; c < 3; c++) expect(posed[3 * v + c]).toBeCloseTo((1 - w) * p[c] + w * rot[c], 10);
    }
  });

  it('the kinematic chain composes neck and jaw rotations', () => {
    const rn = [0.1, 0.3, -0.2], rj = [0.35, 0.05, 0];
    const Rn = rodrigues(rn[0], rn[1], rn[2]), Rj = rodrigues(rj[0], rj[1], rj[2]);
    const rot = new Float64Array(15);
    rot.set(rn, 3);
    rot.set(rj, 6);
    const posed = evaluateModel(noPoseBasis(flame), { ...coeffs, jointRotations: rot });
    for (let v = 0; v < n; v++) {
      const p = vertex(shaped, v);
      const w = [0, 1, 2, 3, 4].map((j) => weights[5 * v + j]);
      const neck = rotateAbout(Rn, p, joint(1));
      const jaw = rotateAbout(Rn, rotateAbout(Rj, p, joint(2)), joint(1));
      for (let c = 0; c < 3; c++) {
        const want = w[0] * p[c] + (w[1] + w[3] + w[4]) * neck[c] + w[2] * jaw[c];
        expect(posed[3 * v + c]).toBeCloseTo(want, 10);
      }
    }
  });

  it('rejects a rotation vector of the wrong length', () => {
    expect(() => evaluateModel(flame, { jointRotations: [0, 0, 0] })).toThrow(/expected 15/);
  });
});

/** A stored (method 0) zip writer for the npz test: PKWARE APPNOTE local headers + central directory. */
function zipStored(entries: [string, Uint8Array][]): Uint8Array {
  const parts: Uint8Array[] = [];
  const central: Uint8Array[] = [];
  let offset = 0;
  for (const [name, data] of entries) {
    const nameBytes = Buffer.from(name, 'latin1');
    const crc = crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0); local.writeUInt16LE(20, 4);
    local.writeUInt32LE(crc, 14); local.writeUInt32LE(data.length, 18); local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(nameBytes.length, 26);
    const dir = Buffer.alloc(46);
    dir.writeUInt32LE(0x02014b50, 0); dir.writeUInt16LE(20, 4); dir.writeUInt16LE(20, 6);
    dir.writeUInt32LE(crc, 16); dir.writeUInt32LE(data.length, 20); dir.writeUInt32LE(data.length, 24);
    dir.writeUInt16LE(nameBytes.length, 28); dir.writeUInt32LE(offset, 42);
    parts.push(local, nameBytes, data);
    central.push(dir, nameBytes);
    offset += 30 + nameBytes.length + data.length;
  }
  const cdSize = central.reduce((a, b) => a + b.length, 0);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0); end.writeUInt16LE(entries.length, 8); end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(cdSize, 12); end.writeUInt32LE(offset, 16);
  return new Uint8Array(Buffer.concat([...parts, ...central, end]));
}

describe('loadFlame on an .npz conversion', () => {
  const dir = mkdtempSync(join(tmpdir(), 'facebench-flame-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('gives the same model as the pickle (dense J_regressor)', () => {
    const arr = (key: string): NdArray => raw.get(key) as NdArray;
    const members: [string, Uint8Array][] = [
      ['v_template.npy', encodeNpy(arr('v_template').data as Float64Array, [n, 3], '<f8')],
      ['f.npy', encodeNpy(arr('f').data as Uint32Array, [396, 3], '<u4')],
      ['shapedirs.npy', encodeNpy(arr('shapedirs').data as Float64Array, [n, 3, 20], '<f8')],
      ['posedirs.npy', encodeNpy(arr('posedirs').data as Float64Array, [n, 3, 36], '<f8')],
      ['J_regressor.npy', encodeNpy(cscToDense(raw.get('J_regressor') as never), [5, n], '<f8')],
      ['weights.npy', encodeNpy(arr('weights').data as Float64Array, [n, 5], '<f8')],
      ['kintree_table.npy', encodeNpy(arr('kintree_table').data as Float64Array, [2, 5], '<i8')],
    ];
    const path = join(dir, 'flame.npz');
    writeFileSync(path, zipStored(members));
    const m = loadFlame(path);
    expect(Array.from(m.template)).toEqual(Array.from(flame.template));
    expect(Array.from(m.faces)).toEqual(Array.from(flame.faces));
    expect(Array.from(m.skeleton.jointRegressor)).toEqual(Array.from(flame.skeleton.jointRegressor));
    const rot = [0.1, 0.2, 0, 0, 0.1, 0, 0.3, 0, 0, 0, 0.1, 0, 0, 0, 0.2];
    const a = evaluateModel(m, { identity: [1], expression: [0, 1], jointRotations: rot });
    const b = evaluateModel(flame, { identity: [1], expression: [0, 1], jointRotations: rot });
    expect(Array.from(a)).toEqual(Array.from(b));
  });
});
