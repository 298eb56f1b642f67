import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Listr } from 'listr2';
import { Piscina } from 'piscina';
import type { LengthUnit } from '../../evaluators/geometry/types.js';
import { sha256File, writeFileAtomic } from '../../evaluators/io/index.js';
import { assertNoLinks, codeDigest, requireCompiledWorker, TOOL, workerPoolOptions } from '../../evaluators/util/index.js';
import { buildPerson, checkBuildOptions, finishedPerson, finishPerson, planPerson, type BuildOptions, type BuildServices, type PersonBuild } from './build-person.js';
import { readCapture, type Capture } from './capture.js';
import type { BuildWorkerRequest, BuildWorkerResult } from './build-worker.js';
import type { ServiceOptions } from './services.js';
import { DEFAULT_CAMERA_SEED, DEFAULT_MAX_VIEW_ANGLE_DEG } from './item-cameras.js';
import { listFiles, MANIFEST_NAME, MANIFEST_SCHEMA, MANIFEST_VERSION, type Manifest } from '../../evaluators/formats/index.js';

export interface RunBuildOptions extends BuildOptions {
  capture: string;
  out: string;
  unit: LengthUnit;
  persons?: string[];
  demo?: boolean;
  progress?: 'auto' | 'silent';
  services?: BuildServices;
  /**
   * How `services` were made (buildServices), so that worker threads can make their own; without
   * it, a build whose services hold a parser or COLMAP runs in this thread.
   */
  serviceOptions?: ServiceOptions;
  /** Worker threads building the persons' steps at once (default 1: one after another in this thread). */
  workers?: number;
  /** Build every person again, even those an earlier run finished with the same key. */
  force?: boolean;
}

export interface BuildSummary {
  manifest: Manifest;
  built: string[];
  reused: string[];
  seconds: number;
}

/** The code a built person depends on: the builder, the demo generator and the geometry core. */
const BUILD_CODE = ['benchmark/construct', 'data', 'evaluators'];

/** The item-camera options as they act: the diverse draw's limit and seed only in diverse mode. */
function cameraChoice(options: BuildOptions): 'frontal' | string[] | { mode: 'diverse'; maxViewAngleDeg: number; seed: number } {
  const mode = options.itemCameras ?? 'frontal';
  if (mode !== 'diverse') return mode;
  return { mode, maxViewAngleDeg: options.maxViewAngleDeg ?? DEFAULT_MAX_VIEW_ANGLE_DEG, seed: options.seed ?? DEFAULT_CAMERA_SEED };
}

/** Resume key of a person: the builder's code, the build options and the person's frame list. */
function personKey(options: RunBuildOptions, frames: string[]): string {
  const { expressions, neutral, imageSize, visibilityToleranceMm, unit } = options;
  const itemCameras = cameraChoice(options);
  const code = `${TOOL.version}+${codeDigest(BUILD_CODE)}`;
  return createHash('sha256')
    .update(JSON.stringify({ code, expressions, neutral, itemCameras, imageSize, visibilityToleranceMm, unit, frames }))
    .digest('hex');
}

/** The `build` fields of the manifest that record the item-camera choice. */
function manifestCameras(choice: ReturnType<typeof cameraChoice>): Record<string, unknown> {
  if (choice === 'frontal') return { item_cameras: 'most frontal per person' };
  if (Array.isArray(choice)) return { item_cameras: choice };
  return { item_cameras: 'diverse', max_view_angle_deg: choice.maxViewAngleDeg, seed: choice.seed };
}

/** The build options a person's build reads (what crosses to a worker thread). */
function personOptions(options: RunBuildOptions): BuildOptions {
  const { expressions, neutral, itemCameras, maxViewAngleDeg, seed, imageSize, visibilityToleranceMm } = options;
  return { expressions, neutral, itemCameras, maxViewAngleDeg, seed, imageSize, visibilityToleranceMm };
}

/**
 * `facebench build`: capture → benchmark (docs/formats.md#built-benchmark), person by person
 * with listr2 progress; with `workers` > 1 the steps of all persons (neutral scan, each
 * expression) run in that many worker threads (piscina). The files do not
 * depend on the number of workers. A person finished by an earlier run with the same code and options
 * is not redone (unless `force`).
 * The manifest (schema, options, persons, items, sha256 of every file) is written last.
 */
