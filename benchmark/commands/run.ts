import { join, resolve } from 'node:path';
import { buildCommand } from './build.js';

export interface RunCommandOptions {
  out: string;
  quiet?: boolean;
}

/**
 * `facebench run`: the main job on the embedded demo data. Today it generates the demo
 * capture and builds the demo benchmark exactly as `facebench build --demo` does (both
 * resumable); predicting with the built-in methods and the report come with those parts.
 */
export async function runCommand(options: RunCommandOptions): Promise<void> {
  const root = resolve(options.out);
  const bench = join(root, 'benchmark');
  await buildCommand({
    demo: true,
    capture: join(root, 'capture'),
    out: bench,
    captureUnit: 'm',
    expressions: 20,
    imageSize: 512,
    colmap: 'off',
    quiet: options.quiet,
  });
  console.log('Predicting with the built-in methods and the HTML report are not part of this version yet;');
  console.log(`score predictions for the demo benchmark with: facebench eval --bench ${bench} --pred PRED_DIR --out RESULTS_DIR`);
}
