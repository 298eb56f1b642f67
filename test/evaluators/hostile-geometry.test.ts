/**
 * Inputs that read fine but cannot be scored meaningfully: degenerate meshes, absurd
 * coordinates, GT clouds too small to measure, and unit or landmark mistakes that scoring
 * reports as warnings. Also how failed and undefined values reach the benchmark figures.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ResultsStore, summarise, type TaskRecord } from '../../evaluators/formats/index.js';
import type { TriangleMesh } from '../../evaluators/geometry/types.js';
import { MAX_COORDINATE_MM, MIN_GT_POINTS, validatePredictionMesh } from '../../evaluators/geometry/validate.js';
import { writeLandmarksJson, writePly } from '../../evaluators/io/index.js';
import { loadScoreInputs, nowFaceCrop, protocolDefaults, scorePrediction, type ProtocolConfig } from '../../evaluators/protocols/index.js';
import { scoreTaskDetailed } from '../../evaluators/scoring/index.js';
import { ictFace, ictFaceRegion, ictSevenLandmarks, sampleSurface } from '../helpers/faces.js';
import { rng } from '../helpers/random.js';
import { expectInputError, scratchDir } from './io/support.js';

/** Run `fn`, expect a one-line InputError naming `file`; returns its detail (the text after `file: `). */
function inputErrorDetail(fn: () => unknown, file: string): string {
  const error = expectInputError(fn, file, /./);
  expect(error.message).toBe(`${file}: ${error.detail}`);
  return error.detail;
}

const dir = scratchDir('hostile');
let count = 0;

/** Write `positions` (mm) as a binary PLY (with the ICT faces unless given) and return its path. */
function plyFile(positions: Float64Array, faces: Uint32Array = ictFace().mesh.faces, normals?: Float64Array): string {
  const path = join(dir, `geometry-${count++}.ply`);
  writePly(path, { positions, faces, normals }, { format: 'binary_little_endian', precision: 'double' });
  return path;
}

function landmarkFile(values: Float64Array): string {
  const path = join(dir, `landmarks-${count++}.json`);
  writeLandmarksJson(path, values);
  return path;
}

/** 2000 GT points on the ICT face region, with normals. */
const gt = sampleSurface(ictFace().mesh, 2000, rng(5), ictFaceRegion);
const gtPath = plyFile(gt.positions, new Uint32Array(0), gt.normals);
const gtLandmarks = ictSevenLandmarks();
const gtLandmarksPath = landmarkFile(gtLandmarks);
const predPath = plyFile(ictFace().mesh.positions);
const predLandmarksPath = landmarkFile(gtLandmarks);

function files(overrides: Partial<Parameters<typeof loadScoreInputs>[0]> = {}): Parameters<typeof loadScoreInputs>[0] {
  return { pred: predPath, predLandmarks: predLandmarksPath, gt: gtPath, gtLandmarks: gtLandmarksPath, predUnit: 'mm', gtUnit: 'mm', ...overrides };
}

describe('degenerate predictions are refused', () => {
  const faces = ictFace().mesh.faces;
  const triangles = faces.length / 3;

  it('every vertex at one point', () => {
    const positions = new Float64Array(ictFace().mesh.positions.length).fill(12.5);
    const path = plyFile(positions);
    expect(inputErrorDetail(() => loadScoreInputs(files({ pred: path })), path)).toBe(
      `none of its ${triangles} triangles has a non-zero area: a degenerate mesh cannot be scored; export the surface again`,
    );
  });

  it('every vertex on one line', () => {
    // x varies, y = z = 3 for every vertex: all triangles are segments.
    const positions = Float64Array.from(ictFace().mesh.positions, (v, i) => (i % 3 === 0 ? v : 3));
    expect(() => validatePredictionMesh({ positions, faces }, 'line.ply')).toThrow(/^line\.ply: none of its 22288 triangles has a non-zero area/);
  });

  it('one triangle with an area is enough', () => {
    const positions = new Float64Array(ictFace().mesh.positions.length);
    const [a, b, c] = faces.subarray(300, 303);
    positions.set([0, 0, 0], 3 * a);
    positions.set([1, 0, 0], 3 * b);
    positions.set([0, 1, 0], 3 * c);
    expect(() => validatePredictionMesh({ positions, faces }, 'one.ply')).not.toThrow();
    const collapsed: TriangleMesh = { positions: new Float64Array(9), faces: Uint32Array.of(0, 1, 2) };
    expect(() => validatePredictionMesh(collapsed, 'single.ply')).toThrow(/^single\.ply: none of its 1 triangle has a non-zero area/);
  });
});

