/**
 * The embedded demo capture: synthetic persons from the demo face model (face-model.ts),
 * rendered by the TypeScript rasteriser into exactly the NeRSemble raw layout (docs/formats.md#raw-capture),
 * in metres as NeRSemble ships it. Seeded and deterministic: the same options give
 * byte-identical files.
 *
 * Written under `<out>`:
 *   <pid>/camera_params.json   {"world_2_cam": {serial: 4x4}, "intrinsics": {serial: 3x3}} (metres, OpenCV)
 *   <pid>/sequences/<SEQ>/frame_<t:05d>/images-2x-73fps/cam_<serial>.png          8-bit RGB
 *                                      /colmap-73fps/depth_maps_compressed/cam_<serial>.png  16-bit, docs/conventions.md#depth-maps
 *                                      /segmentation/cam_<serial>.png              8-bit label ids (labels.json)
 *                                      /landmarks3d.npy                            (68, 3) float32, metres, iBUG-68 order
 *   labels.json                 {"labels": {"<id>": "<name>"}, "face_kept": [1, 2, 3, 4]}
 *   _truth/…                    generator truth for tests and oracles (the builder ignores it):
 *     model.json                the model (units, axes, labels, mode names, landmark embedding)
 *     <pid>/person.json         identity coefficients, neutral frame, per-frame expression and pose
 *     <pid>/vertex_labels.npy   (n,) uint8 label id per mesh vertex (same for every frame)
 *     <pid>/<SEQ>/frame_<t:05d>/mesh.ply          generating mesh, binary PLY, mm, capture world frame
 *     <pid>/<SEQ>/frame_<t:05d>/coefficients.json identity, expression, pose of that frame
 *
 * World frame: the model frame scaled to metres (+x the subject's left, +y up, +z out of
 * the face; head near the origin). The written K follows OpenCV: pixel (col, row) is the
 * ray K⁻¹·(col, row, 1) (pixel centres at integer coordinates, docs/conventions.md#cameras). Depth maps hold camera z.
 * The neutral frame of every person is `EXP-1-head/frame_00000` (zero expression, zero
 * pose); pass it to the builder as `--neutral EXP-1-head/frame_00000`.
 */
import { join } from 'node:path';
import { Piscina } from 'piscina';
import { writeFileAtomic } from '../evaluators/io/atomic.js';
import { writeNpy } from '../evaluators/io/npy.js';
import { encodePly } from '../evaluators/io/ply.js';
import { vertexAlbedo } from './appearance.js';
import { buildFaceModel, evaluate, landmarkPositions, sampleIdentity, type FaceModel, type Pose } from './face-model.js';
import { labelsDocument } from './labels.js';
import { encodeDepthPng, encodeGray8Png, encodeRgbPng } from '../evaluators/image/index.js';
import { deriveSeed, normal, requireCompiledWorker, seededRandom, workerPoolOptions, type Random } from '../evaluators/util/index.js';
import { createRasterBuffers, labelImage, rasterize, shadeImage, vertexNormals, type PinholeCamera } from '../evaluators/render/index.js';

/** Options of generateDemoCapture. */
export interface DemoCaptureOptions {
  /** Default 7. */
  seed?: number;
  /** Default 3. */
  persons?: number;
  /** Frames per person, ≥ 21 so that 20 expressions and a neutral frame exist (default 24). */
  framesPerPerson?: number;
  /** Number of cameras on the arc in front of the head, 1–16 (default 10). */
  cameras?: number;
  /** Image [width, height] in pixels (default [240, 320]). */
  imageSize?: [number, number];
  /** Face-surface subdivision levels of the model (default 2). */
  subdivisions?: number;
  /** Called after every rendered frame. */
  onProgress?: (done: number, total: number) => void;
}

/** One camera of the rig, metres. */
export interface DemoCamera {
  serial: string;
  /** Row-major 3x3, pixels. */
  K: number[];
  /** Row-major 4x4, world (m) → camera (m). */
  world2cam: number[];
}

/** One frame of a person. */
export interface DemoFrame {
  sequence: string;
  frame: number;
  expression: number[];
  /** Head pose in the world frame, mm: x ↦ R·x + t. */
  pose: { rotation: number[]; translation: number[] };
}

