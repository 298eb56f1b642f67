/**
 * The camera of an item's input crop: the capture camera (capture-cameras.ts) followed by the
 * crop of meta.json's `crop_box {x, y, size, output_size}` (docs/formats.md#built-benchmark).
 * Crop pixel i samples the source at x + (i + ½)·s with s = size/output_size (pixel centres at
 * integers), so a source position u maps to (u − x)/s − ½: K_crop = diag(1/s, 1/s, 1)·K with the
 * principal point moved to ((c_x − x)/s − ½, (c_y − y)/s − ½). R and t are the camera's.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../errors.js';
import { readCameraParams, type Camera } from './capture-cameras.js';
import { readJsonValue } from './json-file.js';
import type { ItemRecord, Manifest } from './manifest.js';

/** A crop camera in mm, OpenCV convention, pixel centres at integer coordinates. */
export interface CropCamera {
  /** 3x3 row-major intrinsics of the crop, pixels. */
  K: Float64Array;
  /** 3x3 row-major world-to-camera rotation. */
  R: Float64Array;
  /** World-to-camera translation, mm. */
  t: Float64Array;
  /** Side of the square crop, pixels. */
  size: number;
}

/** meta.json's crop box. */
export interface CropBox {
  x: number;
  y: number;
  size: number;
  output_size: number;
}

/** `value` as a crop box, or a one-line InputError naming `metaFile`. */
export function parseCropBox(value: unknown, metaFile: string): CropBox {
  const box = value as Partial<Record<keyof CropBox, unknown>> | undefined;
  if (!box || typeof box !== 'object' || typeof box.x !== 'number' || typeof box.y !== 'number' || typeof box.size !== 'number' || typeof box.output_size !== 'number' || !(box.size > 0) || !(box.output_size > 0)) {
    throw new InputError(metaFile, 'needs crop_box {x, y, size, output_size} (numbers, size > 0)');
  }
  return { x: box.x, y: box.y, size: box.size, output_size: box.output_size };
}

/** The crop camera of `camera` cropped by `box` (see the file comment). */
export function cropCameraFromBox(camera: Pick<Camera, 'K' | 'R' | 't'>, box: CropBox): CropCamera {
  const s = box.size / box.output_size;
  const K = camera.K;
  return {
    K: Float64Array.of(K[0] / s, K[1] / s, (K[2] - box.x) / s - 0.5, 0, K[4] / s, (K[5] - box.y) / s - 0.5, 0, 0, 1),
    R: camera.R,
    t: camera.t,
    size: box.output_size,
  };
}

/**
 * The crop camera of a built benchmark's item, from the capture it was built from
 * (`<manifest.source.capture>/<pid>/camera_params.json`, the item's camera) and the item's
 * `meta.json` crop box. Throws a one-line InputError when the capture, its camera file, the
 * item's camera or the crop box is missing.
 */
export function readItemCropCamera(bench: string, manifest: Pick<Manifest, 'source'>, item: Pick<ItemRecord, 'person' | 'camera' | 'dir'>): CropCamera {
  const capture = manifest.source.capture;
  if (!existsSync(capture)) throw new InputError(join(bench, 'manifest.json'), `the capture ${capture} it was built from no longer exists`);
  const file = join(capture, item.person, 'camera_params.json');
  if (!existsSync(file)) throw new InputError(file, 'missing (the capture has no cameras for this person)');
  const camera = readCameraParams(file, manifest.source.unit).get(item.camera);
  if (!camera) throw new InputError(file, `has no camera ${item.camera} (the item's camera)`);
  const metaFile = join(bench, item.dir, 'meta.json');
  const meta = readJsonValue(metaFile) as { crop_box?: unknown } | null;
  return cropCameraFromBox(camera, parseCropBox(meta?.crop_box, metaFile));
}
