/**
 * Worker-thread entry of `facebench predict` (piscina): predicts one item per call with a
 * built-in method looked up by name, reading the item's input from its source (sources.ts,
 * reopened from its spec once per thread). The method's `prepare` runs once per thread (and
 * source and resume key) before its first item; if it fails, every item of that thread fails
 * with its error.
 */
import { registerBuiltinMethods } from '../../baselines/builtin.js';
import { getMethod } from '../../baselines/registry.js';
import { errorLine, runItem, type ItemOutcome } from './predict-item.js';
import { sourceReader, type RunItem, type SourceReader, type SourceSpec } from './sources.js';

export interface PredictWorkerRequest {
  method: string;
  /** Parsed options (plain JSON data). */
  options: unknown;
  key: string;
  source: SourceSpec;
  out: string;
  item: RunItem;
}

const readers = new Map<string, SourceReader>();
const prepared = new Map<string, Promise<void>>();

export default async function run(request: PredictWorkerRequest): Promise<ItemOutcome> {
  try {
    registerBuiltinMethods();
    const adapter = getMethod(request.method);
    const sourceKey = JSON.stringify(request.source);
    let reader = readers.get(sourceKey);
    if (!reader) {
      reader = sourceReader(request.source);
      readers.set(sourceKey, reader);
    }
    const readyKey = `${sourceKey}|${request.key}`;
    let ready = prepared.get(readyKey);
    if (!ready) {
      ready = adapter.prepare ? adapter.prepare({ bench: reader.root, manifest: reader.manifest, options: request.options }) : Promise.resolve();
      prepared.set(readyKey, ready);
    }
    await ready;
    return await runItem(adapter, request.options, request.key, reader, request.item, request.out);
  } catch (error) {
    return { person: request.item.person, item: request.item.id, status: 'error', seconds: 0, error: errorLine(error) };
  }
}
