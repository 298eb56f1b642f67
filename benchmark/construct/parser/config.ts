/**
 * The label-id mapping file of a face parser: the capture's `labels.json` (docs/formats.md#label-file)
 * (`{"labels": {"<id>": "<name>"}, "face_kept": [ids]}`) with an optional `"input"` block
 * describing the model's preprocessing:
 * `{"size": [width, height], "mean": [r, g, b], "std": [r, g, b]}` (mean/std on the 0–1 scale).
 */
import { readFileSync } from 'node:fs';
import { InputError } from '../../../evaluators/errors.js';

/** Classes kept as "face" when the file has no `face_kept` (docs/formats.md#label-file). */
export const DEFAULT_FACE_KEPT_NAMES: readonly string[] = ['skin', 'brows', 'nose', 'lips'];

export interface ParserInputConfig {
  /** Network input width and height; undefined: the model's fixed size, else the image's own size. */
  size?: [number, number];
  /** Per-channel mean subtracted from RGB/255 (default 0, 0, 0). */
  mean: [number, number, number];
  /** Per-channel divisor applied after the mean (default 1, 1, 1). */
  std: [number, number, number];
}

export interface ParserConfig {
  /** Label names by id: `names[id]`; ids are 0..names.length−1, one per output channel. */
  names: string[];
  /** Label ids kept as face. */
  faceKept: number[];
  input: ParserInputConfig;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function triple(v: unknown, file: string, what: string, positive: boolean): [number, number, number] {
  if (!Array.isArray(v) || v.length !== 3 || !v.every((x) => typeof x === 'number' && Number.isFinite(x) && (!positive || x > 0))) {
    throw new InputError(file, `"input.${what}" must be 3 ${positive ? 'positive ' : ''}numbers (R, G, B on the 0-1 scale)`);
  }
  return [v[0], v[1], v[2]];
}

/** Validate a parsed labels.json object (see the module comment). */
export function parseParserConfig(json: unknown, file: string): ParserConfig {
  if (!isRecord(json) || !isRecord(json.labels)) throw new InputError(file, 'expected {"labels": {"<id>": "<name>", ...}}');
  const entries = Object.entries(json.labels);
  if (entries.length === 0 || entries.length > 256) throw new InputError(file, `"labels" must name 1 to 256 classes, got ${entries.length}`);
  const names: string[] = new Array<string>(entries.length);
  for (const [key, name] of entries) {
    const id = Number(key);
    if (!/^\d+$/.test(key) || id >= entries.length) {
      throw new InputError(file, `label id "${key}" is not in 0..${entries.length - 1}; a parser's ids must be 0..C-1, one per output channel`);
    }
    if (typeof name !== 'string' || name === '') throw new InputError(file, `label ${key} must have a non-empty name`);
    names[id] = name;
  }
  let faceKept: number[];
  if (json.face_kept === undefined) {
    faceKept = names.flatMap((n, id) => (DEFAULT_FACE_KEPT_NAMES.includes(n) ? [id] : []));
    if (faceKept.length === 0) throw new InputError(file, `no "face_kept" and none of ${DEFAULT_FACE_KEPT_NAMES.join(', ')} among the label names`);
  } else {
    const kept = json.face_kept;
    if (!Array.isArray(kept) || !kept.every((id) => Number.isInteger(id) && id >= 0 && id < names.length)) {
      throw new InputError(file, `"face_kept" must list label ids in 0..${names.length - 1}`);
    }
    faceKept = kept as number[];
  }
  const input: ParserInputConfig = { mean: [0, 0, 0], std: [1, 1, 1] };
  if (json.input !== undefined) {
    if (!isRecord(json.input)) throw new InputError(file, '"input" must be an object {"size": [w, h], "mean": [...], "std": [...]}');
    const { size, mean, std } = json.input;
    if (size !== undefined) {
      if (!Array.isArray(size) || size.length !== 2 || !size.every((x) => Number.isInteger(x) && x > 0)) {
        throw new InputError(file, '"input.size" must be [width, height] in pixels');
      }
      input.size = [size[0], size[1]];
    }
    if (mean !== undefined) input.mean = triple(mean, file, 'mean', false);
    if (std !== undefined) input.std = triple(std, file, 'std', true);
  }
  return { names, faceKept, input };
}

/** Read and validate a labels.json file. */
export function readParserConfig(path: string): ParserConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new InputError(path, code === 'ENOENT' ? 'labels file not found' : `cannot read the labels file (${code ?? String(error)})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new InputError(path, `invalid JSON: ${(error as Error).message.split('\n')[0]}`);
  }
  return parseParserConfig(json, path);
}
