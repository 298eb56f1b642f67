/**
 * The NoW summary pools every scored item's stored float32 distances (docs/protocols.md,
 * "Pooling and the cumulative curve"): checked against the same values concatenated and
 * sorted here, and a distances file that is missing or cut is refused, naming it.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ResultsStore, summarise, type TaskRecord } from '../../../evaluators/formats/index.js';
import { curveThresholds } from '../../../evaluators/metrics/index.js';
import { protocolDefaults } from '../../../evaluators/protocols/index.js';
import { gaussian, rng } from '../../helpers/random.js';
import { expectInputError, scratchDir } from '../io/support.js';

const config = protocolDefaults('now');

/** A scored NoW record of `points` distances, stored with them (as the eval stores them: float32). */
function storeItem(store: ResultsStore, item: string, distances: Float64Array): TaskRecord {
  const record: TaskRecord = {
    person: '001', item, task: 'posed', status: 'ok', key: 'k', seconds: 0,
    metrics: { median: 0, mean: 0, std: 0, points: distances.length },
  };
  store.write(record, distances);
  return record;
}

describe('NoW summary: distances pooled over items', () => {
  it('median, mean, std and curve of the concatenated float32 values; failed items left out', () => {
    const store = new ResultsStore(join(scratchDir('pooled'), 'method'));
    const random = rng(5);
    // Uneven sizes (an even total, so the median averages two values), heavy tails past 8 mm.
    const sizes = [1, 700, 2, 1299];
    const values = sizes.map((n) => Float64Array.from({ length: n }, () => Math.abs(gaussian(random)) * 2 + (random() < 0.05 ? 10 : 0)));
    const records = values.map((v, k) => storeItem(store, `EXP-${k}_000_222200000`, v));
    const failed: TaskRecord = { person: '002', item: 'EXP-9_000_222200000', task: 'posed', status: 'error', error: 'x: broken', key: 'k', seconds: 0 };
    const s = summarise([...records, failed], config, store).posed;

    const all = values.flatMap((v) => Array.from(Float32Array.from(v)));
    const n = all.length;
    expect(n % 2).toBe(0);
    const sorted = [...all].sort((a, b) => a - b);
    const m = all.reduce((a, b) => a + b, 0) / n;
    expect(s.scored).toBe(4);
    expect(s.failed).toBe(1);
    expect(s.metrics.points).toBe(n);
    expect(s.metrics.median).toBe(0.5 * (sorted[n / 2 - 1] + sorted[n / 2]));
    expect(s.metrics.mean).toBeCloseTo(m, 12);
    expect(s.metrics.std).toBeCloseTo(Math.sqrt(all.reduce((a, d) => a + (d - m) ** 2, 0) / n), 12);
    // The curve at NoW's thresholds 0, 0.1, …, 8 mm.
    const thresholds = curveThresholds(config.curve.maxMm, config.curve.stepMm);
    expect(s.curve).toHaveLength(81);
    for (const k of [0, 5, 25, 80]) expect(s.curve[k]).toBe(all.filter((d) => d <= thresholds[k]).length / n);
    expect(s.curve[80]).toBeLessThan(1);
    expect(Object.keys(s.metrics)).toEqual(['median', 'mean', 'std', 'points']);
  });

  it('a missing or cut distances file is refused with its path, not left out of the pool', () => {
    const dir = join(scratchDir('pooled-damaged'), 'method');
    const store = new ResultsStore(dir);
    const records = [storeItem(store, 'EXP-1_000_222200000', Float64Array.of(1, 2, 3)), storeItem(store, 'EXP-2_000_222200000', Float64Array.of(4, 5))];
    expect(summarise(records, config, store).posed.metrics.median).toBe(3);
    expect(records.map((r) => store.hasDistances(r))).toEqual([true, true]);

    const path = join(dir, 'items', '001', 'EXP-2_000_222200000', 'posed.distances.f32');
    writeFileSync(path, readFileSync(path).subarray(0, 4));
    expect(store.hasDistances(records[1])).toBe(false);
    expectInputError(() => summarise(records, config, store), path, /^missing or not the 2 float32 distances its record counts: score the task again \(eval --force\)$/);
    rmSync(path);
    expectInputError(() => summarise(records, config, store), path, /^missing or not the 2 float32 distances/);
    // A record whose point count is not a whole number has no usable distances either.
    expect(store.hasDistances({ ...records[0], metrics: { points: 2.5 } })).toBe(false);
  });
});
