import { projectPoint } from './camera.js';
import type { Camera } from '../../evaluators/formats/capture-cameras.js';
import type { RgbImage } from '../../evaluators/image/index.js';

/** A square crop of the source image: top-left corner and side, in source pixels. */
export interface CropBox {
  x: number;
  y: number;
  size: number;
}

/** Side of the crop relative to the larger extent of the projected 68 landmarks. */
export const CROP_SCALE = 1.6;

/**
 * The face crop of an image: a square centred on the projected landmarks' bounding box,
 * CROP_SCALE times its larger side (so forehead and chin are inside).
 */
export function faceCropBox(camera: Camera, landmarks: Float64Array): CropBox {
  const q = new Float64Array(3);
  let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
  for (let i = 0; i < landmarks.length; i += 3) {
    projectPoint(camera, landmarks[i], landmarks[i + 1], landmarks[i + 2], q);
    x0 = Math.min(x0, q[0]);
    x1 = Math.max(x1, q[0]);
    y0 = Math.min(y0, q[1]);
    y1 = Math.max(y1, q[1]);
  }
  const size = CROP_SCALE * Math.max(x1 - x0, y1 - y0);
  return { x: (x0 + x1) / 2 - size / 2, y: (y0 + y1) / 2 - size / 2, size };
}

/**
 * The face mask of a crop from the camera's label map: 255 where the label at the nearest
 * source pixel (pixel centres at integer coordinates) is a kept class, else 0; sampled at the
 * same source positions as `cropAndResize`.
 */
export function cropFaceMask(labels: { width: number; height: number; labels: Uint8Array }, kept: ReadonlySet<number>, box: CropBox, out: number): Uint8Array {
  const mask = new Uint8Array(out * out);
  const step = box.size / out;
  for (let j = 0; j < out; j++) {
    const y = Math.round(box.y + (j + 0.5) * step);
    if (y < 0 || y >= labels.height) continue;
    for (let i = 0; i < out; i++) {
      const x = Math.round(box.x + (i + 0.5) * step);
      if (x >= 0 && x < labels.width && kept.has(labels.labels[y * labels.width + x])) mask[j * out + i] = 255;
    }
  }
  return mask;
}

/**
 * Resample the crop box to an out×out image with bilinear interpolation; pixels outside the
 * source image are black. Source pixel k covers [k − ½, k + ½) (centres at integers, as in
 * the OpenCV intrinsics), so output pixel i samples the source at x + (i + ½)·size/out.
 */
export function cropAndResize(image: RgbImage, box: CropBox, out: number): RgbImage {
  const data = new Uint8Array(out * out * 3);
  const step = box.size / out;
  const { width, height } = image;
  const src = image.data;
  for (let j = 0; j < out; j++) {
    const sy = box.y + (j + 0.5) * step;
    const y0 = Math.floor(sy);
    const fy = sy - y0;
    for (let i = 0; i < out; i++) {
      const sx = box.x + (i + 0.5) * step;
      const x0 = Math.floor(sx);
      const fx = sx - x0;
      for (let c = 0; c < 3; c++) {
        let acc = 0;
        for (let dy = 0; dy <= 1; dy++) {
          const y = y0 + dy;
          if (y < 0 || y >= height) continue;
          const wy = dy ? fy : 1 - fy;
          for (let dx = 0; dx <= 1; dx++) {
            const x = x0 + dx;
            if (x < 0 || x >= width) continue;
            acc += wy * (dx ? fx : 1 - fx) * src[3 * (y * width + x) + c];
          }
        }
        data[3 * (j * out + i) + c] = Math.round(acc);
      }
    }
  }
  return { width: out, height: out, data };
}
