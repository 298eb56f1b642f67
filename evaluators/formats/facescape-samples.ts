/**
 * FaceScape benchmark sample names and indices (zhuhao-nju/facescape, `benchmark/code/evaluator.py`):
 * in-the-wild samples are `000` … `399`; in-the-lab samples are `<subject:02d>_<focal:01d>_<view:02d>`
 * for 20 subjects × 3 focal lengths (1200, 600, 300 px) × 11 views (0 frontal, 1–8 at 30°,
 * 9–10 at 60°), index = subject·33 + focal·11 + view (`index_tri2mono`).
 */
import type { FacescapeDataset } from './facescape-results.js';

export const FACESCAPE_LAB = { subjects: 20, focals: 3, views: 11 } as const;
/** Focal length of each in-the-lab focal index, pixels of the 256² image (FaceScape's table labels). */
export const FACESCAPE_LAB_FOCALS = [1200, 600, 300] as const;

export interface FacescapeLabTriple {
  subject: number;
  focal: number;
  view: number;
}

/** The index of an in-the-lab triple. */
export function labIndex(t: FacescapeLabTriple): number {
  return t.subject * FACESCAPE_LAB.focals * FACESCAPE_LAB.views + t.focal * FACESCAPE_LAB.views + t.view;
}

/** The in-the-lab triple of an index. */
export function labTriple(index: number): FacescapeLabTriple {
  const per = FACESCAPE_LAB.focals * FACESCAPE_LAB.views;
  return { subject: Math.floor(index / per), focal: Math.floor((index % per) / FACESCAPE_LAB.views), view: (index % per) % FACESCAPE_LAB.views };
}

/** The sample name of an index: `%03d` in-the-wild, `%02d_%01d_%02d` in-the-lab. */
export function facescapeSampleName(dataset: FacescapeDataset, index: number): string {
  if (dataset === 'fswild') return String(index).padStart(3, '0');
  const t = labTriple(index);
  return `${String(t.subject).padStart(2, '0')}_${t.focal}_${String(t.view).padStart(2, '0')}`;
}

/** The index of a sample name, or undefined when the name is not one of the set's. */
export function facescapeSampleIndex(dataset: FacescapeDataset, name: string): number | undefined {
  if (dataset === 'fswild') {
    const m = /^(\d{3})$/.exec(name);
    const i = m ? Number(m[1]) : -1;
    return i >= 0 && i < 400 ? i : undefined;
  }
  const m = /^(\d{2})_(\d)_(\d{2})$/.exec(name);
  if (!m) return undefined;
  const t = { subject: Number(m[1]), focal: Number(m[2]), view: Number(m[3]) };
  if (t.subject >= FACESCAPE_LAB.subjects || t.focal >= FACESCAPE_LAB.focals || t.view >= FACESCAPE_LAB.views) return undefined;
  return labIndex(t);
}
