import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runBuild, type RunBuildOptions } from '../../../benchmark/construct/index.js';
import { DEMO_NEUTRAL, generateDemoCapture } from '../../../data/index.js';
import { listFiles, tempDir } from '../cli-helpers.js';

describe('build with worker threads', () => {
  const root = tempDir('facebench-build-workers-');
  const capture = join(root, 'capture');
  const base: RunBuildOptions = {
    capture, out: join(root, 'one'), unit: 'm', expressions: 2, neutral: `${DEMO_NEUTRAL.sequence}/${DEMO_NEUTRAL.frame}`,
    imageSize: 96, visibilityToleranceMm: 2, demo: true, progress: 'silent', workers: 1,
  };
  beforeAll(() => {
    generateDemoCapture(capture, { persons: 3, framesPerPerson: 21, cameras: 4, imageSize: [96, 128] });
  });

  it('writes the same bytes with 2 workers as with 1, and resumes per person', async () => {
    const one = await runBuild(base);
    const two = await runBuild({ ...base, out: join(root, 'two'), workers: 2 });
    expect(two.built).toEqual(['001', '002', '003']);
    const files = listFiles(join(root, 'one'));
    expect(listFiles(join(root, 'two'))).toEqual(files);
    for (const rel of files) {
      if (rel === 'manifest.json') continue;
      expect(readFileSync(join(root, 'two', rel)).equals(readFileSync(join(root, 'one', rel))), rel).toBe(true);
    }
    expect(two.manifest.files).toEqual(one.manifest.files);
    expect(two.manifest.items).toEqual(one.manifest.items);
    const again = await runBuild({ ...base, out: join(root, 'two'), workers: 2 });
    expect(again.reused).toEqual(['001', '002', '003']);
    expect(again.built).toEqual([]);
  }, 120_000);

  it('spreads the steps of a single person over the threads, with the same bytes and manifest hashes', async () => {
    const only = { ...base, persons: ['002'] };
    const one = await runBuild({ ...only, out: join(root, 'single-one') });
    const two = await runBuild({ ...only, out: join(root, 'single-two'), workers: 2 });
    expect(two.built).toEqual(['002']);
    const files = listFiles(join(root, 'single-one'));
    expect(listFiles(join(root, 'single-two'))).toEqual(files);
    for (const rel of files) {
      if (rel === 'manifest.json') continue;
      expect(readFileSync(join(root, 'single-two', rel)).equals(readFileSync(join(root, 'single-one', rel))), rel).toBe(true);
    }
    // The worker threads hash what they write: the manifest's hashes are those of the files.
    expect(two.manifest.files).toEqual(one.manifest.files);
    expect(two.manifest.items).toEqual(one.manifest.items);
    expect(two.manifest.build).toEqual(one.manifest.build);
  }, 120_000);
});
