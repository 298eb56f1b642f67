/**
 * Files of a built benchmark's item that methods read beside its input crop
 * (docs/formats.md#built-benchmark).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { readLabelMap } from '../evaluators/image/index.js';
import type { PredictItem } from './adapter.js';

/**
 * The item's face mask, when the benchmark has one (`face_mask.png`, 255 = face, written by
 * the builder from the item camera's label map): 1 per face pixel, else undefined.
 */
export function itemFaceMask(item: PredictItem): Uint8Array | undefined {
  const path = join(item.bench, item.item.dir, 'face_mask.png');
  if (!existsSync(path)) return undefined;
  const labels = readLabelMap(path);
  const mask = new Uint8Array(labels.data.length);
  for (let p = 0; p < mask.length; p++) mask[p] = labels.data[p] > 127 ? 1 : 0;
  return mask;
}
