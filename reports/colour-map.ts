/**
 * The error pictures' colour map: a perceptually ordered dark-blue → teal → green → yellow ramp
 * in the manner of viridis, from nine hand-set control colours interpolated linearly in sRGB
 * into a 256-entry table.
 */

/** Control colours (RGB 0..255) at evenly spaced positions 0, 1/8, …, 1. */
const STOPS: ReadonlyArray<readonly [number, number, number]> = [
  [68, 1, 84],
  [71, 44, 122],
  [59, 81, 139],
  [44, 113, 142],
  [33, 144, 141],
  [39, 173, 129],
  [92, 200, 99],
  [170, 220, 50],
  [253, 231, 37],
];

/** 256 RGB entries (768 bytes): entry k is the colour of k/255 of the scale. */
export const COLOUR_TABLE: Uint8Array = (() => {
  const table = new Uint8Array(768);
  const last = STOPS.length - 1;
  for (let k = 0; k < 256; k++) {
    const x = (k / 255) * last;
    const i = Math.min(last - 1, Math.floor(x));
    const f = x - i;
    for (let c = 0; c < 3; c++) table[3 * k + c] = Math.round(STOPS[i][c] * (1 - f) + STOPS[i + 1][c] * f);
  }
  return table;
})();

/** The colour at the start (0) and the end (maxError and above) of the scale. */
export const COLOUR_LOW: readonly [number, number, number] = [COLOUR_TABLE[0], COLOUR_TABLE[1], COLOUR_TABLE[2]];
export const COLOUR_HIGH: readonly [number, number, number] = [COLOUR_TABLE[765], COLOUR_TABLE[766], COLOUR_TABLE[767]];

/** Write the colour of `value` on the scale 0 … `max` (clamped) into `out` at byte `offset`. */
export function colourAt(value: number, max: number, out: Uint8Array, offset: number): void {
  let k = max > 0 ? Math.round((value / max) * 255) : 0;
  if (!(k >= 0)) k = 0;
  else if (k > 255) k = 255;
  out[offset] = COLOUR_TABLE[3 * k];
  out[offset + 1] = COLOUR_TABLE[3 * k + 1];
  out[offset + 2] = COLOUR_TABLE[3 * k + 2];
}

/** The smallest of 1, 2, 2.5, 5 × 10^k (k integer) that is ≥ value (value > 0). */
export function niceCeiling(value: number): number {
  const p = 10 ** Math.floor(Math.log10(value));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= value * (1 - 1e-12)) return m * p;
  return 10 * p;
}