/** One synthetic person. */
export interface DemoPerson {
  id: string;
  identity: number[];
  /** `SEQ/frame_<t:05d>` of the neutral frame. */
  neutral: string;
  frames: DemoFrame[];
}

/** What generateDemoCapture wrote. */
export interface DemoCaptureInfo {
  outDir: string;
  seed: number;
  imageSize: [number, number];
  cameras: DemoCamera[];
  persons: DemoPerson[];
  /** Sequence/frame of the neutral frame of every person. */
  neutral: { sequence: string; frame: number };
  /** Files written (excluding _truth). */
  fileCount: number;
}

/** Sequence names (NeRSemble style) and the expression modes each one exercises. */
const SEQUENCES: { name: string; modes: string[]; poseScale: number }[] = [
  { name: 'EXP-1-head', modes: [], poseScale: 2.5 },
  { name: 'EXP-2-eyes', modes: ['eye_close', 'eye_squint', 'brow_raise', 'brow_furrow'], poseScale: 1 },
  { name: 'EXP-3-cheeks', modes: ['cheek_puff', 'smile', 'eye_squint'], poseScale: 1 },
  { name: 'EXP-4-lips', modes: ['lip_pucker', 'smile', 'frown', 'mouth_left'], poseScale: 1 },
  { name: 'EXP-5-mouth', modes: ['jaw_open', 'smile', 'frown'], poseScale: 1 },
  { name: 'EXP-8-jaw-1', modes: ['jaw_open', 'mouth_left', 'lip_pucker'], poseScale: 1 },
];
/** Frame numbers step (NeRSemble frames are a subsampled 73 fps stream). */
const FRAME_STEP = 3;
const SERIAL_BASE = 222200036;
const CAMERA_DISTANCE_M = 1.0;

export const DEMO_NEUTRAL = { sequence: 'EXP-1-head', frame: 0 } as const;

/** Rotation matrix (row-major) from yaw (about y), pitch (about x), roll (about z), radians: R = Ry·Rx·Rz. */
export function rotationYawPitchRoll(yaw: number, pitch: number, roll: number): number[] {
  const cy = Math.cos(yaw), sy = Math.sin(yaw), cx = Math.cos(pitch), sx = Math.sin(pitch), cz = Math.cos(roll), sz = Math.sin(roll);
  const Ry = [cy, 0, sy, 0, 1, 0, -sy, 0, cy];
  const Rx = [1, 0, 0, 0, cx, -sx, 0, sx, cx];
  const Rz = [cz, -sz, 0, sz, cz, 0, 0, 0, 1];
  const mul = (A: number[], B: number[]): number[] => {
    const C = new Array<number>(9).fill(0);
    for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) for (let k = 0; k < 3; k++) C[3 * i + j] += A[3 * i + k] * B[3 * k + j];
    return C;
  };
  return mul(Ry, mul(Rx, Rz));
}

/** OpenCV world→camera 4x4 for a camera at `centre` looking at `target` with world +y up. */
export function lookAt(centre: number[], target: number[], up: number[] = [0, 1, 0]): number[] {
  const z = [target[0] - centre[0], target[1] - centre[1], target[2] - centre[2]];
  const nz = Math.hypot(z[0], z[1], z[2]);
  for (let k = 0; k < 3; k++) z[k] /= nz;
  // x = z × up (image right), y = z × x (image down).
  const x = [z[1] * up[2] - z[2] * up[1], z[2] * up[0] - z[0] * up[2], z[0] * up[1] - z[1] * up[0]];
  const nx = Math.hypot(x[0], x[1], x[2]);
  for (let k = 0; k < 3; k++) x[k] /= nx;
  const y = [z[1] * x[2] - z[2] * x[1], z[2] * x[0] - z[0] * x[2], z[0] * x[1] - z[1] * x[0]];
  const R = [x, y, z];
  const t = R.map((r) => -(r[0] * centre[0] + r[1] * centre[1] + r[2] * centre[2]));
  return [...x, t[0], ...y, t[1], ...z, t[2], 0, 0, 0, 1];
}

