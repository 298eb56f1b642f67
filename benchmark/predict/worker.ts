/**
 * Worker-thread entry of `facebench predict` (piscina): predicts one item per call with a
 * built-in method looked up by name. The method's `prepare` runs once per thread (and
 * method key) before its first item; if it fails, every item of that thread fails with its error.
 */
import { registerBuiltinMethods } from '../../baselines/builtin.js';
import { getMethod } from '../../baselines/registry.js';
import { readManifest, type ItemRecord, type Manifest } from '../../evaluators/formats/index.js';
import { errorLine, runItem, type ItemOutcome } from './predict-item.js';

export interface PredictWorkerRequest {
  method: string;
  /** Parsed options (plain JSON data). */
  options: unknown;
  key: string;
  bench: string;
  out: string;
  item: ItemRecord;
}

const manifests = new Map<string, Manifest>();
const prepared = new Map<string, Promise<void>>();

export default async function run(request: PredictWorkerRequest): Promise<ItemOutcome> {
  try {
    registerBuiltinMethods();
    const adapter = getMethod(request.method);
    let manifest = manifests.get(request.bench);
    if (!manifest) {
      manifest = readManifest(request.bench);
      manifests.set(request.bench, manifest);
    }
    const readyKey = `${request.bench}|${request.key}`;
    let ready = prepared.get(readyKey);
    if (!ready) {
      ready = adapter.prepare ? adapter.prepare({ bench: request.bench, manifest, options: request.options }) : Promise.resolve();
      prepared.set(readyKey, ready);
    }
    await ready;
    return await runItem(adapter, request.options, request.key, request.bench, manifest, request.item, request.out);
  } catch (error) {
    return { person: request.item.person, item: request.item.id, status: 'error', seconds: 0, error: errorLine(error) };
  }
}
