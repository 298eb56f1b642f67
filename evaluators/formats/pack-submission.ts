/**
 * `facebench pack`: a predictions folder → the official NeRSemble SVFR submission zip
 * (docs/formats.md#submission-zip):
 *
 *   <pid:03d>/<SEQ>_<t:03d>_<serial>/mesh_{posed,neutral}.ply   binary little-endian PLY: float32 x y z, faces as uchar count + int indices
 *                                   /landmarks_{posed,neutral}.npy  (7,3) float64, when the folder has them (required without FLAME topology)
 *
 * Item folders are `<pid>/<key>/` with a three-digit participant id and an SVFR key
 * (`EXP-1-head_7_222200040` or already padded, as `predict --images` and built benchmarks
 * name them); the key is written padded. method.json, .done.json and the maps are left out.
 * The folder is checked first (submission-check.ts, only the tasks asked for); with any
 * problem nothing is written.
 */
import { relative, resolve, sep, isAbsolute } from 'node:path';
import { InputError } from '../errors.js';
import { parseLandmarks } from '../io/landmarks.js';
import { encodeNpy } from '../io/npy.js';
import { encodePly } from '../io/ply.js';
import { parseMesh } from '../io/read.js';
import { writeZip, type ZipInput } from '../io/zip.js';
import { predictionFiles } from './predictions.js';
import { checkSubmission, type SubmissionProblem } from './submission-check.js';
import { folderSubmission, submissionKind } from './submission-source.js';
import { SVFR_PERSON, parseSvfrKey, submissionKey } from './svfr.js';
import type { TaskName } from './tasks.js';

export interface PackResult {
  /** Items packed (or found, when there are problems). */
  items: number;
  tasks: TaskName[];
  /** Entry names of the zip, in its order (empty when there are problems). */
  entries: string[];
  /** Size of the zip in bytes (0 when nothing was written). */
  bytes: number;
  /** What keeps the folder from being packed; nothing is written when there is any. */
  problems: SubmissionProblem[];
  notes: string[];
}

interface PackItem {
  person: string;
  /** The folder name in the predictions. */
  id: string;
  /** The padded key of the zip. */
  key: string;
}

/** Pack the predictions folder `pred` for `tasks` into the zip `out` (atomically; nothing on a problem). */
export function packSubmission(pred: string, out: string, tasks: readonly TaskName[]): PackResult {
  const kind = submissionKind(pred);
  if (kind === 'missing') throw new InputError(pred, 'predictions folder not found');
  if (kind === 'zip') throw new InputError(pred, 'is a zip already; pack takes a predictions folder (check a zip with `facebench validate`)');
  const inside = relative(resolve(pred), resolve(out));
  if (inside === '' || (!inside.startsWith(`..${sep}`) && inside !== '..' && !isAbsolute(inside))) {
    throw new InputError(out, 'is inside the predictions folder; write the zip elsewhere');
  }
  const source = folderSubmission(pred);
  const items: PackItem[] = [];
  const byKey = new Map<string, PackItem>();
  const problems: SubmissionProblem[] = [];
  for (const entry of source.entries) {
    const [person, id] = entry.path.split('/');
    if (id === undefined || !SVFR_PERSON.test(person) || !(entry.path.split('/').length > 2 || entry.kind === 'folder')) continue;
    const key = parseSvfrKey(id);
    if (!key) continue;
    const padded = `${person}/${submissionKey(key)}`;
    const other = byKey.get(padded);
    if (other?.id === id) continue;
    if (other) {
      problems.push({ category: 'unexpected file', task: null, file: `${person}/${id}`, detail: `has the same submission key ${submissionKey(key)} as ${person}/${other.id}` });
      continue;
    }
    const item = { person, id, key: submissionKey(key) };
    byKey.set(padded, item);
    items.push(item);
  }
  if (items.length === 0) throw new InputError(pred, 'holds no item folder <pid>/<SEQUENCE>_<timestep>_<serial>/ (e.g. 017/EXP-1-head_007_222200040/) to pack');
  const check = checkSubmission(source.entries, items, {
    tasks, only: true, predictionsFolder: true,
    strayItem: 'not an SVFR item folder <SEQUENCE>_<timestep>_<serial>, e.g. EXP-1-head_007_222200040',
  });
  problems.push(...check.problems);
  const result = { items: items.length, tasks: [...tasks], entries: [] as string[], bytes: 0, problems, notes: check.notes };
  if (problems.length > 0) return result;

  const zip: ZipInput[] = [];
  for (const item of items) {
    for (const task of tasks) {
      const names = predictionFiles(task);
      const at = (name: string) => `${item.person}/${item.id}/${name}`;
      const meshEntry = source.get(at(names.mesh))!;
      const mesh = parseMesh(meshEntry.read(), meshEntry.location);
      zip.push({ name: `${item.person}/${item.key}/${names.mesh}`, data: encodePly({ positions: mesh.positions, faces: mesh.faces }, { format: 'binary_little_endian', precision: 'float' }) });
      const lmEntry = source.get(at(names.landmarks));
      if (lmEntry) {
        const landmarks = parseLandmarks(lmEntry.read(), lmEntry.location, { count: 7 });
        zip.push({ name: `${item.person}/${item.key}/${names.landmarks}`, data: encodeNpy(landmarks, [7, 3], '<f8') });
      }
    }
  }
  zip.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const bytes = writeZip(out, zip);
  return { ...result, entries: zip.map((e) => e.name), bytes };
}
