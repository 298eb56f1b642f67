import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineMethod, type PredictItem } from '../../baselines/adapter.js';
import { builtinMethods, registerBuiltinMethods } from '../../baselines/builtin.js';
import { landmarkFitAdapter } from '../../baselines/landmark-fit/index.js';
import { meanShape } from '../../baselines/mean-shape/index.js';
import { describeOptions, methodKey, parseMethodOptions } from '../../baselines/method-options.js';
import { canonicalJson } from '../../evaluators/util/index.js';
import { loadIctModel } from '../../baselines/models/index.js';
import { addVertexNoise, oracle } from '../../baselines/oracle/index.js';
import { getMethod, hasMethod, listMethods, registerMethod, unregisterMethod } from '../../baselines/registry.js';
import { methodsListing } from '../../benchmark/commands/methods.js';
import { buildFaceModel, landmarkPositions } from '../../data/index.js';
import { SEVEN_LANDMARKS } from '../../evaluators/protocols/index.js';
import { isInputError } from '../../evaluators/errors.js';
import { FIXTURES } from '../helpers/faces.js';

/** A PredictItem for adapters that ignore their input. */
const dummyItem = {} as PredictItem;

const errorOf = (fn: () => unknown): Error => {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected an error');
};

describe('method registry', () => {
  it('registers, finds and lists adapters; an unknown name lists the known ones', () => {
    registerBuiltinMethods();
    registerBuiltinMethods(); // idempotent
    for (const name of ['mean-shape', 'oracle', 'submission']) expect(hasMethod(name)).toBe(true);
    const names = listMethods().map((m) => m.name);
    expect(names).toEqual([...names].sort());
    const e = errorOf(() => getMethod('nope'));
    expect(isInputError(e)).toBe(true);
    expect(e.message).toMatch(/unknown method "nope"; known methods: .*mean-shape.*oracle/);
    const custom = defineMethod({ name: 'custom-x', version: '1', description: 'd', options: z.object({}), predict: async () => { throw new Error('unused'); } });
    registerMethod(custom);
    expect(getMethod('custom-x')).toBe(custom);
    expect(() => registerMethod({ ...custom })).toThrow(/already registered/);
    expect(() => registerMethod({ ...custom, name: 'Bad Name' })).toThrow(/lower-case/);
    expect(unregisterMethod('custom-x')).toBe(true);
    expect(hasMethod('custom-x')).toBe(false);
  });
});

describe('method options', () => {
  it('fills defaults, parses JSON text, and reports every problem in one line', () => {
    expect(parseMethodOptions(oracle, undefined)).toEqual({ noise: 0, seed: 0 });
    expect(parseMethodOptions(oracle, '{"noise": 0.5}')).toEqual({ noise: 0.5, seed: 0 });
    const e = errorOf(() => parseMethodOptions(oracle, { noise: -1, seed: 1.5, extra: true }));
    expect(isInputError(e)).toBe(true);
    expect(e.message).not.toContain('\n');
    expect(e.message).toMatch(/noise: .*seed: .*extra/);
    expect(errorOf(() => parseMethodOptions(oracle, '{noise')).message).toMatch(/not valid JSON/);
    expect(errorOf(() => parseMethodOptions(meanShape, { model: 'flame' })).message).toMatch(/path: model "flame" needs "path"/);
  });

  it('the ICT-FaceKit model has no default folder: asking for it without one says how to pass it', () => {
    const ict = errorOf(() => parseMethodOptions(meanShape, { model: 'ict' }));
    expect(isInputError(ict)).toBe(true);
    expect(ict.message).not.toContain('\n');
    expect(ict.message).toMatch(/path: model "ict" needs "path": the folder of an ICT-FaceKit export \(template\.npy, faces\.npy, identity\.npy, expression\.npy, expression_names\.json, landmarks68\.json\)/);
    const fit = errorOf(() => parseMethodOptions(landmarkFitAdapter, '{"model": "ict"}'));
    expect(isInputError(fit)).toBe(true);
    expect(fit.message).not.toContain('\n');
    expect(fit.message).toMatch(/model: the ICT-FaceKit model needs its folder: write \{"ict": "\/path\/to\/ict-facekit"\} instead of "ict"/);
    expect(parseMethodOptions(landmarkFitAdapter, { model: { ict: join(FIXTURES, 'ict-facekit') } }).model).toEqual({ ict: join(FIXTURES, 'ict-facekit') });
    // Other wrong models keep zod's message.
    expect(errorOf(() => parseMethodOptions(landmarkFitAdapter, '{"model": "bfm"}')).message).not.toMatch(/ICT-FaceKit/);
  });

  it('keys equal options equally whatever the key order, and differently otherwise', () => {
    expect(canonicalJson({ b: 1, a: [{ d: 2, c: 3 }] })).toBe('{"a":[{"c":3,"d":2}],"b":1}');
    expect(methodKey(oracle, { noise: 1, seed: 2 })).toBe(methodKey(oracle, { seed: 2, noise: 1 }));
    expect(methodKey(oracle, { noise: 1, seed: 2 })).not.toBe(methodKey(oracle, { noise: 1, seed: 3 }));
    expect(methodKey(oracle, {})).not.toBe(methodKey({ name: 'oracle', version: '9' }, {}));
  });

  it('describes options from the zod schema (names, types, defaults, descriptions)', () => {
    const o = describeOptions(oracle);
    expect(o.map((x) => x.name)).toEqual(['noise', 'seed']);
    expect(o[0]).toMatchObject({ type: 'number ≥ 0', default: 0, required: false });
    expect(o[0].description).toMatch(/standard deviation/);
    const m = describeOptions(meanShape);
    expect(m.find((x) => x.name === 'model')).toMatchObject({ type: '"demo" | "ict" | "flame"', default: 'demo' });
    expect(describeOptions(builtinMethods().find((x) => x.name === 'submission')!)).toEqual([expect.objectContaining({ name: 'from', required: true })]);
    const text = methodsListing();
    for (const name of ['mean-shape 1.0.0', 'oracle 1.0.0 (demo benchmarks only)', 'submission 1.0.0']) expect(text).toContain(name);
    expect(text).toContain('--opts noise: number ≥ 0 = 0');
    const json = JSON.parse(methodsListing({ json: true })) as { name: string; options: unknown[] }[];
    expect(json.find((x) => x.name === 'oracle')!.options).toHaveLength(2);
  });
});

