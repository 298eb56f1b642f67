/**
 * Cylindrical unwrapping of a mesh: the surface seen from a vertical axis, as FaceScape's
 * benchmark measures heads (zhuhao-nju/facescape, `benchmark/code/evaluator.py`, `map_cyl`).
 *
 * Grid: `rows × cols` horizontal rays. Row i starts on the y axis at
 * y_i = yTop + (yBottom − yTop)·i/(rows − 1); column j points along
 * (−sin φ_j, 0, −cos φ_j) with φ_j = 2π·j/(cols − 1), so φ = 0 looks down −z and the first
 * and last columns look the same way (FaceScape divides by 255 for 256 columns). A pixel
 * keeps the outermost intersection of its ray with the mesh: its distance from the axis
 * (the radius) and the triangle hit. That is the last of the hits a ray caster collecting
 * every hit in order of distance reports, which FaceScape's `intersects_location(…,
 * multiple_hits=True)` followed by writes in hit order leaves in its maps.
 *
 * Method: a cylindrical scan conversion, exact per ray. For every row a triangle spans, the
 * triangle is cut by the plane y = y_i into a segment; the columns whose directions fall in
 * the angle the segment subtends (one column of slack each side) are intersected with the
 * segment in the xz plane, and a hit counts when it lies on the segment (parameter in
 * [0, 1], with 1e-9 of slack so that no ray slips between two triangles) in front of the axis;
 * of hits within 1e-9 of the same radius, the lower-numbered triangle is kept. Rays parallel to a triangle's plane and segments through
 * the axis are skipped (measure zero).
 */

export interface CylinderGrid {
  rows: number;
  cols: number;
  /** y of the first row's rays. */
  yTop: number;
  /** y of the last row's rays. */
  yBottom: number;
}

export interface CylinderMap {
  rows: number;
  cols: number;
  /** Distance of the outermost hit from the axis, row-major; 0 where the ray hits nothing. */
  radius: Float64Array;
  /** Triangle of that hit; −1 where none. */
  triangle: Int32Array;
}

const TWO_PI = 2 * Math.PI;
/**
 * Slack on the segment parameter: a ray through a vertex or along an edge shared by two
 * triangles must hit at least one of them, whatever the rounding of each segment's ends
 * (an exact test can miss both). 1e-9 of a segment is far below a micrometre.
 */
const SEGMENT_SLACK = 1e-9;
/**
 * A later triangle replaces a pixel's hit only when it is farther by more than 1e-9 of the
 * radius: a ray along a shared edge then keeps the lower-numbered triangle whatever the
 * rounding, so two copies of a mesh that differ in their last bits pick the same triangles.
 */
const TIE = 1 + 1e-9;

/** The column directions of a grid: sin and cos of φ_j = 2π·j/(cols − 1). */
function columnAngles(cols: number): { sin: Float64Array; cos: Float64Array } {
  const sin = new Float64Array(cols), cos = new Float64Array(cols);
  for (let j = 0; j < cols; j++) {
    const phi = (j * TWO_PI) / (cols - 1);
    sin[j] = Math.sin(phi);
    cos[j] = Math.cos(phi);
  }
  return { sin, cos };
}

/** y of each row's rays. */
export function cylinderRowHeights(grid: CylinderGrid): Float64Array {
  const y = new Float64Array(grid.rows);
  for (let i = 0; i < grid.rows; i++) y[i] = grid.yTop + ((grid.yBottom - grid.yTop) * i) / (grid.rows - 1);
  return y;
}

