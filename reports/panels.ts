/**
 * Qualitative panels (a paper's "Figure 4"): for chosen items, one RGB row image per item and
 * task — the input crop; each method's prediction, placed by the similarity `eval` stored in
 * its task record (prediction ↦ GT/world frame), Lambert-shaded and blended half-transparent
 * over the crop in the item's crop camera; each method's error map: the GT points coloured by
 * their distance to the placed prediction (worst-items.ts), splatted from a frontal camera on
 * the GT landmarks, one colour scale per row; and the colour bar with its mm labels.
 * Posed rows picture the posed prediction against the item scan, neutral rows the neutral
 * prediction against the person's neutral scan. Layout: panel-layout.ts; cameras:
 * panel-cameras.ts; colours: colour-map.ts.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../evaluators/errors.js';
import { selectNth } from '../evaluators/metrics/index.js';
import { discoverTasks, readItemCropCamera, readManifest, type EvalTask, type ItemRecord, type Manifest, type ResultsDocument, type TaskRecord } from '../evaluators/formats/index.js';
import type { PointCloud } from '../evaluators/geometry/index.js';
import { encodeRgbPng, readRgbImage } from '../evaluators/image/index.js';
import { readLandmarks } from '../evaluators/io/index.js';
import { configFromJson, type ProtocolConfig } from '../evaluators/protocols/index.js';
import { projectPoints, rasterize, shadeImage, splatPoints, vertexNormals, type PinholeCamera } from '../evaluators/render/index.js';
import { COLOUR_TABLE, colourAt, niceCeiling } from './colour-map.js';
import { frontalCamera, overlayCamera } from './panel-cameras.js';
import { drawText, fitText, GLYPH_HEIGHT } from './panel-font.js';
import { panelLayout } from './panel-layout.js';
import { distancesAtStoredAlignment, sharedGtReader, storedTransform, type ErrorMapLookup } from './worst-items.js';

export interface PanelOptions {
  /** Items 'pid/item' to picture; default: worst, median and best item by `method`'s posed L2. */
  items?: string[];
  /** Method whose L2 picks the items (default: the first document). */
  method?: string;
  /** Tasks to picture (default both: posed and neutral rows). */
  tasks?: Array<'posed' | 'neutral'>;
  /** Tile side in pixels (default 256). */
  tile?: number;
  /** The error maps `eval` stored (storedErrorMaps): their distances instead of a closest-point pass where they hold the picture's points. */
  errorMaps?: ErrorMapLookup;
}

export interface PanelRow {
  person: string;
  item: string;
  task: 'posed' | 'neutral';
  pick: 'worst' | 'median' | 'best' | 'chosen';
  /** The row as one RGB PNG: crop | overlay per method | error map per method | colour bar, with small method labels. */
  png: Buffer;
  width: number;
  height: number;
  /** L2 (mm) of this item and task per method (methods without a scored record: absent). */
  l2: Record<string, number>;
  /** Upper end (mm) of the row's colour scale. */
  maxError: number;
  /** One-line caption naming the item, task, pick and methods. */
  caption: string;
}

/** At most this many GT points are measured and splatted per error map. */
const MAX_POINTS = 40_000;
/**
 * GT points measured per error map of a `tile`-pixel tile: one per tile pixel, about two per
 * pixel the face covers in the frontal view; more only paint over each other. 16,384 on the
 * page's 128-px tiles (the demo's 22.7k-point scans: 28 % fewer queries, the same picture but
 * for a few isolated background pixels inside the face; the points eval's error maps keep,
 * ERROR_MAP_POINTS), 40,000 at the default 256 px.
 */
function errorMapPoints(tile: number): number {
  return Math.min(MAX_POINTS, tile * tile);
}
const INK: readonly [number, number, number] = [40, 40, 40];
const EMPTY: readonly [number, number, number] = [225, 225, 225];
const MESH_ALBEDO = [205, 210, 220];

type Pick = PanelRow['pick'];

/** A method's files for the panels: its protocol and scoring tasks, or why it has none. */
interface MethodContext {
  doc: ResultsDocument;
  config?: ProtocolConfig;
  tasks?: Map<string, EvalTask>;
}