describe('mean-shape', () => {
  it('demo: the demo template for both tasks, landmarks at the model landmarks (data/ reference)', async () => {
    const options = parseMethodOptions(meanShape, {});
    const p = await meanShape.predict(dummyItem, options);
    const model = buildFaceModel();
    expect(Array.from(p.posed!.positions)).toEqual(Array.from(model.template));
    expect(Array.from(p.neutral!.faces)).toEqual(Array.from(model.faces));
    const ref = landmarkPositions(model, model.template);
    SEVEN_LANDMARKS.forEach((k, j) => {
      for (let c = 0; c < 3; c++) expect(p.landmarksPosed![3 * j + c]).toBeCloseTo(ref[3 * k + c], 9);
    });
    expect(Array.from(p.landmarksNeutral!)).toEqual(Array.from(p.landmarksPosed!));
    // The returned arrays are copies: altering them leaves the next prediction intact.
    p.posed!.positions[0] += 100;
    expect((await meanShape.predict(dummyItem, options)).posed!.positions[0]).toBe(model.template[0]);
  });

  it('ict: the ICT-FaceKit template, landmarks at the vertices of landmarks68.json', async () => {
    const dir = join(FIXTURES, 'ict-facekit');
    const p = await meanShape.predict(dummyItem, parseMethodOptions(meanShape, { model: 'ict', path: dir }));
    const model = loadIctModel(dir);
    expect(p.posed!.positions.length).toBe(model.template.length);
    const vertices = (JSON.parse(readFileSync(join(dir, 'landmarks68.json'), 'utf8')) as { vertex_indices: number[] }).vertex_indices;
    SEVEN_LANDMARKS.forEach((k, j) => {
      for (let c = 0; c < 3; c++) expect(p.landmarksPosed![3 * j + c]).toBeCloseTo(model.template[3 * vertices[k] + c], 9);
    });
  });

  it('flame: the template of a user-supplied FLAME file (synthetic fixture), in mm', async () => {
    const dir = join(FIXTURES, 'flame-schema');
    const p = await meanShape.predict(dummyItem, parseMethodOptions(meanShape, { model: 'flame', path: join(dir, 'generic_model.pkl'), landmarkEmbedding: join(dir, 'landmark_embedding.npy') }));
    expect(p.posed!.positions.length).toBe(600);
    // The fixture head is about 0.16 m wide: 160 mm after loading.
    let min = Infinity, max = -Infinity;
    for (let i = 0; i < p.posed!.positions.length; i += 3) {
      min = Math.min(min, p.posed!.positions[i]);
      max = Math.max(max, p.posed!.positions[i]);
    }
    expect(max - min).toBeGreaterThan(100);
    expect(max - min).toBeLessThan(250);
    expect(p.landmarksPosed).toHaveLength(21);
  });
});

describe('oracle noise', () => {
  it('adds seeded zero-mean Gaussian noise of the given standard deviation', () => {
    const a = new Float64Array(60000);
    addVertexNoise(a, 2, 11);
    const b = new Float64Array(60000);
    addVertexNoise(b, 2, 11);
    expect(Array.from(b)).toEqual(Array.from(a));
    const mean = a.reduce((s, v) => s + v, 0) / a.length;
    const sd = Math.sqrt(a.reduce((s, v) => s + (v - mean) ** 2, 0) / a.length);
    expect(Math.abs(mean)).toBeLessThan(0.05);
    expect(sd).toBeGreaterThan(1.95);
    expect(sd).toBeLessThan(2.05);
    const c = new Float64Array(3);
    addVertexNoise(c, 0, 11);
    expect(Array.from(c)).toEqual([0, 0, 0]);
  });
});
