/**
 * The method-adapter interface: one adapter per reconstruction method (`baselines/<name>/`),
 * registered by name (registry.ts) and run by `facebench predict` (benchmark/predict/) over a
 * built benchmark or over the images of an SVFR download (`--images`). An adapter turns one
 * item (its input crop and metadata) into the two meshes of the NeRSemble single-view protocol
 * (docs/protocols.md#nersemble): the face as seen (posed) and the same person's neutral face.
 * Everything is in millimetres.
 */
import type { z } from 'zod';
import type { TriangleMesh } from '../evaluators/geometry/types.js';
import type { ItemRecord, Manifest, PersonRecord, TaskName } from '../evaluators/formats/index.js';

/**
 * What every item has, from a benchmark or an SVFR download: its ids (the output folder
 * `<person>/<id>`), sequence, frame (the SVFR timestep), camera (serial) and folder `dir`
 * (relative to `PredictItem.bench`). Items of a built benchmark carry their whole manifest
 * record (rank, distance, points, …).
 */
export type PredictItemRecord = Pick<ItemRecord, 'id' | 'person' | 'sequence' | 'frame' | 'camera' | 'dir'> & Partial<ItemRecord>;

/** One item as an adapter sees it. */
export interface PredictItem {
  /** The benchmark folder (absolute); for an SVFR download, its `svfr/` folder. */
  bench: string;
  /** The item's ids and record (see PredictItemRecord). */
  item: PredictItemRecord;
  /**
   * The manifest's record of the item's person (its neutral frame under `neutral`); undefined
   * for an SVFR download, which knows nothing but the images.
   */
  person?: PersonRecord;
  /** Absolute path of the item's input crop (`image.png` of a benchmark, `rgb.png` of an SVFR download). */
  imagePath: string;
  /**
   * The item's parsed `meta.json` (crop box, source image, expression rank, …). For an SVFR
   * download: the ids and `crop_box` `{x: 0, y: 0, size, output_size}` with the image's side
   * read from its PNG header (the image is the whole crop).
   */
  meta: Record<string, unknown>;
  /** The capture the benchmark was built from (`manifest.source.capture`), when it still exists. */
  capture?: string;
}

/**
 * What an adapter returns for one item. Meshes are in mm; any topology. The landmarks are
 * the 7 alignment landmarks (docs/conventions.md#alignment-landmarks) (21 numbers, mm, in the mesh's frame); a mesh without
 * them must have FLAME's topology (5023 vertices, 9976 faces) so they come from FLAME's
 * static embedding.
 */
export interface Prediction {
  /** Absent only for a method whose `tasks` leave the posed task out (a MICA-style identity regressor). */
  posed?: TriangleMesh;
  /** Absent only for a method whose `tasks` leave the neutral task out (`tasks: []`, a normal estimator). */
  neutral?: TriangleMesh;
  landmarksPosed?: Float64Array;
  landmarksNeutral?: Float64Array;
  /**
   * Optional screen-space maps of the input crop (docs/formats.md#predictions-submission-layout):
   * the normal map in the crop camera's frame (3 per pixel) and the UV map (2 per pixel),
   * row-major, NaN where nothing is predicted; written as normals.npy and uv.npy.
   */
  maps?: { width: number; height: number; normals?: Float32Array; uv?: Float32Array };
}

/** What `prepare` gets once before the first item. */
export interface PrepareContext<O> {
  /** The benchmark folder; for an SVFR download, its `svfr/` folder. */
  bench: string;
  /** The benchmark's manifest; undefined for an SVFR download (`predict --images`). */
  manifest?: Manifest;
  options: O;
}

/**
 * A reconstruction method. `options` is a zod schema whose fields all have defaults (so `{}`
 * parses), with `.describe()` texts: `facebench methods` prints it, `--opts JSON` is parsed
 * with it, and the parsed value is part of the resume key of every prediction.
 */
export interface MethodAdapter<O = unknown> {
  /** Registry name, lower-case with dashes (e.g. `mean-shape`). */
  name: string;
  /** Bumped whenever the method's output changes; part of the resume key. */
  version: string;
  /** One line for `facebench methods`. */
  description: string;
  options: z.ZodType<O>;
  /**
   * The tasks the method predicts (default both). A method that predicts the neutral face
   * only (MICA) declares `['neutral']`: its predictions hold no posed mesh, method.json records
   * the tasks, and `eval` scores only those. A method that predicts screen-space maps only (a
   * normal estimator, scored by `facebench eval-normals`) declares `[]` and must return
   * `maps.normals`; its predictions hold no meshes and `eval` refuses them.
   */
  tasks?: readonly TaskName[];
  requires?: {
    /** Needs the generator truth of a demo capture (`<capture>/_truth/`); implies `benchmark`. */
    demoTruth?: boolean;
    /**
     * Needs a built benchmark — its truth, its manifest or files beyond the input image: the
     * reason (one phrase), or a function of the parsed options giving it (undefined: the
     * image is enough with these options). `predict --images` refuses such a run before any
     * work, saying why. Adapters that declare nothing run on SVFR downloads too.
     */
    benchmark?: string | ((options: O) => string | undefined);
  };
  /** Called once per run before any item (load models, check inputs); throw InputError to refuse the run. */
  prepare?(context: PrepareContext<O>): Promise<void>;
  /** Predict one item; a thrown error fails this item only. */
  predict(item: PredictItem, options: O): Promise<Prediction>;
}

/** Identity helper that infers `O` from the schema: `export const myMethod = defineMethod({ … })`. */
export function defineMethod<S extends z.ZodType>(adapter: Omit<MethodAdapter<z.output<S>>, 'options'> & { options: S }): MethodAdapter<z.output<S>> {
  return adapter as MethodAdapter<z.output<S>>;
}