/** One method's picture inputs for a row. */
interface Measured {
  placed?: { positions: Float64Array; faces: Uint32Array };
  gt?: PointCloud;
  points?: Uint32Array;
  distances?: Float64Array;
  gtLandmarks?: Float64Array;
}

const fmt = (v: number): string => String(Number(v.toPrecision(3)));
const oneLine = (error: unknown): string => (error as Error).message.split('\n')[0];

/** The worst, median (lower) and best scored posed item of `doc` by L2, without repeats. */
function pickItems(doc: ResultsDocument, notes: string[]): Array<{ person: string; item: string; pick: Pick }> {
  const scored = doc.items
    .filter((r) => r.task === 'posed' && r.status === 'ok' && Number.isFinite(r.metrics?.l2))
    .sort((a, b) => a.metrics!.l2 - b.metrics!.l2 || (a.person + a.item < b.person + b.item ? -1 : 1));
  if (scored.length === 0) {
    notes.push(`${doc.method}: no scored posed items to pick panel items from`);
    return [];
  }
  const picks: Array<[Pick, TaskRecord]> = [['worst', scored[scored.length - 1]], ['median', scored[Math.floor((scored.length - 1) / 2)]], ['best', scored[0]]];
  const seen = new Set<string>();
  const out: Array<{ person: string; item: string; pick: Pick }> = [];
  for (const [pick, r] of picks) {
    const id = `${r.person}/${r.item}`;
    if (seen.has(id)) continue;
    seen.add(id);
    out.push({ person: r.person, item: r.item, pick });
  }
  return out;
}

/** 'pid/item' strings as items (a malformed one refused). */
function chosenItems(items: string[]): Array<{ person: string; item: string; pick: Pick }> {
  const out: Array<{ person: string; item: string; pick: Pick }> = [];
  for (const id of items) {
    const slash = id.indexOf('/');
    if (slash <= 0 || slash === id.length - 1 || id.indexOf('/', slash + 1) >= 0) throw new InputError('--panel-items', `expected <person>/<item>, got '${id}'`);
    out.push({ person: id.slice(0, slash), item: id.slice(slash + 1), pick: 'chosen' });
  }
  return out;
}

/** The crop image resampled (bilinear, pixel centres) to a tile×tile RGB array. */
function cropTile(path: string, tile: number): Uint8Array {
  const image = readRgbImage(path);
  const { width: w, height: h, data } = image;
  const out = new Uint8Array(3 * tile * tile);
  const sx = w / tile, sy = h / tile;
  for (let y = 0; y < tile; y++) {
    const fy = Math.min(h - 1, Math.max(0, (y + 0.5) * sy - 0.5));
    const y0 = Math.floor(fy), y1 = Math.min(h - 1, y0 + 1), wy = fy - y0;
    for (let x = 0; x < tile; x++) {
      const fx = Math.min(w - 1, Math.max(0, (x + 0.5) * sx - 0.5));
      const x0 = Math.floor(fx), x1 = Math.min(w - 1, x0 + 1), wx = fx - x0;
      const a = 3 * (y0 * w + x0), b = 3 * (y0 * w + x1), c = 3 * (y1 * w + x0), d = 3 * (y1 * w + x1);
      const o = 3 * (y * tile + x);
      for (let k = 0; k < 3; k++) {
        out[o + k] = Math.round((data[a + k] * (1 - wx) + data[b + k] * wx) * (1 - wy) + (data[c + k] * (1 - wx) + data[d + k] * wx) * wy);
      }
    }
  }
  return out;
}

/** Copy a tile×tile RGB tile into the row at (x0, y0). */
function blit(row: Uint8Array, rowWidth: number, tileRgb: Uint8Array, tile: number, x0: number, y0: number): void {
  for (let y = 0; y < tile; y++) row.set(tileRgb.subarray(3 * y * tile, 3 * (y + 1) * tile), 3 * ((y0 + y) * rowWidth + x0));
}

/** A uniform tile. */
function flatTile(tile: number, colour: readonly [number, number, number]): Uint8Array {
  const out = new Uint8Array(3 * tile * tile);
  for (let p = 0; p < tile * tile; p++) out.set(colour, 3 * p);
  return out;
}