/** The camera rig: an arc from −55° to +55° yaw at 1 m, alternating heights, per-camera intrinsics. */
export function demoCameras(count: number, width: number, height: number, seed: number): DemoCamera[] {
  const random = seededRandom(deriveSeed(seed, 0xca));
  const f0 = (height * CAMERA_DISTANCE_M) / 0.3; // about 30 cm at the head fills the image height
  return Array.from({ length: count }, (_, i) => {
    const yaw = count === 1 ? 0 : ((-55 + (110 * i) / (count - 1)) * Math.PI) / 180;
    const pitch = ((i % 2 === 0 ? 8 : -4) * Math.PI) / 180;
    const centre = [CAMERA_DISTANCE_M * Math.sin(yaw) * Math.cos(pitch), CAMERA_DISTANCE_M * Math.sin(pitch), CAMERA_DISTANCE_M * Math.cos(yaw) * Math.cos(pitch)];
    const target = [0.002 * normal(random), -0.005 + 0.002 * normal(random), 0.02];
    const f = f0 * (1 + 0.03 * (2 * random() - 1));
    const K = [f * (1 + 0.002 * normal(random)), 0, width / 2 + 2 * normal(random), 0, f, height / 2 + 2 * normal(random), 0, 0, 1];
    return { serial: String(SERIAL_BASE + i), K, world2cam: lookAt(centre, target) };
  });
}

/** Expression coefficients for frame `k` of a sequence (all zero for the neutral frame). */
function sampleExpression(model: FaceModel, modes: string[], random: Random): number[] {
  const e = new Array<number>(model.expressionNames.length).fill(0);
  for (let j = 0; j < e.length; j++) if (random() < 0.3) e[j] = 0.15 * random();
  const pool = modes.length ? modes : model.expressionNames;
  const picks = modes.length ? 1 + Math.floor(random() * 2) : 1;
  for (let p = 0; p < picks; p++) {
    const j = model.expressionNames.indexOf(pool[Math.floor(random() * pool.length)]);
    e[j] = (modes.length ? 0.45 : 0.2) + (modes.length ? 0.55 : 0.3) * random();
  }
  return e.map((v) => Math.round(v * 1e4) / 1e4);
}

/** Small random head pose (mm, radians scaled by `scale`). */
function samplePose(random: Random, scale: number): { rotation: number[]; translation: number[] } {
  const deg = Math.PI / 180;
  const R = rotationYawPitchRoll(scale * 5 * deg * (2 * random() - 1), scale * 3 * deg * (2 * random() - 1), scale * 2 * deg * (2 * random() - 1));
  const t = [4 * (2 * random() - 1), 3 * (2 * random() - 1), 4 * (2 * random() - 1)];
  return { rotation: R, translation: t };
}

/** The frames of one person: sequences get the frames round-robin; frame 0 of EXP-1-head is neutral. */
function planFrames(model: FaceModel, count: number, seed: number): DemoFrame[] {
  const random = seededRandom(deriveSeed(seed, 0xf7));
  const perSeq = SEQUENCES.map((_, s) => Math.floor(count / SEQUENCES.length) + (s < count % SEQUENCES.length ? 1 : 0));
  const frames: DemoFrame[] = [];
  SEQUENCES.forEach((seq, s) => {
    for (let k = 0; k < perSeq[s]; k++) {
      const neutral = seq.name === DEMO_NEUTRAL.sequence && k === 0;
      frames.push({
        sequence: seq.name,
        frame: k * FRAME_STEP,
        expression: neutral ? new Array<number>(model.expressionNames.length).fill(0) : sampleExpression(model, seq.modes, random),
        pose: neutral ? { rotation: [1, 0, 0, 0, 1, 0, 0, 0, 1], translation: [0, 0, 0] } : samplePose(random, seq.poseScale),
      });
    }
  });
  return frames;
}

const pad = (v: number, width: number): string => String(v).padStart(width, '0');

/** Options of generateDemoCaptureParallel. */
export interface ParallelDemoCaptureOptions extends DemoCaptureOptions {
  /** Worker threads rendering frames at once (default 1: every frame in this thread). The files do not depend on it. */
  workers?: number;
}

/** The validated options, the model and the rig: everything a frame's rendering shares. */
interface DemoSetup {
  seed: number;
  personCount: number;
  frameCount: number;
  cameraCount: number;
  width: number;
  height: number;
  subdivisions: number | undefined;
  model: FaceModel;
  cameras: DemoCamera[];
  renderCameras: PinholeCamera[];
}

