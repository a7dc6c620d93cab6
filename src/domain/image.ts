/** A decoded picture: 8-bit RGB, row-major, no padding (stride = width * 3). */
export interface RgbImage {
  readonly width: number;
  readonly height: number;
  /** width * height * 3 bytes; may live on a SharedArrayBuffer so workers read it without copying. */
  readonly data: Uint8Array;
}
