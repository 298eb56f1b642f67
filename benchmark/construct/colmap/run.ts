/**
 * Sparse (and, with CUDA, dense) reconstruction with KNOWN cameras, following the COLMAP
 * FAQ "Reconstruct sparse/dense model from known camera poses":
 *  1. `feature_extractor`, one call per image with `--ImageReader.camera_model PINHOLE` and
 *     that image's true `--ImageReader.camera_params`, so the database holds the true
 *     intrinsics (prior_focal_length = 1) without editing SQLite; CPU SIFT.
 *  2. `exhaustive_matcher` (CPU).
 *  3. the known-poses text model (cameras.txt, images.txt with poses, empty points3D.txt).
 *  4. `point_triangulator` with the BA refine flags off (COLMAP 3.8 keeps the given poses).
 *  5. `model_converter` to BIN (`sparse/`) and TXT (`sparse_txt/`).
 *  6. only when the COLMAP build has CUDA and `dense` is not false: `image_undistorter`,
 *     `patch_match_stereo` (geometric consistency), `stereo_fusion` → `dense/fused.ply`.
 *     `patch_match_stereo` needs CUDA, so a CPU build (Debian's `colmap`) stops at sparse;
 *     CUDA is read from the `colmap -h` banner, and a failing dense stage falls back to sparse
 *     with the reason in `denseSkipped`.
 * Poses are written in millimetres, so COLMAP's points come out in mm.
 */
