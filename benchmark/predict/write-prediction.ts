/**
 * Writing one item's prediction in the submission layout (docs/formats.md#predictions-submission-layout):
 * `<out>/<pid>/<item>/mesh_posed.ply, mesh_neutral.ply [, landmarks_posed.npy, landmarks_neutral.npy]`,
 * binary little-endian PLY (float32) and (7,3) float64 .npy, each written atomically.
 */
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Prediction } from '../../baselines/adapter.js';
import { firstNonFinite, validateMesh } from '../../evaluators/geometry/validate.js';
import type { TriangleMesh } from '../../evaluators/geometry/types.js';
import { encodeNpy, encodePly, writeFileAtomic } from '../../evaluators/io/index.js';
import { isFlameTopology } from '../../evaluators/protocols/index.js';
import { MAP_FILES, predictionFiles, TASKS, type TaskName } from '../../evaluators/formats/index.js';

/** The parts of a prediction for one task (no mesh: a task the method leaves out). */
export function taskPrediction(prediction: Prediction, task: TaskName): { mesh?: TriangleMesh; landmarks?: Float64Array } {
  return task === 'posed' ? { mesh: prediction.posed, landmarks: prediction.landmarksPosed } : { mesh: prediction.neutral, landmarks: prediction.landmarksNeutral };
}

/**
 * Check what an adapter returned before anything is written: a mesh for each of its `tasks`
 * (valid: vertices, faces, finite, indices in range), 7 finite landmarks, and landmarks for
 * every mesh that is not FLAME-topology; with `tasks` [] (a maps-only method) a normal map.
 * Throws an Error naming the method and task.
 */
export function checkPrediction(prediction: Prediction, method: string, tasks: readonly TaskName[] = TASKS): void {
  for (const task of tasks) {
    const { mesh, landmarks } = taskPrediction(prediction, task);
    const what = `${method} ${task} prediction`;
    if (!(mesh as TriangleMesh | undefined)?.positions || !(mesh as TriangleMesh | undefined)?.faces) {
      throw new Error(`${what}: expected a TriangleMesh {positions: Float64Array, faces: Uint32Array}`);
    }
    validateMesh(mesh!, what);
    if (landmarks) {
      if (landmarks.length !== 21) throw new Error(`${what}: ${landmarks.length / 3} landmarks, expected the 7 alignment landmarks (21 numbers)`);
      const bad = firstNonFinite(landmarks);
      if (bad >= 0) throw new Error(`${what}: landmark ${Math.floor(bad / 3)} is not finite`);
    } else if (!isFlameTopology(mesh!)) {
      throw new Error(`${what}: a ${mesh!.positions.length / 3}-vertex mesh without landmarks; only FLAME-topology meshes (5023 vertices, 9976 faces) may omit them`);
    }
  }
  const maps = prediction.maps;
  // A maps-only method (tasks []) predicts nothing but its normal map.
  if (tasks.length === 0 && !maps?.normals) throw new Error(`${method} prediction: a method with tasks [] (maps only) must return maps.normals`);
  if (maps) {
    if (!(Number.isInteger(maps.width) && maps.width > 0 && Number.isInteger(maps.height) && maps.height > 0)) throw new Error(`${method} maps: width and height must be positive integers`);
    for (const [key, channels] of [['normals', 3], ['uv', 2]] as const) {
      const values = maps[key];
      if (values && values.length !== channels * maps.width * maps.height) {
        throw new Error(`${method} ${key} map: ${values.length} values for ${maps.width}×${maps.height}×${channels}`);
      }
    }
  }
}

/**
 * Write the `tasks` of a checked prediction into `dir`. Files of another task (of every task
 * when `tasks` is [], a maps-only method), and a landmark file this prediction has none for,
 * left from an earlier run are removed (the scorer would otherwise use them). Returns the
 * written file names.
 */
export function writePrediction(dir: string, prediction: Prediction, comment: string, tasks: readonly TaskName[] = TASKS): string[] {
  const written: string[] = [];
  for (const task of TASKS) {
    const { mesh, landmarks } = taskPrediction(prediction, task);
    const names = predictionFiles(task);
    if (!tasks.includes(task) || !mesh) {
      for (const name of [names.mesh, names.landmarks]) rmSync(join(dir, name), { force: true });
      continue;
    }
    writeFileAtomic(join(dir, names.mesh), encodePly({ positions: mesh.positions, faces: mesh.faces }, { format: 'binary_little_endian', precision: 'float', comments: [comment] }));
    written.push(names.mesh);
    const lmPath = join(dir, names.landmarks);
    if (landmarks) {
      writeFileAtomic(lmPath, encodeNpy(landmarks, [7, 3], '<f8'));
      written.push(names.landmarks);
    } else if (existsSync(lmPath)) {
      rmSync(lmPath, { force: true });
    }
  }
  // Maps: written when given (checked by checkPrediction), removed when left from an earlier run.
  const maps = prediction.maps;
  for (const [key, channels] of [['normals', 3], ['uv', 2]] as const) {
    const values = maps?.[key];
    const path = join(dir, MAP_FILES[key]);
    if (maps && values) {
      writeFileAtomic(path, encodeNpy(values, [maps.height, maps.width, channels], '<f4'));
      written.push(MAP_FILES[key]);
    } else if (existsSync(path)) {
      rmSync(path, { force: true });
    }
  }
  return written;
}
