/**
 * `npm run bench`: every hot path's throughput, each against a reference measured in the same
 * run, then the speed targets of the README checked against this run's figures.
 */
import { runStartupBench } from './startup.js';
import { runSpatialBench } from './spatial.js';
import { runScoreBench } from './score.js';
import { runIoBench } from './io.js';
import { runEvalBench } from './eval.js';
import { runNersembleEvalBench, runNersembleFullEvalBench } from './eval-nersemble.js';
import { runBuildBench } from './build.js';
import { runRunBench } from './run.js';
import { runPixel3dmmBench } from './pixel3dmm.js';
import { runFacescapeBench } from './facescape.js';
import { runServeBench } from './serve.js';
import { formatTargets, speedTargets } from './targets.js';

console.log(`facebench benchmarks on ${process.version}, ${new Date().toISOString()}`);
const figures: Record<string, number> = {};
for (const bench of [
  runStartupBench, runSpatialBench, runIoBench, runScoreBench, runEvalBench, runNersembleEvalBench, runNersembleFullEvalBench,
  runBuildBench, runRunBench, runPixel3dmmBench, runFacescapeBench, runServeBench,
]) {
  Object.assign(figures, await bench());
}
console.log(`\nspeed targets (README, Performance) in this run:\n${formatTargets(speedTargets(figures))}`);
