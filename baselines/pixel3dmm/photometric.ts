/**
 * The photometric model of the `landmarks-photometric` variant (the "Lmks. + Pho." row of
 * Pixel3DMM's Table 5, the energy of Metrical Tracker, Zielonka et al. 2022): the colour of a
 * visible vertex with unit camera-frame normal n is
 *
 *   c_ch(n) = ρ_ch · Σ_k ℓ_k Y_k(n) = Σ_k L_{ch,k} Y_k(n),   ch ∈ {R, G, B}
 *
 * a single albedo ρ per colour channel over the face (no albedo basis) under second-order
 * spherical-harmonics irradiance (Ramamoorthi & Hanrahan, "An Efficient Representation for
 * Irradiance Environment Maps", SIGGRAPH 2001). The product is folded into 27 coefficients
 * L, which are linear given the shape and solved in closed form (weighted least squares, 9
 * unknowns per channel). Regions whose albedo departs from the face's (brows, lips, eyes) are
 * left to the fit's robust weights. The basis is the unnormalised real SH of bands 0–2
 * (constants fold into L):
 *
 *   Y = (1, x, y, z, xy, xz, yz, x² − y², 3z² − 1)
 *
 * The image is read as RGB in [0, 1], smoothed by a Gaussian (a wider basin for the image
 * gradient), bilinearly interpolated with its central-difference gradient.
 */
import { solveLDLT } from '../../evaluators/alignment/index.js';
import type { RgbImage } from '../../evaluators/image/index.js';

/** Spherical-harmonics functions of bands 0–2. */
export const SH_COUNT = 9;

/** The 9 SH basis values at unit normal (x, y, z), into out[o..o+8]. */
export function shBasis(x: number, y: number, z: number, out: Float64Array, o = 0): void {
  out[o] = 1;
  out[o + 1] = x;
  out[o + 2] = y;
  out[o + 3] = z;
  out[o + 4] = x * y;
  out[o + 5] = x * z;
  out[o + 6] = y * z;
  out[o + 7] = x * x - y * y;
  out[o + 8] = 3 * z * z - 1;
}

/** Shaded value of channel `ch` (lighting L: 9 coefficients per channel) at normal (x, y, z). */
export function shade(L: ArrayLike<number>, ch: number, x: number, y: number, z: number): number {
  const o = SH_COUNT * ch;
  return L[o] + L[o + 1] * x + L[o + 2] * y + L[o + 3] * z + L[o + 4] * x * y + L[o + 5] * x * z + L[o + 6] * y * z + L[o + 7] * (x * x - y * y) + L[o + 8] * (3 * z * z - 1);
}

/** Gradient of `shade` with respect to the normal, into out[0..2]. */
export function shadeGradient(L: ArrayLike<number>, ch: number, x: number, y: number, z: number, out: Float64Array): void {
  const o = SH_COUNT * ch;
  out[0] = L[o + 1] + L[o + 4] * y + L[o + 5] * z + 2 * L[o + 7] * x;
  out[1] = L[o + 2] + L[o + 4] * x + L[o + 6] * z - 2 * L[o + 7] * y;
  out[2] = L[o + 3] + L[o + 5] * x + L[o + 6] * y + 6 * L[o + 8] * z;
}

/** The crop prepared for the photometric term. */
export interface ShadingImage {
  width: number;
  height: number;
  /** Smoothed RGB in [0, 1], 3 per pixel. */
  rgb: Float32Array;
  /** Central-difference derivatives of `rgb` along x and y, 3 per pixel. */
  gx: Float32Array;
  gy: Float32Array;
  /** 1 where a pixel may take part (the face mask), or undefined for every pixel. */
  mask?: Uint8Array;
}

/** Separable Gaussian blur of a 3-channel float image in place (σ in px; 0 = none). */
function blur3(data: Float32Array, width: number, height: number, sigma: number): void {
  if (!(sigma > 0)) return;
  const radius = Math.max(1, Math.ceil(3 * sigma));
  const kernel = new Float64Array(2 * radius + 1);
  let sum = 0;
  for (let i = -radius; i <= radius; i++) sum += kernel[i + radius] = Math.exp(-(i * i) / (2 * sigma * sigma));
  for (let i = 0; i < kernel.length; i++) kernel[i] /= sum;
  const tmp = new Float32Array(data.length);
  blurPass(data, tmp, width, height, kernel, 1, 0);
  blurPass(tmp, data, width, height, kernel, 0, 1);
}

/** One 1-D pass of blur3 along (dx, dy) from src into dst; borders clamp. */
function blurPass(src: Float32Array, dst: Float32Array, width: number, height: number, kernel: Float64Array, dx: number, dy: number): void {
  const radius = (kernel.length - 1) / 2;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let r = 0, g = 0, b = 0;
      for (let i = -radius; i <= radius; i++) {
        const xx = Math.min(width - 1, Math.max(0, x + i * dx)), yy = Math.min(height - 1, Math.max(0, y + i * dy));
        const k = kernel[i + radius], o = 3 * (yy * width + xx);
        r += k * src[o];
        g += k * src[o + 1];
        b += k * src[o + 2];
      }
      const o = 3 * (y * width + x);
      dst[o] = r;
      dst[o + 1] = g;
      dst[o + 2] = b;
    }
  }
}