describe('coordinates beyond the bound are refused after conversion to mm', () => {
  const advice = (option: string) => `beyond the accepted ±100000 mm (a face is about 200 mm across): check the unit (${option}) or the file`;

  it('a prediction vertex at 1e30', () => {
    const positions = Float64Array.from(ictFace().mesh.positions);
    positions[3 * 12 + 1] = 1e30;
    const path = plyFile(positions);
    expect(inputErrorDetail(() => loadScoreInputs(files({ pred: path })), path)).toBe(`vertex 12 has a coordinate of 1e+30 mm, ${advice('--pred-unit')}`);
  });

  it('the bound is exactly ±1e5 mm, and it applies to the converted coordinates', () => {
    expect(MAX_COORDINATE_MM).toBe(1e5);
    const positions = Float64Array.from(ictFace().mesh.positions);
    positions[3 * 40] = -1e5;
    expect(() => loadScoreInputs(files({ pred: plyFile(positions) }))).not.toThrow();
    positions[3 * 40] = -150000;
    const far = plyFile(positions);
    expect(inputErrorDetail(() => loadScoreInputs(files({ pred: far })), far)).toBe(`vertex 40 has a coordinate of -150000 mm, ${advice('--pred-unit')}`);
    // 150 m in a file declared in metres: 150000 mm.
    const metres = Float64Array.from(ictFace().mesh.positions, (v) => v / 1000);
    metres[3 * 7 + 2] = 150;
    const inMetres = plyFile(metres);
    const lm = landmarkFile(gtLandmarks.map((v) => v / 1000));
    expect(inputErrorDetail(() => loadScoreInputs(files({ pred: inMetres, predLandmarks: lm, predUnit: 'm' })), inMetres)).toBe(
      `vertex 7 has a coordinate of 150000 mm, ${advice('--pred-unit')}`,
    );
    metres[3 * 7 + 2] = 0.15;
    expect(() => loadScoreInputs(files({ pred: plyFile(metres), predLandmarks: lm, predUnit: 'm' }))).not.toThrow();
  });

  it('non-finite coordinates are still refused as such', () => {
    const positions = Float64Array.from(ictFace().mesh.positions);
    positions[3 * 9] = Number.NaN;
    const path = plyFile(positions);
    expect(inputErrorDetail(() => loadScoreInputs(files({ pred: path })), path)).toBe('vertex 9 has a non-finite coordinate (NaN)');
  });

  it('a GT point, a GT landmark and a predicted landmark', () => {
    const cloud = Float64Array.from(gt.positions);
    cloud[3 * 5 + 2] = 2.5e8;
    const cloudPath = plyFile(cloud, new Uint32Array(0), gt.normals);
    expect(inputErrorDetail(() => loadScoreInputs(files({ gt: cloudPath })), cloudPath)).toBe(`point 5 has a coordinate of 250000000 mm, ${advice('--gt-unit')}`);

    const lm = Float64Array.from(gtLandmarks);
    lm[3 * 4] = 1e30;
    const gtLm = landmarkFile(lm);
    expect(inputErrorDetail(() => loadScoreInputs(files({ gtLandmarks: gtLm })), gtLm)).toBe(`landmark 4 has a coordinate of 1e+30 mm, ${advice('--gt-unit')}`);
    lm[3 * 4] = gtLandmarks[3 * 4];
    lm[3 * 6 + 1] = -1e30;
    const predLm = landmarkFile(lm);
    expect(inputErrorDetail(() => loadScoreInputs(files({ predLandmarks: predLm })), predLm)).toBe(`landmark 6 has a coordinate of -1e+30 mm, ${advice('--pred-unit')}`);
  });
});

describe('GT clouds too small to score are refused', () => {
  it(`fewer than ${MIN_GT_POINTS} points`, () => {
    expect(MIN_GT_POINTS).toBe(100);
    const three = plyFile(gt.positions.slice(0, 9), new Uint32Array(0));
    expect(inputErrorDetail(() => loadScoreInputs(files({ gt: three })), three)).toBe('the GT cloud has 3 points, fewer than the 100 a scoring needs; give the whole scan');
    const short = plyFile(gt.positions.slice(0, 3 * 99), new Uint32Array(0));
    expect(inputErrorDetail(() => loadScoreInputs(files({ gt: short })), short)).toMatch(/^the GT cloud has 99 points, fewer than the 100/);
    const enough = plyFile(gt.positions.slice(0, 3 * 100), new Uint32Array(0));
    expect(loadScoreInputs(files({ gt: enough })).gt.positions.length).toBe(300);
  });

  it('an already-read cloud passed to the loader is checked too', () => {
    expect(inputErrorDetail(() => loadScoreInputs(files({ gtCloud: { positions: gt.positions.slice(0, 30) } })), gtPath)).toMatch(/^the GT cloud has 10 points/);
  });

  it('a NoW face crop that keeps fewer than the minimum', () => {
    // 60 points inside the crop ball, 1940 far outside it.
    const crop = nowFaceCrop(gtLandmarks);
    const positions = new Float64Array(3 * 2000);
    const random = rng(8);
    for (let i = 0; i < 2000; i++) {
      const inside = i < 60;
      const r = inside ? 0.5 * crop.radius * random() : 3 * crop.radius + 100 * random();
      const [x, y, z] = [random() - 0.5, random() - 0.5, random() - 0.5];
      const l = Math.hypot(x, y, z) || 1;
      positions.set([crop.centre[0] + (r * x) / l, crop.centre[1] + (r * y) / l, crop.centre[2] + (r * z) / l], 3 * i);
    }
    const inputs = { pred: ictFace().mesh, predLandmarks: gtLandmarks, gt: { positions }, gtLandmarks, names: { gt: 'scan.ply' } };
    for (const protocol of ['now', 'now-metrical'] as const) {
      expect(inputErrorDetail(() => scorePrediction(inputs, protocolDefaults(protocol)), 'scan.ply')).toBe(
        'only 60 of the 2000 GT points lie inside the NoW face crop, fewer than the 100 a scoring needs; check that the GT landmarks belong to this scan and share its unit',
      );
    }
  });
});

