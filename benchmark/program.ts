/**
 * The `facebench` command line: every command is registered here, in pipeline order
 * (`cli.ts` runs it). Exit
 * codes: 0 success, 1 bad input or a failed run (one line on stderr naming the file), 2 a
 * usage error (unknown command or option, a malformed option value).
 *
 * Only the definitions live here, and they import nothing heavy: each action imports its
 * command's module when it runs, so `facebench --help` and a usage error never load the
 * evaluators, zod, onnxruntime, tfjs or the worker pools (test/benchmark/cli-startup.test.ts).
 */
import { Command, CommanderError, Option } from 'commander';
import { fileSystemInputError, isInputError } from '../evaluators/errors.js';
import { TOOL } from '../evaluators/util/version.js';
import { DEMO_METHODS } from './commands/demo-methods.js';
import { taskOption } from './commands/task-option.js';
import {
  forceOption, jsonOption, parseAngleDeg, parseInteger, parseNonNegativeInt, parsePositiveInt, parseUnit, protocolOptions, quietOption, workersOption,
} from './options.js';

export function buildProgram(): Command {
  const program = new Command();
  program
    .name('facebench')
    .description('Benchmark and evaluation suite for single-image 3D face reconstruction')
    .version(TOOL.version)
    .enablePositionalOptions()
    .exitOverride()
    .showSuggestionAfterError();

  program
    .command('run')
    .description('the main job on the embedded demo data: build the demo benchmark, predict with every offline method, score, report')
    .option('--out <dir>', 'folder for the demo capture, benchmark, predictions and results', 'facebench-demo')
    .option('--bench <dir>', 'run on this built benchmark instead of the embedded demo')
    .option('--methods <names...>', `methods to run, separated by spaces or commas (default: ${DEMO_METHODS.join(' ')})`)
    .option('--models <dir>', 'folder of exported models for deca, emoca-v2, mica and smirk (<method>.onnx, FLAME2020/); default $FACEBENCH_MODELS, else ./models')
    .addOption(workersOption())
    .addOption(forceOption())
    .addOption(quietOption())
    .action(async (opts) => {
      const { runCommand } = await import('./commands/run.js');
      await runCommand(opts);
    });

  program
    .command('build')
    .description('build a benchmark from a NeRSemble-layout capture (or the embedded demo with --demo)')
    .option('--capture <dir>', 'capture folder (docs/formats.md#raw-capture)')
    .requiredOption('--out <dir>', 'benchmark folder to write')
    .option('--demo', 'generate the embedded demo capture and build from it')
    .addOption(new Option('--capture-unit <unit>', 'unit of the capture (NeRSemble ships metres)').default('m').argParser(parseUnit))
    .addOption(new Option('--expressions <k>', 'expressions per person (furthest point sampling)').default(20).argParser(parsePositiveInt))
    .option('--neutral <SEQ/frame>', 'the neutral frame (default: a sequence named *neutral*, else the documented rule)')
    .option('--persons <ids...>', 'person ids to build (default: all)')
    .option('--item-cameras <mode|serials...>', 'frontal (default: the most frontal camera per person), diverse (per item a seeded draw among the cameras within --max-view-angle), or camera serials')
    .addOption(new Option('--max-view-angle <deg>', 'with --item-cameras diverse: largest angle between a drawn camera and the head\'s forward direction').default(60).argParser(parseAngleDeg))
    .option('--seed <n>', 'with --item-cameras diverse: seed of the per-item camera draw', parseInteger, 1)
    .addOption(new Option('--image-size <px>', 'side of the input crops').default(512).argParser(parsePositiveInt))
    .option('--parser <model.onnx>', 'ONNX face parser for captures without segmentation/ label maps')
    .option('--parser-labels <labels.json>', "the parser's label ids (docs/formats.md#label-file, optional input size/mean/std)")
    .option('--colmap <auto|off|path>', 'run COLMAP for frames without depth maps or point clouds', 'auto')
    .addOption(workersOption())
    .addOption(forceOption())
    .addOption(quietOption())
    .action(async (opts) => {
      const { buildCommand } = await import('./commands/build.js');
      await buildCommand(opts);
    });

  program
    .command('check')
    .description('verify a built benchmark against its manifest (schema and sha256 of every file)')
    .requiredOption('--bench <dir>', 'benchmark folder')
    .addOption(jsonOption())
    .addOption(quietOption())
    .action(async (opts) => {
      const { checkCommand } = await import('./commands/build.js');
      checkCommand(opts);
    });

  program
    .command('export-images')
    .description("write a built benchmark's input crops in the official SVFR download layout (svfr/<pid>/<SEQ>_<t>_<serial>/rgb.png) with export-map.json")
    .requiredOption('--bench <dir>', 'built benchmark folder')
    .requiredOption('--out <dir>', 'folder for svfr/ and export-map.json (empty, or replaced with --force)')
    .addOption(forceOption())
    .addOption(quietOption())
    .action(async (opts) => {
      const { exportImagesCommand } = await import('./commands/export-images.js');
      exportImagesCommand(opts);
    });

  program
    .command('methods')
    .description('list the available methods with their versions and options')
    .addOption(jsonOption())
    .addOption(quietOption())
    .action(async (opts) => {
      const { methodsCommand } = await import('./commands/methods.js');
      methodsCommand(opts);
    });

  program
    .command('predict')
    .description('run a method over every item of a benchmark or an SVFR download (both tasks, resumable) into a predictions folder')
    .addOption(new Option('--bench <dir>', 'built benchmark folder (or --images)').conflicts('images'))
    .option('--images <dir>', 'SVFR download (the folder holding svfr/, or svfr/ itself): predict from the images alone')
    .requiredOption('--method <name>', 'method name (see `facebench methods`)')
    .requiredOption('--out <dir>', 'predictions folder to write (<pid>/<item>/mesh_posed.ply, mesh_neutral.ply, landmarks_*.npy, method.json)')
    .option('--opts <json>', 'method options as a JSON object, e.g. \'{"noise": 0.5}\'')
    .option('--from <dir|zip>', 'with --method submission: the predictions folder or submission zip to import')
    .addOption(new Option('--map <export-map.json>', 'with --bench: the method reads per-item inputs (--from) under the ids of `facebench export-images`').conflicts('images'))
    .addOption(workersOption())
    .addOption(forceOption())
    .addOption(quietOption())
    .action(async (opts, command: Command) => {
      if (opts.bench === undefined && opts.images === undefined) command.error('error: give --bench <dir> (a built benchmark) or --images <dir> (an SVFR download)');
      const { predictCommand } = await import('./commands/predict.js');
      await predictCommand(opts);
    });

  program
    .command('validate')
    .description('check a predictions folder or submission zip as the NeRSemble single-view benchmark server would (lists every problem)')
    .addOption(new Option('--bench <dir>', 'built benchmark folder (or --images)').conflicts('images'))
    .option('--images <dir>', 'SVFR download (the folder holding svfr/, or svfr/ itself): its items, keys padded as the submission pads them')
    .requiredOption('--pred <dir|zip>', 'predictions folder or submission zip')
    .addOption(taskOption('tasks that must be submitted: posed | neutral | both (default: those with any mesh, as the server does)'))
    .addOption(jsonOption())
    .addOption(quietOption())
    .action(async (opts, command: Command) => {
      if (opts.bench === undefined && opts.images === undefined) command.error('error: give --bench <dir> (a built benchmark) or --images <dir> (an SVFR download)');
      const { validateCommand } = await import('./commands/validate.js');
      validateCommand(opts);
    });

  program
    .command('pack')
    .description('write the official NeRSemble SVFR submission zip from a predictions folder (refused, with every problem listed, if it is not valid)')
    .requiredOption('--pred <dir>', 'predictions folder (<pid>/<SEQ>_<t>_<serial>/mesh_posed.ply, mesh_neutral.ply, landmarks_*.npy)')
    .requiredOption('--out <zip>', 'the submission zip to write')
    .addOption(taskOption('tasks to pack: posed | neutral | both', 'both'))
    .addOption(quietOption())
    .action(async (opts) => {
      const { packCommand } = await import('./commands/pack.js');
      packCommand(opts);
    });

  protocolOptions(
    program
      .command('eval')
      .description('score a predictions folder over a whole benchmark (both tasks, resumable)')
      .requiredOption('--bench <dir>', 'built benchmark folder (FaceScape protocols: FaceScape\'s benchmark folder)')
      .requiredOption('--pred <dir>', 'predictions folder (<pid>/<item>/mesh_posed.ply, mesh_neutral.ply; FaceScape: <sample>.ply)')
      .requiredOption('--out <dir>', 'results folder; results go to <out>/<method>/')
      .option('--method <name>', 'method name (default: method.json name or the predictions folder name)')
      .addOption(workersOption())
      .addOption(forceOption())
      .addOption(quietOption()),
  ).action(async (opts) => {
    const { evalCommand } = await import('./commands/eval.js');
    await evalCommand(opts);
  });

  program
    .command('eval-normals')
    .description('score predicted normal maps against the items\' GT normal maps (mean cosine similarity, angular error)')
    .requiredOption('--bench <dir>', 'built benchmark folder')
    .requiredOption('--pred <dir>', 'predictions folder (<pid>/<item>/normals.npy H×W×3 camera frame, or normals.png as (n+1)/2)')
    .requiredOption('--out <dir>', 'folder for normals.json and normals.csv (e.g. the method\'s eval results folder, which `report` then reads)')
    .option('--method <name>', 'method name (default: method.json name or the predictions folder name, as for eval)')
    .addOption(quietOption())
    .action(async (opts) => {
      const { evalNormalsCommand } = await import('./commands/eval-normals.js');
      evalNormalsCommand(opts);
    });

  protocolOptions(
    program
      .command('score')
      .description('score one predicted mesh against one GT point cloud (or one sample of FaceScape\'s data)')
      .requiredOption('--pred <mesh>', 'predicted mesh (.ply, .obj)')
      .requiredOption('--gt <cloud>', 'GT point cloud (.ply, .pcd, COLMAP points3D.bin/.txt); FaceScape protocols: the FaceScape benchmark folder')
      .option('--gt-landmarks <file>', '7 GT landmarks (.npy, .txt, .json, .pp); required by the landmark protocols')
      .option('--sample <name>', 'FaceScape protocols: the sample to score against (000…399 in-the-wild, SS_F_VV in-the-lab)')
      .option('--pred-landmarks <file>', '7 predicted landmarks; optional for FLAME-topology meshes')
      .option('--out <file.json>', 'also write protocol, metrics and alignment to this JSON file')
      .addOption(jsonOption())
      .addOption(quietOption()),
  ).action(async (opts) => {
    const { scoreCommand } = await import('./commands/score.js');
    await scoreCommand(opts);
  });

  program
    .command('report')
    .description('one self-contained HTML report (Table 2, normal estimation Table 4, error curves, breakdowns, worst items; FaceScape tables and heat pictures) with CSV and JSON exports')
    .requiredOption('--results <dirs...>', 'result folders (eval --out folders or method folders); a normals.json in them is read too')
    .option('--normals <dirs...>', 'eval-normals output folders (holding normals.json) for the normal-estimation table (Table 4)')
    .requiredOption('--out <report.html>', 'the HTML file to write; the tables go beside it as .json and .csv')
    .option('--worst <n>', 'worst items pictured per method (FaceScape results: heat pictures of the samples with the largest CD; 0 = none)', parseNonNegativeInt, 3)
    .option('--panel-items <ids...>', 'items of the qualitative panels, as person/item (default: the worst, median and best item)')
    .option('--panel-method <name>', 'the method whose errors pick the qualitative panel items')
    .option('--figures <dir>', 'also write the figures for a paper there: panel PNGs, chart SVGs, table2.tex, figures.json')
    .addOption(quietOption())
    .action(async (opts) => {
      const { reportCommand } = await import('../reports/report-command.js');
      await reportCommand(opts);
    });

  program
    .command('leaderboard')
    .description('ranked HTML + CSV + JSON leaderboard with a coverage column; methods with missing items are flagged, not ranked')
    .requiredOption('--results <dirs...>', 'result folders (eval --out folders or method folders)')
    .requiredOption('--out <dir>', 'folder for leaderboard.html, .csv and .json')
    .addOption(quietOption())
    .action(async (opts) => {
      const { leaderboardCommand } = await import('../reports/leaderboard.js');
      leaderboardCommand(opts);
    });

  program
    .command('compare')
    .description('ablation table: per-metric deltas against a base, with paired bootstrap CIs and Wilcoxon signed-rank tests')
    .requiredOption('--base <dir>', 'results of the base method')
    .requiredOption('--variant <dirs...>', 'results of the variants')
    .option('--out <dir>', 'folder for compare.csv and compare.json')
    .option('--resamples <n>', 'bootstrap resamples', parsePositiveInt, 10000)
    .option('--seed <n>', 'bootstrap seed', parseInteger, 1)
    .addOption(quietOption())
    .action(async (opts) => {
      const { compareCommand } = await import('../reports/compare.js');
      compareCommand(opts);
    });

  protocolOptions(
    program
      .command('ablate')
      .description('ablation of one method: predict and score each variant, then the Table-5 layout with deltas and paired tests against the base variant')
      .requiredOption('--bench <dir>', 'built benchmark folder')
      .requiredOption('--method <name>', 'method name (see `facebench methods`)')
      .requiredOption('--variants <names...>', 'values of the method\'s "variant" option, e.g. full only-uv only-normal')
      .requiredOption('--out <dir>', 'folder for predictions/<method>-<variant>/, results/ and ablation.{csv,json,html}')
      .option('--opts <json>', 'method options shared by every variant, as a JSON object')
      .option('--base <variant>', 'the variant the others are compared with (default: full when given, else the first)')
      .option('--resamples <n>', 'bootstrap resamples', parsePositiveInt, 10000)
      .option('--seed <n>', 'bootstrap seed', parseInteger, 1)
      .addOption(workersOption())
      .addOption(forceOption())
      .addOption(quietOption()),
  ).action(async (opts) => {
    const { ablateCommand } = await import('./commands/ablate.js');
    await ablateCommand(opts);
  });

  program
    .command('tables')
    .description('cross-benchmark tables: NoW (median/mean/std, cumulative curve), FaceScape (view-angle bins) and the paper Table-3 layout (NoW + FaceScape)')
    .option('--results <dirs...>', 'result folders of any benchmarks (NoW, facescape-wild, facescape-lab; others are listed as skipped)')
    .option('--out <dir>', 'folder for now.csv, table3.csv and tables.json (and facescape-wild.csv, facescape-lab.csv, facescape-lab-focal.csv)')
    .option('--facescape-results <dir>', "FaceScape's shipped per-sample results (benchmark/eval_result or its parent): adds its methods' rows")
    .addOption(quietOption())
    .action(async (opts, command: Command) => {
      if (opts.results === undefined && opts.facescapeResults === undefined) command.error('error: give --results <dirs...> (facebench eval results) or --facescape-results <dir> (FaceScape\'s shipped per-sample results)');
      const { tablesCommand } = await import('../reports/cross-benchmark.js');
      tablesCommand(opts);
    });

  const serve = program
    .command('serve')
    .description('self-hosted leaderboard: accept submissions over HTTP, queue their tasks on Redis for facebench worker, serve the ranking')
    // Checked in the action: commander checks a parent's required options before its subcommands run too.
    .option('--bench <dir>', 'built benchmark folder (required; its GT files are never served)')
    .option('--data <dir>', 'server folder: database facebench.sqlite, uploads, results (required)')
    .option('--port <n>', 'HTTP port (0: any free port)', parseNonNegativeInt, 8080)
    .option('--host <address>', 'address to listen on', '127.0.0.1')
    .option('--redis <url>', 'Redis URL shared with the workers (default: start a private redis-server on a loopback port)')
    .option('--max-upload-mb <n>', 'largest upload, MB', parsePositiveInt, 256)
    .addOption(quietOption())
    // `serve tokens add NAME --data DIR`: --data after the subcommand belongs to it, not to serve.
    .enablePositionalOptions()
    .action(async (opts, command: Command) => {
      for (const name of ['bench', 'data'] as const) if (opts[name] === undefined) command.error(`error: required option '--${name} <dir>' not specified`);
      const { serveCommand } = await import('./commands/serve.js');
      await serveCommand(opts);
    });
  serve
    .command('tokens')
    .description('manage the upload tokens')
    .command('add <name>')
    .description('issue a token to NAME (printed on the last line; stored hashed)')
    .requiredOption('--data <dir>', 'server folder (as given to facebench serve)')
    .action(async (name: string, opts) => {
      const { tokensAddCommand } = await import('./commands/serve.js');
      tokensAddCommand(name, opts);
    });

  program
    .command('worker')
    .description('score the leaderboard server\'s queued tasks (any number of workers, on any machines with the benchmark)')
    .requiredOption('--redis <url>', 'the Redis URL facebench serve printed')
    .requiredOption('--bench <dir>', "this machine's copy of the served benchmark")
    .option('--concurrency <n>', 'jobs at once: N > 1 runs N worker processes', parsePositiveInt, 1)
    .addOption(quietOption())
    .action(async (opts) => {
      const { workerCommand } = await import('./commands/serve.js');
      await workerCommand(opts);
    });

  return program;
}

/** Run the CLI; returns the exit code (0 success, 1 bad input or failed run, 2 usage). */
export async function main(argv: string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2; // commander printed the message
    const input = isInputError(error) ? error : fileSystemInputError(error);
    if (input) {
      console.error(`facebench: ${input.message}`);
      return 1;
    }
    throw error;
  }
}

