import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Listr } from 'listr2';
import { writeFileAtomic } from '../../evaluators/io/atomic.js';
import { DEMO_NEUTRAL, generateDemoCaptureParallel } from '../../data/index.js';
import { TOOL } from '../../evaluators/util/index.js';

/** Options of the embedded demo capture (the generator's defaults otherwise). */
export const DEMO_OPTIONS = { seed: 7 } as const;

export interface DemoCapture {
  dir: string;
  /** `SEQ/frame` of every demo person's neutral frame. */
  neutral: string;
  generated: boolean;
}

/**
 * The embedded demo capture in `dir`: generated (seeded, deterministic) unless a complete one
 * from the same tool version and options is already there (marker `.demo.json`, written last).
 * `workers` threads render the frames; the files do not depend on it.
 */
export async function ensureDemoCapture(dir: string, progress: 'auto' | 'silent' = 'auto', workers = 1): Promise<DemoCapture> {
  const neutral = `${DEMO_NEUTRAL.sequence}/${DEMO_NEUTRAL.frame}`;
  const marker = join(dir, '.demo.json');
  const key = JSON.stringify({ tool: TOOL.version, ...DEMO_OPTIONS });
  if (existsSync(marker) && readFileSync(marker, 'utf8').trim() === key) return { dir, neutral, generated: false };
  rmSync(dir, { recursive: true, force: true });
  await new Listr(
    [
      {
        title: `Generating the demo capture in ${dir}`,
        task: async (_ctx, task) => {
          await generateDemoCaptureParallel(dir, {
            ...DEMO_OPTIONS,
            workers,
            onProgress: (done, total) => {
              task.output = `${done}/${total} frames rendered`;
            },
          });
        },
      },
    ],
    { renderer: progress === 'silent' ? 'silent' : process.stdout.isTTY ? 'default' : 'simple' },
  ).run();
  writeFileAtomic(marker, `${key}\n`);
  return { dir, neutral, generated: true };
}
