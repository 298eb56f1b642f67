import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { InputError } from '../../evaluators/errors.js';
import { gatherPoints } from '../../evaluators/geometry/points.js';
import type { PointCloud } from '../../evaluators/geometry/types.js';
import { writeLandmarksJson, writeNpy, writePly, writeFileAtomic } from '../../evaluators/io/index.js';
import { cameraCentre } from './camera.js';
import { frameKey, readFrameLandmarks, type Capture, type CaptureFrame, type CapturePerson } from './capture.js';
import { cropAndResize, cropFaceMask, faceCropBox } from './crop.js';
import { pickNeutral, selectExpressions } from './expressions.js';
import { frameCloud, frameDepthMaps, frameLabelViews, type CloudReconstructor, type CloudSource, type LabelPredictor } from './frame-geometry.js';
import { encodeGray8Png, readRgbImage, writeRgbPng } from '../../evaluators/image/index.js';
import type { ItemRecord, PersonRecord } from '../../evaluators/formats/index.js';
import { DEFAULT_CAMERA_SEED, DEFAULT_MAX_VIEW_ANGLE_DEG, drawItemCamera, type ItemCameras } from './item-cameras.js';
import { maskByLabels } from './masking.js';
import { cropNormalMap } from './normal-map.js';
import { SEVEN_LANDMARKS } from '../../evaluators/protocols/index.js';
import { faceForward, headCentre, headForward, roundAngle, viewAngleDeg } from './view-angle.js';

export interface BuildOptions {
  /** Expressions per person chosen by furthest point sampling. */
  expressions: number;
  /** `SEQ/frame` of the neutral frame (all persons), else the documented rule. */
  neutral?: string;
  /** Cameras whose images become items (item-cameras.ts); default `frontal`: per person the most frontal one. */
  itemCameras?: ItemCameras;
  /** Diverse mode: the largest view angle (degrees from the head's forward direction) a drawn camera may have; default 60. */
  maxViewAngleDeg?: number;
  /** Diverse mode: seed of the per-item camera draw; default 1. */
  seed?: number;
  /** Side of the input crops, px. */
  imageSize: number;
  /** Depth agreement (mm) for a camera to count as seeing a point during masking. */
  visibilityToleranceMm: number;
}

export interface BuildServices {
  reconstruct?: CloudReconstructor;
  predictLabels?: LabelPredictor;
  /** Progress inside a person: called after each frame with (done, total, message). */
  onProgress?: (done: number, total: number, message: string) => void;
}

/** A person's result, stored in `persons/<pid>/person.json`: what resuming reads. */
export interface PersonBuild {
  key: string;
  person: PersonRecord;
  items: ItemRecord[];
  stats: { frames: number; sources: Record<string, number>; keptFraction: number };
}

function parseFrameRef(ref: string): { sequence: string; frame: number } {
  const m = /^(.+)\/(?:frame_)?(\d+)$/.exec(ref);
  if (!m) throw new InputError('--neutral', `expected SEQ/frame (e.g. EXP-1-head/00012), got '${ref}'`);
  return { sequence: m[1], frame: Number(m[2]) };
}

/**
 * The neutral frame: `--neutral SEQ/frame` when given; else the first frame of a sequence
 * whose name contains "neutral"; else the mouth-closed frame closest to the mean landmark
 * configuration (expressions.pickNeutral).
 */
export function chooseNeutral(person: CapturePerson, landmarks: Float64Array[], ref?: string): { index: number; rule: string } {
  if (ref) {
    const { sequence, frame } = parseFrameRef(ref);
    const index = person.frames.findIndex((f) => f.sequence === sequence && f.frame === frame);
    if (index < 0) throw new InputError(person.dir, `has no frame ${sequence}/frame_${String(frame).padStart(5, '0')} (given by --neutral)`);
    return { index, rule: 'given' };
  }
  const named = person.frames.findIndex((f) => /neutral/i.test(f.sequence));
  if (named >= 0) return { index: named, rule: 'sequence named neutral' };
  return { index: pickNeutral(landmarks), rule: 'closest to the mean configuration with mouth closed' };
}

/**
 * Refuse build options that name what the capture does not hold (`--neutral SEQ/frame`,
 * `--item-cameras`), before anything is written.
 */
