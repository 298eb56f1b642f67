import type { LengthUnit } from '../geometry/types.js';
import type { FacescapeSet } from './facescape-view.js';

export type ProtocolName = 'nersemble' | 'nersemble-metrical' | 'now' | 'now-metrical' | 'facescape-wild' | 'facescape-lab';
export const PROTOCOL_NAMES: readonly ProtocolName[] = ['nersemble', 'nersemble-metrical', 'now', 'now-metrical', 'facescape-wild', 'facescape-lab'];
/** `depth`: the FaceScape protocols' depth alignment (no rotation; docs/protocols.md#facescape). */
export type AlignMode = 'landmarks' | 'icp' | 'depth';

/**
 * Everything that decides a number. It is written next to every result, so a figure can
 * always be traced to the exact configuration that produced it.
 */
export interface ProtocolConfig {
  protocol: ProtocolName;
  /** `landmarks`: stop after the landmark similarity; `icp`: refine with ICP (default); `depth`: FaceScape's depth alignment. */
  align: AlignMode;
  /** Whether the landmark fit and ICP may change the prediction's scale. */
  estimateScale: boolean;
  /** Landmark fit may return a reflection (NoW's procrustes uses reflection='best'). */
  allowReflection: boolean;
  /** Landmark and ICP protocols only (unused by the FaceScape ones). */
  icp: {
    maxIterations: number;
    relativeTolerance: number;
    /** GT points farther than this from the surface are ignored by ICP (mm); Infinity = none. */
    maxCorrespondenceDistance: number;
    /**
     * GT points the ICP steps are fitted on (coarse-to-fine on strided subsets, then one
     * final pass over every point; docs/protocols.md#icp-refinement); 0 fits on every point.
     */
    subsample: number;
  };
  /** Units the prediction and the GT are declared in; both are converted to mm. */
  predUnit: LengthUnit;
  gtUnit: LengthUnit;
  /** Neighbours used to estimate GT normals when the cloud has none. */
  normalNeighbours: number;
  /** NoW face crop: centre = nose bottom + centreFactor·(bridge − nose bottom), radius = radiusFactor·(eyes + nose)/2. */
  crop?: { centreFactor: number; radiusFactor: number };
  /** Cumulative error curve stored per item: fraction of GT points within d for d = 0, step, …, max (mm). */
  curve: { maxMm: number; stepMm: number };
}

/** Default `icp.subsample`: GT points the ICP steps are fitted on (docs/protocols.md#icp-refinement). */
export const ICP_SUBSAMPLE = 10_000;

/** The defaults of each protocol (docs/protocols.md). */
export function protocolDefaults(protocol: ProtocolName): ProtocolConfig {
  const base = {
    align: 'icp' as AlignMode,
    icp: { maxIterations: 100, relativeTolerance: 1e-6, maxCorrespondenceDistance: 10, subsample: ICP_SUBSAMPLE },
    predUnit: 'mm' as LengthUnit,
    gtUnit: 'mm' as LengthUnit,
    normalNeighbours: 20,
  };
  switch (protocol) {
    case 'nersemble':
    case 'nersemble-metrical':
      return {
        ...base,
        protocol,
        estimateScale: protocol === 'nersemble',
        allowReflection: false,
        curve: { maxMm: 10, stepMm: 0.1 },
      };
    case 'now':
    case 'now-metrical':
      return {
        ...base,
        protocol,
        estimateScale: protocol === 'now',
        allowReflection: true,
        icp: { ...base.icp, maxCorrespondenceDistance: Number.POSITIVE_INFINITY },
        crop: { centreFactor: 0.3, radiusFactor: 1.4 },
        curve: { maxMm: 8, stepMm: 0.1 },
      };
    case 'facescape-wild':
    case 'facescape-lab':
      return {
        ...base,
        protocol,
        align: 'depth',
        // In-the-lab, the depth alignment scales the prediction about the camera centre.
        estimateScale: protocol === 'facescape-lab',
        allowReflection: false,
        curve: { maxMm: 10, stepMm: 0.1 },
      };
  }
}

/** The FaceScape protocols score meshes against GT meshes on a cylindrical unwrapping (docs/protocols.md#facescape). */
export function isFacescapeProtocol(protocol: string): protocol is 'facescape-wild' | 'facescape-lab' {
  return protocol === 'facescape-wild' || protocol === 'facescape-lab';
}

/** The FaceScape set a FaceScape protocol scores. */
export function facescapeSetOf(protocol: 'facescape-wild' | 'facescape-lab'): FacescapeSet {
  return protocol === 'facescape-wild' ? 'fswild' : 'fslab';
}

/** NoW and NoW-metrical pool distances over all points and crop the scan (docs/protocols.md#now). */
export function isNowProtocol(protocol: ProtocolName): boolean {
  return protocol === 'now' || protocol === 'now-metrical';
}

export function isProtocolName(value: string): value is ProtocolName {
  return (PROTOCOL_NAMES as readonly string[]).includes(value);
}

/** JSON-safe copy of a config (Infinity is written as null). */
export function configToJson(config: ProtocolConfig): Record<string, unknown> {
  return JSON.parse(JSON.stringify(config, (_key, value) => (value === Number.POSITIVE_INFINITY ? null : value)));
}

/** A config back from its JSON copy (`configToJson`; null read back as Infinity). */
export function configFromJson(json: Record<string, unknown>): ProtocolConfig {
  const name = String(json.protocol);
  if (!isProtocolName(name)) throw new Error(`unknown protocol ${name}`);
  const base = protocolDefaults(name);
  const icp = { ...base.icp, ...(json.icp as Record<string, unknown> | undefined) } as ProtocolConfig['icp'] & { maxCorrespondenceDistance: number | null };
  if (icp.maxCorrespondenceDistance === null) icp.maxCorrespondenceDistance = Number.POSITIVE_INFINITY;
  // Written before `icp.subsample` existed: ICP then fitted on every point.
  const storedIcp = json.icp as Record<string, unknown> | undefined;
  if (storedIcp && !('subsample' in storedIcp)) icp.subsample = 0;
  return { ...base, ...(json as Partial<ProtocolConfig>), icp: icp as ProtocolConfig['icp'] };
}
