/**
 * The figures FaceScape's own scripts (`benchmark/code/show.py`, `export_table.py`) report from
 * its per-sample result files: per metric the mean of the non-NaN samples of each view-angle bin
 * and overall, and the done rate (share of non-NaN samples). In-the-wild bins are the file's
 * consecutive quarters (0–5°, 5–30°, 30–60°, 60–90°); in-the-lab angle bins use the 1200 px focal
 * length only (view 0 → 0°, views 1–8 → 30°, views 9–10 → 60°), the overall mean all 660
 * samples. Printed as export_table.py does: CD (mm) 2 decimals, MNE (rad) 3, CR and done in %
 * with 1 (round half to even, like Python's `%f`).
 */
import {
  FACESCAPE_METRICS, type FacescapeDataset, type FacescapeMethodResults, type FacescapeMetric, type FacescapeResultsFolder,
} from '../evaluators/formats/index.js';

export interface FacescapeFigures {
  cd: number | null;
  mne: number | null;
  cr: number | null;
}

export interface FacescapeBin extends FacescapeFigures {
  label: string;
  /** Samples in the bin (failed ones included). */
  samples: number;
}

export interface FacescapeSummary {
  method: string;
  dataset: FacescapeDataset;
  folder: string;
  /** View-angle bins (null: no non-NaN sample in the bin; FaceScape's scripts print -1 or nan there). */
  angle: FacescapeBin[];
  /** In-the-lab only: focal lengths 1200, 600, 300 px (all 11 views each). */
  focal?: FacescapeBin[];
  all: FacescapeFigures;
  /** Share of non-NaN samples, per metric file. */
  done: FacescapeFigures;
  /** The done rate export_table.py reports: that of CR_full.txt (the last metric it reads). */
  done_rate: number;
}

const KEY: Record<FacescapeMetric, keyof FacescapeFigures> = { CD: 'cd', MNE: 'mne', CR: 'cr' };

/** Sample indices of each bin, in file order. */
export function facescapeBins(dataset: FacescapeDataset): { angle: [string, number[]][]; focal?: [string, number[]][] } {
  const range = (a: number, b: number) => Array.from({ length: b - a }, (_, k) => a + k);
  if (dataset === 'fswild') return { angle: [['0-5', range(0, 100)], ['5-30', range(100, 200)], ['30-60', range(200, 300)], ['60-90', range(300, 400)]] };
  const lab = (focal: number, views: number[]) => range(0, 20).flatMap((s) => views.map((v) => s * 33 + focal * 11 + v));
  return {
    angle: [['0', lab(0, [0])], ['30', lab(0, range(1, 9))], ['60', lab(0, [9, 10])]],
    focal: [['1200', lab(0, range(0, 11))], ['600', lab(1, range(0, 11))], ['300', lab(2, range(0, 11))]],
  };
}

/**
 * Sum as numpy's add.reduce does for a contiguous float64 array (pairwise summation: 8
 * accumulators up to 128 values, halves above), so a mean carries numpy's last bits and
 * prints as FaceScape's scripts print it.
 */
export function numpySum(a: ArrayLike<number>, start = 0, n = a.length): number {
  if (n < 8) {
    let res = 0;
    for (let i = 0; i < n; i++) res += a[start + i];
    return res;
  }
  if (n <= 128) {
    const r = [0, 1, 2, 3, 4, 5, 6, 7].map((j) => a[start + j]);
    let i = 8;
    for (; i < n - (n % 8); i += 8) for (let j = 0; j < 8; j++) r[j] += a[start + i + j];
    let res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
    for (; i < n; i++) res += a[start + i];
    return res;
  }
  let n2 = Math.floor(n / 2);
  n2 -= n2 % 8;
  return numpySum(a, start, n2) + numpySum(a, start + n2, n - n2);
}

/** np.mean of the non-NaN values at `indices` (null when there are none). */
function meanOf(values: Float64Array, indices: Iterable<number>): number | null {
  const kept: number[] = [];
  for (const i of indices) if (!Number.isNaN(values[i])) kept.push(values[i]);
  return kept.length > 0 ? numpySum(kept) / kept.length : null;
}

function figures(r: FacescapeMethodResults, indices: number[] | null, of: (values: Float64Array, idx: number[]) => number | null): FacescapeFigures {
  const out: FacescapeFigures = { cd: null, mne: null, cr: null };
  for (const m of FACESCAPE_METRICS) out[KEY[m]] = of(r.values[m], indices ?? Array.from(r.values[m].keys()));
  return out;
}

export function summariseFacescape(r: FacescapeMethodResults): FacescapeSummary {
  const bins = facescapeBins(r.dataset);
  const bin = ([label, idx]: [string, number[]]): FacescapeBin => ({ label, samples: idx.length, ...figures(r, idx, meanOf) });
  const done = figures(r, null, (values) => values.reduce((n, v) => n + (Number.isNaN(v) ? 0 : 1), 0) / values.length);
  return {
    method: r.method,
    dataset: r.dataset,
    folder: r.folder,
    angle: bins.angle.map(bin),
    ...(bins.focal ? { focal: bins.focal.map(bin) } : {}),
    all: figures(r, null, meanOf),
    done,
    done_rate: done.cr as number,
  };
}

export function summariseFacescapeFolder(folder: FacescapeResultsFolder): FacescapeSummary[] {
  return folder.results.map(summariseFacescape);
}

/**
 * `x` with `digits` decimals as Python's `'%.Nf' % x` prints it: the exact binary value rounded,
 * an exact tie to even (JavaScript's toFixed rounds a tie up).
 */
export function pyFixed(x: number, digits: number): string {
  if (!Number.isFinite(x)) return Number.isNaN(x) ? 'nan' : x > 0 ? 'inf' : '-inf';
  const sign = x < 0 || Object.is(x, -0) ? '-' : '';
  const a = Math.abs(x);
  const long = a.toFixed(Math.min(100, digits + 30));
  const point = long.indexOf('.');
  const tail = long.slice(point + 1 + digits);
  if (tail[0] === '5' && /^50*$/.test(tail)) {
    const truncated = long.slice(0, point + 1 + digits).replace(/\.$/, '');
    const last = Number(truncated[truncated.length - 1]);
    if (last % 2 === 0) return sign + truncated;
  }
  return sign + a.toFixed(digits);
}

const na = (v: number | null, f: (v: number) => string) => (v === null ? 'n/a' : f(v));
/** CD (mm, 2 decimals), MNE (rad, 3), CR (%, 1), as export_table.py writes them. */
export const formatCd = (v: number | null) => na(v, (x) => pyFixed(x, 2));
export const formatMne = (v: number | null) => na(v, (x) => pyFixed(x, 3));
export const formatPercent = (v: number | null) => na(v, (x) => pyFixed(x * 100, 1));

/** Header + rows of one dataset's table: per angle bin CD, MNE, CR; then all; done (%). */
export function facescapeTable(summaries: FacescapeSummary[], dataset: FacescapeDataset): string[][] {
  const rows = summaries.filter((s) => s.dataset === dataset);
  const labels = [...rows[0]?.angle.map((b) => b.label) ?? facescapeBins(dataset).angle.map(([l]) => l), 'all'];
  const header = ['method', ...labels.flatMap((l) => [`${l} CD (mm)`, `${l} MNE (rad)`, `${l} CR (%)`]), 'done (%)'];
  return [
    header,
    ...rows.map((s) => [s.method, ...[...s.angle, s.all].flatMap((b) => [formatCd(b.cd), formatMne(b.mne), formatPercent(b.cr)]), formatPercent(s.done_rate)]),
  ];
}