export async function runBuild(options: RunBuildOptions): Promise<BuildSummary> {
  const started = performance.now();
  const capture = readCapture(options.capture, options.unit, options.persons);
  checkBuildOptions(capture, options);
  assertNoLinks(options.out);
  mkdirSync(options.out, { recursive: true });
  const results = new Map<string, PersonBuild>();
  const built: string[] = [];
  const reused: string[] = [];
  const inThreadOnly = !options.serviceOptions && Boolean(options.services?.predictLabels || options.services?.reconstruct);
  // The unit of work in the threads is a step of a person (its neutral scan or one expression), so
  // that a few persons still keep every thread busy; at most persons × (expressions + 1) steps.
  const steps = capture.persons.length * (Math.max(0, options.expressions) + 1);
  const workers = inThreadOnly ? 1 : Math.max(1, Math.min(options.workers ?? 1, steps));
  // Started on the first person to build (a resumed build with nothing to do starts no thread).
  let pool: Piscina | undefined;
  /** sha256 of the files the worker threads wrote (they hash them as they go). */
  const fileHashes = new Map<string, string>();
  const threads = (): Piscina => (pool ??= new Piscina(workerPoolOptions(requireCompiledWorker(import.meta.url, 'build-worker.js', 'build worker'), workers)));
  const listr = new Listr(
    capture.persons.map((person) => ({
      title: `Person ${person.id}`,
      task: async (_ctx: unknown, task: { title: string; output: string }) => {
        const key = personKey(options, person.frames.map((f) => `${f.sequence}/${f.frame}`));
        const done = options.force ? undefined : finishedPerson(options.out, person.id, key);
        if (done) {
          results.set(person.id, done);
          reused.push(person.id);
          task.title = `Person ${person.id}: already built (${done.items.length} items)`;
          return;
        }
        const onProgress = (n: number, total: number, message: string) => {
          task.output = `${n}/${total} scans: ${message}`;
        };
        let result: PersonBuild;
        if (workers > 1) {
          const plan = planPerson(capture, person, options);
          const pool = threads();
          // Only this person's part of the capture crosses to the threads (it is copied for every step).
          const own: Capture = { ...capture, persons: [person] };
          let finished = 0;
          const stepResults = await Promise.all(
            Array.from({ length: plan.steps }, async (_, step) => {
              const request: BuildWorkerRequest = { capture: own, personId: person.id, step, out: options.out, options: personOptions(options), key, serviceOptions: options.serviceOptions };
              const { step: stepResult, hashes } = (await pool.run(request)) as BuildWorkerResult;
              for (const [rel, hash] of hashes) fileHashes.set(rel, hash);
              onProgress(++finished, plan.steps, stepResult.message);
              return stepResult;
            }),
          );
          result = finishPerson(person, plan, options.out, key, stepResults);
        } else {
          result = await buildPerson(capture, person, options.out, options, key, { ...options.services, onProgress });
        }
        results.set(person.id, result);
        built.push(person.id);
        task.title = `Person ${person.id}: ${result.items.length} items, ${(100 * result.stats.keptFraction).toFixed(1)}% of GT points kept by masking`;
      },
    })),
    // With threads, every person's steps are queued at once: the pool spreads them over the threads.
    { concurrent: workers > 1, renderer: options.progress === 'silent' ? 'silent' : process.stdout.isTTY ? 'default' : 'simple', exitOnError: true },
  );
  try {
    await listr.run();
  } finally {
    await pool?.destroy();
  }

  const persons = capture.persons.map((p) => results.get(p.id)!);
  const files: Record<string, string> = {};
  for (const rel of listFiles(options.out)) if (rel !== MANIFEST_NAME) files[rel] = fileHashes.get(rel) ?? sha256File(join(options.out, rel));
  const manifest: Manifest = {
    schema: MANIFEST_SCHEMA,
    version: MANIFEST_VERSION,
    tool: { ...TOOL },
    created: new Date().toISOString(),
    source: { capture: resolve(options.capture), unit: options.unit, demo: options.demo ?? false },
    protocol: { name: 'nersemble', tasks: ['posed', 'neutral'], unit: 'mm' },
    build: {
      expressions: options.expressions,
      neutral: options.neutral ?? null,
      ...manifestCameras(cameraChoice(options)),
      image_size: options.imageSize,
      visibility_tolerance_mm: options.visibilityToleranceMm,
      stats: Object.fromEntries(persons.map((p) => [p.person.id, p.stats])),
    },
    persons: persons.map((p) => p.person),
    items: persons.flatMap((p) => p.items),
    files,
  };
  writeFileAtomic(join(options.out, MANIFEST_NAME), `${JSON.stringify(manifest, null, 1)}\n`);
  const order = (ids: string[]) => capture.persons.map((p) => p.id).filter((id) => ids.includes(id));
  return { manifest, built: order(built), reused: order(reused), seconds: (performance.now() - started) / 1000 };
}