/** The placed mesh Lambert-shaded in `camera` and blended half-transparent over the crop tile. */
function overlayTile(crop: Uint8Array, mesh: { positions: Float64Array; faces: Uint32Array }, camera: PinholeCamera): Uint8Array {
  const raster = rasterize(mesh.positions, mesh.faces, camera, { cullBackFaces: false });
  const normals = vertexNormals(mesh.positions, mesh.faces);
  const E = camera.world2cam;
  // Towards the camera (−viewing axis) and a little up (−image y), world frame.
  const lx = -E[8] - 0.4 * E[4], ly = -E[9] - 0.4 * E[5], lz = -E[10] - 0.4 * E[6];
  const ll = Math.hypot(lx, ly, lz);
  // Normals facing away from the camera on the whole (inward winding, or a reflecting alignment): flip them.
  let facing = 0;
  for (let i = 0; i < normals.length; i += 3) facing -= normals[i] * E[8] + normals[i + 1] * E[9] + normals[i + 2] * E[10];
  if (facing < 0) for (let i = 0; i < normals.length; i++) normals[i] = -normals[i];
  const albedo = new Uint8Array(normals.length);
  for (let i = 0; i < albedo.length; i += 3) albedo.set(MESH_ALBEDO, i);
  const shaded = shadeImage(raster, mesh.faces, normals, albedo, { light: [lx / ll, ly / ll, lz / ll], ambient: 0.35 });
  const out = Uint8Array.from(crop);
  const tri = raster.triangle;
  for (let p = 0; p < tri.length; p++) {
    if (tri[p] < 0) continue;
    for (let k = 3 * p; k < 3 * p + 3; k++) out[k] = (crop[k] + shaded[k] + 1) >> 1;
  }
  return out;
}

/**
 * A splat radius (px) that closes the gaps between neighbouring points: 1.5 mean spacings of n
 * points spread over the ellipse inscribed in their projected bounding box (randomly placed
 * points leave about e^(−1.5²·π) ≈ 0.1 % of that area uncovered).
 */
function splatRadius(positions: Float64Array, camera: PinholeCamera): number {
  const n = positions.length / 3;
  const uv = new Float64Array(3 * n);
  projectPoints(positions, camera, uv);
  let u0 = Infinity, u1 = -Infinity, v0 = Infinity, v1 = -Infinity;
  for (let i = 0; i < n; i++) {
    const u = uv[3 * i], v = uv[3 * i + 1];
    if (!(uv[3 * i + 2] > 0)) continue;
    if (u < u0) u0 = u;
    if (u > u1) u1 = u;
    if (v < v0) v0 = v;
    if (v > v1) v1 = v;
  }
  const area = (Math.PI / 4) * Math.max(0, u1 - u0) * Math.max(0, v1 - v0);
  const r = 1.5 * Math.sqrt(area / Math.max(1, n));
  return Number.isFinite(r) ? Math.min(8, Math.max(1, r)) : 2;
}

/** The row's colour scale end: the 95th percentile of all its distances, rounded up to 1, 2, 2.5 or 5 × 10^k mm (at least 0.01). */
function scaleEnd(measured: Measured[]): number {
  let n = 0;
  for (const m of measured) n += m.distances?.length ?? 0;
  const all = new Float64Array(n);
  let k = 0;
  for (const m of measured) {
    if (!m.distances) continue;
    for (const d of m.distances) if (d === d) all[k++] = d;
  }
  if (k === 0) return 1;
  // A selection, not a sort: the percentile is the only order statistic needed.
  return niceCeiling(Math.max(0.01, selectNth(all.subarray(0, k), Math.floor(0.95 * (k - 1)))));
}

/**
 * Qualitative panel rows for the chosen (or picked: worst, median and best by one method's
 * posed L2) items, one per item and task, each method of `docs` a column pair. Items or methods
 * whose files are gone, records without a stored alignment, and a missing capture (no overlay
 * columns) are noted, one line each, never thrown. Refuses (InputError) an unknown `method`, a
 * malformed or unknown chosen item, and a tile outside 32…2048.
 */
