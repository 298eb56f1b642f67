/**
 * The method-adapter interface: one adapter per reconstruction method (`baselines/<name>/`),
 * registered by name (registry.ts) and run over a built benchmark by `facebench predict`
 * (benchmark/predict/). An adapter turns one benchmark item (its 512² input crop and
 * metadata) into the two meshes of the NeRSemble single-view protocol (docs/protocols.md#nersemble): the face
 * as seen (posed) and the same person's neutral face. Everything is in millimetres.
 */
import type { z } from 'zod';
import type { TriangleMesh } from '../evaluators/geometry/types.js';
import type { ItemRecord, Manifest, PersonRecord } from '../evaluators/formats/index.js';

/** One benchmark item as an adapter sees it. */
export interface PredictItem {
  /** The benchmark folder (absolute). */
  bench: string;
  /** The manifest's record of the item (id, person, sequence, frame, camera, dir, …). */
  item: ItemRecord;
  /** The manifest's record of the item's person (its neutral frame under `neutral`). */
  person: PersonRecord;
  /** Absolute path of the item's input crop `image.png`. */
  imagePath: string;
  /** The item's parsed `meta.json` (crop box, source image, expression rank, …). */
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
  posed: TriangleMesh;
  neutral: TriangleMesh;
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
  bench: string;
  manifest: Manifest;
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
  requires?: {
    /** Needs the generator truth of a demo capture (`<capture>/_truth/`). */
    demoTruth?: boolean;
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
