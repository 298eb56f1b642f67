import { Command, Option } from 'commander';
import { isInputError } from '../evaluators/errors.js';
import { evalCommand } from './commands/eval.js';
import { scoreCommand } from './commands/score.js';
import { parseAlign, parsePositiveInt, parseProtocol, parseUnit } from './options.js';
import { TOOL } from './version.js';

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
    .command('run')
    .description('the main job on the embedded demo data')
    .action(() => {
      console.log('facebench run: no demo yet. The demo capture and benchmark builder are not part of this version;');
      console.log('score your own data with `facebench score` (one pair) or `facebench eval` (a built benchmark).');
    });

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