export function qualitativePanels(docs: ResultsDocument[], options: PanelOptions = {}): { rows: PanelRow[]; notes: string[] } {
  const rows: PanelRow[] = [];
  const notes: string[] = [];
  const tile = options.tile ?? 256;
  if (!Number.isInteger(tile) || tile < 32 || tile > 2048) throw new InputError('panel tile', `expected an integer from 32 to 2048 pixels, got ${tile}`);
  if (docs.length === 0) return { rows, notes: ['no results to picture in panels'] };
  const tasks = options.tasks ?? ['posed', 'neutral'];
  let picker = docs[0];
  if (options.method !== undefined) {
    const found = docs.find((d) => d.method === options.method);
    if (!found) throw new InputError('--panel-method', `no results of method '${options.method}' (have: ${docs.map((d) => d.method).join(', ')})`);
    picker = found;
  }
  const items = options.items ? chosenItems(options.items) : pickItems(picker, notes);
  if (items.length === 0) return { rows, notes };

  const bench = [picker, ...docs].map((d) => d.benchmark).find((b) => existsSync(join(b, 'manifest.json')));
  if (!bench) {
    notes.push(`no panels: the benchmark ${picker.benchmark} no longer exists`);
    return { rows, notes };
  }
  let manifest: Manifest;
  try {
    manifest = readManifest(bench);
  } catch (error) {
    notes.push(`no panels: ${oneLine(error)}`);
    return { rows, notes };
  }

  const contexts = docs.map((doc): MethodContext => {
    const context: MethodContext = { doc };
    try {
      context.config = configFromJson(doc.protocol);
      if (!existsSync(doc.predictions)) throw new Error(`its predictions ${doc.predictions} no longer exist`);
      const found = discoverTasks(existsSync(doc.benchmark) ? doc.benchmark : bench, doc.predictions);
      context.tasks = new Map(found.map((t) => [`${t.person}/${t.item}/${t.task}`, t]));
    } catch (error) {
      notes.push(`${doc.method}: no panel pictures (${oneLine(error)})`);
    }
    return context;
  });
  const readGt = sharedGtReader();

  for (const { person, item, pick } of items) {
    const id = `${person}/${item}`;
    const record: ItemRecord | undefined = manifest.items.find((i) => i.person === person && i.id === item);
    if (!record) {
      if (pick === 'chosen') throw new InputError('--panel-items', `the benchmark ${bench} has no item ${id}`);
      notes.push(`panel item ${id} skipped: the benchmark has no such item`);
      continue;
    }
    let crop: Uint8Array;
    try {
      crop = cropTile(join(bench, record.dir, 'image.png'), tile);
    } catch (error) {
      crop = flatTile(tile, EMPTY);
      notes.push(`${id}: panel shows no input crop (${oneLine(error)})`);
    }
    let camera: PinholeCamera | undefined;
    try {
      camera = overlayCamera(readItemCropCamera(bench, manifest, record), tile);
    } catch (error) {
      notes.push(`${id}: panel rows without overlays (${oneLine(error)})`);
    }

    for (const task of tasks) {
      const l2: Record<string, number> = {};
      const measured: Measured[] = contexts.map(({ doc, config, tasks: found }) => {
        const r = doc.items.find((x) => x.person === person && x.item === item && x.task === task);
        if (!r || r.status !== 'ok') return {};
        if (Number.isFinite(r.metrics?.l2)) l2[doc.method] = r.metrics!.l2;
        const files = found?.get(`${person}/${item}/${task}`);
        if (!config || !files) return {};
        const transform = storedTransform(r.alignment);
        if (!transform) {
          notes.push(`${doc.method} ${id} ${task}: no panel picture, its record stores no alignment (results of an older eval)`);
          return {};
        }
        try {
          const { gt, points, distances, prediction } = distancesAtStoredAlignment(files, config, transform, { maxPoints: errorMapPoints(tile), readGt: readGt(config.gtUnit), errorMap: options.errorMaps?.(doc, r) });
          const gtLandmarks = readLandmarks(files.gtLandmarks, { count: 7, unit: config.gtUnit });
          return { placed: prediction, gt, points, distances, gtLandmarks };
        } catch (error) {
          notes.push(`${doc.method} ${id} ${task}: no panel picture (${oneLine(error)})`);
          return {};
        }
      });
      const first = measured.find((m) => m.gt);
      if (!first) {
        notes.push(`${id} ${task}: no panel row, no method has a picture of it`);
        continue;
      }
      const maxError = scaleEnd(measured);
      const methods = contexts.map((c) => c.doc.method);
      const overlays = camera ? methods.length : 0;
      const layout = panelLayout(tile, overlays, methods.length);
      const { width, height, header, scale } = layout;
      const rgb = new Uint8Array(3 * width * height).fill(255);
      const label = (text: string, x: number) => drawText(rgb, width, height, fitText(text, tile - 4 * scale, scale), x + 2 * scale, 3 * scale, scale, INK);

      blit(rgb, width, crop, tile, 0, header);
      label('input', 0);
      // One frontal camera for the row, framing the GT points of the first pictured method.
      const firstPositions = new Float64Array(3 * first.points!.length);
      first.points!.forEach((p, k) => firstPositions.set(first.gt!.positions.subarray(3 * p, 3 * p + 3), 3 * k));
      const frontal = frontalCamera(first.gtLandmarks!, firstPositions, tile);
      methods.forEach((method, k) => {
        const m = measured[k];
        if (camera) {
          blit(rgb, width, m.placed ? overlayTile(crop, m.placed, camera) : flatTile(tile, EMPTY), tile, layout.overlayX(k), header);
          label(method, layout.overlayX(k));
        }
        let tileRgb: Uint8Array;
        if (m.gt && m.points && m.distances) {
          const n = m.points.length;
          const positions = new Float64Array(3 * n);
          const colours = new Uint8Array(3 * n);
          for (let i = 0; i < n; i++) {
            const p = 3 * m.points[i];
            positions[3 * i] = m.gt.positions[p];
            positions[3 * i + 1] = m.gt.positions[p + 1];
            positions[3 * i + 2] = m.gt.positions[p + 2];
            colourAt(m.distances[i], maxError, colours, 3 * i);
          }
          tileRgb = splatPoints(positions, colours, frontal, { radius: splatRadius(positions, frontal) });
        } else {
          tileRgb = flatTile(tile, EMPTY);
        }
        blit(rgb, width, tileRgb, tile, layout.errorX(k), header);
        label(l2[method] !== undefined ? `${method} ${fmt(l2[method])} mm` : `${method} -`, layout.errorX(k));
      });

      // Colour bar: its top row is the scale's end, its bottom row the start.
      const { bar } = layout;
      for (let y = bar.top; y <= bar.bottom; y++) {
        const e = Math.round((255 * (bar.bottom - y)) / (bar.bottom - bar.top));
        for (let x = bar.x; x < bar.x + bar.width; x++) rgb.set(COLOUR_TABLE.subarray(3 * e, 3 * e + 3), 3 * (y * width + x));
      }
      const half = Math.floor((GLYPH_HEIGHT * scale) / 2);
      drawText(rgb, width, height, `${fmt(maxError)} mm`, bar.labelX, bar.top - half, scale, INK);
      drawText(rgb, width, height, `${fmt(maxError / 2)} mm`, bar.labelX, Math.round((bar.top + bar.bottom) / 2) - half, scale, INK);
      drawText(rgb, width, height, '0 mm', bar.labelX, bar.bottom - half, scale, INK);

      const pickText = pick === 'chosen' ? 'chosen item' : `${pick} posed L2 of ${picker.method}`;
      const scores = methods.map((m) => `${m} ${l2[m] !== undefined ? `${l2[m].toFixed(3)} mm` : 'not scored'}`).join(', ');
      const caption = `${id}, ${task} (${pickText}): L2 ${scores}; error colours 0–${fmt(maxError)} mm${camera ? '' : '; no overlays (crop camera unknown)'}`;
      rows.push({ person, item, task, pick, png: encodeRgbPng(rgb, width, height), width, height, l2, maxError, caption });
    }
  }
  return { rows, notes };
}
