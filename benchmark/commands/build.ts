import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { InputError } from '../../evaluators/errors.js';
import type { LengthUnit } from '../../evaluators/geometry/types.js';
import { checkBenchmark } from '../../evaluators/formats/index.js';
import { printer, workerCount } from '../options.js';
import type { BuildServices } from '../construct/build-person.js';
import { runBuild } from '../construct/run-build.js';
import { ensureDemoCapture } from '../construct/demo.js';
import { buildServices, type ServiceOptions } from '../construct/services.js';
import { parseItemCameras } from '../construct/item-cameras.js';

export interface BuildCommandOptions {
  capture?: string;
  out: string;
  demo?: boolean;
  captureUnit: LengthUnit;
  expressions: number;
  neutral?: string;
  persons?: string[];
  /** `frontal`, `diverse`, or camera serials (parseItemCameras). */
  itemCameras?: string[];
  maxViewAngle?: number;
  seed?: number;
  imageSize: number;
  parser?: string;
  parserLabels?: string;
  colmap: string;
  /** Worker threads building the persons' steps (default and cap: the cores). */
  workers?: number;
  force?: boolean;
  quiet?: boolean;
}

/** `facebench build`: a capture (or the embedded demo) → a benchmark. */
export async function buildCommand(options: BuildCommandOptions): Promise<void> {
  if (!options.capture && !options.demo) throw new InputError('facebench build', 'give --capture DIR (a NeRSemble-layout capture) or --demo');
  parseItemCameras(options.itemCameras); // refuse a malformed --item-cameras before any work
  const workDir = mkdtempSync(join(tmpdir(), 'facebench-build-'));
  const serviceOptions: ServiceOptions = { parser: options.parser, parserLabels: options.parserLabels, colmap: options.colmap, workDir };
  const services = await buildServices(serviceOptions);
  try {
    await build(options, services, serviceOptions);
  } finally {
    await services.release();
    rmSync(workDir, { recursive: true, force: true });
  }
}

async function build(options: BuildCommandOptions, services: BuildServices, serviceOptions: ServiceOptions): Promise<void> {
  const progress = options.quiet ? 'silent' : 'auto';
  const workers = workerCount(options.workers);
  const demo = options.demo ? await ensureDemoCapture(options.capture ?? `${resolve(options.out)}-capture`, progress, workers) : undefined;
  const summary = await runBuild({
    capture: demo?.dir ?? options.capture!,
    out: options.out,
    unit: demo ? 'm' : options.captureUnit,
    expressions: options.expressions,
    neutral: options.neutral ?? demo?.neutral,
    persons: options.persons,
    itemCameras: parseItemCameras(options.itemCameras),
    maxViewAngleDeg: options.maxViewAngle,
    seed: options.seed,
    force: options.force,
    imageSize: options.imageSize,
    visibilityToleranceMm: 2,
    demo: options.demo,
    progress,
    services,
    serviceOptions,
    workers,
  });
  const m = summary.manifest;
  const say = printer(options.quiet);
  if (demo) say(`demo capture: ${demo.dir}${demo.generated ? '' : ' (already there)'}`);
  say(
    `benchmark: ${options.out} — ${m.persons.length} persons, ${m.items.length} items, ${Object.keys(m.files).length} files ` +
      `(${summary.built.length} persons built, ${summary.reused.length} reused) in ${summary.seconds.toFixed(1)} s`,
  );
}

/** `facebench check`: verify a benchmark against its manifest; non-zero exit when anything is off. */
export function checkCommand(options: { bench: string; json?: boolean; quiet?: boolean }): void {
  const report = checkBenchmark(options.bench);
  if (options.json) console.log(JSON.stringify({ bench: options.bench, valid: report.problems.length === 0, ...report }, null, 1));
  const say = printer(options.quiet || options.json);
  for (const problem of report.problems) say(`  ${problem}`);
  if (report.problems.length > 0) {
    console.error(`facebench: ${options.bench}: ${report.problems.length} problem${report.problems.length > 1 ? 's' : ''} found${options.json ? '' : ' (listed above)'}`);
    process.exitCode = 1;
    return;
  }
  say(`${options.bench}: manifest valid, ${report.files} files verified (sha256)`);
}