export function checkBuildOptions(capture: Capture, options: Pick<BuildOptions, 'neutral' | 'itemCameras' | 'maxViewAngleDeg'>): void {
  const limit = options.maxViewAngleDeg;
  if (limit !== undefined && !(limit > 0 && limit <= 180)) throw new InputError('--max-view-angle', `expected an angle in (0, 180] degrees, got ${limit}`);
  const serials = Array.isArray(options.itemCameras) ? options.itemCameras : [];
  for (const person of capture.persons) {
    if (options.neutral) {
      const { sequence, frame } = parseFrameRef(options.neutral);
      if (!person.frames.some((f) => f.sequence === sequence && f.frame === frame)) {
        throw new InputError(person.dir, `has no frame ${sequence}/frame_${String(frame).padStart(5, '0')} (given by --neutral)`);
      }
    }
    const unknown = serials.filter((serial) => !person.cameras.has(serial));
    if (unknown.length > 0) throw new InputError(join(person.dir, 'camera_params.json'), `has no camera ${unknown.join(', ')} (given by --item-cameras)`);
  }
}

/** The camera that looks most directly at the face: centre best aligned with the nose tip's outward direction. */
export function mostFrontalCamera(person: CapturePerson, landmarks: Float64Array): string {
  let mx = 0, my = 0, mz = 0;
  for (let i = 0; i < 68; i++) {
    mx += landmarks[3 * i] / 68;
    my += landmarks[3 * i + 1] / 68;
    mz += landmarks[3 * i + 2] / 68;
  }
  const tip = [landmarks[90], landmarks[91], landmarks[92]]; // iBUG 30, nose tip
  const out = [tip[0] - mx, tip[1] - my, tip[2] - mz];
  const ol = Math.hypot(out[0], out[1], out[2]) || 1;
  let best = '';
  let bestScore = -Infinity;
  for (const [serial, cam] of person.cameras) {
    const c = cameraCentre(cam);
    const d = [c[0] - tip[0], c[1] - tip[1], c[2] - tip[2]];
    const score = (d[0] * out[0] + d[1] * out[1] + d[2] * out[2]) / (ol * (Math.hypot(d[0], d[1], d[2]) || 1));
    if (score > bestScore) {
      bestScore = score;
      best = serial;
    }
  }
  return best;
}

function seven(landmarks: Float64Array): Float64Array {
  return gatherPoints(landmarks, SEVEN_LANDMARKS);
}

/** Fused, masked GT cloud of one frame, with what it took. */
async function maskedFrameCloud(capture: Capture, person: CapturePerson, frame: CaptureFrame, options: BuildOptions, services: BuildServices) {
  const depthMaps = frameDepthMaps(frame, person.cameras, capture.unit);
  const { cloud, source } = await frameCloud(frame, person.cameras, capture.unit, depthMaps, services.reconstruct);
  if (!capture.labels) throw new InputError(capture.root, 'has no labels.json describing the label maps (see docs/formats.md#label-file)');
  const { views, source: labelSource } = await frameLabelViews(frame, person.cameras, depthMaps, services.predictLabels);
  const mask = maskByLabels(cloud, views, capture.labels.kept, options.visibilityToleranceMm);
  if (mask.kept.length === 0) throw new InputError(frame.dir, `segmentation masking kept no point of ${cloud.positions.length / 3} (are face_kept ids right?)`);
  const masked: PointCloud = { positions: gatherPoints(cloud.positions, mask.kept), normals: gatherPoints(cloud.normals!, mask.kept) };
  return { cloud: masked, source, labelSource, views, kept: capture.labels.kept, total: cloud.positions.length / 3 };
}

function writeScan(path: string, cloud: PointCloud): void {
  writePly(path, { positions: cloud.positions, normals: cloud.normals, faces: new Uint32Array(0) }, { format: 'binary_little_endian', precision: 'float' });
}

/**
 * What a person's build decides before any frame is built (cheap: the frames' landmarks only):
 * the neutral frame, the expression selection and the item cameras. Every step of the person
 * (buildPersonStep) reads it; a worker thread makes its own from the same inputs.
 */
export interface PersonPlan {
  landmarks: Float64Array[];
  neutral: { index: number; rule: string };
  candidates: number[];
  selection: ReturnType<typeof selectExpressions>;
  /** Item cameras fixed for every frame (frontal or given), else undefined (diverse: drawn per frame). */
  fixed: string[] | undefined;
  neutralForward: ReturnType<typeof faceForward>;
  /** Steps of the person: the neutral scan, then one per selected expression. */
  steps: number;
}

