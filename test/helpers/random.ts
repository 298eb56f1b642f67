/** Seeded random numbers for deterministic tests: the suite's mulberry32 generator and Box–Muller normals. */
export { seededRandom as rng, normal as gaussian } from '../../evaluators/util/index.js';

/** Rotation matrix (row-major 3x3) from an axis and an angle in radians (Rodrigues' formula). */
export function axisAngle(axis: [number, number, number], angle: number): Float64Array {
  const n = Math.hypot(...axis);
  const [x, y, z] = axis.map((v) => v / n);
  const c = Math.cos(angle);
  const s = Math.sin(angle);
  const t = 1 - c;
  return Float64Array.of(
    t * x * x + c, t * x * y - s * z, t * x * z + s * y,
    t * x * y + s * z, t * y * y + c, t * y * z - s * x,
    t * x * z - s * y, t * y * z + s * x, t * z * z + c,
  );
}

/** x ↦ s·R·x + t applied to xyz-interleaved points (independent of the library's own). */
export function similarity(points: Float64Array, s: number, R: Float64Array, t: [number, number, number]): Float64Array {
  const out = new Float64Array(points.length);
  for (let i = 0; i < points.length; i += 3) {
    const x = points[i], y = points[i + 1], z = points[i + 2];
    out[i] = s * (R[0] * x + R[1] * y + R[2] * z) + t[0];
    out[i + 1] = s * (R[3] * x + R[4] * y + R[5] * z) + t[1];
    out[i + 2] = s * (R[6] * x + R[7] * y + R[8] * z) + t[2];
  }
  return out;
}
