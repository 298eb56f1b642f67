/** `facebench build --demo` end to end (generation + build) and its masking accuracy against the generator truth. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { demoMaskingAccuracy } from '../benchmark/construct/demo-accuracy.js';
import { readManifest } from '../evaluators/formats/index.js';
import { timedFacebench } from './timing.js';

export async function runBuildBench(): Promise<Record<string, number>> {
  const root = mkdtempSync(join(tmpdir(), 'facebench-buildbench-'));
  const bench = join(root, 'bench');
  const capture = join(root, 'capture');
  const timed = (out: string, cap: string, extra: string[]): number =>
    timedFacebench(['build', '--demo', '--out', out, '--capture', cap, '--quiet', ...extra]).seconds;
  // The one-worker build in the same run is the reference (the machine is shared).
  const oneWorker = timed(join(root, 'bench1'), join(root, 'capture1'), ['--workers', '1']);
  const seconds = timed(bench, capture, []);
  const m = readManifest(bench);
  console.log(
    `build --demo (generate ${m.persons.length} persons' capture + build ${m.items.length} items), all cores: ${seconds.toFixed(1)} s; ` +
      `--workers 1 (same run): ${oneWorker.toFixed(1)} s; ${(oneWorker / seconds).toFixed(2)}x`,
  );
  const accuracy = demoMaskingAccuracy(bench, capture);
  console.log(
    `demo masking vs generator truth over ${accuracy.scans} scans: ${(100 * accuracy.precision).toFixed(2)}% of kept points on face-region vertices, ` +
      `${(100 * accuracy.coverage).toFixed(2)}% of the face-region surface within ${accuracy.radiusMm} mm of a kept point`,
  );
  rmSync(root, { recursive: true, force: true });
  return { build_demo_seconds: seconds, build_demo_one_worker_seconds: oneWorker, masking_precision: accuracy.precision, masking_coverage: accuracy.coverage };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await runBuildBench();
}
