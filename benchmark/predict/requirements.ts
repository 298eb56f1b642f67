/**
 * What a method needs of its source, checked before any work: the demo generator's truth
 * (`requires.demoTruth`), or a built benchmark at all (`requires.benchmark`, a reason or a
 * function of the options) — refused on an SVFR download and under an export map, which show
 * the method only images and exported ids.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { MethodAdapter } from '../../baselines/adapter.js';
import { InputError } from '../../evaluators/errors.js';
import type { Manifest } from '../../evaluators/formats/index.js';

/** Refuse a run whose method needs the demo generator's truth when the benchmark has none. */
export function checkRequirements(adapter: MethodAdapter<any>, bench: string, manifest: Manifest): void {
  if (!adapter.requires?.demoTruth) return;
  const truth = join(manifest.source.capture, '_truth');
  if (!manifest.source.demo && !existsSync(truth)) {
    throw new InputError(join(bench, 'manifest.json'), `method ${adapter.name} works on demo benchmarks only (built with \`facebench build --demo\`); this one was built from ${manifest.source.capture}`);
  }
  if (!existsSync(join(truth, 'model.json'))) {
    throw new InputError(truth, `method ${adapter.name} needs the demo capture's generator truth, which is missing; regenerate the capture with \`facebench build --demo\``);
  }
}

/** Why a method with these (parsed) options needs a built benchmark, or undefined when the image is enough. */
export function benchmarkNeed(adapter: MethodAdapter<any>, options: unknown): string | undefined {
  const need = adapter.requires?.benchmark;
  const reason = typeof need === 'function' ? need(options) : need;
  if (reason !== undefined) return reason;
  return adapter.requires?.demoTruth ? "it reads the demo generator's truth of a built demo benchmark" : undefined;
}

/**
 * Refuse a method that needs a built benchmark where it would see only images and ids:
 * `where` names the source (`an SVFR download (--images)`, `exported ids (--map)`).
 */
export function refuseBenchmarkNeed(adapter: MethodAdapter<any>, options: unknown, where: string, remedy: string): void {
  const reason = benchmarkNeed(adapter, options);
  if (reason !== undefined) throw new InputError('--method', `${adapter.name} cannot run on ${where}: ${reason}; ${remedy}`);
}
