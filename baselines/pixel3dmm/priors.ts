/**
 * Screen-space priors of one item's input crop: what Pixel3DMM's two networks predict
 * (Giebenhain et al. 2025, §3): per pixel, the UV coordinate of the face surface seen there
 * and its surface normal. Every source of priors (the ONNX networks, or maps rendered from a
 * demo capture's truth) produces this one shape, and the fitting reads only this.
 */

/** Priors on the crop's pixel grid (row-major, pixel centres at integer coordinates). */
export interface ScreenPriors {
  width: number;
  height: number;
  /**
   * Per pixel the template UV coordinate (u, v) seen there, 2 values per pixel, in the
   * model's UV space [0, 1]² (u right, v up, as in an OBJ `vt`); NaN where nothing is predicted.
   */
  uv: Float32Array;
  /**
   * Per pixel the unit surface normal in the crop camera's frame (OpenCV: x right, y down,
   * z forward, so a surface facing the camera has n_z < 0), 3 values per pixel; NaN where
   * nothing is predicted.
   */
  normals: Float32Array;
  /** 1 where the pixel shows skin of the face region the priors are valid on, else 0. */
  mask: Uint8Array;
}

/** An all-NaN, all-masked-out set of priors of the given size. */
export function emptyPriors(width: number, height: number): ScreenPriors {
  return {
    width,
    height,
    uv: new Float32Array(2 * width * height).fill(Number.NaN),
    normals: new Float32Array(3 * width * height).fill(Number.NaN),
    mask: new Uint8Array(width * height),
  };
}
