import { InvalidArgumentError } from 'commander';
import { isLengthUnit, type LengthUnit } from '../evaluators/geometry/types.js';
import { isProtocolName, protocolDefaults, PROTOCOL_NAMES, type AlignMode, type ProtocolConfig, type ProtocolName } from '../evaluators/protocols/index.js';

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

export function parsePositiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a whole number ≥ 1');
  return n;
}

export interface ProtocolFlags {
  protocol: ProtocolName;
  align: AlignMode;
  predUnit: LengthUnit;
  gtUnit: LengthUnit;
}

/** The protocol's defaults with the command-line choices applied. */
export function configFromFlags(flags: ProtocolFlags): ProtocolConfig {
  return { ...protocolDefaults(flags.protocol), align: flags.align, predUnit: flags.predUnit, gtUnit: flags.gtUnit };
}
