/**
 * The error map of a scored task, `items/<pid>/<item>/<task>.errors.bin` beside its record:
 * the distances (mm) of every s-th scored GT point to the aligned prediction, s =
 * ⌈scored / ERROR_MAP_POINTS⌉, in the order the protocol scores them. `facebench eval`
 * writes it from the distances it has just measured, so that the report's pictures need
 * neither a BVH nor a closest-point pass (docs/formats.md#error-maps).
 *
 * Layout, little-endian: the 8 bytes `FBERRMAP`, uint32 version (1), uint32 scored points,
 * uint32 stored values n, the task record's 64-hex `key` in ASCII (the map belongs to the
 * scoring of that key only), then n float32 distances.
 */
import { InputError } from '../errors.js';

/** Most distances stored per task: one per pixel of the report page's 128-px panel tiles. */
export const ERROR_MAP_POINTS = 16_384;
const MAGIC = 'FBERRMAP';
const VERSION = 1;
const KEY_LENGTH = 64;
const KEY_PATTERN = /^[0-9a-f]{64}$/;
const HEADER_BYTES = MAGIC.length + 12 + KEY_LENGTH;
const LITTLE_ENDIAN = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;

/** The decoded contents of an error map. */
export interface ErrorMap {
  /** The `key` of the task record whose scoring measured these distances. */
  key: string;
  /** GT points the protocol scored. */
  scored: number;
  /** Distance (mm) of scored point k·stride, k = 0 … ⌈scored / stride⌉ − 1. */
  distances: Float32Array;
}

/** Every how many scored points an error map keeps one: ⌈scored / ERROR_MAP_POINTS⌉ (at least 1). */
export function errorMapStride(scored: number): number {
  return Math.max(1, Math.ceil(scored / ERROR_MAP_POINTS));
}

/** Distances an error map of `scored` points stores: ⌈scored / errorMapStride(scored)⌉. */
function storedCount(scored: number): number {
  return Math.ceil(scored / errorMapStride(scored));
}

/**
 * The stride of a picture of at most `maxPoints` of `scored` points (every stride-th scored
 * point): ⌈scored / maxPoints⌉, rounded up to a multiple of the error map's stride when it is
 * at least that, so that the map holds every point of any picture no denser than itself.
 */
export function pictureStride(scored: number, maxPoints: number): number {
  const stride = Math.max(1, Math.ceil(scored / maxPoints));
  const own = errorMapStride(scored);
  return stride >= own ? own * Math.ceil(stride / own) : stride;
}

/** The error map of one scoring from all its per-point distances (one per scored point). */
export function errorMapOf(key: string, distances: Float64Array): ErrorMap {
  const stride = errorMapStride(distances.length);
  const kept = new Float32Array(storedCount(distances.length));
  for (let k = 0; k < kept.length; k++) kept[k] = distances[k * stride];
  return { key, scored: distances.length, distances: kept };
}

/** The file bytes of `map`. */
export function encodeErrorMap(map: ErrorMap): Uint8Array {
  if (!KEY_PATTERN.test(map.key)) throw new RangeError(`encodeErrorMap: key must be 64 lowercase hex digits, got ${JSON.stringify(map.key)}`);
  const expected = storedCount(map.scored);
  if (map.distances.length !== expected) throw new RangeError(`encodeErrorMap: ${map.distances.length} distances for ${map.scored} scored points (expected ${expected})`);
  const bytes = new Uint8Array(HEADER_BYTES + 4 * map.distances.length);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < MAGIC.length; i++) bytes[i] = MAGIC.charCodeAt(i);
  view.setUint32(8, VERSION, true);
  view.setUint32(12, map.scored, true);
  view.setUint32(16, map.distances.length, true);
  for (let i = 0; i < KEY_LENGTH; i++) bytes[20 + i] = map.key.charCodeAt(i);
  if (LITTLE_ENDIAN) bytes.set(new Uint8Array(map.distances.buffer, map.distances.byteOffset, 4 * map.distances.length), HEADER_BYTES);
  else for (let k = 0; k < map.distances.length; k++) view.setFloat32(HEADER_BYTES + 4 * k, map.distances[k], true);
  return bytes;
}

/**
 * Decode the bytes of an error map read from `path`. Refuses (InputError naming `path`) a
 * wrong signature or version, a length that does not match the header, a stored count that
 * does not match the scored points, a key that is not 64 hex digits, and a distance that is
 * negative or not finite.
 */
export function decodeErrorMap(bytes: Uint8Array, path: string): ErrorMap {
  const fail = (detail: string): never => {
    throw new InputError(path, `is not a valid error map (${detail}); run \`facebench eval\` again to rewrite it`);
  };
  if (bytes.length < HEADER_BYTES) fail(`${bytes.length} bytes, shorter than its ${HEADER_BYTES}-byte header`);
  for (let i = 0; i < MAGIC.length; i++) if (bytes[i] !== MAGIC.charCodeAt(i)) fail(`it does not start with ${MAGIC}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint32(8, true);
  if (version !== VERSION) fail(`version ${version}, this facebench reads version ${VERSION}`);
  const scored = view.getUint32(12, true);
  const count = view.getUint32(16, true);
  if (count !== storedCount(scored)) fail(`${count} distances for ${scored} scored points`);
  if (bytes.length !== HEADER_BYTES + 4 * count) fail(`${bytes.length} bytes where its header announces ${HEADER_BYTES + 4 * count}`);
  const key = String.fromCharCode(...bytes.subarray(20, 20 + KEY_LENGTH));
  if (!KEY_PATTERN.test(key)) fail('its key is not 64 hex digits');
  // The payload copied into its own (aligned) buffer; DataView reads cost far more in a short command.
  const distances = new Float32Array(count);
  if (LITTLE_ENDIAN) new Uint8Array(distances.buffer).set(bytes.subarray(HEADER_BYTES));
  else for (let k = 0; k < count; k++) distances[k] = view.getFloat32(HEADER_BYTES + 4 * k, true);
  for (let k = 0; k < count; k++) {
    const d = distances[k];
    if (!(d >= 0 && d < Infinity)) fail(`distance ${k} is ${d}`);
  }
  return { key, scored, distances };
}

/**
 * The distances of every `stride`-th scored point (k·stride, k = 0 … ⌈scored / stride⌉ − 1) from
 * an error map, or undefined when the map does not hold them all: `scored` is not the map's
 * (the GT changed), or `stride` is not a multiple of the map's stride.
 */
export function errorMapDistances(map: ErrorMap, scored: number, stride: number): Float64Array | undefined {
  const own = errorMapStride(map.scored);
  if (map.scored !== scored || !Number.isInteger(stride) || stride < 1 || stride % own !== 0) return undefined;
  const step = stride / own;
  const out = new Float64Array(Math.ceil(scored / stride));
  for (let k = 0; k < out.length; k++) out[k] = map.distances[k * step];
  return out;
}
