import { InputError } from '../../evaluators/errors.js';
import { deriveSeed, seededRandom } from '../../evaluators/util/index.js';
import type { Camera } from '../../evaluators/formats/capture-cameras.js';
import { inFrontOf, roundAngle, viewAngleDeg } from './view-angle.js';

/**
 * Which camera's image becomes each item (`--item-cameras`):
 * - `frontal` (default): per person one camera, the most frontal at the neutral frame, for every item;
 * - `diverse`: per item one camera drawn (seeded) among those that see the face within
 *   `maxViewAngleDeg` of frontal, so a person's items span viewpoints as in the official
 *   NeRSemble SVFR benchmark;
 * - a list of serials: every item frame from each of these cameras.
 */
export type ItemCameras = 'frontal' | 'diverse' | string[];

export const ITEM_CAMERA_MODES = ['frontal', 'diverse'] as const;

/** Default `--max-view-angle`: cameras up to 60° from the head's forward direction are eligible in diverse mode. */
export const DEFAULT_MAX_VIEW_ANGLE_DEG = 60;
/** Default `--seed` of the diverse camera draw. */
export const DEFAULT_CAMERA_SEED = 1;

/** The `--item-cameras` values: one mode word, or camera serials. */
export function parseItemCameras(values: string[] | undefined): ItemCameras {
  if (!values || values.length === 0) return 'frontal';
  const modes = values.filter((v): v is (typeof ITEM_CAMERA_MODES)[number] => (ITEM_CAMERA_MODES as readonly string[]).includes(v));
  if (modes.length === 0) return values;
  if (values.length > 1) throw new InputError('--item-cameras', `takes one mode (${ITEM_CAMERA_MODES.join(' or ')}) or a list of camera serials, not both: got ${values.join(' ')}`);
  return modes[0];
}

/** 32-bit FNV-1a of a string, to derive per-item seeds from names. */
function hashText(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

export interface CameraChoice {
  serial: string;
  /** View angle of the chosen camera, degrees (rounded as recorded). */
  angle: number;
  /** Cameras that were eligible (within the limit, with an image, facing the head). */
  eligible: number;
}

/**
 * The diverse-mode camera of one item: drawn uniformly among the cameras (in serial order)
 * that have an image of the frame, have every landmark in front of them and see the face
 * within `maxViewAngleDeg` of its forward direction. The draw is seeded by `seed`, the person
 * id and the frame (sequence and number), so it does not depend on the order of the build or
 * on the other items. When no camera qualifies, the one with the smallest view angle is taken.
 */
export function drawItemCamera(
  cameras: Map<string, Camera>,
  imageSerials: Iterable<string>,
  landmarks: Float64Array,
  centre: [number, number, number],
  forward: [number, number, number],
  options: { maxViewAngleDeg: number; seed: number; person: string; sequence: string; frame: number; dir?: string },
): CameraChoice {
  const views = [...new Set(imageSerials)]
    .filter((s) => cameras.has(s) && inFrontOf(cameras.get(s)!, landmarks))
    .sort()
    .map((serial) => ({ serial, angle: roundAngle(viewAngleDeg(cameras.get(serial)!, centre, forward)) }));
  if (views.length === 0) throw new InputError(options.dir ?? `${options.person}/${options.sequence}/${options.frame}`, 'no camera with an image has the face in front of it (--item-cameras diverse)');
  const eligible = views.filter((v) => v.angle <= options.maxViewAngleDeg);
  if (eligible.length === 0) {
    const best = views.reduce((a, b) => (b.angle < a.angle ? b : a));
    return { ...best, eligible: 0 };
  }
  const random = seededRandom(deriveSeed(options.seed, hashText(options.person), hashText(options.sequence), options.frame));
  const pick = eligible[Math.min(eligible.length - 1, Math.floor(random() * eligible.length))];
  return { ...pick, eligible: eligible.length };
}
