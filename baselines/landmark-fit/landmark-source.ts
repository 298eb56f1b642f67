/**
 * 2D landmark inputs of the landmark fit: 68 iBUG points in the pixel coordinates of the
 * item's input crop (OpenCV: pixel centres at integers), from a landmark folder laid out as
 * the predictions are (`<folder>/<pid>/<item>/landmarks2d.json` — `[[x, y], …]` — or
 * `landmarks2d.npy` (68, 2) / (1, 68, 2)).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../../evaluators/errors.js';
import { readNpy } from '../../evaluators/io/index.js';

export const IBUG68 = 68;

/** Read a 68-point 2D landmark file (.json or .npy); NaN/null marks a missing point. */
export function readLandmarks2d(path: string): Float64Array {
  if (!existsSync(path)) throw new InputError(path, 'file not found');
  if (path.toLowerCase().endsWith('.npy')) {
    const a = readNpy(path);
    const shape = a.shape.length === 3 && a.shape[0] === 1 ? a.shape.slice(1) : a.shape;
    if (shape.length !== 2 || shape[0] !== IBUG68 || shape[1] !== 2) throw new InputError(path, `expected shape (68, 2) of iBUG-68 pixel coordinates, got (${a.shape.join(', ')})`);
    return Float64Array.from(a.data as ArrayLike<number>, Number);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new InputError(path, `not valid JSON (${(error as Error).message})`);
  }
  if (!Array.isArray(doc) || doc.length !== IBUG68) throw new InputError(path, `expected a JSON list of 68 [x, y] pixel pairs, got ${Array.isArray(doc) ? `${doc.length} entries` : typeof doc}`);
  const out = new Float64Array(2 * IBUG68);
  doc.forEach((p, i) => {
    if (!Array.isArray(p) || p.length < 2) throw new InputError(path, `entry ${i} is not an [x, y] pair`);
    for (let c = 0; c < 2; c++) {
      const v = p[c];
      if (v === null) out[2 * i + c] = Number.NaN;
      else if (typeof v === 'number') out[2 * i + c] = v;
      else throw new InputError(path, `entry ${i} has a non-numeric coordinate`);
    }
  });
  return out;
}

/** `<folder>/<pid>/<item>/landmarks2d.json` or `.npy` (JSON preferred); InputError when neither exists. */
export function landmarkFileFor(folder: string, person: string, item: string): string {
  const dir = join(folder, person, item);
  for (const name of ['landmarks2d.json', 'landmarks2d.npy']) {
    const path = join(dir, name);
    if (existsSync(path)) return path;
  }
  throw new InputError(join(dir, 'landmarks2d.json'), 'missing: the landmark folder needs landmarks2d.json ([[x,y]×68], crop pixels) or landmarks2d.npy (68,2) for every item');
}

/** Width and height of a PNG from its header (no decoding; evaluators/image). */
export { pngSize } from '../../evaluators/image/index.js';
