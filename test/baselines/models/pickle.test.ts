import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { expectInputError } from '../../evaluators/io/support.js';
import {
  cscToDense, isCsc, isNdArray, isPyObject, isTuple, parseNpyValue, parseNpz, parsePickle,
  type NdArray, type PyValue,
} from '../../../baselines/models/index.js';
import { EXPECTED, FLAME_SCHEMA, checkArray, type ExpectedArray } from './fixture-check.js';
import { referenceBytes } from './reference-pickles.js';

function asDict(v: PyValue): Map<string | number | boolean | null | bigint, PyValue> {
  expect(v).toBeInstanceOf(Map);
  return v as Map<string, PyValue>;
}

function nd(v: PyValue | undefined): NdArray {
  expect(isNdArray(v)).toBe(true);
  return v as NdArray;
}

function checkNd(name: string, v: PyValue | undefined, exp: ExpectedArray): void {
  const a = nd(v);
  checkArray(name, a.dtype, a.shape, a.data as ArrayLike<number>, exp);
}

describe('parsePickle on the flame-schema fixture', () => {
  const modelFile = join(FLAME_SCHEMA, 'generic_model.pkl');
  const model = asDict(parsePickle(new Uint8Array(readFileSync(modelFile)), modelFile));
  const exp = EXPECTED['generic_model.pkl'];

  it('reads the py2 protocol-2 generic_model.pkl: keys in file order, every array fact', () => {
    expect([...model.keys()]).toEqual(exp.keys_in_file_order);
    for (const [key, e] of Object.entries(exp.arrays as Record<string, ExpectedArray>)) {
      if (key === 'J_regressor') continue;
      checkNd(key, model.get(key), e);
    }
    expect(model.get('bs_style')).toBe(exp.scalars.bs_style);
    expect(model.get('bs_type')).toBe(exp.scalars.bs_type);
  });

  it('unwraps chumpy.ch.Ch to its x array', () => {
    expect(exp.arrays.shapedirs.wrapper).toBe('chumpy.ch.Ch');
    expect(nd(model.get('shapedirs')).shape).toEqual([200, 3, 20]);
  });

  it('rebuilds the scipy.sparse.csc.csc_matrix J_regressor', () => {
    const e = exp.arrays.J_regressor;
    const j = model.get('J_regressor');
    expect(isCsc(j)).toBe(true);
    if (!isCsc(j)) return;
    expect(j.shape).toEqual(e.shape);
    expect(j.data.length).toBe(e.nnz);
    expect(j.stateKeys).toEqual(e.state_keys);
    checkArray('data', '<f8', [j.data.length], j.data, e.data);
    checkArray('indices', '<i4', [j.indices.length], j.indices, e.indices);
    checkArray('indptr', '<i4', [j.indptr.length], j.indptr, e.indptr);
    const dense = cscToDense(j);
    for (let r = 0; r < 5; r++) {
      let s = 0;
      for (let c = 0; c < 200; c++) s += dense[r * 200 + c];
      expect(s).toBeCloseTo(e.dense_row_sums[r], 14);
    }
    for (const d of e.dense_entries) expect(dense[d.index[0] * 200 + d.index[1]]).toBe(d.value);
    // J = J_regressor · v_template (stated by the fixture README).
    const v = nd(model.get('v_template')).data as Float64Array;
    const J = nd(model.get('J')).data as Float64Array;
    for (let r = 0; r < 5; r++) {
      for (let c = 0; c < 3; c++) {
        let s = 0;
        for (let k = 0; k < 200; k++) s += dense[r * 200 + k] * v[3 * k + c];
        expect(s).toBeCloseTo(J[3 * r + c], 15);
      }
    }
  });

  it('reads the protocol-0 text FLAME_masks.pkl: every index value', () => {
    const file = join(FLAME_SCHEMA, 'FLAME_masks.pkl');
    const masks = asDict(parsePickle(new Uint8Array(readFileSync(file)), file));
    const e = EXPECTED['FLAME_masks.pkl'];
    expect(e.pickle_protocol).toBe(0);
    expect([...masks.keys()]).toEqual(e.keys_in_file_order);
    for (const [key, a] of Object.entries(e.arrays as Record<string, ExpectedArray>)) checkNd(key, masks.get(key), a);
  });

  it('reads the object .npy landmark_embedding.npy (protocol-3 pickled dict)', () => {
    const file = join(FLAME_SCHEMA, 'landmark_embedding.npy');
    const dict = asDict(parseNpyValue(new Uint8Array(readFileSync(file)), file));
    const e = EXPECTED['landmark_embedding.npy'];
    expect([...dict.keys()]).toEqual(e.keys_in_file_order);
    for (const [key, a] of Object.entries(e.arrays as Record<string, ExpectedArray>)) checkNd(key, dict.get(key), a);
  });

  it('names the file in a one-line InputError for truncated and invalid pickles', () => {
    const bytes = new Uint8Array(readFileSync(modelFile));
    for (const bad of [bytes.subarray(0, 1000), bytes.subarray(0, bytes.length - 1), Uint8Array.from([0x80, 0x02, 0xff]), new Uint8Array(0)]) {
      expectInputError(() => parsePickle(bad, 'model.pkl'), 'model.pkl', /./);
    }
  });
});