describe('warnings of likely unit and landmark mistakes', () => {
  const face = ictFace().mesh;
  const inputs = (scale: number, landmarks = ictSevenLandmarks(face.positions.map((v) => v * scale))) => ({
    pred: { positions: face.positions.map((v) => v * scale), faces: face.faces },
    predLandmarks: landmarks,
    gt: { positions: gt.positions, normals: gt.normals },
    gtLandmarks,
  });
  const config = (protocol: ProtocolConfig['protocol'], overrides: Partial<ProtocolConfig> = {}): ProtocolConfig => ({
    ...protocolDefaults(protocol),
    align: 'landmarks',
    ...overrides,
  });
  const rmseWarning = (rmse: number, metrical: boolean) =>
    `the 7 landmarks fit with an RMS error of ${Number(rmse.toPrecision(3))} mm (more than 20 mm): the landmark files may be in another order or unit or belong to another face; check them${metrical ? ' and --pred-unit' : ''}`;

  it('none for consistent inputs, in every protocol', () => {
    for (const protocol of ['nersemble', 'nersemble-metrical', 'now', 'now-metrical'] as const) {
      expect(scorePrediction(inputs(1), config(protocol)).warnings).toEqual([]);
    }
  });

  it('a prediction in metres declared in mm, under a fixed-scale protocol', () => {
    for (const protocol of ['nersemble-metrical', 'now-metrical'] as const) {
      const result = scorePrediction(inputs(0.001), config(protocol));
      expect(result.warnings).toEqual([
        `a free fit of the landmarks would scale the prediction by 1000, but ${protocol} keeps its scale: the prediction looks like it is in m, not mm: pass --pred-unit m`,
        rmseWarning(result.alignment.landmark_rmse, true),
      ]);
      expect(result.alignment.landmark_rmse).toBeGreaterThan(20);
    }
  });

  it('a prediction in cm declared in mm, and one in mm declared in m', () => {
    const cm = scorePrediction(inputs(0.1), config('nersemble-metrical'));
    expect(cm.warnings[0]).toBe('a free fit of the landmarks would scale the prediction by 10, but nersemble-metrical keeps its scale: the prediction looks like it is in cm, not mm: pass --pred-unit cm');
    // Declared in m: the reader multiplied the mm coordinates by 1000.
    const m = scorePrediction(inputs(1000), config('now-metrical', { predUnit: 'm' }));
    expect(m.warnings[0]).toBe('a free fit of the landmarks would scale the prediction by 0.001, but now-metrical keeps its scale: the prediction looks like it is in mm, not m: pass --pred-unit mm');
  });

  it('a GT in metres declared in mm is named from its landmarks, in every protocol', () => {
    const metresGt = { ...inputs(1), gt: { positions: gt.positions.map((v) => v / 1000) }, gtLandmarks: gtLandmarks.map((v) => v / 1000) };
    const l = gtLandmarks;
    const eyes = Math.hypot(l[0] - l[9], l[1] - l[10], l[2] - l[11]) / 1000;
    for (const protocol of ['nersemble', 'nersemble-metrical'] as const) {
      const result = scorePrediction(metresGt, config(protocol));
      expect(result.warnings[0]).toBe(
        `the GT landmarks' outer eye corners are ${Number(eyes.toPrecision(3))} mm apart, a face's about 90 mm: the GT looks like it is in m, not mm: pass --gt-unit m`,
      );
      // The fixed-scale fit does not name the GT a second time.
      expect(result.warnings.filter((w) => w.includes('--gt-unit'))).toHaveLength(1);
    }
  });

  it('free-scale protocols absorb a wrong prediction unit without a warning', () => {
    expect(scorePrediction(inputs(0.001), config('nersemble')).warnings).toEqual([]);
    expect(scorePrediction(inputs(0.001), config('now')).warnings).toEqual([]);
  });

  it('landmarks in another order: a large residual after the landmark fit', () => {
    const lm = ictSevenLandmarks(face.positions);
    const swapped = Float64Array.from(lm);
    swapped.set(lm.subarray(0, 3), 15); // outer eye corner where the mouth corner belongs
    swapped.set(lm.subarray(15, 18), 0);
    const result = scorePrediction(inputs(1, swapped), config('nersemble'));
    expect(result.alignment.landmark_rmse).toBeGreaterThan(20);
    expect(result.warnings).toEqual([rmseWarning(result.alignment.landmark_rmse, false)]);
  });
});