export function planPerson(capture: Capture, person: CapturePerson, options: BuildOptions): PersonPlan {
  const landmarks = person.frames.map((f) => readFrameLandmarks(f, capture.unit));
  const neutral = chooseNeutral(person, landmarks, options.neutral);
  const candidates = person.frames.map((_f, i) => i).filter((i) => i !== neutral.index);
  if (candidates.length === 0) throw new InputError(person.dir, 'has only its neutral frame; expressions need more frames');
  const selection = selectExpressions(candidates.map((i) => landmarks[i]), landmarks[neutral.index], options.expressions);
  const mode = options.itemCameras ?? 'frontal';
  const fixed = Array.isArray(mode) ? mode : mode === 'frontal' ? [mostFrontalCamera(person, landmarks[neutral.index])] : undefined;
  for (const serial of fixed ?? []) if (!person.cameras.has(serial)) throw new InputError(join(person.dir, 'camera_params.json'), `has no camera ${serial} (given by --item-cameras)`);
  const neutralForward = faceForward(landmarks[neutral.index]);
  return { landmarks, neutral, candidates, selection, fixed, neutralForward, steps: 1 + selection.order.length };
}

/** What one step of a person's build wrote (plain data: it crosses back from worker threads). */
export interface PersonStep {
  source: CloudSource;
  kept: number;
  all: number;
  /** The items of an expression step (none for the neutral step). */
  items: ItemRecord[];
  /** Progress message. */
  message: string;
}

/**
 * One step of a person's build, independent of the others (so that steps may run in any
 * thread and order): step 0 writes the neutral scan and landmarks; step k ≥ 1 the masked posed
 * scan, input crop(s), the crop's GT normal map, 7 GT landmarks and meta.json of the expression
 * of rank k − 1.
 */
export async function buildPersonStep(capture: Capture, person: CapturePerson, plan: PersonPlan, step: number, bench: string, options: BuildOptions, services: BuildServices = {}): Promise<PersonStep> {
  const { landmarks, neutral, candidates, selection, fixed, neutralForward } = plan;
  if (step === 0) {
    const neutralFrame = person.frames[neutral.index];
    const neutralDir = `persons/${person.id}/neutral`;
    const neutralScan = await maskedFrameCloud(capture, person, neutralFrame, options, services);
    writeScan(join(bench, neutralDir, 'scan.ply'), neutralScan.cloud);
    writeLandmarksJson(join(bench, neutralDir, 'landmarks.json'), seven(landmarks[neutral.index]));
    return { source: neutralScan.source, kept: neutralScan.cloud.positions.length / 3, all: neutralScan.total, items: [], message: `neutral ${frameKey(neutralFrame)}` };
  }
  const rank = step - 1;
  const index = candidates[selection.order[rank]];
  const frame = person.frames[index];
  const scan = await maskedFrameCloud(capture, person, frame, options, services);
  // Where the head is and faces in this frame, for the view angle of each item camera (view-angle.ts).
  const centre = headCentre(landmarks[index]);
  const forward = headForward(landmarks[index], landmarks[neutral.index], neutralForward);
  const cameras = fixed ?? [
    drawItemCamera(person.cameras, frame.images.keys(), landmarks[index], centre, forward, {
      maxViewAngleDeg: options.maxViewAngleDeg ?? DEFAULT_MAX_VIEW_ANGLE_DEG,
      seed: options.seed ?? DEFAULT_CAMERA_SEED,
      person: person.id,
      sequence: frame.sequence,
      frame: frame.frame,
      dir: frame.dir,
    }).serial,
  ];
  const items: ItemRecord[] = [];
  for (const serial of cameras) {
    const id = `${frameKey(frame)}_${serial}`;
    const dir = `items/${person.id}/${id}`;
    const imagePath = frame.images.get(serial);
    if (!imagePath) throw new InputError(frame.dir, `has no image from camera ${serial}`);
    const box = faceCropBox(person.cameras.get(serial)!, landmarks[index]);
    writeRgbPng(join(bench, dir, 'image.png'), cropAndResize(readRgbImage(imagePath), box, options.imageSize));
    writeScan(join(bench, dir, 'scan.ply'), scan.cloud);
    writeLandmarksJson(join(bench, dir, 'landmarks.json'), seven(landmarks[index]));
    writeNpy(join(bench, dir, 'normals.npy'), cropNormalMap(scan.cloud, person.cameras.get(serial)!, box, options.imageSize), [options.imageSize, options.imageSize, 3], '<f4');
    // The crop's face mask from the item camera's label map (what methods may use to mask their priors).
    const view = scan.views.find((v) => v.camera.serial === serial);
    if (view) writeFileAtomic(join(bench, dir, 'face_mask.png'), encodeGray8Png(cropFaceMask(view, scan.kept, box, options.imageSize), options.imageSize, options.imageSize));
    const record: ItemRecord = {
      id,
      person: person.id,
      sequence: frame.sequence,
      frame: frame.frame,
      camera: serial,
      view_angle_deg: roundAngle(viewAngleDeg(person.cameras.get(serial)!, centre, forward)),
      rank,
      distance: selection.distances[rank],
      dir,
      points: scan.cloud.positions.length / 3,
    };
    const meta = {
      ...record,
      crop_box: { x: box.x, y: box.y, size: box.size, output_size: options.imageSize },
      distance_to_neutral_mm: selection.toNeutral[selection.order[rank]],
      cloud_source: scan.source,
      label_source: scan.labelSource,
      /** Relative to the capture folder, so the benchmark's content does not depend on where the capture was. */
      source_image: relative(capture.root, imagePath).split(sep).join('/'),
    };
    writeFileAtomic(join(bench, dir, 'meta.json'), `${JSON.stringify(meta, null, 1)}\n`);
    items.push(record);
  }
  return { source: scan.source, kept: scan.cloud.positions.length / 3, all: scan.total, items, message: `${frameKey(frame)} (rank ${rank})` };
}

