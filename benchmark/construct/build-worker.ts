/** Worker-thread entry of `facebench build` (piscina): builds one person per call. */
import type { MessagePort } from 'node:worker_threads';
import { buildPerson, type BuildOptions, type BuildServices, type PersonBuild } from './build-person.js';
import type { Capture } from './capture.js';
import { buildServices, type ServiceOptions } from './services.js';

export interface BuildWorkerRequest {
  capture: Capture;
  personId: string;
  out: string;
  options: BuildOptions;
  key: string;
  /** How to make the parser / COLMAP helpers in this thread (functions do not cross threads). */
  serviceOptions?: ServiceOptions;
  /** Receives [done, total, message] after every frame. */
  port: MessagePort;
}

let services: { key: string; value: Promise<BuildServices & { release(): Promise<void> }> } | undefined;

export default async function run(request: BuildWorkerRequest): Promise<PersonBuild> {
  const person = request.capture.persons.find((p) => p.id === request.personId)!;
  let helpers: BuildServices = {};
  if (request.serviceOptions) {
    const key = JSON.stringify(request.serviceOptions);
    if (services?.key !== key) services = { key, value: buildServices(request.serviceOptions) };
    helpers = await services.value;
  }
  try {
    return await buildPerson(request.capture, person, request.out, request.options, request.key, {
      reconstruct: helpers.reconstruct,
      predictLabels: helpers.predictLabels,
      onProgress: (done, total, message) => request.port.postMessage([done, total, message]),
    });
  } finally {
    request.port.close();
  }
}
