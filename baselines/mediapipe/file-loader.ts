/**
 * A tfjs model loader for `file://` URLs. `@vladmandic/human` hands tfjs model URLs built
 * from `modelBasePath`; in its WASM build for Node the only loader is tfjs's HTTP one, which
 * calls `fetch`, and Node's `fetch` refuses `file://`. This registers a load router
 * (tfjs-core `io.registerLoadRouter`) that reads the model JSON and its weight shards from
 * disk, following the tfjs layers/graph-model format ("model.json": `modelTopology` plus
 * `weightsManifest: [{paths, weights}]`, shards concatenated in manifest order).
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type * as TfCore from '@tensorflow/tfjs-core';

type ModelJson = Parameters<typeof TfCore.io.getModelArtifactsForJSON>[0];
type WeightsManifest = TfCore.io.WeightsManifestConfig;
type WeightSpec = TfCore.io.WeightsManifestEntry;

/** Read one tfjs model (JSON + binary shards) from disk into model artifacts. */
export async function loadModelArtifacts(tf: typeof TfCore, jsonPath: string): Promise<TfCore.io.ModelArtifacts> {
  let json: ModelJson;
  try {
    json = JSON.parse(readFileSync(jsonPath, 'utf8')) as ModelJson;
  } catch (error) {
    throw new Error(`${jsonPath}: cannot read the tfjs model JSON (${(error as Error).message}); reinstall @vladmandic/human`);
  }
  return tf.io.getModelArtifactsForJSON(json, async (manifest: WeightsManifest): Promise<[WeightSpec[], ArrayBuffer]> => {
    const specs: WeightSpec[] = [];
    const shards: Buffer[] = [];
    for (const group of manifest) {
      for (const shard of group.paths) shards.push(readFileSync(join(dirname(jsonPath), shard)));
      specs.push(...group.weights);
    }
    const all = Buffer.concat(shards);
    return [specs, all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength) as ArrayBuffer];
  });
}

const registered = new WeakSet<object>();

/** Let `tf.loadGraphModel('file:///…/model.json')` read from disk (once per tfjs-core instance). */
export function registerFileLoader(tf: typeof TfCore): void {
  if (registered.has(tf.io)) return;
  registered.add(tf.io);
  // tfjs calls every router and keeps the non-null answers; its type omits the null.
  const router = (url: string | string[]): TfCore.io.IOHandler | null => {
    if (typeof url !== 'string' || !url.startsWith('file://')) return null;
    const path = fileURLToPath(url);
    return { load: () => loadModelArtifacts(tf, path) };
  };
  tf.io.registerLoadRouter(router as (url: string | string[]) => TfCore.io.IOHandler);
}
