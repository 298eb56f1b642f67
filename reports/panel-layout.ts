/**
 * Where things sit in a qualitative panel row (reports/panels.ts): a label strip on top, then
 * tiles side by side — the input crop, one overlay per method (when the crop camera is known),
 * one error map per method — and the colour bar with its mm labels on the right.
 */
import { GLYPH_ADVANCE, GLYPH_HEIGHT } from './panel-font.js';

export interface PanelLayout {
  tile: number;
  /** Font scale (1 below 384-px tiles). */
  scale: number;
  width: number;
  height: number;
  /** Height of the label strip; the tiles start at this row. */
  header: number;
  /** Left edge of the overlay tile of method k, of its error-map tile. */
  overlayX: (k: number) => number;
  errorX: (k: number) => number;
  /** The colour bar strip: columns [x, x + width), rows [top, bottom]; row `top` is the scale's end (maxError), row `bottom` its start (0). */
  bar: { x: number; width: number; top: number; bottom: number; labelX: number };
}

/** The layout of a row with `overlays` overlay tiles (0 or the method count) and `maps` error maps. */
export function panelLayout(tile: number, overlays: number, maps: number): PanelLayout {
  const scale = Math.max(1, Math.floor(tile / 192));
  const header = (GLYPH_HEIGHT + 6) * scale;
  const strip = Math.max(8, Math.round(tile / 16));
  const pad = 4 * scale;
  const labelRoom = 8 * GLYPH_ADVANCE * scale;
  const barX = tile * (1 + overlays + maps) + pad;
  const width = barX + strip + pad + labelRoom + pad;
  const top = header + GLYPH_HEIGHT * scale;
  const bottom = header + tile - 1 - GLYPH_HEIGHT * scale;
  return {
    tile,
    scale,
    width,
    height: header + tile,
    header,
    overlayX: (k) => tile * (1 + k),
    errorX: (k) => tile * (1 + overlays + k),
    bar: { x: barX, width: strip, top, bottom, labelX: barX + strip + pad },
  };
}
