/** `npm run bench`: every hot path's throughput, each against a reference measured in the same run. */
import { runStartupBench } from './startup.js';
import { runSpatialBench } from './spatial.js';
import { runScoreBench } from './score.js';
import { runIoBench } from './io.js';
import { runEvalBench } from './eval.js';
import { runNersembleEvalBench } from './eval-nersemble.js';
import { runBuildBench } from './build.js';
import { runPixel3dmmBench } from './pixel3dmm.js';
import { runFacescapeBench } from './facescape.js';
import { runServeBench } from './serve.js';

console.log(`facebench benchmarks on ${process.version}, ${new Date().toISOString()}`);
await runStartupBench();
await runSpatialBench();
await runIoBench();
await runScoreBench();
await runEvalBench();
await runNersembleEvalBench();
await runBuildBench();
await runPixel3dmmBench();
await runFacescapeBench();
await runServeBench();
