/**
 * The calibrated cameras of a NeRSemble-layout capture: `<pid>/camera_params.json`
 * (docs/formats.md#raw-capture), read into millimetres. Shared by the benchmark builder and by
 * methods that render into an item's camera (demo-truth priors).
 */
import { InputError } from '../errors.js';
import { MM_PER_UNIT, type LengthUnit } from '../geometry/types.js';
import { plainName } from '../util/index.js';
import { readJsonValue as readJson } from './json-file.js';

/**
 * A calibrated camera in millimetres, OpenCV convention (x right, y down, z forward):
 * x_cam = R·x_world + t, pixel = K·x_cam / z with pixel centres at integer coordinates.
 */
export interface Camera {
  serial: string;
  /** 3x3 row-major intrinsics, pixels. */
  K: Float64Array;
  /** 3x3 row-major world-to-camera rotation. */
  R: Float64Array;
  /** World-to-camera translation, mm. */
  t: Float64Array;
}


function matrix(value: unknown, rows: number, cols: number, file: string, what: string): Float64Array {
  if (!Array.isArray(value) || value.length !== rows || value.some((r) => !Array.isArray(r) || r.length !== cols)) {
    throw new InputError(file, `${what} must be a ${rows}x${cols} nested list`);
  }
  const out = Float64Array.from((value as number[][]).flat());
  if (out.some((v) => !Number.isFinite(v))) throw new InputError(file, `${what} has a non-finite entry`);
  return out;
}

/** camera_params.json: `{"world_2_cam": {serial: 4x4}, "intrinsics": 3x3 | {serial: 3x3}}`, translations converted to mm. */
export function readCameraParams(path: string, unit: LengthUnit): Map<string, Camera> {
  const doc = readJson(path) as { world_2_cam?: Record<string, unknown>; intrinsics?: unknown };
  if (!doc || typeof doc !== 'object' || !doc.world_2_cam || typeof doc.world_2_cam !== 'object') {
    throw new InputError(path, 'needs a "world_2_cam" object mapping camera serials to 4x4 matrices');
  }
  if (doc.intrinsics === undefined) throw new InputError(path, 'needs "intrinsics": one 3x3 matrix or one per serial');
  const shared = Array.isArray(doc.intrinsics) ? matrix(doc.intrinsics, 3, 3, path, 'intrinsics') : undefined;
  const perCamera = shared ? undefined : (doc.intrinsics as Record<string, unknown>);
  const scale = MM_PER_UNIT[unit];
  const cameras = new Map<string, Camera>();
  for (const [serial, value] of Object.entries(doc.world_2_cam)) {
    plainName(serial, 'camera serial', path); // it becomes part of item ids and folder names
    const m = matrix(value, 4, 4, path, `world_2_cam["${serial}"]`);
    let K = shared;
    if (!K) {
      if (!perCamera || perCamera[serial] === undefined) throw new InputError(path, `camera ${serial} has a pose but no intrinsics`);
      K = matrix(perCamera[serial], 3, 3, path, `intrinsics["${serial}"]`);
    }
    cameras.set(serial, {
      serial,
      K,
      R: Float64Array.of(m[0], m[1], m[2], m[4], m[5], m[6], m[8], m[9], m[10]),
      t: Float64Array.of(m[3] * scale, m[7] * scale, m[11] * scale),
    });
  }
  if (cameras.size === 0) throw new InputError(path, 'lists no cameras');
  return cameras;
}