/** Unwrap a mesh (`positions` 3n, `faces` 3m) onto a cylinder grid (see the module comment). */
export function cylinderMap(positions: ArrayLike<number>, faces: Uint32Array, grid: CylinderGrid): CylinderMap {
  const { rows, cols } = grid;
  if (!(rows >= 2 && cols >= 2 && Number.isInteger(rows) && Number.isInteger(cols))) throw new Error(`cylinder grid needs at least 2×2 integer rows and columns, got ${rows}×${cols}`);
  if (!(grid.yTop > grid.yBottom)) throw new Error(`cylinder grid: yTop (${grid.yTop}) must lie above yBottom (${grid.yBottom})`);
  const radius = new Float64Array(rows * cols);
  const triangle = new Int32Array(rows * cols).fill(-1);
  const { sin, cos } = columnAngles(cols);
  const rowStep = (grid.yTop - grid.yBottom) / (rows - 1);
  const colStep = TWO_PI / (cols - 1);
  const period = cols - 1;
  const m = faces.length / 3;
  for (let f = 0; f < m; f++) {
    const a = 3 * faces[3 * f], b = 3 * faces[3 * f + 1], c = 3 * faces[3 * f + 2];
    const ya = positions[a + 1], yb = positions[b + 1], yc = positions[c + 1];
    const ymin = Math.min(ya, yb, yc), ymax = Math.max(ya, yb, yc);
    if (!(ymax > ymin)) continue; // horizontal (parallel to every ray) or not finite
    // Rows with ymin ≤ y_i ≤ ymax; y_i falls with i.
    const iFirst = Math.max(0, Math.ceil((grid.yTop - ymax) / rowStep));
    const iLast = Math.min(rows - 1, Math.floor((grid.yTop - ymin) / rowStep));
    for (let i = iFirst; i <= iLast; i++) {
      const y = grid.yTop - i * rowStep;
      // Cut the triangle with the plane: a vertex counts as above when its y ≥ the plane's.
      const sa = ya >= y, sb = yb >= y, sc = yc >= y;
      if (sa === sb && sb === sc) continue;
      // The lone vertex (the one on its own side) and the two others.
      let lone: number, o1: number, o2: number;
      if (sa !== sb && sa !== sc) { lone = a; o1 = b; o2 = c; }
      else if (sb !== sa && sb !== sc) { lone = b; o1 = c; o2 = a; }
      else { lone = c; o1 = a; o2 = b; }
      const ly = positions[lone + 1];
      const t1 = (y - ly) / (positions[o1 + 1] - ly);
      const t2 = (y - ly) / (positions[o2 + 1] - ly);
      const lx = positions[lone], lz = positions[lone + 2];
      const px = lx + t1 * (positions[o1] - lx), pz = lz + t1 * (positions[o1 + 2] - lz);
      const qx = lx + t2 * (positions[o2] - lx), qz = lz + t2 * (positions[o2 + 2] - lz);
      const ex = qx - px, ez = qz - pz;
      // Angles seen from the axis: φ = atan2(−x, −z) in [0, 2π); the segment subtends the
      // signed angle from P to Q, in (−π, π) unless it passes through the axis.
      const cross = px * qz - pz * qx, dot = px * qx + pz * qz;
      if (cross === 0 && dot <= 0) continue; // through the axis, or a point
      let phiP = Math.atan2(-px, -pz);
      if (phiP < 0) phiP += TWO_PI;
      // atan2(−x, −z) grows as (x, z) turns from −z towards −x; Q's signed angle from P:
      const sweep = Math.atan2(-cross, dot);
      const start = sweep >= 0 ? phiP : phiP + sweep;
      const end = sweep >= 0 ? phiP + sweep : phiP;
      const kFirst = Math.floor(start / colStep) - 1;
      const kLast = Math.ceil(end / colStep) + 1;
      const rowBase = i * cols;
      for (let k = kFirst; k <= kLast; k++) {
        let j = k % period;
        if (j < 0) j += period;
        // The ray of column j in xz: direction d = (−sin φ, −cos φ); P + s·e = t·d.
        const dx = -sin[j], dz = -cos[j];
        const denom = dx * ez - dz * ex;
        if (denom === 0) continue;
        const s = (px * dz - pz * dx) / denom;
        if (s < -SEGMENT_SLACK || s > 1 + SEGMENT_SLACK) continue;
        const t = (px * ez - pz * ex) / denom;
        if (!(t > 0)) continue;
        const p = rowBase + j;
        if (t > radius[p] * TIE) {
          radius[p] = t;
          triangle[p] = f;
        }
        // Column 0 and the last column look the same way: both get the hit.
        if (j === 0) {
          const q = rowBase + period;
          const dxl = -sin[period], dzl = -cos[period];
          const denomL = dxl * ez - dzl * ex;
          if (denomL !== 0) {
            const sl = (px * dzl - pz * dxl) / denomL, tl = (px * ez - pz * ex) / denomL;
            if (sl >= -SEGMENT_SLACK && sl <= 1 + SEGMENT_SLACK && tl > radius[q] * TIE) {
              radius[q] = tl;
              triangle[q] = f;
            }
          }
        }
      }
    }
  }
  return { rows, cols, radius, triangle };
}
