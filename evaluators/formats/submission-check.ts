/**
 * The one check of a submission — a predictions folder or a submission zip, given as a list
 * of entries (submission-source.ts) — against the items it must cover, the way the NeRSemble
 * SVFR server checks an upload (nersemble_benchmark `SVFRSubmissionDataReader.validate_submission`,
 * docs/formats.md#validation) plus what facebench's scoring would refuse. Every problem is
 * collected, each with its category and the task it affects:
 *
 * - the server's categories: `missing mesh`, `empty mesh` (no vertices or no faces),
 *   `missing landmarks` (a mesh without FLAME topology and no landmark file), `wrong landmark
 *   shape` (not (7,3)), `unexpected file`;
 * - facebench's: `invalid mesh` (unreadable, non-finite or out-of-bounds coordinates, no
 *   triangle of non-zero area), `invalid landmarks` (unreadable, not float, non-finite or
 *   out-of-bounds values), `no task submitted` (no mesh of either task).
 *
 * As on the server, a task is checked when any item has its mesh, or when it is asked for;
 * a task with no mesh at all is "not submitted" (a note, not a problem).
 */
import { isInputError } from '../errors.js';
import { validateLandmarkBounds, validatePredictionMesh } from '../geometry/validate.js';
import { parseLandmarks } from '../io/landmarks.js';
import { parseNpy } from '../io/npy.js';
import { parsePly } from '../io/ply.js';
import { FLAME_FACE_COUNT, FLAME_VERTEX_COUNT, isFlameTopology } from '../protocols/flame-landmarks.js';
import { DONE_FILE, MAP_FILES, METHOD_FILE, predictionFiles } from './predictions.js';
import type { SubmissionEntry } from './submission-source.js';
import { TASKS, type TaskName } from './tasks.js';

export const PROBLEM_CATEGORIES = [
  'missing mesh', 'empty mesh', 'invalid mesh', 'missing landmarks', 'wrong landmark shape', 'invalid landmarks',
  'unexpected file', 'no task submitted', 'changed benchmark', 'invalid method.json',
] as const;
export type ProblemCategory = (typeof PROBLEM_CATEGORIES)[number];

export interface SubmissionProblem {
  category: ProblemCategory;
  /** The task the problem keeps from being scored; null when it concerns the whole submission. */
  task: TaskName | null;
  /** The entry, relative to the submission (or a benchmark file). */
  file: string;
  detail: string;
}

/** One line: `<file>: <detail> [<category>, <task>]`. */
export function problemLine(p: SubmissionProblem): string {
  return `${p.file}: ${p.detail} [${p.category}${p.task ? `, ${p.task}` : ''}]`;
}

/** An item the submission must cover: `<person>/<id>/`. */
export interface ExpectedItem {
  person: string;
  id: string;
}

export interface SubmissionCheckOptions {
  /** Tasks asked for: checked even when no item has their mesh. */
  tasks?: readonly TaskName[];
  /** Check exactly `tasks`: the other task's files are neither checked nor unexpected (`pack`). */
  only?: boolean;
  /**
   * A predictions folder (`facebench predict`'s output): also allows the top-level
   * method.json and each item's .done.json and maps (normals.npy, uv.npy), and reads (1,7,3)
   * landmark files as facebench does. A submission zip holds only meshes and (7,3) landmarks.
   */
  predictionsFolder?: boolean;
  /** Why an unknown item folder is stray, e.g. `not an item of this benchmark`. */
  strayItem?: string;
}

export type TaskStatus = 'checked' | 'not submitted';

export interface SubmissionCheck {
  items: number;
  /** Meshes read. */
  meshes: number;
  tasks: Record<TaskName, TaskStatus>;
  problems: SubmissionProblem[];
  notes: string[];
}

/** The landmark problem of a `.npy` landmark file, or undefined when it is fine. */
function landmarkProblem(bytes: Uint8Array, file: string, official: boolean): { category: ProblemCategory; detail: string } | undefined {
  const fail = (category: ProblemCategory, error: unknown) => ({ category, detail: isInputError(error) ? error.detail : `unreadable (${(error as Error).message})` });
  let shape: number[];
  try {
    shape = parseNpy(bytes, file).shape;
  } catch (error) {
    return fail('invalid landmarks', error);
  }
  const exact = shape.length === 2 && shape[0] === 7 && shape[1] === 3;
  const batched = shape.length === 3 && shape[0] === 1 && shape[1] === 7 && shape[2] === 3;
  if (!exact && !(batched && !official)) {
    const why = batched ? ' (facebench reads (1,7,3), the NeRSemble server wants (7,3); `facebench pack` writes (7,3))' : '';
    return { category: 'wrong landmark shape', detail: `has shape (${shape.join(',')}), expected the 7 landmarks as (7,3)${why}` };
  }
  try {
    validateLandmarkBounds(parseLandmarks(bytes, file, { count: 7 }), file);
  } catch (error) {
    return fail('invalid landmarks', error);
  }
  return undefined;
}

/**
 * Check `entries` against `items`. Entries that cannot be read because the archive itself is
 * damaged (a CRC mismatch, a zip bomb) raise an InputError naming the archive.
 */