/**
 * The person's record from its steps (all of them, in step order), written to
 * `persons/<pid>/.person.json` — last, so an interrupted person is redone on the next run.
 */
export function finishPerson(person: CapturePerson, plan: PersonPlan, bench: string, key: string, steps: PersonStep[]): PersonBuild {
  const sources: Record<string, number> = {};
  let keptPoints = 0;
  let allPoints = 0;
  for (const step of steps) {
    sources[step.source] = (sources[step.source] ?? 0) + 1;
    keptPoints += step.kept;
    allPoints += step.all;
  }
  const neutralFrame = person.frames[plan.neutral.index];
  const items = steps.flatMap((s) => s.items);
  const build: PersonBuild = {
    key,
    person: {
      id: person.id,
      neutral: { sequence: neutralFrame.sequence, frame: neutralFrame.frame, dir: `persons/${person.id}/neutral`, points: steps[0].kept, rule: plan.neutral.rule },
      items: items.map((i) => i.id),
    },
    items,
    stats: { frames: plan.steps, sources, keptFraction: keptPoints / allPoints },
  };
  writeFileAtomic(join(bench, 'persons', person.id, '.person.json'), `${JSON.stringify(build, null, 1)}\n`);
  return build;
}

/**
 * Build one person of the benchmark: neutral scan, expression selection, and per selected
 * frame the masked posed scan, input crop(s), the crop's GT normal map, 7 GT landmarks and meta.json. Writes
 * `persons/<pid>/person.json` last, so an interrupted person is redone on the next run.
 * (planPerson, then buildPersonStep for every step in order, then finishPerson.)
 */
export async function buildPerson(capture: Capture, person: CapturePerson, bench: string, options: BuildOptions, key: string, services: BuildServices = {}): Promise<PersonBuild> {
  const plan = planPerson(capture, person, options);
  const steps: PersonStep[] = [];
  for (let step = 0; step < plan.steps; step++) {
    const result = await buildPersonStep(capture, person, plan, step, bench, options, services);
    steps.push(result);
    services.onProgress?.(step + 1, plan.steps, result.message);
  }
  return finishPerson(person, plan, bench, key, steps);
}

/** The stored build of a person when it was finished with the same key, else undefined (and its partial output removed). */
export function finishedPerson(bench: string, personId: string, key: string): PersonBuild | undefined {
  const path = join(bench, 'persons', personId, '.person.json');
  if (existsSync(path)) {
    try {
      const stored = JSON.parse(readFileSync(path, 'utf8')) as PersonBuild;
      if (stored.key === key && stored.items.every((i) => existsSync(join(bench, i.dir, 'meta.json')))) return stored;
    } catch {
      // redo the person
    }
  }
  rmSync(join(bench, 'persons', personId), { recursive: true, force: true });
  rmSync(join(bench, 'items', personId), { recursive: true, force: true });
  return undefined;
}
