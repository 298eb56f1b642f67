/** An 8-bit RGB image, row-major, 3 bytes per pixel. */
export interface RgbImage {
  width: number;
  height: number;
  data: Uint8Array;
}

/** A single-channel image (label ids, or depths), row-major. */
export interface GrayImage<T extends Uint8Array | Float32Array = Uint8Array> {
  width: number;
  height: number;
  data: T;
}