function demoSetup(options: DemoCaptureOptions): DemoSetup {
  const seed = options.seed ?? 7;
  const personCount = options.persons ?? 3;
  const frameCount = options.framesPerPerson ?? 24;
  const cameraCount = options.cameras ?? 10;
  const [width, height] = options.imageSize ?? [240, 320];
  if (!Number.isInteger(personCount) || personCount < 1 || personCount > 999) throw new Error(`persons must be an integer in 1..999, got ${personCount}`);
  if (!Number.isInteger(frameCount) || frameCount < 21) throw new Error(`framesPerPerson must be an integer ≥ 21 (20 expressions + neutral), got ${frameCount}`);
  if (!Number.isInteger(cameraCount) || cameraCount < 1 || cameraCount > 16) throw new Error(`cameras must be an integer in 1..16, got ${cameraCount}`);
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 16 || height < 16 || width > 4096 || height > 4096) throw new Error(`imageSize must be two integers in 16..4096, got ${width}x${height}`);
  const model = buildFaceModel({ subdivisions: options.subdivisions });
  const cameras = demoCameras(cameraCount, width, height, seed);
  // The capture's K follows OpenCV (pixel centres at integer coordinates, docs/conventions.md#cameras); the
  // rasteriser samples pixel (col, row) at (col + ½, row + ½), so it gets K shifted by ½ px.
  const renderCameras: PinholeCamera[] = cameras.map((c) => ({
    K: c.K.map((v, i) => (i === 2 || i === 5 ? v + 0.5 : v)),
    world2cam: c.world2cam.map((v, i) => (i === 3 || i === 7 || i === 11 ? v * 1000 : v)),
    width,
    height,
  }));
  return { seed, personCount, frameCount, cameraCount, width, height, subdivisions: options.subdivisions, model, cameras, renderCameras };
}

/** What a person's frames need: pure functions of the seed and the person's index. */
interface PersonPlan {
  pid: string;
  identity: number[];
  albedo: ReturnType<typeof vertexAlbedo>;
  frames: DemoFrame[];
  personDir: string;
  truthDir: string;
}

function planPerson(setup: DemoSetup, outDir: string, p: number): PersonPlan {
  const { model, seed, frameCount } = setup;
  const pid = pad(p + 1, 3);
  const personSeed = deriveSeed(seed, p + 1);
  const identity = Array.from(sampleIdentity(model, personSeed), (v) => Math.round(v * 1e4) / 1e4);
  const albedo = vertexAlbedo(model.template, model.vertexLabels, personSeed);
  const frames = planFrames(model, frameCount, personSeed);
  return { pid, identity, albedo, frames, personDir: join(outDir, pid), truthDir: join(outDir, '_truth', pid) };
}

/** A renderer of frames with its own buffers: writes one frame's files, returns how many non-truth files it wrote. */
function frameRenderer(setup: DemoSetup): (person: PersonPlan, fr: DemoFrame) => number {
  const { model, cameras, renderCameras, width, height } = setup;
  const raster = createRasterBuffers(width, height);
  const labelsBuf = new Uint8Array(width * height);
  const rgbBuf = new Uint8Array(3 * width * height);
  const depthM = new Float64Array(width * height);
  const normals = new Float64Array(model.template.length);
  return (person, fr) => {
    let fileCount = 0;
    const write = (path: string, data: string | Uint8Array): void => {
      writeFileAtomic(path, data);
      fileCount += 1;
    };
    const frameName = `frame_${pad(fr.frame, 5)}`;
    const frameDir = join(person.personDir, 'sequences', fr.sequence, frameName);
    const pose: Pose = { rotation: fr.pose.rotation, translation: fr.pose.translation };
    const positions = evaluate(model, person.identity, fr.expression, pose);
    vertexNormals(positions, model.faces, normals);
    const lm = landmarkPositions(model, positions);
    const lmM = new Float32Array(204);
    for (let i = 0; i < 204; i++) lmM[i] = lm[i] / 1000;
    writeNpy(join(frameDir, 'landmarks3d.npy'), lmM, [68, 3], '<f4');
    fileCount += 1;
    for (let c = 0; c < cameras.length; c++) {
      rasterize(positions, model.faces, renderCameras[c], {}, raster);
      for (let i = 0; i < depthM.length; i++) depthM[i] = raster.depth[i] / 1000;
      const name = `cam_${cameras[c].serial}.png`;
      write(join(frameDir, 'images-2x-73fps', name), encodeRgbPng(shadeImage(raster, model.faces, normals, person.albedo, {}, rgbBuf), width, height));
      write(join(frameDir, 'colmap-73fps', 'depth_maps_compressed', name), encodeDepthPng(depthM, width, height));
      write(join(frameDir, 'segmentation', name), encodeGray8Png(labelImage(raster, model.faceLabels, labelsBuf), width, height));
    }
    const truthFrame = join(person.truthDir, fr.sequence, frameName);
    writeFileAtomic(join(truthFrame, 'mesh.ply'), encodePly({ positions, faces: model.faces }, { format: 'binary_little_endian', precision: 'float', comments: ['facebench demo capture generating mesh, mm, capture world frame x1000'] }));
    writeFileAtomic(join(truthFrame, 'coefficients.json'), `${JSON.stringify({ identity: person.identity, expression: fr.expression, pose: fr.pose }, null, 1)}\n`);
    return fileCount;
  };
}

