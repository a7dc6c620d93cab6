/** Axis-aligned box in pixels of the image it was found in. */
export interface Box {
  x: number;
  y: number;
  w: number;
  h: number;
}

export type Point = readonly [number, number];

/** Left eye, right eye, nose tip, left mouth corner, right mouth corner (subject's left = image left). */
export type FivePoints = readonly [Point, Point, Point, Point, Point];
