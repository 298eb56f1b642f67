/**
 * A z-buffer triangle rasteriser on flat typed arrays: renders the demo capture (data/) and
 * the qualitative panels of the reports.
 *
 * Camera model: OpenCV pinhole (x right, y down, z forward). `world2cam` is a row-major
 * 4x4 taking world points to camera coordinates; `K` a row-major 3x3 in pixels. A camera
 * point (x, y, z) projects to the continuous image coordinates u = K·(x/z, y/z, 1).
 * Pixel convention: the image spans [0, width] × [0, height] in those coordinates and
 * pixel (col, row) is sampled at its centre (col + 0.5, row + 0.5); so a point projecting
 * to (u, v) falls in pixel (floor(u), floor(v)), and back-projecting pixel (col, row) with
 * depth z gives K⁻¹·(col + 0.5, row + 0.5, 1)·z.
 *
 * An orthographic camera (OpenGL convention: x right, y up, looking down −z, as pyrender's
 * `OrthographicCamera`) maps camera (x, y, z) to u = (x/xmag + 1)·width/2,
 * v = (1 − y/ymag)·height/2 with depth −z, interpolated affinely; it has no near plane.
 *
 * A pixel centre lying exactly on an edge counts as inside (shared edges may be drawn by
 * both triangles; the depth test keeps the first drawn at equal depth). Depth is the
 * camera z of the surface, interpolated perspective-correctly (1/z is affine in screen
 * space), exact for the planar triangle. Triangles with a vertex closer than `near` are
 * dropped, not clipped. Back faces (counter-clockwise seen from outside = front) are
 * culled unless `cullBackFaces` is false.
 */

/** An OpenCV pinhole camera with its image size. */
export interface PinholeCamera {
  /** Row-major 3x3 intrinsics, pixels. */
  K: ArrayLike<number>;
  /** Row-major 4x4 world → camera transform (same length unit as the rendered points). */
  world2cam: ArrayLike<number>;
  width: number;
  height: number;
}

/**
 * An orthographic camera with its image size: the image spans camera x ∈ [−xmag, xmag],
 * y ∈ [−ymag, ymag] (y up), and depth is −z (OpenGL convention).
 */
export interface OrthographicCamera {
  kind: 'orthographic';
  xmag: number;
  ymag: number;
  /** Row-major 4x4 world → camera transform; identity when omitted. */
  world2cam?: ArrayLike<number>;
  width: number;
  height: number;
}

export type Camera = PinholeCamera | OrthographicCamera;

function isOrthographic(camera: Camera): camera is OrthographicCamera {
  return (camera as OrthographicCamera).kind === 'orthographic';
}

const IDENTITY_4X4 = [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1];

/** What a rasterisation pass leaves per pixel. */
export interface RasterBuffers {
  width: number;
  height: number;
  /** Depth of the visible surface (camera z; −z for an orthographic camera); 0 where nothing was drawn. */
  depth: Float64Array;
  /** Index of the visible triangle, −1 where nothing was drawn. */
  triangle: Int32Array;
  /** Barycentric weights (perspective-correct for a pinhole camera) of the triangle's 2nd and 3rd vertices (the 1st is 1 − both). */
  bary: Float32Array;
}

/** Options of rasterize. */
export interface RasterOptions {
  /** Default true. */
  cullBackFaces?: boolean;
  /** Pinhole camera: minimum camera z of a drawn triangle's vertices (default 1e-6, in the points' unit). */
  near?: number;
}

/** Allocate buffers for a width×height image. */
export function createRasterBuffers(width: number, height: number): RasterBuffers {
  return { width, height, depth: new Float64Array(width * height), triangle: new Int32Array(width * height), bary: new Float32Array(2 * width * height) };
}

let projected = new Float64Array(0);
let zbuffer = new Float64Array(0);

/**
 * Project points with a camera into `out`, three values per point: (u, v, key), where the
 * key is affine in screen space and larger for nearer points: 1/z for a pinhole camera
 * (z ≤ 0 gives 1/z ≤ 0 or ∞), camera z (= −depth) for an orthographic one.
 */
export function projectPoints(positions: ArrayLike<number>, camera: Camera, out: Float64Array): void {
  const n = positions.length / 3;
  if (isOrthographic(camera)) {
    const E = camera.world2cam ?? IDENTITY_4X4;
    const sx = camera.width / (2 * camera.xmag), sy = camera.height / (2 * camera.ymag);
    for (let i = 0; i < n; i++) {
      const x = positions[3 * i], y = positions[3 * i + 1], z = positions[3 * i + 2];
      out[3 * i] = (E[0] * x + E[1] * y + E[2] * z + E[3]) * sx + camera.width / 2;
      out[3 * i + 1] = camera.height / 2 - (E[4] * x + E[5] * y + E[6] * z + E[7]) * sy;
      out[3 * i + 2] = E[8] * x + E[9] * y + E[10] * z + E[11];
    }
    return;
  }
  const E = camera.world2cam, K = camera.K;
  for (let i = 0; i < n; i++) {
    const x = positions[3 * i], y = positions[3 * i + 1], z = positions[3 * i + 2];
    const cx = E[0] * x + E[1] * y + E[2] * z + E[3];
    const cy = E[4] * x + E[5] * y + E[6] * z + E[7];
    const cz = E[8] * x + E[9] * y + E[10] * z + E[11];
    const iz = 1 / cz;
    const px = cx * iz, py = cy * iz;
    out[3 * i] = K[0] * px + K[1] * py + K[2];
    out[3 * i + 1] = K[3] * px + K[4] * py + K[5];
    out[3 * i + 2] = iz;
  }
}

