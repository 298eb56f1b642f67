/**
 * The published regressors as named methods: for each, what its encoder takes (crop, size,
 * normalisation) and gives in facebench's ONNX contract, the FLAME version its coefficients
 * drive, the tasks it predicts, and the script that exports it
 * (baselines/onnx-regressor/export/; baselines/README.md#named-regressors).
 *
 * The ONNX contract of every export: input `image` float32 [1, 3, S, S] (RGB, cropped and
 * normalised by facebench as below); outputs `shape` [1, N] (FLAME shape coefficients) and,
 * except for MICA, `exp` [1, 50] (FLAME expression) and `jaw` [1, 3] (axis-angle of FLAME's
 * jaw joint). Global pose, camera, texture, lighting and eyelids are not exported: the
 * protocol aligns the meshes rigidly and scores geometry only.
 */
import type { TaskName } from '../../evaluators/formats/index.js';
import type { RegressorConfig } from './config.js';

export interface RegressorPreset {
  /** Method name. */
  name: 'deca' | 'emoca-v2' | 'mica' | 'smirk';
  /** The paper, short. */
  paper: string;
  /** File name of the export in the models folder. */
  file: string;
  /** The export script, relative to the repository. */
  script: string;
  /** The network input, as a regressor config's `input`. */
  input: RegressorConfig['input'];
  outputs: RegressorConfig['outputs'];
  /** Coefficient counts of the outputs, for the docs. */
  counts: { shape: number; exp?: number; jaw?: number };
  /** The FLAME release the coefficients belong to. */
  flame: string;
  /** The tasks it predicts: MICA predicts the neutral face only. */
  tasks: readonly TaskName[];
  /** One line for `facebench methods`. */
  description: string;
}

const RGB01 = { mean: [0, 0, 0] as [number, number, number], std: [1, 1, 1] as [number, number, number] };
const FULL = { identity: 'shape', expression: 'exp', jaw: 'jaw' };
const BOTH: readonly TaskName[] = ['posed', 'neutral'];

export const REGRESSOR_PRESETS: readonly RegressorPreset[] = [
  {
    name: 'deca',
    paper: 'DECA (Feng et al., SIGGRAPH 2021)',
    file: 'deca.onnx',
    script: 'baselines/onnx-regressor/export/deca.py',
    input: { size: [224, 224], ...RGB01, layout: 'NCHW', crop: 'deca', round: false },
    outputs: FULL,
    counts: { shape: 100, exp: 50, jaw: 3 },
    flame: 'FLAME 2020',
    tasks: BOTH,
    description: 'DECA\'s coarse encoder (ONNX export): 224² box crop (68-landmark box ×1.1 ×1.25), RGB [0, 1] → FLAME 2020 shape 100, expression 50, jaw',
  },
  {
    name: 'emoca-v2',
    paper: 'EMOCA v2 (Daněček et al., CVPR 2022)',
    file: 'emoca-v2.onnx',
    script: 'baselines/onnx-regressor/export/emoca_v2.py',
    input: { size: [224, 224], ...RGB01, layout: 'NCHW', crop: 'deca', round: false },
    outputs: FULL,
    counts: { shape: 100, exp: 50, jaw: 3 },
    flame: 'FLAME 2020',
    tasks: BOTH,
    description: 'EMOCA v2 (ONNX export): DECA\'s crop and shape, its own expression encoder (expression 50 + jaw) → FLAME 2020',
  },
  {
    name: 'mica',
    paper: 'MICA (Zielonka et al., ECCV 2022)',
    file: 'mica.onnx',
    script: 'baselines/onnx-regressor/export/mica.py',
    input: { size: [112, 112], mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5], layout: 'NCHW', crop: 'arcface', round: true },
    outputs: { identity: 'shape' },
    counts: { shape: 300 },
    flame: 'FLAME 2020',
    tasks: ['neutral'],
    description: 'MICA (ONNX export): ArcFace 112² five-point crop, (v − 127.5)/127.5 → FLAME 2020 shape 300 (the neutral face)',
  },
  {
    name: 'smirk',
    paper: 'SMIRK (Retsinas et al., CVPR 2024)',
    file: 'smirk.onnx',
    script: 'baselines/onnx-regressor/export/smirk.py',
    input: { size: [224, 224], ...RGB01, layout: 'NCHW', crop: 'smirk', round: false },
    outputs: FULL,
    counts: { shape: 300, exp: 50, jaw: 3 },
    flame: 'FLAME 2020',
    tasks: BOTH,
    description: 'SMIRK\'s encoder (ONNX export): 224² crop (MediaPipe box ×1.4), RGB [0, 1] → FLAME 2020 shape 300, expression 50, jaw (eyelids dropped)',
  },
];

/** The preset of a named regressor. */
export function regressorPreset(name: RegressorPreset['name']): RegressorPreset {
  return REGRESSOR_PRESETS.find((p) => p.name === name)!;
}
