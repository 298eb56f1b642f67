/**
 * The figures FaceScape's own scripts (`benchmark/code/show.py`, `export_table.py`) report from
 * its per-sample result files: per metric the mean of the non-NaN samples of each view-angle bin
 * and overall, and the done rate (share of non-NaN samples). In-the-wild bins are the file's
 * consecutive quarters (0–5°, 5–30°, 30–60°, 60–90°); in-the-lab angle bins use the 1200 px focal
 * length only (view 0 → 0°, views 1–8 → 30°, views 9–10 → 60°), the overall mean all 660
 * samples. Printed as export_table.py does: CD (mm) 2 decimals, MNE (rad) 3, CR and done in %
 * with 1 (round half to even, like Python's `%f`).
 */
import { InputError } from '../evaluators/errors.js';
import { facescapeSetOf, isFacescapeProtocol } from '../evaluators/protocols/index.js';
import {
  FACESCAPE_METRICS, FACESCAPE_SAMPLES, facescapeSampleIndex, type FacescapeDataset, type FacescapeMethodResults, type FacescapeMetric, type FacescapeResultsFolder,
  type ResultsDocument,
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
  /** The shipped `<dataset>_<method>` folder, or the facebench results.json. */
  folder: string;
  /** FaceScape's shipped per-sample results, or a `facebench eval` results.json of a FaceScape protocol. */
  source: 'shipped' | 'facebench';
  /** Samples the results list (shipped: all 400/660; facebench results may list fewer). */
  listed: number;
  /** View-angle bins (null: no non-NaN sample in the bin; FaceScape's scripts print -1 or nan there). */
  angle: FacescapeBin[];
  /** In-the-lab only: focal lengths 1200, 600, 300 px (all 11 views each). */
  focal?: FacescapeBin[];
  all: FacescapeFigures;
  /** Share of non-NaN samples among the listed ones, per metric file. */
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

function figures(values: Record<FacescapeMetric, Float64Array>, indices: number[], of: (values: Float64Array, idx: number[]) => number | null): FacescapeFigures {
  const out: FacescapeFigures = { cd: null, mne: null, cr: null };
  for (const m of FACESCAPE_METRICS) out[KEY[m]] = of(values[m], indices);
  return out;
}

/**
 * The figures of one method's per-sample values (NaN = failed), over the samples `listed`
 * (ascending sample indices). Means are those of the non-NaN listed values in index order, so
 * a sample not listed (NaN too) changes no mean; but a bin's sample count and the done rate
 * count the listed samples only: a results document holding a part of the set is not
 * charged with the samples it does not hold.
 */
function summariseValues(
  head: Pick<FacescapeSummary, 'method' | 'dataset' | 'folder' | 'source'>,
  values: Record<FacescapeMetric, Float64Array>,
  listed: number[],
): FacescapeSummary {
  const bins = facescapeBins(head.dataset);
  const isListed = new Uint8Array(FACESCAPE_SAMPLES[head.dataset]);
  for (const i of listed) isListed[i] = 1;
  const bin = ([label, idx]: [string, number[]]): FacescapeBin => {
    const kept = idx.filter((i) => isListed[i] === 1);
    return { label, samples: kept.length, ...figures(values, kept, meanOf) };
  };
  const done = figures(values, listed, (v, idx) => (idx.length === 0 ? null : idx.reduce((n, i) => n + (Number.isNaN(v[i]) ? 0 : 1), 0) / idx.length));
  return {
    ...head,
    listed: listed.length,
    angle: bins.angle.map(bin),
    ...(bins.focal ? { focal: bins.focal.map(bin) } : {}),
    all: figures(values, listed, meanOf),
    done,
    done_rate: done.cr as number,
  };
}

/**
 * A shipped folder's figures. An in-the-wild folder with fewer than 400 samples is read as
 * FaceScape's scripts slice it: its lines are samples 0, 1, …, so the last bin is short, and
 * the done rate is over the lines present.
 */
export function summariseFacescape(r: FacescapeMethodResults): FacescapeSummary {
  const n = FACESCAPE_SAMPLES[r.dataset];
  const values = {} as Record<FacescapeMetric, Float64Array>;
  for (const m of FACESCAPE_METRICS) {
    values[m] = new Float64Array(n).fill(Number.NaN);
    values[m].set(r.values[m]);
  }
  const present = Array.from({ length: r.samples }, (_, i) => i);
  return summariseValues({ method: r.method, dataset: r.dataset, folder: r.folder, source: 'shipped' }, values, present);
}

/** The FaceScape set of a facebench protocol name (`facescape-wild`, `facescape-lab`), else undefined. */
export function facescapeProtocolDataset(protocol: string): FacescapeDataset | undefined {
  return isFacescapeProtocol(protocol) ? facescapeSetOf(protocol) : undefined;
}

const SAMPLE_FORM: Record<FacescapeDataset, string> = {
  fswild: 'in-the-wild samples are 000 … 399',
  fslab: 'in-the-lab samples are SS_F_VV: subject 00–19, focal 0–2, view 00–10',
};

/**
 * A `facebench eval` results document of `facescape-wild` / `facescape-lab` (read from `path`, its
 * results.json) summarised exactly as FaceScape's scripts summarise a shipped folder: one value
 * per sample index (NaN for a failed record, an undefined metric and every sample the document
 * does not list), then the same bins, means and done rate — counts and done rate over the listed
 * samples only (see summariseValues). A record's `item` is the FaceScape sample name; an item
 * that is not a sample of the set, or a sample listed twice, is refused.
 */
export function summariseFacescapeResults(doc: ResultsDocument, path: string): FacescapeSummary {
  const protocol = String((doc.protocol as { protocol?: unknown }).protocol ?? 'unknown');
  const dataset = facescapeProtocolDataset(protocol);
  if (!dataset) throw new InputError(path, `protocol ${protocol} is not facescape-wild or facescape-lab`);
  const n = FACESCAPE_SAMPLES[dataset];
  const values = Object.fromEntries(FACESCAPE_METRICS.map((m) => [m, new Float64Array(n).fill(Number.NaN)])) as Record<FacescapeMetric, Float64Array>;
  const seen = new Uint8Array(n);
  for (const r of doc.items) {
    const index = facescapeSampleIndex(dataset, r.item);
    if (index === undefined) throw new InputError(path, `item ${JSON.stringify(r.item.slice(0, 40))} (person ${JSON.stringify(r.person.slice(0, 20))}) is not a ${protocol} sample (${SAMPLE_FORM[dataset]})`);
    if (seen[index]) throw new InputError(path, `sample ${r.item} is listed twice: one record per sample`);
    seen[index] = 1;
    if (r.status !== 'ok' || !r.metrics) continue; // FaceScape's NaN sample
    for (const m of FACESCAPE_METRICS) {
      const v = r.metrics[KEY[m]];
      values[m][index] = typeof v === 'number' && Number.isFinite(v) ? v : Number.NaN;
    }
  }
  const listed = Array.from(seen.keys()).filter((i) => seen[i] === 1);
  if (listed.length === 0) throw new InputError(path, `lists no ${protocol} sample: nothing to summarise`);
  return summariseValues({ method: doc.method, dataset, folder: path, source: 'facebench' }, values, listed);
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

/** The method cell of a FaceScape table: facebench results marked `[facebench]`, or `[facebench listed/total]` when they list only a part of the set. */
export function facescapeMethodLabel(s: FacescapeSummary): string {
  if (s.source !== 'facebench') return s.method;
  const total = FACESCAPE_SAMPLES[s.dataset];
  return `${s.method} [facebench${s.listed < total ? ` ${s.listed}/${total}` : ''}]`;
}

/**
 * Header + rows of one dataset's table: per bin CD, MNE, CR; then all; done (%). `bins`: the
 * view-angle bins, or (in-the-lab) the focal-length bins. Rows: shipped results, then facebench
 * ones (marked, see facescapeMethodLabel), each by method name.
 */
export function facescapeTable(summaries: FacescapeSummary[], dataset: FacescapeDataset, bins: 'angle' | 'focal' = 'angle'): string[][] {
  const rank = (s: FacescapeSummary) => (s.source === 'facebench' ? 1 : 0);
  const rows = summaries.filter((s) => s.dataset === dataset).sort((a, b) => rank(a) - rank(b) || (a.method < b.method ? -1 : a.method > b.method ? 1 : 0));
  const binsOf = (s: FacescapeSummary) => (bins === 'focal' ? s.focal ?? [] : s.angle);
  const defaults = bins === 'focal' ? facescapeBins(dataset).focal ?? [] : facescapeBins(dataset).angle;
  const labels = [...(rows[0] ? binsOf(rows[0]).map((b) => b.label) : defaults.map(([l]) => l)), 'all'];
  const header = ['method', ...labels.flatMap((l) => [`${l} CD (mm)`, `${l} MNE (rad)`, `${l} CR (%)`]), 'done (%)'];
  return [
    header,
    ...rows.map((s) => [facescapeMethodLabel(s), ...[...binsOf(s), s.all].flatMap((b) => [formatCd(b.cd), formatMne(b.mne), formatPercent(b.cr)]), formatPercent(s.done_rate)]),
  ];
}
