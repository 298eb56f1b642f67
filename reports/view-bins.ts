import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Lower edges (degrees) of the report's view-angle bins: 0–15°, 15–30°, 30–45°, 45–60° and
 * 60°+. A bin holds the angles from its lower edge (inclusive) to the next edge (exclusive).
 * The angle is the item's `view_angle_deg` (docs/formats.md#manifest): between the item
 * camera's direction from the head and the head's forward direction.
 */
export const VIEW_BIN_EDGES_DEG = [0, 15, 30, 45, 60] as const;

/** The bin of a view angle, e.g. `15–30°` or `60°+`. */
export function viewBin(angleDeg: number): string {
  let k = 0;
  while (k + 1 < VIEW_BIN_EDGES_DEG.length && angleDeg >= VIEW_BIN_EDGES_DEG[k + 1]) k++;
  return k + 1 < VIEW_BIN_EDGES_DEG.length ? `${VIEW_BIN_EDGES_DEG[k]}–${VIEW_BIN_EDGES_DEG[k + 1]}°` : `${VIEW_BIN_EDGES_DEG[k]}°+`;
}

/** Position of a bin label in the bin order (for sorting rows), or -1 for an unknown label. */
export function viewBinOrder(label: string): number {
  const lower = Number(/^(\d+)/.exec(label)?.[1] ?? Number.NaN);
  return VIEW_BIN_EDGES_DEG.indexOf(lower as (typeof VIEW_BIN_EDGES_DEG)[number]);
}

/**
 * View angle of each `person/item` from the benchmark's manifest.json (`view_angle_deg` of its
 * item records); empty when the manifest is unreadable or was built before angles were recorded.
 */
export function manifestViewAngles(benchmark: string): Map<string, number> {
  const out = new Map<string, number>();
  try {
    const manifest = JSON.parse(readFileSync(join(benchmark, 'manifest.json'), 'utf8')) as { items?: { id?: unknown; person?: unknown; view_angle_deg?: unknown }[] };
    for (const i of manifest.items ?? []) {
      const angle = i.view_angle_deg;
      if (typeof i.id === 'string' && typeof i.person === 'string' && typeof angle === 'number' && Number.isFinite(angle)) out.set(`${i.person}/${i.id}`, angle);
    }
  } catch {
    // no manifest: no view breakdown
  }
  return out;
}
