import { join } from 'node:path';
import { InputError } from '../../evaluators/errors.js';
import { findColmap, requireColmap, runColmap } from './colmap/index.js';
import type { Camera } from '../../evaluators/formats/capture-cameras.js';
import type { CaptureFrame } from './capture.js';
import type { BuildServices } from './build-person.js';
import type { CloudReconstructor, LabelPredictor } from './frame-geometry.js';
import { readRgbImage } from '../../evaluators/image/index.js';
import { loadFaceParser } from './parser/index.js';

export interface ServiceOptions {
  /** ONNX face parser and its labels file, for captures without segmentation maps. */
  parser?: string;
  parserLabels?: string;
  /** `auto`: run COLMAP for frames without geometry when it is installed; `off`: never; else the executable. */
  colmap?: string;
  /** Scratch folder for COLMAP workspaces. */
  workDir: string;
}

function rows(m: Float64Array, n: number): number[][] {
  return Array.from({ length: n }, (_v, r) => Array.from(m.subarray(n * r, n * r + n)));
}

/** COLMAP with the frame's known cameras (translations already in mm), as a cloud source. */
function colmapReconstructor(binary: string | undefined, workDir: string): CloudReconstructor {
  return async (frame: CaptureFrame, cameras: Map<string, Camera>) => {
    const images = [...frame.images].map(([serial, path]) => ({ name: `cam_${serial}.png`, path, serial }));
    const known = images.map(({ name, path, serial }) => {
      const cam = cameras.get(serial)!;
      const { width, height } = readRgbImage(path);
      const R = cam.R;
      const t = cam.t;
      const worldToCam = [[R[0], R[1], R[2], t[0]], [R[3], R[4], R[5], t[1]], [R[6], R[7], R[8], t[2]], [0, 0, 0, 1]];
      return { name, K: rows(cam.K, 3), worldToCam, width, height };
    });
    const result = await runColmap(
      { workDir: join(workDir, frame.sequence, String(frame.frame)), images: images.map(({ name, path }) => ({ name, path })), cameras: known, unitToMm: 1, pixelCentre: 'opencv', cameraFile: frame.dir },
      { colmapBinary: binary },
    );
    return result.cloud;
  };
}

/**
 * The optional helpers of a build: an ONNX face parser for label maps, and COLMAP for
 * frames that ship no geometry. `colmap: 'auto'` uses COLMAP when it is installed.
 */
export async function buildServices(options: ServiceOptions): Promise<BuildServices & { release(): Promise<void> }> {
  let predictLabels: LabelPredictor | undefined;
  let release = async () => {};
  if (options.parser) {
    if (!options.parserLabels) throw new InputError(options.parser, 'a face parser needs its label file: add --parser-labels labels.json');
    const parser = await loadFaceParser(options.parser, options.parserLabels);
    predictLabels = (image) => parser.parse(image);
    release = async () => parser.release();
  }
  let reconstruct: CloudReconstructor | undefined;
  const mode = options.colmap ?? 'auto';
  if (mode !== 'off') {
    const binary = mode === 'auto' ? undefined : mode;
    if (mode !== 'auto') requireColmap(binary);
    if (findColmap(binary)) reconstruct = colmapReconstructor(binary, options.workDir);
  }
  return { predictLabels, reconstruct, release };
}