import { availableParallelism } from 'node:os';
import { copyFileSync, existsSync, mkdirSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { InputError } from '../../../evaluators/errors.js';
import type { PointCloud } from '../../../evaluators/geometry/types.js';
import { pathKind, readColmapModel, readPointCloud, type ColmapPoints3D } from '../../../evaluators/io/index.js';
import { requireColmap, type ColmapInstall } from './find.js';
import {
  cameraParamsArgument, prepareCamera, writeKnownPosesModel,
  type ColmapImageInput, type KnownCamera, type PixelCentreConvention, type PreparedCamera,
} from './known-poses.js';
import { ColmapCommandError, runColmapCommand, type ColmapStep } from './process.js';
import { summarizePoints3D, type ColmapSparseStats } from './stats.js';

export interface ColmapInput {
  /**
   * Scratch folder for COLMAP's database and models: new, empty, or one an earlier runColmap
   * made (its files are replaced); any other non-empty folder is refused.
   */
  workDir: string;
  images: ColmapImageInput[];
  /** One camera per image, matched by name. */
  cameras: KnownCamera[];
  /** Millimetres per capture unit of `worldToCam` translations (1000 for metres). */
  unitToMm: number;
  /**
   * Pixel-centre convention of the K matrices: 'opencv' (default, docs/conventions.md#cameras: pixel (0,0) centred
   * at (0,0); 0.5 px is added for COLMAP) or 'colmap' (K copied from COLMAP, e.g. the colmap-ict
   * fixture's camera_params.json; used as is).
   */
  pixelCentre?: PixelCentreConvention;
  /** Named in error messages about the cameras (e.g. the camera_params.json path). */
  cameraFile?: string;
}

export interface ColmapOptions {
  /** COLMAP executable (default `$FACEBENCH_COLMAP` or `colmap` on PATH). */
  colmapBinary?: string;
  /** Run dense stereo when the build has CUDA (default true); without CUDA it is skipped with a reason. */
  dense?: boolean;
  /** CPU threads for SIFT and matching (default: all cores). */
  threads?: number;
  /** Receives every line COLMAP prints, prefixed with the subcommand. */
  onLog?: (line: string) => void;
}

export interface ColmapResult {
  /** The ground-truth cloud in mm: the dense fused cloud when dense ran, else the sparse points. */
  cloud: PointCloud;
  source: 'sparse' | 'dense';
  /** The triangulated points3D table in mm (ids, errors, tracks). */
  sparse: ColmapPoints3D;
  stats: ColmapSparseStats;
  /** Fused dense cloud in mm (with normals and colours), when dense ran. */
  dense?: PointCloud;
  /** Why dense stereo did not run, when it did not. */
  denseSkipped?: string;
  /** Sparse model folder (BIN) and its TXT copy. */
  modelDir: string;
  modelTxtDir: string;
  colmap: ColmapInstall;
  /** Every COLMAP call with its wall time. */
  steps: ColmapStep[];
  /** Total wall time in seconds. */
  seconds: number;
}

const SAFE_NAME = /^[A-Za-z0-9._-]+$/;

/** File that marks a folder as a runColmap workspace, so re-running may clear it. */
export const COLMAP_WORKSPACE_MARKER = '.facebench-colmap';

/** Refuse a work folder that is a file, or non-empty without the workspace marker. */
function checkWorkspace(dir: string): void {
  if (!existsSync(dir)) return;
  if (pathKind(dir) !== 'directory') throw new InputError(dir, 'COLMAP work folder is a file; give a new or empty folder');
  if (readdirSync(dir).length > 0 && !existsSync(join(dir, COLMAP_WORKSPACE_MARKER))) {
    throw new InputError(dir, 'COLMAP work folder is not empty and was not made by facebench; give a new or empty folder');
  }
}

/** Create `dir`, or clear the COLMAP files of a previous run in it. */
function prepareWorkspace(dir: string): void {
  checkWorkspace(dir);
  for (const stale of ['images', 'database.db', 'known', 'triangulated', 'sparse', 'sparse_txt', 'dense', 'lists']) {
    rmSync(join(dir, stale), { recursive: true, force: true });
  }
  mkdirSync(join(dir, 'images'), { recursive: true });
  mkdirSync(join(dir, 'lists'), { recursive: true });
  writeFileSync(join(dir, COLMAP_WORKSPACE_MARKER), 'COLMAP workspace written by facebench runColmap; its contents are replaced on every run\n');
}

function prepareInputs(input: ColmapInput): { images: ColmapImageInput[]; cameras: PreparedCamera[] } {
  const file = input.cameraFile ?? 'cameras';
  if (!(input.unitToMm > 0 && Number.isFinite(input.unitToMm))) throw new InputError(file, `unitToMm must be a positive number, got ${input.unitToMm}`);
  if (input.images.length < 2) throw new InputError(file, `COLMAP needs at least 2 images, got ${input.images.length}`);
  const byName = new Map<string, KnownCamera>();
  for (const c of input.cameras) {
    if (byName.has(c.name)) throw new InputError(file, `camera '${c.name}' is listed twice`);
    byName.set(c.name, c);
  }
  const seen = new Set<string>();
  const cameras: PreparedCamera[] = [];
  for (const image of input.images) {
    if (!SAFE_NAME.test(image.name)) throw new InputError(image.path, `image name '${image.name}' must use only letters, digits, '.', '_' and '-'`);
    if (seen.has(image.name)) throw new InputError(image.path, `image name '${image.name}' is used twice`);
    seen.add(image.name);
    if (pathKind(image.path) !== 'file') throw new InputError(image.path, 'image file not found');
    const camera = byName.get(image.name);
    if (!camera) throw new InputError(file, `no camera for image '${image.name}' (cameras are matched to images by name)`);
    cameras.push(prepareCamera(camera, input.unitToMm, input.pixelCentre ?? 'opencv', file));
  }
  return { images: input.images, cameras };
}

function linkImage(source: string, target: string): void {
  try {
    symlinkSync(resolve(source), target);
  } catch {
    copyFileSync(source, target);
  }
}

/** Reconstruct a point cloud (mm) from images with known cameras; see the module comment for the steps. */
export async function runColmap(input: ColmapInput, options: ColmapOptions = {}): Promise<ColmapResult> {
  const start = performance.now();
  const { images, cameras } = prepareInputs(input);
  const work = resolve(input.workDir);
  checkWorkspace(work);
  const colmap = requireColmap(options.colmapBinary);
  const threads = String(Math.max(1, Math.floor(options.threads ?? availableParallelism())));
  const imageDir = join(work, 'images');
  const database = join(work, 'database.db');
  prepareWorkspace(work);
  const steps: ColmapStep[] = [];
  const run = async (command: string, args: string[]): Promise<ColmapStep> => {
    const log = options.onLog;
    const step = await runColmapCommand(colmap.path, command, args, work, log ? (line) => log(`${command}: ${line}`) : undefined);
    steps.push(step);
    return step;
  };

  // 1. Features: one call per image so each gets its own true PINHOLE params; ids follow this order.
  for (let i = 0; i < images.length; i++) {
    const image = images[i];
    linkImage(image.path, join(imageDir, image.name));
    const list = join(work, 'lists', `${i}.txt`);
    writeFileSync(list, image.name + '\n');
    const step = await run('feature_extractor', [
      '--database_path', database, '--image_path', imageDir, '--image_list_path', list,
      '--ImageReader.camera_model', 'PINHOLE', '--ImageReader.camera_params', cameraParamsArgument(cameras[i]),
      '--ImageReader.single_camera', '0',
      '--SiftExtraction.use_gpu', '0', '--SiftExtraction.num_threads', threads,
    ]);
    if (!/Features:\s+\d+/.test(step.output)) {
      const reason = /SKIP:?\s*(.*)/.exec(step.output)?.[1]?.trim();
      throw new InputError(image.path, `COLMAP could not extract features from this image${reason ? `: ${reason}` : ''}`);
    }
    const dims = /Dimensions:\s+(\d+)\s*x\s*(\d+)/.exec(step.output);
    if (dims && (Number(dims[1]) !== cameras[i].width || Number(dims[2]) !== cameras[i].height)) {
      throw new InputError(image.path, `image is ${dims[1]}x${dims[2]} but its camera says ${cameras[i].width}x${cameras[i].height}`);
    }
  }
  // 2. Matching.
  await run('exhaustive_matcher', [
    '--database_path', database, '--SiftMatching.use_gpu', '0', '--SiftMatching.num_threads', threads,
  ]);
  // 3–4. Known poses, triangulation.
  const known = join(work, 'known');
  writeKnownPosesModel(known, cameras);
  const triangulated = join(work, 'triangulated');
  mkdirSync(triangulated, { recursive: true });
  await run('point_triangulator', [
    '--database_path', database, '--image_path', imageDir, '--input_path', known, '--output_path', triangulated,
    '--Mapper.ba_refine_focal_length', '0', '--Mapper.ba_refine_principal_point', '0', '--Mapper.ba_refine_extra_params', '0',
  ]);
  // 5. BIN and TXT copies of the model.
  const modelDir = join(work, 'sparse');
  const modelTxtDir = join(work, 'sparse_txt');
  for (const [dir, type] of [[modelDir, 'BIN'], [modelTxtDir, 'TXT']] as const) {
    mkdirSync(dir, { recursive: true });
    await run('model_converter', ['--input_path', triangulated, '--output_path', dir, '--output_type', type]);
  }
  const model = readColmapModel(modelDir);
  for (const image of model.images) {
    const expected = images[image.id - 1]?.name;
    if (image.name !== expected) {
      throw new Error(`COLMAP model ${modelDir}: image id ${image.id} is '${image.name}', expected '${expected}' (database ids out of order)`);
    }
  }
  const sparse = model.points;
  const stats = summarizePoints3D(sparse);

  // 6. Dense, CUDA builds only.
  let dense: PointCloud | undefined;
  let denseSkipped: string | undefined;
  if (options.dense === false) denseSkipped = 'dense stereo not requested';
  else if (!colmap.cuda) denseSkipped = `this COLMAP ${colmap.version} build has no CUDA, which patch_match_stereo needs; the sparse cloud is used`;
  else {
    const denseDir = join(work, 'dense');
    const fused = join(denseDir, 'fused.ply');
    try {
      await run('image_undistorter', ['--image_path', imageDir, '--input_path', modelDir, '--output_path', denseDir, '--output_type', 'COLMAP']);
      await run('patch_match_stereo', ['--workspace_path', denseDir, '--workspace_format', 'COLMAP', '--PatchMatchStereo.geom_consistency', 'true']);
      await run('stereo_fusion', ['--workspace_path', denseDir, '--workspace_format', 'COLMAP', '--input_type', 'geometric', '--output_path', fused]);
      dense = readPointCloud(fused, { unit: 'mm' });
      if (dense.positions.length === 0) {
        denseSkipped = 'stereo_fusion produced no points; the sparse cloud is used';
        dense = undefined;
      }
    } catch (error) {
      if (!(error instanceof ColmapCommandError)) throw error;
      denseSkipped = `dense stereo failed (${error.message}); the sparse cloud is used`;
    }
  }
  return {
    cloud: dense ?? { positions: sparse.positions, colors: sparse.colors },
    source: dense ? 'dense' : 'sparse',
    sparse, stats, dense, denseSkipped, modelDir, modelTxtDir, colmap, steps,
    seconds: (performance.now() - start) / 1000,
  };
}
