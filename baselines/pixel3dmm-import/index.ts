/**
 * `pixel3dmm-import`: the meshes of the public Pixel3DMM tracker, run by the user on each
 * benchmark image, read without Python. Per item the tracker's output folder (the one holding
 * `checkpoint/` and `mesh/`) is looked up as `<from>/<pid>/<item>/`, else `<from>/<item>/`.
 * The frame is the lowest-numbered `checkpoint/<frame>.frame` (a single image gives `00000`),
 * or `frame` when given.
 *
 * - posed: the tracker's own mesh `mesh/<frame>.ply` (FLAME with every fitted parameter; metres,
 *   converted to mm); it must have the model's vertex count;
 * - neutral: the user's FLAME model (`model`) with the fitted identity `flame.shape` only — zero
 *   expression, jaw, neck, eyes and global pose. The tracker's `canonical.ply` is not used: some
 *   versions of it keep the expression.
 * Landmarks: from `landmarkEmbedding` when given, else FLAME's static embedding (FLAME topology).
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { InputError } from '../../evaluators/errors.js';
import { readMesh } from '../../evaluators/io/index.js';
import { isFlameTopology } from '../../evaluators/protocols/index.js';
import { childPath } from '../../evaluators/util/safe-name.js';
import { defineMethod } from '../adapter.js';
import { embedLandmarks, evaluateModel, FLAME_SEVEN_LANDMARKS, loadFlame, sevenLandmarks, type FlameModel } from '../models/index.js';
import { readTrackerFrame } from './frame-file.js';

export { readTrackerFrame, type TrackerFrame, type FrameArray } from './frame-file.js';

export const pixel3dmmImportOptions = z
  .object({
    from: z.string().min(1).describe('folder of the tracker outputs: <from>/<pid>/<item>/ or <from>/<item>/, each holding checkpoint/<frame>.frame and mesh/<frame>.ply'),
    model: z.string().min(1).describe("the FLAME model file the tracker used (generic_model.pkl, flame2023*.pkl or .npz), for the neutral mesh"),
    landmarkEmbedding: z.string().min(1).optional().describe("landmark_embedding.npy for the 7 landmarks (default: FLAME's static embedding; needs FLAME topology)"),
    frame: z.number().int().nonnegative().optional().describe('the tracked frame to import (default: the lowest-numbered checkpoint)'),
  })
  .strict();
export type Pixel3dmmImportOptions = z.output<typeof pixel3dmmImportOptions>;

const models = new Map<string, FlameModel>();

function model(options: Pixel3dmmImportOptions): FlameModel {
  const key = JSON.stringify([options.model, options.landmarkEmbedding ?? null]);
  let m = models.get(key);
  if (!m) {
    m = loadFlame(options.model, { landmarkEmbedding: options.landmarkEmbedding });
    models.set(key, m);
  }
  return m;
}

function isDir(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** The tracker output folder of an item. */
export function trackerFolder(from: string, person: string, item: string): string {
  const nested = childPath(from, [person, item], 'benchmark id', from);
  if (isDir(join(nested, 'checkpoint'))) return nested;
  const flat = childPath(from, [item], 'item id', from);
  if (isDir(join(flat, 'checkpoint'))) return flat;
  throw new InputError(nested, `no tracker output for item ${item}: expected ${nested}/checkpoint/ or ${flat}/checkpoint/ (the folder the Pixel3DMM tracker wrote for this image)`);
}

/** The `.frame` file and the frame's stem (`00000`) in a tracker output folder. */
export function trackerCheckpoint(folder: string, frame?: number): { file: string; stem: string } {
  const dir = join(folder, 'checkpoint');
  if (frame !== undefined) {
    const stem = String(frame).padStart(5, '0');
    const file = join(dir, `${stem}.frame`);
    if (!existsSync(file)) throw new InputError(file, 'not found: the tracker saved no checkpoint for this frame');
    return { file, stem };
  }
  const frames = readdirSync(dir).filter((n) => /^\d+\.frame$/.test(n)).sort((a, b) => Number(a.slice(0, -6)) - Number(b.slice(0, -6)));
  if (frames.length === 0) throw new InputError(dir, 'holds no <frame>.frame checkpoint');
  return { file: join(dir, frames[0]), stem: frames[0].slice(0, -'.frame'.length) };
}

function landmarks(m: FlameModel, positions: Float64Array, file: string): Float64Array {
  if (m.landmarks68) return sevenLandmarks(m, positions);
  if (isFlameTopology({ positions, faces: m.faces })) return embedLandmarks(m.faces, positions, FLAME_SEVEN_LANDMARKS);
  throw new InputError(file, 'the model is not FLAME-topology and no landmarkEmbedding was given, so the 7 landmarks are unknown');
}

export const pixel3dmmImport = defineMethod({
  name: 'pixel3dmm-import',
  version: '1.0.0',
  description: "imports the public Pixel3DMM tracker's outputs: its posed mesh, and the neutral face from the fitted FLAME identity",
  options: pixel3dmmImportOptions,
  async prepare({ options }) {
    if (!isDir(options.from)) throw new InputError(options.from, 'not a folder: pass the folder of the tracker outputs as "from"');
    model(options);
  },
  async predict(item, options) {
    const m = model(options);
    const folder = trackerFolder(options.from, item.item.person, item.item.id);
    const { file, stem } = trackerCheckpoint(folder, options.frame);
    const frame = readTrackerFrame(file);
    const shape = frame.flame.get('shape')!;
    if (shape.data.length > m.identityCount) throw new InputError(file, `flame.shape has ${shape.data.length} identity coefficients, the model ${options.model} has ${m.identityCount}`);
    const exp = frame.flame.get('exp');
    if (exp && exp.data.length > m.expressionCount) throw new InputError(file, `flame.exp has ${exp.data.length} expression coefficients, the model ${options.model} has ${m.expressionCount}`);
    const neutral = { positions: evaluateModel(m, { identity: shape.data }), faces: Uint32Array.from(m.faces) };
    const meshFile = join(folder, 'mesh', `${stem}.ply`);
    if (!existsSync(meshFile)) throw new InputError(meshFile, 'not found: run the tracker with save_meshes on (it writes mesh/<frame>.ply beside checkpoint/)');
    const posed = readMesh(meshFile, { unit: 'm' });
    if (posed.positions.length !== m.template.length) {
      throw new InputError(meshFile, `has ${posed.positions.length / 3} vertices, the model ${options.model} ${m.template.length / 3}: the tracker used another model`);
    }
    return { posed, neutral, landmarksPosed: landmarks(m, posed.positions, meshFile), landmarksNeutral: landmarks(m, neutral.positions, options.model) };
  },
});