describe('eval records', () => {
  const task = { person: '001', item: 'EXP_000_0', task: 'posed' as const, pred: predPath, predLandmarks: predLandmarksPath, gt: gtPath, gtLandmarks: gtLandmarksPath };

  it('an internal error is stored as one line', () => {
    // A curve step of 0 mm asks for infinitely many thresholds: not the input's fault.
    const broken = { ...protocolDefaults('nersemble'), align: 'landmarks' as const, curve: { maxMm: 10, stepMm: 0 } };
    const { record } = scoreTaskDetailed(task, broken, 'key');
    expect(record.status).toBe('error');
    expect(record.error).toBe('internal error: RangeError: Invalid typed array length: Infinity');
  });

  it('warnings are stored with the record, and absent when there are none', () => {
    const metres = plyFile(ictFace().mesh.positions.map((v) => v / 1000));
    const lm = landmarkFile(gtLandmarks.map((v) => v / 1000));
    const config = { ...protocolDefaults('nersemble-metrical'), align: 'landmarks' as const };
    const warned = scoreTaskDetailed({ ...task, pred: metres, predLandmarks: lm }, config, 'key').record;
    expect(warned.status).toBe('ok');
    expect(warned.warnings?.[0]).toMatch(/^a free fit of the landmarks would scale the prediction by 1000, .*pass --pred-unit m$/);
    const clean = scoreTaskDetailed(task, config, 'key').record;
    expect(clean.status).toBe('ok');
    expect('warnings' in clean).toBe(false);
  });

  it('a GT cloud with an absurd coordinate fails the task with one line', () => {
    const cloud = Float64Array.from(gt.positions);
    cloud[3 * 17] = 1e30;
    const path = plyFile(cloud, new Uint32Array(0));
    const { record } = scoreTaskDetailed({ ...task, gt: path }, protocolDefaults('nersemble'), 'key');
    expect(record.error).toBe(`${path}: point 17 has a coordinate of 1e+30 mm, beyond the accepted ±100000 mm (a face is about 200 mm across): check the unit (--gt-unit) or the file`);
  });
});

describe('summary of a task with undefined per-item values', () => {
  const store = new ResultsStore(join(dir, 'results'));
  const record = (item: string, metrics: Record<string, number>, status: 'ok' | 'error' = 'ok'): TaskRecord => ({
    person: '001', item, task: 'posed', status, key: 'k', seconds: 0,
    ...(status === 'ok' ? { metrics, curve: [0.5, 1] } : { error: 'x: broken' }),
  });
  const config = { ...protocolDefaults('nersemble'), curve: { maxMm: 0.1, stepMm: 0.1 } };

  it('an undefined NC is left out of the mean and counted', () => {
    const s = summarise([
      record('a', { l2: 1, nc: 0.9, points: 100 }),
      record('b', { l2: 2, nc: Number.NaN, points: 200 }),
      record('c', { l2: 3, nc: 0.8, points: 300 }),
      record('d', {}, 'error'),
    ], config, store).posed;
    expect(s.scored).toBe(3);
    expect(s.failed).toBe(1);
    expect(s.metrics.l2).toBe(2);
    expect(s.metrics.nc).toBeCloseTo(0.85, 12);
    expect(s.metrics.points).toBe(600);
    expect(s.undefined_values).toEqual({ nc: 1 });
  });

  it('a metric undefined for every item stays undefined', () => {
    const s = summarise([record('a', { l2: 1, nc: Number.NaN }), record('b', { l2: 3, nc: Number.NaN })], config, store).posed;
    expect(s.metrics.l2).toBe(2);
    expect(Number.isNaN(s.metrics.nc)).toBe(true);
    expect(s.undefined_values).toEqual({ nc: 2 });
  });

  it('no count when every value is defined', () => {
    const s = summarise([record('a', { l2: 1, nc: 0.5 }), record('b', { l2: 3, nc: 0.7 })], config, store).posed;
    expect(s.metrics.nc).toBeCloseTo(0.6, 12);
    expect('undefined_values' in s).toBe(false);
  });
});