export function checkSubmission(entries: readonly SubmissionEntry[], items: readonly ExpectedItem[], options: SubmissionCheckOptions = {}): SubmissionCheck {
  const folder = options.predictionsFolder ?? false;
  const byPath = new Map(entries.map((e) => [e.path, e]));
  const problems: SubmissionProblem[] = [];
  const problem = (category: ProblemCategory, task: TaskName | null, file: string, detail: string): void => {
    problems.push({ category, task, file, detail });
  };
  const meshPath = (item: ExpectedItem, task: TaskName) => `${item.person}/${item.id}/${predictionFiles(task).mesh}`;

  const present = TASKS.filter((task) => items.some((item) => byPath.get(meshPath(item, task))?.kind === 'file'));
  const asked = options.tasks ?? [];
  const checked = TASKS.filter((task) => asked.includes(task) || (!options.only && present.includes(task)));
  const status = Object.fromEntries(TASKS.map((t) => [t, checked.includes(t) ? 'checked' : 'not submitted'])) as Record<TaskName, TaskStatus>;
  const notes = TASKS.filter((t) => !checked.includes(t) && (!options.only || present.includes(t))).map((t) => options.only
    ? `${t}: its meshes are left out (not asked for)`
    : `${t}: not submitted (no ${predictionFiles(t).mesh} of any item); the server scores only the tasks present`);
  if (checked.length === 0) {
    problem('no task submitted', null, '.', `holds no ${predictionFiles('posed').mesh} or ${predictionFiles('neutral').mesh} of any of the ${items.length} items: nothing would be scored`);
  }

  let meshes = 0;
  for (const item of items) {
    for (const task of checked) {
      const names = predictionFiles(task);
      const file = meshPath(item, task);
      const entry = byPath.get(file);
      if (!entry) {
        problem('missing mesh', task, file, `missing (the ${task} task of item ${item.id})`);
        continue;
      }
      if (entry.kind !== 'file') continue; // reported below as unexpected
      const bytes = entry.read();
      let vertices = -1, flame = false;
      try {
        const mesh = parsePly(bytes, file);
        meshes++;
        vertices = mesh.positions.length / 3;
        const faces = mesh.faces.length / 3;
        flame = isFlameTopology(mesh);
        if (vertices === 0 || faces === 0) problem('empty mesh', task, file, `the mesh is empty (${vertices} vertices, ${faces} faces)`);
        else validatePredictionMesh(mesh, file);
      } catch (error) {
        problem('invalid mesh', task, file, isInputError(error) ? error.detail : `unreadable (${(error as Error).message})`);
      }
      const lmFile = `${item.person}/${item.id}/${names.landmarks}`;
      const lm = byPath.get(lmFile);
      if (lm?.kind === 'file') {
        const bad = landmarkProblem(lm.read(), lmFile, !folder);
        if (bad) problem(bad.category, task, lmFile, bad.detail);
      } else if (!lm && vertices > 0 && !flame) {
        const why = vertices === FLAME_VERTEX_COUNT ? `has FLAME's ${FLAME_VERTEX_COUNT} vertices but not its ${FLAME_FACE_COUNT} faces` : `has ${vertices} vertices, not FLAME's ${FLAME_VERTEX_COUNT}`;
        problem('missing landmarks', task, file, `${why} and there is no ${names.landmarks} with its 7 landmarks (7,3)`);
      }
    }
  }

  // Everything else is unexpected; a stray folder is named once, not every file in it.
  const persons = new Map<string, Set<string>>();
  for (const item of items) {
    if (!persons.has(item.person)) persons.set(item.person, new Set());
    persons.get(item.person)!.add(item.id);
  }
  const itemFiles = new Set(TASKS.flatMap((t) => Object.values(predictionFiles(t))));
  if (folder) for (const name of [DONE_FILE, ...Object.values(MAP_FILES)]) itemFiles.add(name);
  const what = folder ? 'a submission' : 'a submission zip';
  const topWhy = `${what} holds only <pid>/<item>/ folders${folder ? ' and method.json' : ''}`;
  const itemWhy = folder
    ? 'an item holds only mesh_{posed,neutral}.ply, landmarks_{posed,neutral}.npy and the optional normals.npy, uv.npy maps'
    : 'an item of a submission zip holds only mesh_{posed,neutral}.ply and landmarks_{posed,neutral}.npy';
  const strayItem = options.strayItem ?? 'not an item of this benchmark';
  const stray = new Set<string>();
  const unexpected = (file: string, detail: string): void => {
    if (stray.has(file)) return;
    stray.add(file);
    problem('unexpected file', null, file, detail);
  };
  for (const entry of entries) {
    if (entry.kind === 'link') { unexpected(entry.path, 'a symbolic link (a submission holds regular files and folders only)'); continue; }
    if (entry.kind === 'special') { unexpected(entry.path, 'not a regular file or folder'); continue; }
    const parts = entry.path.split('/');
    const isFolder = (depth: number) => parts.length > depth + 1 || entry.kind === 'folder';
    const at = (depth: number) => parts.slice(0, depth + 1).join('/');
    if (parts.length === 1 && entry.kind === 'file' && folder && parts[0] === METHOD_FILE) continue;
    const ids = persons.get(parts[0]);
    if (!ids || !isFolder(0)) { unexpected(at(0), `stray ${isFolder(0) ? 'folder' : 'file'} (${topWhy})`); continue; }
    if (parts.length === 1) continue; // an (empty) person folder
    if (!ids.has(parts[1]) || !isFolder(1)) { unexpected(at(1), `stray ${isFolder(1) ? `folder (${strayItem})` : 'file'}`); continue; }
    if (parts.length === 2) continue; // an (empty) item folder
    if (isFolder(2) || !itemFiles.has(parts[2])) { unexpected(at(2), `stray ${isFolder(2) ? 'folder' : 'file'} (${itemWhy})`); continue; }
  }
  return { items: items.length, meshes, tasks: status, problems, notes };
}

/** The task list of a `--task` choice. */
export function tasksOfChoice(choice: 'posed' | 'neutral' | 'both'): TaskName[] {
  return choice === 'both' ? [...TASKS] : [choice];
}

