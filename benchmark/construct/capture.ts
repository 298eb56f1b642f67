import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../../evaluators/errors.js';
import { MM_PER_UNIT, type LengthUnit } from '../../evaluators/geometry/types.js';
import { readNpy } from '../../evaluators/io/index.js';
import { plainName } from '../../evaluators/util/index.js';
import { readCameraParams, type Camera } from '../../evaluators/formats/capture-cameras.js';
import { readJsonValue as readJson } from '../../evaluators/formats/index.js';

export { readCameraParams, type Camera };

/** One captured time step of a sequence: its files per camera serial. */
export interface CaptureFrame {
  sequence: string;
  /** Frame number t (from `frame_<t:05d>`). */
  frame: number;
  dir: string;
  images: Map<string, string>;
  depthMaps: Map<string, string>;
  labelMaps: Map<string, string>;
  /** A point cloud file or COLMAP folder shipped with the frame, if any. */
  pointCloud?: string;
  /** (68,3) landmarks file. */
  landmarks?: string;
}

export interface CapturePerson {
  id: string;
  dir: string;
  cameras: Map<string, Camera>;
  frames: CaptureFrame[];
}

export interface LabelSpec {
  names: Map<number, string>;
  /** Label ids whose points are kept (face skin, brows, nose, lips by default). */
  kept: Set<number>;
}

export interface Capture {
  root: string;
  unit: LengthUnit;
  persons: CapturePerson[];
  labels?: LabelSpec;
}

const DEFAULT_KEPT = ['skin', 'brows', 'nose', 'lips'];


function listDir(dir: string): string[] {
  return existsSync(dir) ? readdirSync(dir).filter((n) => !n.startsWith('.')).sort() : [];
}

/** Files `cam_<serial>.<ext>` in a folder, by serial. */
function cameraFiles(dir: string, extensions: string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const name of listDir(dir)) {
    const m = /^cam_(.+)\.([a-z]+)$/i.exec(name);
    if (m && extensions.includes(m[2].toLowerCase())) out.set(m[1], join(dir, name));
  }
  return out;
}

function readFrame(sequence: string, dir: string, frame: number): CaptureFrame {
  const cloudCandidates = ['pointcloud.ply', 'pointcloud.pcd', 'colmap'];
  const landmarkCandidates = ['landmarks3d.npy', 'landmarks3d.json'];
  return {
    sequence,
    frame,
    dir,
    images: cameraFiles(join(dir, 'images-2x-73fps'), ['png', 'jpg', 'jpeg']),
    depthMaps: cameraFiles(join(dir, 'colmap-73fps', 'depth_maps_compressed'), ['png']),
    labelMaps: cameraFiles(join(dir, 'segmentation'), ['png']),
    pointCloud: cloudCandidates.map((n) => join(dir, n)).find((p) => existsSync(p)),
    landmarks: landmarkCandidates.map((n) => join(dir, n)).find((p) => existsSync(p)),
  };
}

/** labels.json: `{"labels": {"<id>": "<name>"}, "face_kept": [ids]}`; without face_kept, skin/brows/nose/lips are kept. */
export function readLabelSpec(path: string): LabelSpec {
  const doc = readJson(path) as { labels?: Record<string, unknown>; face_kept?: unknown };
  if (!doc || typeof doc.labels !== 'object' || doc.labels === null) throw new InputError(path, 'needs a "labels" object mapping label ids to names');
  const names = new Map<number, string>();
  for (const [id, name] of Object.entries(doc.labels)) {
    const n = Number(id);
    if (!Number.isInteger(n) || n < 0 || n > 255 || typeof name !== 'string') throw new InputError(path, `label "${id}" must be an integer 0–255 mapped to a name`);
    names.set(n, name);
  }
  let kept: Set<number>;
  if (doc.face_kept !== undefined) {
    if (!Array.isArray(doc.face_kept) || doc.face_kept.some((v) => !names.has(v as number))) {
      throw new InputError(path, '"face_kept" must list label ids defined in "labels"');
    }
    kept = new Set(doc.face_kept as number[]);
  } else {
    kept = new Set([...names].filter(([, name]) => DEFAULT_KEPT.includes(name)).map(([id]) => id));
    if (kept.size === 0) throw new InputError(path, `no "face_kept" list and none of the default kept classes (${DEFAULT_KEPT.join(', ')}) is named`);
  }
  return { names, kept };
}

