/**
 * A 5×7 bitmap font for the labels of the qualitative panels: A–Z, 0–9, '.', '-', '_', '/',
 * ' ', '(', ')' and a lowercase 'm' for the unit "mm" (after a digit or a space); every other
 * letter is drawn as a capital, anything else as a hollow box. Each glyph is 7 rows of 5 bits, most significant bit left.
 */
const ROWS: Record<string, string> = {
  A: '0e 11 11 1f 11 11 11', B: '1e 11 11 1e 11 11 1e', C: '0e 11 10 10 10 11 0e', D: '1e 11 11 11 11 11 1e',
  E: '1f 10 10 1e 10 10 1f', F: '1f 10 10 1e 10 10 10', G: '0e 11 10 17 11 11 0f', H: '11 11 11 1f 11 11 11',
  I: '0e 04 04 04 04 04 0e', J: '07 02 02 02 02 12 0c', K: '11 12 14 18 14 12 11', L: '10 10 10 10 10 10 1f',
  M: '11 1b 15 15 11 11 11', N: '11 11 19 15 13 11 11', O: '0e 11 11 11 11 11 0e', P: '1e 11 11 1e 10 10 10',
  Q: '0e 11 11 11 15 12 0d', R: '1e 11 11 1e 14 12 11', S: '0f 10 10 0e 01 01 1e', T: '1f 04 04 04 04 04 04',
  U: '11 11 11 11 11 11 0e', V: '11 11 11 11 11 0a 04', W: '11 11 11 15 15 15 0a', X: '11 11 0a 04 0a 11 11',
  Y: '11 11 0a 04 04 04 04', Z: '1f 01 02 04 08 10 1f',
  '0': '0e 11 13 15 19 11 0e', '1': '04 0c 04 04 04 04 0e', '2': '0e 11 01 02 04 08 1f', '3': '1f 02 04 02 01 11 0e',
  '4': '02 06 0a 12 1f 02 02', '5': '1f 10 1e 01 01 11 0e', '6': '06 08 10 1e 11 11 0e', '7': '1f 01 02 04 08 08 08',
  '8': '0e 11 11 0e 11 11 0e', '9': '0e 11 11 0f 01 02 0c',
  '.': '00 00 00 00 00 0c 0c', '-': '00 00 00 1f 00 00 00', _: '00 00 00 00 00 00 1f', '/': '01 01 02 04 08 10 10',
  '(': '02 04 08 08 08 04 02', ')': '08 04 02 02 02 04 08', ' ': '00 00 00 00 00 00 00', m: '00 00 1a 15 15 11 11',
};
const BOX = '1f 11 11 11 11 11 1f';

const GLYPHS = new Map<string, Uint8Array>(Object.entries(ROWS).map(([ch, rows]) => [ch, Uint8Array.from(rows.split(' '), (h) => parseInt(h, 16))]));
const BOX_GLYPH = Uint8Array.from(BOX.split(' '), (h) => parseInt(h, 16));

/** Advance per character (glyph 5 + 1 spacing) and height, in font pixels. */
export const GLYPH_ADVANCE = 6;
export const GLYPH_HEIGHT = 7;

function glyph(ch: string): Uint8Array {
  return GLYPHS.get(ch) ?? BOX_GLYPH;
}

/** Indices of the characters of the unit "mm" (after a digit or a space, before a space, ')' or the end). */
function unitIndices(text: string): Set<number> {
  const out = new Set<number>();
  for (const match of text.matchAll(/(?<=[\d ])mm(?=$|[ )])/g)) out.add(match.index).add(match.index + 1);
  return out;
}

/** Width in image pixels of `text` drawn at `scale`. */
export function textWidth(text: string, scale: number): number {
  return text.length === 0 ? 0 : (text.length * GLYPH_ADVANCE - 1) * scale;
}

/** `text` cut (with a trailing '.') so that it fits `maxWidth` pixels at `scale`. */
export function fitText(text: string, maxWidth: number, scale: number): string {
  const max = Math.floor((maxWidth / scale + 1) / GLYPH_ADVANCE);
  return text.length <= max ? text : max <= 1 ? text.slice(0, Math.max(0, max)) : `${text.slice(0, max - 1)}.`;
}

/** Draw `text` into an RGB image (3 bytes per pixel, `width` wide) with its top-left at (x, y); clipped at the edges. */
export function drawText(rgb: Uint8Array, width: number, height: number, text: string, x: number, y: number, scale: number, colour: readonly [number, number, number]): void {
  const unit = unitIndices(text);
  for (let c = 0; c < text.length; c++) {
    const rows = glyph(unit.has(c) ? 'm' : text[c].toUpperCase());
    const gx = x + c * GLYPH_ADVANCE * scale;
    for (let r = 0; r < GLYPH_HEIGHT; r++) {
      const bits = rows[r];
      for (let b = 0; b < 5; b++) {
        if (!(bits & (16 >> b))) continue;
        for (let sy = 0; sy < scale; sy++) {
          const py = y + r * scale + sy;
          if (py < 0 || py >= height) continue;
          for (let sx = 0; sx < scale; sx++) {
            const px = gx + b * scale + sx;
            if (px < 0 || px >= width) continue;
            const o = 3 * (py * width + px);
            rgb[o] = colour[0];
            rgb[o + 1] = colour[1];
            rgb[o + 2] = colour[2];
          }
        }
      }
    }
  }
}
