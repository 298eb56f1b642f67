/** Seconds per image of `pixel3dmm` (demo truth priors, default noise) and of its landmarks-photometric variant next to `landmark-fit`, on one small demo benchmark in the same run. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { registerBuiltinMethods } from '../baselines/builtin.js';
import { runBuild } from '../benchmark/construct/index.js';
import { runPredict } from '../benchmark/predict/index.js';
import { DEMO_NEUTRAL, generateDemoCapture } from '../data/index.js';
import { readMethodDocument } from '../evaluators/formats/index.js';

export async function runPixel3dmmBench(): Promise<Record<string, number>> {
  const root = mkdtempSync(join(tmpdir(), 'facebench-p3dmmbench-'));
  const capture = join(root, 'capture');
  const bench = join(root, 'bench');
  try {
    registerBuiltinMethods();
    generateDemoCapture(capture, { persons: 1, framesPerPerson: 21, cameras: 6 });
    await runBuild({ capture, out: bench, unit: 'm', expressions: 6, neutral: `${DEMO_NEUTRAL.sequence}/${DEMO_NEUTRAL.frame}`, imageSize: 512, visibilityToleranceMm: 2, demo: true, progress: 'silent' });
    const perImage = async (method: string, options: unknown): Promise<number> => {
      const out = join(root, method);
      await runPredict({ bench, method, out, options, workers: 1, progress: 'silent' });
      const times = Object.values(readMethodDocument(out)!.timings.per_item) as number[];
      return times.reduce((a, b) => a + b, 0) / times.length;
    };
    const pixel3dmm = await perImage('pixel3dmm', { priors: 'truth' });
    const photometric = await perImage('pixel3dmm', { priors: 'truth', variant: 'landmarks-photometric' });
    const landmarkFit = await perImage('landmark-fit', {});
    console.log(
      `pixel3dmm (truth priors, priorNoise 1, 512-px crops, 1 thread): ${pixel3dmm.toFixed(2)} s/image; ` +
        `its landmarks-photometric variant: ${photometric.toFixed(2)} s/image; landmark-fit (MediaPipe landmarks): ${landmarkFit.toFixed(2)} s/image`,
    );
    return { pixel3dmm_seconds_per_image: pixel3dmm, pixel3dmm_photometric_seconds_per_image: photometric, landmark_fit_seconds_per_image: landmarkFit };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await runPixel3dmmBench();
}