describe('parsePickle on reference pickles', () => {
  it('protocol 0 (Python 3): ints, floats, bools, None, long, tuple, set, unicode, escapes', () => {
    // {'a': [1, 2.5, True, None, -7, 2**70], 'b': (1, "x\n'q"), 'c': {3}, 'u': 'é€'}
    const d = asDict(parsePickle(referenceBytes('p0'), 'p0.pkl'));
    expect(d.get('a')).toEqual([1, 2.5, true, null, -7, 2n ** 70n]);
    const b = d.get('b');
    expect(isTuple(b)).toBe(true);
    expect([...(b as PyValue[])]).toEqual([1, "x\n'q"]);
    expect(d.get('c')).toEqual(new Set([3]));
    expect(d.get('u')).toBe('é\u20ac');
  });

  it('protocol 4 (numpy 2 `numpy._core` paths): fortran order, big endian, int64, bytes, frozenset, numpy scalar, memo sharing', () => {
    const d = asDict(parsePickle(referenceBytes('p4'), 'p4.pkl'));
    const f = nd(d.get('f'));
    expect(f.dtype).toBe('<f4');
    expect(f.shape).toEqual([2, 3]);
    expect(Array.from(f.data as Float32Array)).toEqual([0, 1.5, 3, 4.5, 6, 7.5]);
    const big = nd(d.get('big'));
    expect(big.dtype).toBe('>i4');
    expect(Array.from(big.data as Int32Array)).toEqual([1, -2, 300]);
    expect(Array.from(nd(d.get('i8')).data as Float64Array)).toEqual([2 ** 40, -3]);
    expect(d.get('bytes')).toEqual(Uint8Array.from([0, 255]));
    expect(d.get('s')).toBe('é');
    expect(d.get('fs')).toEqual(new Set([1]));
    expect(d.get('sc')).toBe(1.5);
    const lst = d.get('lst') as PyValue[];
    expect(lst[0]).toBe(lst[1]);
    expect(Array.from(nd(lst[0]).data as Float32Array)).toEqual([0, 1.5, 3, 4.5, 6, 7.5]);
  });

  it('protocol 2 written by Python 3 (bytes via _codecs.encode)', () => {
    // {'arr': np.array([0.25, -1.0]), 'raw': b'ab\xff'}
    const d = asDict(parsePickle(referenceBytes('p2'), 'p2.pkl'));
    expect(Array.from(nd(d.get('arr')).data as Float64Array)).toEqual([0.25, -1]);
    expect(d.get('raw')).toEqual(Uint8Array.from([97, 98, 255]));
  });

  it('keeps unknown globals (torch tensors with persistent ids) as opaque objects so the rest loads', () => {
    const d = asDict(parsePickle(referenceBytes('torch'), 'emb.pkl'));
    const t = d.get('dynamic_lmk_faces_idx');
    expect(isPyObject(t)).toBe(true);
    if (isPyObject(t)) {
      expect(t.className).toBe('torch._utils._rebuild_tensor_v2');
      expect((t.args[0] as { kind: string }).kind).toBe('persistent');
    }
    expect(Array.from(nd(d.get('static')).data as Float64Array)).toEqual([1, 2]);
  });

  it('reads .npz archives, stored and deflated, including an object member', () => {
    // np.savez(a=arange(4.), b=[[1,2],[3,4]] int32)
    const z = parseNpz(referenceBytes('npz'), 'x.npz');
    expect([...z.keys()]).toEqual(['a', 'b']);
    expect(Array.from(nd(z.get('a')).data as Float64Array)).toEqual([0, 1, 2, 3]);
    expect(nd(z.get('b')).shape).toEqual([2, 2]);
    expect(Array.from(nd(z.get('b')).data as Int32Array)).toEqual([1, 2, 3, 4]);
    // np.savez_compressed(a=arange(4.)*2, d=np.array({'k': ones(2)}, dtype=object))
    const c = parseNpz(referenceBytes('npzc'), 'c.npz');
    expect(Array.from(nd(c.get('a')).data as Float64Array)).toEqual([0, 2, 4, 6]);
    const inner = asDict(c.get('d')!);
    expect(Array.from(nd(inner.get('k')).data as Float64Array)).toEqual([1, 1]);
    expect(() => parseNpz(referenceBytes('npz').subarray(0, 300), 'cut.npz')).toThrow(/^cut\.npz: /);
  });
});