/**
 * Rasterise triangles (`positions` 3n, `faces` 3m) into `out` (allocated when omitted or of
 * another size). Returns the buffers: depth, visible triangle and its barycentrics.
 */
export function rasterize(positions: ArrayLike<number>, faces: Uint32Array, camera: Camera, options: RasterOptions = {}, out?: RasterBuffers): RasterBuffers {
  const { width: w, height: h } = camera;
  if (!out || out.width !== w || out.height !== h) out = createRasterBuffers(w, h);
  const cull = options.cullBackFaces ?? true;
  const perspective = !isOrthographic(camera);
  const nearInv = 1 / (options.near ?? 1e-6);
  const n = positions.length / 3;
  if (projected.length < 3 * n) projected = new Float64Array(3 * n);
  if (zbuffer.length < w * h) zbuffer = new Float64Array(w * h);
  const P = projected, Z = zbuffer;
  projectPoints(positions, camera, P);
  Z.fill(-Infinity, 0, w * h);
  const tri = out.triangle, bary = out.bary;
  tri.fill(-1);
  const m = faces.length / 3;
  for (let f = 0; f < m; f++) {
    const i0 = 3 * faces[3 * f], i1 = 3 * faces[3 * f + 1], i2 = 3 * faces[3 * f + 2];
    const z0 = P[i0 + 2], z1 = P[i1 + 2], z2 = P[i2 + 2];
    if (perspective) {
      // 1/z must be positive and below 1/near for all three vertices.
      if (!(z0 > 0 && z1 > 0 && z2 > 0 && z0 <= nearInv && z1 <= nearInv && z2 <= nearInv)) continue;
    } else if (!(Number.isFinite(z0) && Number.isFinite(z1) && Number.isFinite(z2))) continue;
    const x0 = P[i0], y0 = P[i0 + 1], x1 = P[i1], y1 = P[i1 + 1], x2 = P[i2], y2 = P[i2 + 1];
    const area = (x1 - x0) * (y2 - y0) - (x2 - x0) * (y1 - y0);
    // With y down, a triangle counter-clockwise around its outward normal has area < 0 when it faces the camera.
    if (area === 0 || !Number.isFinite(area) || (cull && area > 0)) continue;
    const xmin = Math.max(0, Math.ceil(Math.min(x0, x1, x2) - 0.5));
    const xmax = Math.min(w - 1, Math.floor(Math.max(x0, x1, x2) - 0.5));
    const ymin = Math.max(0, Math.ceil(Math.min(y0, y1, y2) - 0.5));
    const ymax = Math.min(h - 1, Math.floor(Math.max(y0, y1, y2) - 0.5));
    if (xmin > xmax || ymin > ymax) continue;
    const inv = 1 / area;
    // Barycentric weights as affine functions of the pixel centre (px, py):
    // b0 = E(v1, v2, p)/area, b1 = E(v2, v0, p)/area, b2 = E(v0, v1, p)/area, E(a, b, p) = (b−a) × (p−a).
    const a0x = -(y2 - y1) * inv;
    const a1x = -(y0 - y2) * inv;
    const a2x = -(y1 - y0) * inv;
    const pxs = xmin + 0.5;
    for (let py = ymin; py <= ymax; py++) {
      const pyc = py + 0.5;
      let b0 = ((x2 - x1) * (pyc - y1) - (y2 - y1) * (pxs - x1)) * inv;
      let b1 = ((x0 - x2) * (pyc - y2) - (y0 - y2) * (pxs - x2)) * inv;
      let b2 = ((x1 - x0) * (pyc - y0) - (y1 - y0) * (pxs - x0)) * inv;
      let row = py * w + xmin;
      for (let px = xmin; px <= xmax; px++, row++, b0 += a0x, b1 += a1x, b2 += a2x) {
        if (b0 < 0 || b1 < 0 || b2 < 0) continue;
        const iz = b0 * z0 + b1 * z1 + b2 * z2;
        if (iz <= Z[row]) continue;
        Z[row] = iz;
        tri[row] = f;
        if (perspective) {
          const s = 1 / iz;
          bary[2 * row] = b1 * z1 * s;
          bary[2 * row + 1] = b2 * z2 * s;
        } else {
          bary[2 * row] = b1;
          bary[2 * row + 1] = b2;
        }
      }
    }
  }
  const depth = out.depth;
  for (let p = 0; p < w * h; p++) depth[p] = tri[p] < 0 ? 0 : perspective ? 1 / Z[p] : -Z[p];
  return out;
}

