import { Command, Option } from 'commander';
import { isInputError } from '../evaluators/errors.js';
import { buildCommand, checkCommand } from './commands/build.js';
import { evalCommand } from './commands/eval.js';
import { registerPredictCommands } from './commands/predict.js';
import { DEMO_METHODS, runCommand } from './commands/run.js';
import { scoreCommand } from './commands/score.js';
import { parseAlign, parsePositiveInt, parseProtocol, parseUnit } from './options.js';
import { TOOL } from './version.js';
import { compareCommand } from '../reports/compare.js';
import { tablesCommand } from '../reports/cross-benchmark.js';
import { leaderboardCommand } from '../reports/leaderboard.js';
import { reportCommand } from '../reports/report-command.js';

function protocolOptions(command: Command): Command {
  return command
    .addOption(new Option('--protocol <name>', 'nersemble | nersemble-metrical | now | now-metrical').default('nersemble').argParser(parseProtocol))
    .addOption(new Option('--align <mode>', 'landmarks (landmark similarity only) | icp').default('icp').argParser(parseAlign))
    .addOption(new Option('--pred-unit <unit>', 'unit of the predicted meshes: mm | cm | m').default('mm').argParser(parseUnit))
    .addOption(new Option('--gt-unit <unit>', 'unit of the GT clouds and landmarks: mm | cm | m').default('mm').argParser(parseUnit));
}

export function buildProgram(): Command {
  const program = new Command();
  program
    .name('facebench')
    .description('Benchmark and evaluation suite for single-image 3D face reconstruction')
    .version(TOOL.version);

  protocolOptions(
    program
      .command('score')
      .description('score one predicted mesh against one GT point cloud')
      .requiredOption('--pred <mesh>', 'predicted mesh (.ply, .obj)')
      .requiredOption('--gt <cloud>', 'GT point cloud (.ply, .pcd, COLMAP points3D.bin/.txt)')
      .requiredOption('--gt-landmarks <file>', '7 GT landmarks (.npy, .txt, .json, .pp)')
      .option('--pred-landmarks <file>', '7 predicted landmarks; optional for FLAME-topology meshes')
      .option('--json <out.json>', 'write protocol, metrics and alignment as JSON'),
  ).action((opts) => scoreCommand(opts));

  protocolOptions(
    program
      .command('eval')
      .description('score a predictions folder over a whole benchmark (both tasks, resumable)')
      .requiredOption('--bench <dir>', 'built benchmark folder')
      .requiredOption('--pred <dir>', 'predictions folder (<pid>/<item>/mesh_posed.ply, mesh_neutral.ply)')
      .requiredOption('--out <dir>', 'results folder; results go to <out>/<method>/')
      .option('--method <name>', 'method name (default: method.json name or the predictions folder name)')
      .option('--workers <n>', 'worker threads (default: all cores)', parsePositiveInt)
      .option('--quiet', 'no progress display'),
  ).action(async (opts) => evalCommand(opts));

  program
    .command('build')
    .description('build a benchmark from a NeRSemble-layout capture (or the embedded demo with --demo)')
    .option('--capture <dir>', 'capture folder (SPEC §3 layout)')
    .requiredOption('--out <dir>', 'benchmark folder to write')
    .option('--demo', 'generate the embedded demo capture and build from it')
    .addOption(new Option('--capture-unit <unit>', 'unit of the capture (NeRSemble ships metres)').default('m').argParser(parseUnit))
    .addOption(new Option('--expressions <k>', 'expressions per person (furthest point sampling)').default(20).argParser(parsePositiveInt))
    .option('--neutral <SEQ/frame>', 'the neutral frame (default: a sequence named *neutral*, else the documented rule)')
    .option('--persons <ids>', 'comma-separated person ids to build (default: all)')
    .option('--item-cameras <serials>', 'cameras whose images become items (default: the most frontal per person)')
    .addOption(new Option('--image-size <px>', 'side of the input crops').default(512).argParser(parsePositiveInt))
    .option('--parser <model.onnx>', 'ONNX face parser for captures without segmentation/ label maps')
    .option('--parser-labels <labels.json>', "the parser's label ids (SPEC §3 labels.json, optional input size/mean/std)")
    .option('--colmap <auto|off|path>', 'run COLMAP for frames without depth maps or point clouds', 'auto')
    .option('--quiet', 'no progress display')
    .action(async (opts) => buildCommand(opts));

  program
    .command('check')
    .description('verify a built benchmark against its manifest (schema and sha256 of every file)')
    .requiredOption('--bench <dir>', 'benchmark folder')
    .action((opts) => checkCommand(opts));

  program
    .command('run')
    .description('the main job on the embedded demo data: build the demo benchmark, predict with every offline method, score them')
    .option('--out <dir>', 'folder for the demo capture, benchmark, predictions and results', 'facebench-demo')
    .option('--bench <dir>', 'run on this built benchmark instead of the embedded demo')
    .option('--methods <names>', `comma-separated methods (default: ${DEMO_METHODS.join(', ')})`)
    .option('--workers <n>', 'worker threads (default: all cores)', parsePositiveInt)
    .option('--quiet', 'no progress display')
    .action(async (opts) => runCommand(opts));

  program
    .command('report')
    .description('one self-contained HTML report (Table 2, error curves, breakdowns, worst items) with CSV and JSON exports')
    .argument('<results...>', 'method result folders (holding results.json), or folders of them')
    .requiredOption('--out <report.html>', 'the HTML file to write; the tables go beside it as .json and .csv')
    .option('--worst <n>', 'worst items pictured per method (0 = none)', (v) => Number.parseInt(v, 10), 3)
    .option('--quiet', 'print only errors')
    .action(async (results: string[], opts) => {
      await reportCommand({ results, out: opts.out, worst: opts.worst, quiet: opts.quiet });
    });

  program
    .command('leaderboard')
    .description('ranked HTML + CSV + JSON leaderboard with a coverage column; methods with missing items are flagged, not ranked')
    .requiredOption('--results <dirs...>', 'result folders (eval --out folders or method folders)')
    .requiredOption('--out <dir>', 'folder for leaderboard.html, .csv and .json')
    .option('--quiet', 'print only errors')
    .action((opts) => {
      leaderboardCommand(opts);
    });

  program
    .command('compare')
    .description('ablation table: per-metric deltas against a base, with paired bootstrap CIs and Wilcoxon signed-rank tests')
    .requiredOption('--base <dir>', 'results of the base method')
    .requiredOption('--variant <dirs...>', 'results of the variants')
    .option('--out <dir>', 'folder for compare.csv and compare.json')
    .option('--resamples <n>', 'bootstrap resamples', parsePositiveInt, 10000)
    .option('--seed <n>', 'bootstrap seed', (v) => Number.parseInt(v, 10), 1)
    .option('--quiet', 'print only errors')
    .action((opts) => {
      compareCommand(opts);
    });

  program
    .command('tables')
    .description('cross-benchmark tables: NoW (median/mean/std, cumulative curve) and the paper Table-3 layout (NoW + FaceScape)')
    .requiredOption('--results <dirs...>', 'result folders of any benchmarks')
    .option('--out <dir>', 'folder for now.csv, table3.csv and tables.json')
    .option('--quiet', 'print only errors')
    .action((opts) => {
      tablesCommand(opts);
    });

  registerPredictCommands(program);
  return program;
}

async function main(argv: string[]): Promise<void> {
  try {
    await buildProgram().parseAsync(argv);
  } catch (error) {
    if (isInputError(error)) {
      console.error(`facebench: ${error.message}`);
      process.exitCode = 1;
      return;
    }
    throw error;
  }
}

await main(process.argv);
