import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { registerBuiltinMethods } from '../../../baselines/builtin.js';
import { DEMO_NEUTRAL, generateDemoCapture } from '../../../data/index.js';
import { drawItemCamera, headCentre, parseItemCameras, readCameraParams, readCapture, readFrameLandmarks, runBuild, type RunBuildOptions } from '../../../benchmark/construct/index.js';
import { runEval } from '../../../benchmark/eval/run-eval.js';
import { runPredict } from '../../../benchmark/predict/index.js';
import { benchmarkId, checkBenchmark, readManifest, type Manifest } from '../../../evaluators/formats/index.js';
import { protocolDefaults } from '../../../evaluators/protocols/index.js';
import { viewBin, writeReport } from '../../../reports/index.js';
import { facebench, tempDir } from '../cli-helpers.js';

/**
 * `--item-cameras diverse` on a small demo capture (2 persons × 24 frames, 10 cameras on an arc
 * of ±55° yaw): per item a seeded draw among the cameras within 60° of the head's forward
 * direction. The recorded angles are checked against the generator's truth head pose, and the
 * pipeline (mean-shape, eval, report) runs on the benchmark, whose report breaks results down
 * by view angle.
 */
describe('facebench build --item-cameras diverse', () => {
  const root = tempDir('diverse');
  const capture = join(root, 'capture');
  const base: RunBuildOptions = {
    capture,
    out: join(root, 'diverse'),
    unit: 'm',
    expressions: 8,
    neutral: `${DEMO_NEUTRAL.sequence}/${DEMO_NEUTRAL.frame}`,
    imageSize: 64,
    visibilityToleranceMm: 2,
    demo: true,
    progress: 'silent',
    itemCameras: 'diverse',
  };
  let manifest: Manifest;
  const meta = (dir: string, item: Manifest['items'][number]) => JSON.parse(readFileSync(join(dir, item.dir, 'meta.json'), 'utf8'));

  beforeAll(async () => {
    generateDemoCapture(capture, { persons: 2, framesPerPerson: 24, cameras: 10, imageSize: [90, 120], subdivisions: 1 });
    await runBuild(base);
    manifest = readManifest(base.out);
  });

  it('draws at least 3 distinct cameras per person, within 60°, and records serial and angle in the item key, manifest and meta.json', () => {
    expect(manifest.items).toHaveLength(16);
    expect(manifest.build).toMatchObject({ item_cameras: 'diverse', max_view_angle_deg: 60, seed: 1 });
    for (const person of manifest.persons) {
      const items = manifest.items.filter((i) => i.person === person.id);
      const serials = new Set(items.map((i) => i.camera));
      console.log(`person ${person.id}: ${serials.size} distinct cameras over ${items.length} items; angles ${items.map((i) => i.view_angle_deg!.toFixed(1)).join(' ')}`);
      expect(serials.size).toBeGreaterThanOrEqual(3);
    }
    for (const item of manifest.items) {
      expect(item.id).toBe(`${item.sequence}_${String(item.frame).padStart(3, '0')}_${item.camera}`);
      expect(item.view_angle_deg).toBeGreaterThanOrEqual(0);
      expect(item.view_angle_deg).toBeLessThanOrEqual(60);
      const m = meta(base.out, item);
      expect(m).toMatchObject({ id: item.id, camera: item.camera, view_angle_deg: item.view_angle_deg });
      expect(m.source_image).toMatch(new RegExp(`/cam_${item.camera}\\.png$`));
    }
    expect(checkBenchmark(base.out).problems).toEqual([]);
  });

  it('records the angle the generator\'s truth head pose gives (within 8°: the face-plane axis leans back 5–7°)', () => {
    const diffs: number[] = [];
    for (const item of manifest.items) {
      const truth = JSON.parse(readFileSync(join(capture, '_truth', item.person, 'person.json'), 'utf8')) as { frames: { sequence: string; frame: number; pose: { rotation: number[]; translation: number[] } }[] };
      const { rotation: R, translation: t } = truth.frames.find((f) => f.sequence === item.sequence && f.frame === item.frame)!.pose;
      const params = JSON.parse(readFileSync(join(capture, item.person, 'camera_params.json'), 'utf8')) as { world_2_cam: Record<string, number[][]> };
      const W = params.world_2_cam[item.camera];
      // Camera centre −Rᵀ·t (metres → mm); the head's forward axis is the model's +z turned by the pose, from the pose's origin.
      const centre = [0, 1, 2].map((j) => -1000 * (W[0][j] * W[0][3] + W[1][j] * W[1][3] + W[2][j] * W[2][3]));
      const d = centre.map((c, k) => c - t[k]);
      const cos = (d[0] * R[2] + d[1] * R[5] + d[2] * R[8]) / Math.hypot(d[0], d[1], d[2]);
      diffs.push(Math.abs(item.view_angle_deg! - (Math.acos(cos) * 180) / Math.PI));
    }
    const mean = diffs.reduce((a, b) => a + b, 0) / diffs.length;
    console.log(`view angle vs truth head pose: mean |difference| ${mean.toFixed(2)}°, max ${Math.max(...diffs).toFixed(2)}° over ${diffs.length} items`);
    expect(Math.max(...diffs)).toBeLessThan(8);
    expect(mean).toBeLessThan(4);
  });

  it('is seeded: rebuilt byte-identical with the same seed; another seed, another limit or frontal mode give other items, resume keys and benchmark ids', async () => {
    const again = await runBuild({ ...base, out: join(root, 'again') });
    expect(again.manifest.files).toEqual(manifest.files);
    expect(benchmarkId(again.manifest)).toBe(benchmarkId(manifest));
    const reused = await runBuild(base);
    expect(reused.reused).toEqual(['001', '002']);
    const seed2 = await runBuild({ ...base, out: join(root, 'again'), seed: 2 });
    expect(seed2.built).toEqual(['001', '002']); // the seed is part of the resume key
    expect(seed2.manifest.items.map((i) => i.id)).not.toEqual(manifest.items.map((i) => i.id));
    expect(benchmarkId(seed2.manifest)).not.toBe(benchmarkId(manifest));
    const narrow = await runBuild({ ...base, out: join(root, 'narrow'), maxViewAngleDeg: 20 });
    for (const item of narrow.manifest.items) expect(item.view_angle_deg).toBeLessThanOrEqual(20);
    const frontal = await runBuild({ ...base, out: join(root, 'frontal'), itemCameras: undefined });
    expect(frontal.manifest.build.item_cameras).toBe('most frontal per person');
    for (const person of frontal.manifest.persons) expect(new Set(frontal.manifest.items.filter((i) => i.person === person.id).map((i) => i.camera)).size).toBe(1);
    expect(benchmarkId(frontal.manifest)).not.toBe(benchmarkId(manifest));
    // Default mode records the view angle too (for the report's breakdown).
    for (const item of frontal.manifest.items) {
      expect(item.view_angle_deg).toBeLessThan(25);
      expect(meta(join(root, 'frontal'), item).view_angle_deg).toBe(item.view_angle_deg);
    }
  });

  it('falls back to the camera with the smallest angle when none is within the limit', () => {
    const c = readCapture(capture, 'm', ['001']);
    const person = c.persons[0];
    const frame = person.frames[5];
    const lm = readFrameLandmarks(frame, 'm');
    const forward: [number, number, number] = [0, 0, 1];
    const choice = (limit: number, seed = 1) => drawItemCamera(readCameraParams(join(capture, '001', 'camera_params.json'), 'm'), frame.images.keys(), lm, headCentre(lm), forward, { maxViewAngleDeg: limit, seed, person: '001', sequence: frame.sequence, frame: frame.frame });
    const none = choice(0.01);
    expect(none.eligible).toBe(0);
    expect(none.angle).toBeGreaterThan(0.01);
    expect(choice(60).eligible).toBeGreaterThan(none.eligible);
    expect(choice(60, 5)).toEqual(choice(60, 5));
    expect(parseItemCameras(undefined)).toBe('frontal');
    expect(parseItemCameras(['diverse'])).toBe('diverse');
    expect(parseItemCameras(['222200036', '222200037'])).toEqual(['222200036', '222200037']);
    expect(() => parseItemCameras(['diverse', '222200036'])).toThrow(/one mode \(frontal or diverse\) or a list of camera serials, not both/);
  });

  it('refuses a malformed --item-cameras or --max-view-angle before any work', () => {
    const both = facebench(['build', '--capture', capture, '--out', join(root, 'never'), '--item-cameras', 'diverse', '222200036', '--quiet']);
    expect(both.status).toBe(1);
    expect(both.stderr.trim()).toMatch(/^facebench: --item-cameras: takes one mode/);
    const angle = facebench(['build', '--capture', capture, '--out', join(root, 'never'), '--item-cameras', 'diverse', '--max-view-angle', '0']);
    expect(angle.status).toBe(2);
    expect(angle.stderr).toMatch(/--max-view-angle.*greater than 0 and at most 180/);
  });

  it('runs the pipeline (mean-shape, eval, report) and the report breaks results down by view angle', async () => {
    registerBuiltinMethods();
    const pred = join(root, 'pred');
    const predicted = await runPredict({ bench: base.out, method: 'mean-shape', out: pred, progress: 'silent' });
    expect(predicted.failed).toBe(0);
    await runEval({ bench: base.out, pred, out: join(root, 'results'), config: protocolDefaults('nersemble'), workers: 1, progress: 'silent' });
    const report = writeReport({ results: [join(root, 'results')], out: join(root, 'report', 'report.html'), worst: 0 });
    const expected = new Map<string, number>();
    for (const item of manifest.items) expected.set(viewBin(item.view_angle_deg!), (expected.get(viewBin(item.view_angle_deg!)) ?? 0) + 1);
    for (const task of ['posed', 'neutral']) {
      const rows = report.tables.byView.filter((r) => r.task === task);
      expect(rows.map((r) => [r.group, r.items])).toEqual(['0–15°', '15–30°', '30–45°', '45–60°', '60°+'].filter((b) => expected.has(b)).map((b) => [b, expected.get(b)]));
      for (const r of rows) {
        expect(r.scored).toBe(r.items);
        expect(r.l2).toBeGreaterThan(0);
      }
    }
    console.log(`view bins of the diverse benchmark: ${[...expected].map(([b, n]) => `${b} ${n}`).join(', ')}`);
    const html = readFileSync(report.html, 'utf8');
    expect(html).toContain('id="by-view"');
    const csv = readFileSync(report.csv['by-view'], 'utf8').trim().split('\n');
    expect(csv[0]).toBe('method,task,view_bin,items,scored,l1,l2,nc,r2_5');
    expect(csv).toHaveLength(1 + report.tables.byView.length);
  });
});