/** Label id per pixel: `faceLabels` of the visible triangle, 0 for background. */
export function labelImage(raster: RasterBuffers, faceLabels: Uint8Array, out?: Uint8Array): Uint8Array {
  const count = raster.width * raster.height;
  const labels = out ?? new Uint8Array(count);
  for (let p = 0; p < count; p++) {
    const f = raster.triangle[p];
    labels[p] = f >= 0 ? faceLabels[f] : 0;
  }
  return labels;
}

/** Area-weighted vertex normals (unit length; zero where a vertex has no area). */
export function vertexNormals(positions: ArrayLike<number>, faces: Uint32Array, out?: Float64Array): Float64Array {
  const normals = out ?? new Float64Array(positions.length);
  normals.fill(0);
  for (let f = 0; f < faces.length; f += 3) {
    const a = 3 * faces[f], b = 3 * faces[f + 1], c = 3 * faces[f + 2];
    const ex = positions[b] - positions[a], ey = positions[b + 1] - positions[a + 1], ez = positions[b + 2] - positions[a + 2];
    const fx = positions[c] - positions[a], fy = positions[c + 1] - positions[a + 1], fz = positions[c + 2] - positions[a + 2];
    const nx = ey * fz - ez * fy, ny = ez * fx - ex * fz, nz = ex * fy - ey * fx;
    for (const v of [a, b, c]) {
      normals[v] += nx;
      normals[v + 1] += ny;
      normals[v + 2] += nz;
    }
  }
  for (let i = 0; i < normals.length; i += 3) {
    const len = Math.hypot(normals[i], normals[i + 1], normals[i + 2]);
    if (len > 0) {
      normals[i] /= len;
      normals[i + 1] /= len;
      normals[i + 2] /= len;
    }
  }
  return normals;
}

/** Options of shadeImage. */
export interface ShadeOptions {
  /** Unit direction towards the light, world frame (default: from the front-top). */
  light?: [number, number, number];
  /** Ambient fraction (default 0.3). */
  ambient?: number;
  /** Background RGB (default mid grey). */
  background?: [number, number, number];
}

/**
 * RGB image (3 bytes per pixel) with Lambert shading: albedo × (ambient + (1 − ambient) ·
 * max(0, n·l)), where albedo (0..255 per channel, 3 per vertex) and the unit vertex normals
 * are interpolated with the pixel's perspective-correct barycentrics.
 */
export function shadeImage(raster: RasterBuffers, faces: Uint32Array, normals: Float64Array, albedo: Uint8Array | Float32Array, options: ShadeOptions = {}, out?: Uint8Array): Uint8Array {
  const count = raster.width * raster.height;
  const rgb = out ?? new Uint8Array(3 * count);
  const [lx, ly, lz] = options.light ?? [0.3, 0.5, 0.81];
  const amb = options.ambient ?? 0.3;
  const [br, bg, bb] = options.background ?? [128, 128, 128];
  for (let p = 0; p < count; p++) {
    const f = raster.triangle[p];
    if (f < 0) {
      rgb[3 * p] = br;
      rgb[3 * p + 1] = bg;
      rgb[3 * p + 2] = bb;
      continue;
    }
    const w1 = raster.bary[2 * p], w2 = raster.bary[2 * p + 1], w0 = 1 - w1 - w2;
    const a = 3 * faces[3 * f], b = 3 * faces[3 * f + 1], c = 3 * faces[3 * f + 2];
    const nx = w0 * normals[a] + w1 * normals[b] + w2 * normals[c];
    const ny = w0 * normals[a + 1] + w1 * normals[b + 1] + w2 * normals[c + 1];
    const nz = w0 * normals[a + 2] + w1 * normals[b + 2] + w2 * normals[c + 2];
    const len = Math.sqrt(nx * nx + ny * ny + nz * nz) || 1;
    const d = (nx * lx + ny * ly + nz * lz) / len;
    const s = amb + (1 - amb) * (d > 0 ? d : 0);
    const r = s * (w0 * albedo[a] + w1 * albedo[b] + w2 * albedo[c]);
    const g = s * (w0 * albedo[a + 1] + w1 * albedo[b + 1] + w2 * albedo[c + 1]);
    const bl = s * (w0 * albedo[a + 2] + w1 * albedo[b + 2] + w2 * albedo[c + 2]);
    // Uint8Array stores clamp nothing: clamp and round explicitly.
    rgb[3 * p] = r >= 255 ? 255 : r <= 0 ? 0 : r + 0.5;
    rgb[3 * p + 1] = g >= 255 ? 255 : g <= 0 ? 0 : g + 0.5;
    rgb[3 * p + 2] = bl >= 255 ? 255 : bl <= 0 ? 0 : bl + 0.5;
  }
  return rgb;
}
