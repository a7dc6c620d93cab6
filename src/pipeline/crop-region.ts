import type { Box } from '../domain/geometry';

/** A face's surroundings cut out of a frame as raw RGB, with the face box in crop coordinates. */
export interface CropImage {
  width: number;
  height: number;
  /** RGB24, width * height * 3 bytes, a copy (the frame's memory is reused by the next frame). */
  data: Uint8Array;
  face: Box;
}

/**
 * Copies the face plus `margin` (fraction of the box size) on every side, clamped to the frame.
 * Copying a few tens of KB here is what lets the frame go: JPEG encoding happens later, only if
 * the match turns into an alert.
 */
export function cropAround(
  frame: { width: number; height: number; data: Uint8Array },
  box: Box,
  margin = 0.25,
): CropImage {
  const x0 = clamp(Math.floor(box.x - box.w * margin), 0, frame.width - 1);
  const y0 = clamp(Math.floor(box.y - box.h * margin), 0, frame.height - 1);
  const x1 = clamp(Math.ceil(box.x + box.w * (1 + margin)), x0 + 1, frame.width);
  const y1 = clamp(Math.ceil(box.y + box.h * (1 + margin)), y0 + 1, frame.height);
  const width = x1 - x0;
  const height = y1 - y0;
  const data = new Uint8Array(width * height * 3);
  const rowBytes = width * 3;
  for (let y = 0; y < height; y++) {
    const from = ((y0 + y) * frame.width + x0) * 3;
    data.set(frame.data.subarray(from, from + rowBytes), y * rowBytes);
  }
  return { width, height, data, face: { x: box.x - x0, y: box.y - y0, w: box.w, h: box.h } };
}

function clamp(v: number, lo: number, hi: number): number {
  return Math.min(Math.max(v, lo), hi);
}
