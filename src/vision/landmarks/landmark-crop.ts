import type { Box, Point } from '../../domain/geometry';

/** The square the landmark model looks at: side = box height, centred on the box. */
export function landmarkCrop(box: Box): Box {
  const side = box.h;
  return { x: box.x + box.w / 2 - side / 2, y: box.y + box.h / 2 - side / 2, w: side, h: side };
}

/** Model output (x, y pairs, 0..1 of the crop) -> image pixels. */
export function cropPointsToImage(out: Float32Array, offset: number, count: number, crop: Box): Point[] {
  const pts: Point[] = [];
  for (let i = 0; i < count; i++) {
    pts.push([crop.x + out[offset + 2 * i]! * crop.w, crop.y + out[offset + 2 * i + 1]! * crop.h]);
  }
  return pts;
}
