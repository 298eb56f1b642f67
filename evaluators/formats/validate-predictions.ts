/**
 * Checking a predictions folder the way the NeRSemble single-view benchmark server checks
 * a submission (docs/formats.md#validation): for every manifest item and both tasks a readable, non-empty,
 * finite `mesh_{task}.ply`; FLAME topology (5023 vertices, 9976 faces; landmarks from the
 * static embedding) or a (7,3) `landmarks_{task}.npy`; and nothing else in the folder
 * (`method.json` at the top and the runner's `.done.json` markers are allowed). Every
 * problem is collected, one line each, naming the file.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { isInputError } from '../errors.js';
import { validatePredictionMesh, validateLandmarkBounds } from '../geometry/validate.js';
import { readLandmarks, readMesh } from '../io/index.js';
import { FLAME_FACE_COUNT, FLAME_VERTEX_COUNT, isFlameTopology } from '../protocols/index.js';
import { changedFiles, readManifest, type Manifest } from './manifest.js';
import { ITEM_FILE_NAMES, METHOD_FILE, methodName, predictionFiles } from './predictions.js';
import { TASKS } from './tasks.js';

export interface ValidationReport {
  /** Items checked (manifest items). */
  items: number;
  /** Meshes read successfully. */
  meshes: number;
  problems: string[];
}


/** Validate `pred` against the benchmark `bench` (or an already-read manifest). */
export function validatePredictions(bench: string, pred: string, manifest: Manifest = readManifest(bench)): ValidationReport {
  const root = resolve(pred);
  const rel = (path: string): string => relative(root, path).split(sep).join('/') || '.';
  const problems: string[] = [];
  if (!existsSync(root) || !statSync(root).isDirectory()) return { items: manifest.items.length, meshes: 0, problems: [`${pred}: predictions folder not found`] };
  let meshes = 0;
  // What eval would refuse: a benchmark changed since it was built, a method name that is no plain name.
  problems.push(...changedFiles(bench, manifest).map((p) => `${bench}/${p}`));
  if (existsSync(join(root, METHOD_FILE))) {
    try {
      methodName(root);
    } catch (error) {
      problems.push(isInputError(error) ? `${rel(error.file)}: ${error.detail}` : `${METHOD_FILE}: ${(error as Error).message}`);
    }
  }

  for (const item of manifest.items) {
    const dir = join(root, item.person, item.id);
    for (const task of TASKS) {
      const names = predictionFiles(task);
      const meshPath = join(dir, names.mesh);
      const lmPath = join(dir, names.landmarks);
      if (!existsSync(meshPath)) {
        problems.push(`${rel(meshPath)}: missing (the ${task} task of item ${item.id})`);
        continue;
      }
      let vertexCount = -1, flame = false;
      try {
        const mesh = readMesh(meshPath);
        meshes++;
        vertexCount = mesh.positions.length / 3;
        flame = isFlameTopology(mesh);
        // What scoring refuses beyond reading: coordinates beyond the bound, no triangle of non-zero area.
        validatePredictionMesh(mesh, meshPath);
      } catch (error) {
        problems.push(isInputError(error) ? `${rel(meshPath)}: ${error.detail}` : `${rel(meshPath)}: unreadable (${(error as Error).message})`);
      }
      if (existsSync(lmPath)) {
        try {
          validateLandmarkBounds(readLandmarks(lmPath, { count: 7 }), lmPath);
        } catch (error) {
          problems.push(isInputError(error) ? `${rel(lmPath)}: ${error.detail}` : `${rel(lmPath)}: unreadable (${(error as Error).message})`);
        }
      } else if (vertexCount >= 0 && !flame) {
        const why = vertexCount === FLAME_VERTEX_COUNT ? `has FLAME's ${FLAME_VERTEX_COUNT} vertices but not its ${FLAME_FACE_COUNT} faces` : `has ${vertexCount} vertices, not FLAME's ${FLAME_VERTEX_COUNT}`;
        problems.push(`${rel(meshPath)}: ${why} and there is no ${names.landmarks} with its 7 landmarks (7,3)`);
      }
    }
  }

  // Stray files and folders.
  const persons = new Map<string, Set<string>>();
  for (const item of manifest.items) {
    if (!persons.has(item.person)) persons.set(item.person, new Set());
    persons.get(item.person)!.add(item.id);
  }
  // Symbolic links are refused wherever they are: a submission is plain files and folders.
  const entries = (dir: string) =>
    readdirSync(dir, { withFileTypes: true })
      .sort((a, b) => (a.name < b.name ? -1 : 1))
      .filter((e) => !e.isSymbolicLink() || void problems.push(`${rel(join(dir, e.name))}: a symbolic link (a submission holds regular files and folders only)`));
  for (const top of entries(root)) {
    const path = join(root, top.name);
    if (top.isFile() && top.name === METHOD_FILE) continue;
    const items = persons.get(top.name);
    if (!top.isDirectory() || !items) {
      problems.push(`${rel(path)}: stray ${top.isDirectory() ? 'folder' : 'file'} (a submission holds only <pid>/<item>/ folders of benchmark items and method.json)`);
      continue;
    }
    for (const itemEntry of entries(path)) {
      const itemPath = join(path, itemEntry.name);
      if (!itemEntry.isDirectory() || !items.has(itemEntry.name)) {
        problems.push(`${rel(itemPath)}: stray ${itemEntry.isDirectory() ? 'folder (not an item of this benchmark)' : 'file'}`);
        continue;
      }
      for (const file of entries(itemPath)) {
        if (file.isFile() && ITEM_FILE_NAMES.has(file.name)) continue;
        problems.push(`${rel(join(itemPath, file.name))}: stray ${file.isDirectory() ? 'folder' : 'file'} (an item holds only mesh_{posed,neutral}.ply, landmarks_{posed,neutral}.npy and the optional normals.npy, uv.npy maps)`);
      }
    }
  }
  return { items: manifest.items.length, meshes, problems };
}
