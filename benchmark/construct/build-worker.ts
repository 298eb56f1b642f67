/**
 * Worker-thread entry of `facebench build` (piscina): builds one step of a person per call
 * (build-person.ts buildPersonStep: the neutral scan, or one selected expression), so that
 * the steps of all persons share the threads evenly.
 */
import { join } from 'node:path';
import { listFiles } from '../../evaluators/formats/index.js';
import { sha256File } from '../../evaluators/io/index.js';
import { buildPersonStep, planPerson, type BuildOptions, type BuildServices, type PersonPlan, type PersonStep } from './build-person.js';
import type { Capture } from './capture.js';
import { buildServices, type ServiceOptions } from './services.js';

export interface BuildWorkerRequest {
  capture: Capture;
  personId: string;
  /** 0: the neutral scan; k ≥ 1: the expression of rank k − 1. */
  step: number;
  out: string;
  options: BuildOptions;
  key: string;
  /** How to make the parser / COLMAP helpers in this thread (functions do not cross threads). */
  serviceOptions?: ServiceOptions;
}

/** A step's result and the sha256 of every file it wrote (relative to `out`), for the manifest. */
export interface BuildWorkerResult {
  step: PersonStep;
  hashes: [string, string][];
}

let services: { key: string; value: Promise<BuildServices & { release(): Promise<void> }> } | undefined;
/** The plans of the persons this thread has built steps of (the main thread makes the same plan). */
let plans: { key: string; value: Map<string, PersonPlan> } | undefined;

export default async function run(request: BuildWorkerRequest): Promise<BuildWorkerResult> {
  const person = request.capture.persons.find((p) => p.id === request.personId)!;
  let helpers: BuildServices = {};
  if (request.serviceOptions) {
    const key = JSON.stringify(request.serviceOptions);
    if (services?.key !== key) services = { key, value: buildServices(request.serviceOptions) };
    helpers = await services.value;
  }
  const planKey = JSON.stringify([request.key, request.out, request.capture.root, request.options]);
  if (plans?.key !== planKey) plans = { key: planKey, value: new Map() };
  let plan = plans.value.get(person.id);
  if (!plan) {
    plan = planPerson(request.capture, person, request.options);
    plans.value.set(person.id, plan);
  }
  const step = await buildPersonStep(request.capture, person, plan, request.step, request.out, request.options, {
    reconstruct: helpers.reconstruct,
    predictLabels: helpers.predictLabels,
  });
  // Hashed here, in parallel, while the files are fresh in the page cache, rather than all at the end in the main thread.
  const dirs = request.step === 0 ? [`persons/${person.id}/neutral`] : step.items.map((i) => i.dir);
  const hashes = dirs.flatMap((dir) => listFiles(request.out, join(request.out, dir)).map((rel): [string, string] => [rel, sha256File(join(request.out, rel))]));
  return { step, hashes };
}