/**
 * Read the layout of a NeRSemble-style capture (docs/formats.md#raw-capture): persons `<pid:03d>`, their
 * cameras, sequences and frames. Files are only listed here, not decoded. Inconsistent
 * parts (an image from a camera without calibration, a frame without landmarks) are errors.
 */
export function readCapture(root: string, unit: LengthUnit = 'm', only?: string[]): Capture {
  if (!existsSync(root) || !statSync(root).isDirectory()) throw new InputError(root, 'capture folder not found');
  const labelsPath = join(root, 'labels.json');
  const labels = existsSync(labelsPath) ? readLabelSpec(labelsPath) : undefined;
  const persons: CapturePerson[] = [];
  for (const id of listDir(root)) {
    if (!/^\d{3}$/.test(id) || (only && !only.includes(id))) continue;
    const dir = join(root, id);
    const cameras = readCameraParams(join(dir, 'camera_params.json'), unit);
    const frames: CaptureFrame[] = [];
    for (const sequence of listDir(join(dir, 'sequences'))) {
      plainName(sequence, 'sequence folder', join(dir, 'sequences'));
      for (const name of listDir(join(dir, 'sequences', sequence))) {
        const m = /^frame_(\d+)$/.exec(name);
        if (!m) continue;
        const frame = readFrame(sequence, join(dir, 'sequences', sequence, name), Number(m[1]));
        for (const serial of [...frame.images.keys(), ...frame.depthMaps.keys(), ...frame.labelMaps.keys()]) {
          if (!cameras.has(serial)) {
            throw new InputError(join(dir, 'camera_params.json'), `camera ${serial} appears in ${frame.dir} but has no calibration here`);
          }
        }
        frames.push(frame);
      }
    }
    if (frames.length === 0) throw new InputError(dir, 'has no frames (expected sequences/<SEQ>/frame_<t>/)');
    persons.push({ id, dir, cameras, frames });
  }
  if (persons.length === 0) throw new InputError(root, only ? `none of the persons ${only.join(', ')} is in this capture` : 'holds no person folders (expected <pid:03d>/)');
  return { root, unit, persons, labels };
}

/** (68,3) landmarks of a frame, converted to mm. */
export function readFrameLandmarks(frame: CaptureFrame, unit: LengthUnit): Float64Array {
  if (!frame.landmarks) throw new InputError(frame.dir, 'has no landmarks3d.npy/.json; they are needed for expression selection and the GT landmarks');
  let values: Float64Array;
  if (frame.landmarks.endsWith('.npy')) {
    const npy = readNpy(frame.landmarks);
    const shape = npy.shape.join(',');
    if (shape !== '68,3' && shape !== '1,68,3') throw new InputError(frame.landmarks, `expected landmarks of shape (68,3), got (${shape})`);
    values = Float64Array.from(npy.data as ArrayLike<number>);
  } else {
    const doc = readJson(frame.landmarks);
    if (!Array.isArray(doc) || doc.length !== 68 || doc.some((p) => !Array.isArray(p) || p.length !== 3)) {
      throw new InputError(frame.landmarks, 'expected a JSON list of 68 [x, y, z] points');
    }
    values = Float64Array.from((doc as number[][]).flat());
  }
  const scale = MM_PER_UNIT[unit];
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i])) throw new InputError(frame.landmarks, `landmark ${Math.floor(i / 3)} is not finite`);
    values[i] *= scale;
  }
  return values;
}

/** Name of a frame as used in item ids: `<SEQ>_<t:03d>`. */
export function frameKey(frame: Pick<CaptureFrame, 'sequence' | 'frame'>): string {
  return `${frame.sequence}_${String(frame.frame).padStart(3, '0')}`;
}