/** Writes the files of the capture that are not frames; returns the persons' plans and the count of non-truth files written. */
function writeCaptureHeader(setup: DemoSetup, outDir: string): { plans: PersonPlan[]; fileCount: number } {
  const { model, cameras } = setup;
  writeFileAtomic(join(outDir, 'labels.json'), `${JSON.stringify(labelsDocument(), null, 2)}\n`);
  writeModelDescription(join(outDir, '_truth'), model, setup.subdivisions ?? 2);
  let fileCount = 1;
  const plans: PersonPlan[] = [];
  for (let p = 0; p < setup.personCount; p++) {
    const plan = planPerson(setup, outDir, p);
    const params = {
      world_2_cam: Object.fromEntries(cameras.map((c) => [c.serial, rows(c.world2cam, 4)])),
      intrinsics: Object.fromEntries(cameras.map((c) => [c.serial, rows(c.K, 3)])),
    };
    writeFileAtomic(join(plan.personDir, 'camera_params.json'), `${JSON.stringify(params, null, 2)}\n`);
    fileCount += 1;
    writeNpy(join(plan.truthDir, 'vertex_labels.npy'), model.vertexLabels, [model.vertexLabels.length], '|u1');
    writeFileAtomic(join(plan.truthDir, 'person.json'), `${JSON.stringify({ id: plan.pid, identity: plan.identity, neutral: neutralName(), units: 'mm', frames: plan.frames }, null, 1)}\n`);
    plans.push(plan);
  }
  return { plans, fileCount };
}

const neutralName = (): string => `${DEMO_NEUTRAL.sequence}/frame_${pad(DEMO_NEUTRAL.frame, 5)}`;

function captureInfo(setup: DemoSetup, outDir: string, plans: PersonPlan[], fileCount: number): DemoCaptureInfo {
  const persons: DemoPerson[] = plans.map((p) => ({ id: p.pid, identity: p.identity, neutral: neutralName(), frames: p.frames }));
  return { outDir, seed: setup.seed, imageSize: [setup.width, setup.height], cameras: setup.cameras, persons, neutral: { ...DEMO_NEUTRAL }, fileCount };
}

/**
 * Generate the demo capture under `outDir` (see the file comment for the layout). Existing
 * files with the same names are replaced (atomically); the generator is deterministic, so
 * re-running with the same options rewrites identical bytes.
 */
export function generateDemoCapture(outDir: string, options: DemoCaptureOptions = {}): DemoCaptureInfo {
  const setup = demoSetup(options);
  const { plans, fileCount: headerFiles } = writeCaptureHeader(setup, outDir);
  const render = frameRenderer(setup);
  let fileCount = headerFiles;
  const total = setup.personCount * setup.frameCount;
  let done = 0;
  for (const plan of plans) {
    for (const fr of plan.frames) {
      fileCount += render(plan, fr);
      done += 1;
      options.onProgress?.(done, total);
    }
  }
  return captureInfo(setup, outDir, plans, fileCount);
}

/** One task of a demo-capture worker thread: frames of one person (demo-capture-worker.ts). */
export interface DemoFramesRequest {
  outDir: string;
  options: Omit<DemoCaptureOptions, 'onProgress'>;
  person: number;
  /** Indices into the person's planned frames. */
  frames: number[];
}