/** Prepare an 8-bit crop: [0, 1], smoothed by a Gaussian of σ `blurSigma` px, with its gradient. */
export function shadingImage(image: RgbImage, blurSigma: number, mask?: Uint8Array): ShadingImage {
  const { width, height } = image;
  const rgb = Float32Array.from(image.data, (v) => v / 255);
  blur3(rgb, width, height, blurSigma);
  return { width, height, rgb, ...imageGradient(rgb, width, height), mask };
}

/** Central differences (one-sided at the borders) of a 3-channel float image. */
export function imageGradient(rgb: Float32Array, width: number, height: number): { gx: Float32Array; gy: Float32Array } {
  const gx = new Float32Array(rgb.length), gy = new Float32Array(rgb.length);
  for (let y = 0; y < height; y++) {
    const y0 = Math.max(0, y - 1), y1 = Math.min(height - 1, y + 1);
    for (let x = 0; x < width; x++) {
      const x0 = Math.max(0, x - 1), x1 = Math.min(width - 1, x + 1);
      const o = 3 * (y * width + x);
      for (let ch = 0; ch < 3; ch++) {
        gx[o + ch] = x1 > x0 ? (rgb[3 * (y * width + x1) + ch] - rgb[3 * (y * width + x0) + ch]) / (x1 - x0) : 0;
        gy[o + ch] = y1 > y0 ? (rgb[3 * (y1 * width + x) + ch] - rgb[3 * (y0 * width + x) + ch]) / (y1 - y0) : 0;
      }
    }
  }
  return { gx, gy };
}

/**
 * Bilinear samples at pixel position (x, y) (pixel centres at integers, clamped to the image):
 * out[0..2] the colour, out[3..5] its x derivative, out[6..8] its y derivative.
 */
export function sampleShading(img: ShadingImage, x: number, y: number, out: Float64Array): void {
  const w = img.width, h = img.height;
  const cx = x < 0 ? 0 : x > w - 1 ? w - 1 : x, cy = y < 0 ? 0 : y > h - 1 ? h - 1 : y;
  const x0 = Math.min(w - 2, Math.floor(cx)), y0 = Math.min(h - 2, Math.floor(cy));
  const fx = cx - x0, fy = cy - y0;
  const w00 = (1 - fx) * (1 - fy), w10 = fx * (1 - fy), w01 = (1 - fx) * fy, w11 = fx * fy;
  const o00 = 3 * (y0 * w + x0), o10 = o00 + 3, o01 = o00 + 3 * w, o11 = o01 + 3;
  const planes = [img.rgb, img.gx, img.gy];
  for (let k = 0; k < 3; k++) {
    const P = planes[k];
    for (let ch = 0; ch < 3; ch++) out[3 * k + ch] = w00 * P[o00 + ch] + w10 * P[o10 + ch] + w01 * P[o01 + ch] + w11 * P[o11 + ch];
  }
}

/**
 * Weighted least-squares lighting: the 27 coefficients L minimising
 * Σ_i w_i Σ_ch (c_ch,i − shade(L, ch, n_i))² + ridge·‖L‖² · trace/9, for `count` samples of
 * unit normals (3 per sample) and colours (3 per sample). Returns false when the system is
 * singular (too few samples).
 */
export function solveLighting(normals: Float64Array, colours: Float64Array, weights: Float64Array, count: number, out: Float64Array, ridge = 1e-6): boolean {
  const A = new Float64Array(SH_COUNT * SH_COUNT), b = new Float64Array(3 * SH_COUNT), y = new Float64Array(SH_COUNT);
  for (let i = 0; i < count; i++) {
    const w = weights[i];
    if (!(w > 0)) continue;
    shBasis(normals[3 * i], normals[3 * i + 1], normals[3 * i + 2], y);
    for (let r = 0; r < SH_COUNT; r++) {
      const wy = w * y[r];
      for (let c = r; c < SH_COUNT; c++) A[r * SH_COUNT + c] += wy * y[c];
      for (let ch = 0; ch < 3; ch++) b[ch * SH_COUNT + r] += wy * colours[3 * i + ch];
    }
  }
  let trace = 0;
  for (let r = 0; r < SH_COUNT; r++) {
    trace += A[r * SH_COUNT + r];
    for (let c = 0; c < r; c++) A[r * SH_COUNT + c] = A[c * SH_COUNT + r];
  }
  if (!(trace > 0)) return false;
  for (let r = 0; r < SH_COUNT; r++) A[r * SH_COUNT + r] += (ridge * trace) / SH_COUNT;
  const x = new Float64Array(SH_COUNT);
  for (let ch = 0; ch < 3; ch++) {
    if (!solveLDLT(A, b.subarray(ch * SH_COUNT, (ch + 1) * SH_COUNT), SH_COUNT, x)) return false;
    out.set(x, ch * SH_COUNT);
  }
  return true;
}
