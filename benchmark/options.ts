/**
 * Option parsers and option groups shared by the commands, so that a flag means one thing
 * everywhere: numbers are checked before any work, lists are space-separated values,
 * `--workers` defaults to (and is capped at) the cores, `--quiet` prints only errors.
 * program.ts imports this module to define the commands, so `facebench --help` loads it:
 * it imports only commander and modules that import nothing heavy (no barrels, no zod).
 */
import { availableParallelism } from 'node:os';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { InputError } from '../evaluators/errors.js';
import { isLengthUnit, type LengthUnit } from '../evaluators/geometry/types.js';
import { isProtocolName, protocolDefaults, PROTOCOL_NAMES, type AlignMode, type ProtocolConfig, type ProtocolName } from '../evaluators/protocols/config.js';

export function parseUnit(value: string): LengthUnit {
  if (!isLengthUnit(value)) throw new InvalidArgumentError('expected mm, cm or m');
  return value;
}

export function parseProtocol(value: string): ProtocolName {
  if (!isProtocolName(value)) throw new InvalidArgumentError(`expected one of ${PROTOCOL_NAMES.join(', ')}`);
  return value;
}

export function parseAlign(value: string): AlignMode {
  if (value !== 'landmarks' && value !== 'icp') throw new InvalidArgumentError('expected landmarks or icp');
  return value;
}

function wholeNumber(value: string, min: number): number {
  const n = /^[+-]?\d+$/.test(value.trim()) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < min) throw new InvalidArgumentError(`expected a whole number ≥ ${min}`);
  return n;
}

export const parsePositiveInt = (value: string): number => wholeNumber(value, 1);
export const parseNonNegativeInt = (value: string): number => wholeNumber(value, 0);
export const parseInteger = (value: string): number => wholeNumber(value, Number.MIN_SAFE_INTEGER);

/** An angle in degrees, in (0, 180]. */
export function parseAngleDeg(value: string): number {
  const n = /^\s*[+-]?(\d+\.?\d*|\.\d+)\s*$/.test(value) ? Number(value) : Number.NaN;
  if (!(n > 0 && n <= 180)) throw new InvalidArgumentError('expected an angle in degrees, greater than 0 and at most 180');
  return n;
}

/** The number of worker threads: at most the machine's cores (more only slow a run down). */
export function workerCount(requested: number | undefined): number {
  const cores = availableParallelism();
  if (requested === undefined) return cores;
  if (requested > cores) {
    console.error(`facebench: --workers ${requested} capped at ${cores}, the cores of this machine`);
    return cores;
  }
  return requested;
}

/** `--workers <n>`: one default everywhere (all cores), capped at the cores. */
export function workersOption(): Option {
  return new Option('--workers <n>', 'worker threads (default and maximum: the cores of this machine)').argParser(parsePositiveInt);
}

/** `--quiet`, on every command: print only errors (no progress, no summary). */
export function quietOption(): Option {
  return new Option('--quiet', 'print only errors (no progress display, no summary)');
}

/** `--force`, on the commands that resume: redo every step instead of reusing finished ones. */
export function forceOption(): Option {
  return new Option('--force', 'redo everything instead of reusing results of an earlier run');
}

/** `--json`, a switch everywhere: print the command's result as one JSON document on stdout. */
export function jsonOption(): Option {
  return new Option('--json', 'print the result as JSON on stdout instead of text');
}

export interface ProtocolFlags {
  protocol: ProtocolName;
  align: AlignMode;
  predUnit: LengthUnit;
  gtUnit: LengthUnit;
  /** `--icp-subsample`; absent: the protocol's default. */
  icpSubsample?: number;
}

/** The protocol options of `score` and `eval`. */
export function protocolOptions(command: Command): Command {
  return command
    .addOption(new Option('--protocol <name>', PROTOCOL_NAMES.join(' | ')).default('nersemble').argParser(parseProtocol))
    .addOption(new Option('--align <mode>', 'landmarks (landmark similarity only) | icp').default('icp').argParser(parseAlign))
    .addOption(new Option('--pred-unit <unit>', 'unit of the predicted meshes: mm | cm | m').default('mm').argParser(parseUnit))
    .addOption(new Option('--gt-unit <unit>', 'unit of the GT clouds and landmarks: mm | cm | m').default('mm').argParser(parseUnit))
    .addOption(new Option('--icp-subsample <n>', 'GT points ICP fits its steps on before one pass over all (0 = every point; default 10000)').argParser(parseNonNegativeInt));
}

/**
 * The protocol's defaults with the command-line choices applied. The FaceScape protocols
 * align in depth only, read their GT from the FaceScape data (mm) and, in-the-wild, the
 * predictions in FaceScape's cube units: `--align landmarks`, `--icp-subsample`, a
 * `--gt-unit` other than mm, and in-the-wild a `--pred-unit` other than mm are refused.
 */
export function configFromFlags(flags: ProtocolFlags): ProtocolConfig {
  const defaults = protocolDefaults(flags.protocol);
  if (defaults.align === 'depth') {
    const refuse = (flag: string, why: string) => {
      throw new InputError(flag, `does not apply to protocol ${flags.protocol}: ${why} (docs/protocols.md#facescape)`);
    };
    if (flags.align === 'landmarks') refuse('--align', 'it aligns by a depth shift only');
    if (flags.icpSubsample !== undefined) refuse('--icp-subsample', 'it runs no ICP');
    if (flags.gtUnit !== 'mm') refuse('--gt-unit', 'its GT comes from the FaceScape data in mm');
    if (flags.protocol === 'facescape-wild' && flags.predUnit !== 'mm') refuse('--pred-unit', "in-the-wild predictions are in FaceScape's orthographic cube units");
    return { ...defaults, predUnit: flags.predUnit };
  }
  const icp = flags.icpSubsample === undefined ? defaults.icp : { ...defaults.icp, subsample: flags.icpSubsample };
  return { ...defaults, icp, align: flags.align, predUnit: flags.predUnit, gtUnit: flags.gtUnit };
}

/** A line printer that says nothing under `--quiet`. */
export function printer(quiet: boolean | undefined): (line: string) => void {
  return quiet ? () => {} : (line) => console.log(line);
}
