import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { InputError } from '../../evaluators/errors.js';
import {
  benchmarkId, methodName, readManifest, verifyBenchmarkFiles, writeNormalsDocument, type NormalsDocument, type NormalsItem,
} from '../../evaluators/formats/index.js';
import { readRgbImage } from '../../evaluators/image/index.js';
import { npyToFloat64, readNpy } from '../../evaluators/io/index.js';
import { scoreNormalMaps } from '../../evaluators/metrics/index.js';
import { TOOL } from '../../evaluators/util/index.js';
import { printer } from '../options.js';

export interface EvalNormalsOptions {
  bench: string;
  pred: string;
  out: string;
  /** The method's name in normals.json and the report (default: method.json's name, else the predictions folder's name). */
  method?: string;
  quiet?: boolean;
}

/** An H×W×3 normal map from `.npy` (float, camera frame) or `.png` (8-bit, n = 2·v/255 − 1). */
function readNormalMap(path: string, width: number, height: number): Float64Array {
  if (path.endsWith('.png')) {
    const image = readRgbImage(path);
    if (image.width !== width || image.height !== height) throw new InputError(path, `is ${image.width}x${image.height}; expected ${width}x${height} like the item's crop`);
    return Float64Array.from(image.data, (v) => (2 * v) / 255 - 1);
  }
  const array = readNpy(path);
  const shape = array.shape;
  if (shape.length !== 3 || shape[0] !== height || shape[1] !== width || shape[2] !== 3) {
    throw new InputError(path, `has shape (${shape.join(', ')}); expected (${height}, ${width}, 3)`);
  }
  return npyToFloat64(array);
}

/**
 * `facebench eval-normals`: score predicted normal maps (`<pred>/<pid>/<item>/normals.npy` or
 * `normals.png`) against each item's GT `normals.npy`; writes OUT/normals.json and normals.csv
 * (evaluators/formats/normals.ts), named `--method` (default: as `eval` names results, the
 * predictions' method.json name, else the predictions folder's name) and carrying the
 * benchmark's id, so `facebench report` can put them beside Table 2 (as Table 4).
 */
export function evalNormalsCommand(options: EvalNormalsOptions): NormalsDocument {
  const manifest = readManifest(options.bench);
  const method = methodName(options.pred, options.method);
  const say = printer(options.quiet);
  const gtPaths = manifest.items.map((item) => {
    const gtPath = join(options.bench, item.dir, 'normals.npy');
    if (!existsSync(gtPath)) throw new InputError(gtPath, 'not found: the benchmark has no GT normal maps (rebuild it with this version of facebench)');
    return gtPath;
  });
  // The results carry the benchmark's id: the GT maps they were scored against must be the built ones.
  verifyBenchmarkFiles(options.bench, manifest, manifest.items.map((item) => `${item.dir}/normals.npy`));
  const items: NormalsItem[] = [];
  const missingItems: string[] = [];
  manifest.items.forEach((item, i) => {
    const gtPath = gtPaths[i];
    const gtArray = readNpy(gtPath);
    const [height, width] = gtArray.shape;
    if (gtArray.shape.length !== 3 || gtArray.shape[2] !== 3) throw new InputError(gtPath, `has shape (${gtArray.shape.join(', ')}); expected (H, W, 3)`);
    const base = join(options.pred, item.person, item.id);
    const predPath = [join(base, 'normals.npy'), join(base, 'normals.png')].find((p) => existsSync(p));
    if (!predPath) {
      missingItems.push(`${item.person}/${item.id}`);
      return;
    }
    const score = scoreNormalMaps(npyToFloat64(gtArray), readNormalMap(predPath, width, height), width, height, predPath);
    items.push({ person: item.person, item: item.id, ...score });
  });
  if (items.length === 0) throw new InputError(options.pred, `has no normal map for any of the ${manifest.items.length} items (<pid>/<item>/normals.npy or normals.png)`);
  const pixels = items.reduce((a, r) => a + r.pixels, 0);
  const overall = {
    items: items.length,
    missingItems: missingItems.length,
    meanCosine: items.reduce((a, r) => a + r.meanCosine, 0) / items.length,
    meanAngleDeg: items.reduce((a, r) => a + r.meanAngleDeg, 0) / items.length,
    medianAngleDeg: items.reduce((a, r) => a + r.medianAngleDeg, 0) / items.length,
    pixels,
  };
  const doc: NormalsDocument = {
    tool: TOOL,
    method,
    benchmark_id: benchmarkId(manifest),
    bench: resolve(options.bench),
    pred: resolve(options.pred),
    created: new Date().toISOString(),
    overall,
    missing: missingItems,
    items,
  };
  mkdirSync(options.out, { recursive: true });
  const written = writeNormalsDocument(options.out, doc);
  say(`${method} normal maps: ${items.length} items, mean cosine ${overall.meanCosine.toFixed(4)}, angular error mean ${overall.meanAngleDeg.toFixed(2)}° median ${overall.medianAngleDeg.toFixed(2)}°${missingItems.length ? ` (${missingItems.length} items without a prediction)` : ''}`);
  say(`wrote ${written.json} and normals.csv`);
  return doc;
}