let workerState: { key: string; setup: DemoSetup; render: ReturnType<typeof frameRenderer>; plans: Map<string, PersonPlan> } | undefined;

/** Renders the requested frames (in a worker thread); returns the count of non-truth files written. */
export function renderDemoFrames(request: DemoFramesRequest): number {
  const key = JSON.stringify(request.options);
  if (workerState?.key !== key) {
    const setup = demoSetup(request.options);
    workerState = { key, setup, render: frameRenderer(setup), plans: new Map() };
  }
  const state = workerState;
  const planKey = `${request.outDir}\u0000${request.person}`;
  let plan = state.plans.get(planKey);
  if (!plan) {
    plan = planPerson(state.setup, request.outDir, request.person);
    state.plans.clear();
    state.plans.set(planKey, plan);
  }
  let fileCount = 0;
  for (const f of request.frames) fileCount += state.render(plan, plan.frames[f]);
  return fileCount;
}

/**
 * generateDemoCapture with the frames rendered by `workers` worker threads (piscina). The
 * files are byte-identical to generateDemoCapture's for the same options, whatever `workers`.
 */
export async function generateDemoCaptureParallel(outDir: string, options: ParallelDemoCaptureOptions = {}): Promise<DemoCaptureInfo> {
  const { workers: requested, onProgress, ...rest } = options;
  const setup = demoSetup(rest);
  const total = setup.personCount * setup.frameCount;
  const workers = Math.max(1, Math.min(Math.floor(requested ?? 1), total));
  if (workers <= 1) return generateDemoCapture(outDir, options);
  const pool = new Piscina(workerPoolOptions(requireCompiledWorker(import.meta.url, 'demo-capture-worker.js', 'demo-capture worker'), workers));
  try {
    const { plans, fileCount: headerFiles } = writeCaptureHeader(setup, outDir);
    let fileCount = headerFiles;
    let done = 0;
    const tasks: Promise<void>[] = [];
    plans.forEach((plan, p) => {
      plan.frames.forEach((_, f) => {
        const request: DemoFramesRequest = { outDir, options: rest, person: p, frames: [f] };
        tasks.push(
          (pool.run(request) as Promise<number>).then((files) => {
            fileCount += files;
            done += 1;
            onProgress?.(done, total);
          }),
        );
      });
    });
    await Promise.all(tasks);
    return captureInfo(setup, outDir, plans, fileCount);
  } finally {
    await pool.destroy();
  }
}

/** Nested rows of a row-major matrix. */
function rows(values: number[], size: number): number[][] {
  return Array.from({ length: size }, (_, r) => values.slice(size * r, size * r + size));
}

/** `_truth/model.json` and the model's template, faces and labels as .npy files. */
function writeModelDescription(dir: string, model: FaceModel, subdivisions: number): void {
  const description = {
    description: 'facebench demo face model: MediaPipe canonical face mesh (@mediapipe/face_mesh, Apache-2.0) subdivided, plus hair cap, neck and ears; linear identity and expression modes',
    units: 'mm',
    axes: 'model frame: +x subject left, +y up, +z out of the face; the capture world frame is this frame in metres',
    subdivisions,
    vertexCount: model.template.length / 3,
    faceCount: model.faces.length / 3,
    faceVertexCount: model.faceVertexCount,
    labelNames: model.labelNames,
    identityNames: model.identityNames,
    expressionNames: model.expressionNames,
    landmarks68: { order: 'iBUG-68', faces: Array.from(model.landmarks68.faces), barycentrics: Array.from(model.landmarks68.barycentrics), vertices: Array.from(model.landmarkVertices) },
    files: { template: 'model/template.npy', faces: 'model/faces.npy', vertexLabels: 'model/vertex_labels.npy' },
    api: 'data/index.ts buildFaceModel() rebuilds the bases: evaluate(model, identity, expression, pose)',
  };
  writeFileAtomic(join(dir, 'model.json'), `${JSON.stringify(description, null, 1)}\n`);
  writeNpy(join(dir, 'model', 'template.npy'), model.template, [model.template.length / 3, 3], '<f8');
  writeNpy(join(dir, 'model', 'faces.npy'), model.faces, [model.faces.length / 3, 3], '<u4');
  writeNpy(join(dir, 'model', 'vertex_labels.npy'), model.vertexLabels, [model.vertexLabels.length], '|u1');
}
