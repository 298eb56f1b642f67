/**
 * Pixel kernels of the face parser: RGB bytes → normalised float32 NCHW tensor with a
 * bilinear resize, per-pixel argmax over channels, nearest-neighbour label resize.
 * Both resizes use pixel-centre alignment (align_corners = false: output pixel x samples
 * input coordinate (x + 0.5)·in/out − 0.5), as PyTorch `interpolate` and OpenCV `resize` do.
 */

import type { RgbImage } from './types.js';

/**
 * Float32 [1, 3, outH, outW] tensor data: bilinear resize of `image` to outW×outH
 * (no antialiasing), then `(v/255 − mean[c]) / std[c]` per channel.
 */
export function rgbToNormalizedChw(
  image: RgbImage, outW: number, outH: number, mean: readonly number[], std: readonly number[],
): Float32Array {
  const { width: w, height: h, data } = image;
  const plane = outW * outH;
  const out = new Float32Array(3 * plane);
  const sx = w / outW;
  const sy = h / outH;
  const scale = [1 / (255 * std[0]), 1 / (255 * std[1]), 1 / (255 * std[2])];
  const offset = [mean[0] / std[0], mean[1] / std[1], mean[2] / std[2]];
  for (let y = 0; y < outH; y++) {
    const fy = Math.min(Math.max((y + 0.5) * sy - 0.5, 0), h - 1);
    const y0 = Math.floor(fy);
    const y1 = Math.min(y0 + 1, h - 1);
    const ty = fy - y0;
    for (let x = 0; x < outW; x++) {
      const fx = Math.min(Math.max((x + 0.5) * sx - 0.5, 0), w - 1);
      const x0 = Math.floor(fx);
      const x1 = Math.min(x0 + 1, w - 1);
      const tx = fx - x0;
      const a = 3 * (y0 * w + x0);
      const b = 3 * (y0 * w + x1);
      const c = 3 * (y1 * w + x0);
      const d = 3 * (y1 * w + x1);
      const o = y * outW + x;
      for (let ch = 0; ch < 3; ch++) {
        const top = data[a + ch] + (data[b + ch] - data[a + ch]) * tx;
        const bottom = data[c + ch] + (data[d + ch] - data[c + ch]) * tx;
        out[ch * plane + o] = (top + (bottom - top) * ty) * scale[ch] - offset[ch];
      }
    }
  }
  return out;
}

/** Per-pixel argmax over C channels of [C, h, w] scores; ties go to the lowest channel; NaN never wins. */
export function argmaxChannels(scores: Float32Array | Float64Array, channels: number, h: number, w: number): Uint8Array {
  const plane = h * w;
  const labels = new Uint8Array(plane);
  const best = new Float64Array(plane).fill(-Infinity);
  for (let c = 0; c < channels; c++) {
    const base = c * plane;
    for (let i = 0; i < plane; i++) {
      const v = scores[base + i];
      if (v > best[i]) {
        best[i] = v;
        labels[i] = c;
      }
    }
  }
  return labels;
}

/** Nearest-neighbour resize of a w×h label map to outW×outH (pixel-centre aligned). */
export function resizeLabelsNearest(labels: Uint8Array, w: number, h: number, outW: number, outH: number): Uint8Array {
  if (w === outW && h === outH) return labels;
  const out = new Uint8Array(outW * outH);
  const columns = new Uint32Array(outW);
  for (let x = 0; x < outW; x++) columns[x] = Math.min(w - 1, Math.floor(((x + 0.5) * w) / outW));
  for (let y = 0; y < outH; y++) {
    const row = Math.min(h - 1, Math.floor(((y + 0.5) * h) / outH)) * w;
    const o = y * outW;
    for (let x = 0; x < outW; x++) out[o + x] = labels[row + columns[x]];
  }
  return out;
}

/**
 * Bilinear resize of one float plane (`w×h` at `src[offset…]`), pixel-centre aligned like
 * `rgbToNormalizedChw`, into channel `channel` of the interleaved `dst` (`stride` values per pixel).
 */
export function resizePlane(src: Float32Array, offset: number, w: number, h: number, outW: number, outH: number, dst: Float32Array, stride: number, channel: number): void {
  const sx = w / outW;
  const sy = h / outH;
  for (let y = 0; y < outH; y++) {
    const fy = Math.min(Math.max((y + 0.5) * sy - 0.5, 0), h - 1);
    const y0 = Math.floor(fy);
    const y1 = Math.min(y0 + 1, h - 1);
    const ty = fy - y0;
    for (let x = 0; x < outW; x++) {
      const fx = Math.min(Math.max((x + 0.5) * sx - 0.5, 0), w - 1);
      const x0 = Math.floor(fx);
      const x1 = Math.min(x0 + 1, w - 1);
      const tx = fx - x0;
      const a = src[offset + y0 * w + x0];
      const b = src[offset + y0 * w + x1];
      const c = src[offset + y1 * w + x0];
      const d = src[offset + y1 * w + x1];
      const top = a + (b - a) * tx;
      const bottom = c + (d - c) * tx;
      dst[(y * outW + x) * stride + channel] = top + (bottom - top) * ty;
    }
  }
}
