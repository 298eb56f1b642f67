import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEMO_NEUTRAL, generateDemoCapture } from '../../../data/index.js';
import { runBuild } from '../../../benchmark/construct/index.js';
import { checkBenchmark, readManifest } from '../../../evaluators/formats/index.js';
import { demoMaskingAccuracy } from '../../../benchmark/construct/demo-accuracy.js';
import { readPointCloud, readLandmarks } from '../../../evaluators/io/index.js';
import { tempDir } from '../cli-helpers.js';

/**
 * The builder on a small demo capture (1 person, 21 frames, 8 cameras): depth-map fusion,
 * masking by the rendered label maps, and accuracy targets (docs/formats.md#built-benchmark) measured against the
 * generator's truth meshes.
 */
describe('facebench build on the demo capture', () => {
  const root = tempDir('demo');
  const capture = join(root, 'capture');
  const bench = join(root, 'bench');
  const options = {
    capture,
    out: bench,
    unit: 'm' as const,
    expressions: 4,
    neutral: `${DEMO_NEUTRAL.sequence}/${DEMO_NEUTRAL.frame}`,
    imageSize: 128,
    visibilityToleranceMm: 2,
    progress: 'silent' as const,
  };

  beforeAll(() => {
    generateDemoCapture(capture, { seed: 3, persons: 1, framesPerPerson: 21, cameras: 8 });
  });

  it('fuses depth maps into masked scans that meet the masking targets (≥ 99% precision, ≥ 95% coverage)', async () => {
    await runBuild(options);
    const m = readManifest(bench);
    expect(m.items).toHaveLength(4);
    expect(m.items.map((i) => i.rank)).toEqual([0, 1, 2, 3]);
    // Furthest point sampling: each pick is no closer to the earlier ones than the next pick.
    for (let k = 1; k < m.items.length; k++) expect(m.items[k].distance).toBeLessThanOrEqual(m.items[k - 1].distance + 1e-9);
    expect(m.persons[0].neutral).toMatchObject({ sequence: DEMO_NEUTRAL.sequence, frame: DEMO_NEUTRAL.frame, rule: 'given' });
    const meta = JSON.parse(readFileSync(join(bench, m.items[0].dir, 'meta.json'), 'utf8'));
    expect(meta.cloud_source).toBe('depth-maps');
    const scan = readPointCloud(join(bench, m.items[0].dir, 'scan.ply'));
    expect(scan.normals).toBeDefined();
    expect(scan.positions.length / 3).toBeGreaterThan(5000);
    const lm = readLandmarks(join(bench, m.items[0].dir, 'landmarks.json'));
    // Outer eye corners (iBUG 36, 45) about 90 mm apart: the landmarks are in mm.
    expect(Math.hypot(lm[0] - lm[9], lm[1] - lm[10], lm[2] - lm[11])).toBeGreaterThan(60);
    const accuracy = demoMaskingAccuracy(bench, capture);
    console.log(`demo masking: precision ${accuracy.precision.toFixed(4)}, coverage ${accuracy.coverage.toFixed(4)} within ${accuracy.radiusMm} mm over ${accuracy.scans} scans`);
    expect(accuracy.precision).toBeGreaterThanOrEqual(0.99);
    expect(accuracy.coverage).toBeGreaterThanOrEqual(0.95);
    expect(checkBenchmark(bench).problems).toEqual([]);
  });

  it('is deterministic: rebuilding from scratch gives byte-identical files', async () => {
    const again = join(root, 'again');
    await runBuild({ ...options, out: again });
    const a = readManifest(bench).files;
    const b = readManifest(again).files;
    expect(b).toEqual(a);
  });
});
