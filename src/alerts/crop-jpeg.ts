import sharp from 'sharp';
import type { Box } from '../domain/geometry';
import { ArgusError } from '../errors/argus-error';
import type { FaceBox } from './alert-messages';

export interface FaceCropOptions {
  /** Context kept around the face, as a fraction of the box size on each side. Default 0.25. */
  margin?: number;
  /** Longest side of the JPEG in pixels; smaller crops are not enlarged. Default 256. */
  maxSide?: number;
  /** JPEG quality 1..100. Default 85. */
  quality?: number;
}

/** The region to cut: the face plus margin, clamped to the frame, at least 1x1. Pure. */
export function cropRegion(
  frame: { width: number; height: number },
  box: Box | FaceBox,
  margin: number,
): { left: number; top: number; width: number; height: number } {
  const w = 'w' in box ? box.w : box.width;
  const h = 'h' in box ? box.h : box.height;
  const clamp = (v: number, lo: number, hi: number) => Math.min(Math.max(v, lo), hi);
  const left = clamp(Math.floor(box.x - w * margin), 0, frame.width - 1);
  const top = clamp(Math.floor(box.y - h * margin), 0, frame.height - 1);
  const right = clamp(Math.ceil(box.x + w * (1 + margin)), left + 1, frame.width);
  const bottom = clamp(Math.ceil(box.y + h * (1 + margin)), top + 1, frame.height);
  return { left, top, width: right - left, height: bottom - top };
}

/**
 * JPEG of one face with some context, for an alert that matched an enrolled identity (faces that
 * match nobody are never encoded). No metadata is written.
 */
export async function encodeFaceCrop(
  frame: { width: number; height: number; data: Uint8Array },
  box: Box | FaceBox,
  o: FaceCropOptions = {},
): Promise<Buffer> {
  const { width, height, data } = frame;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new ArgusError('ARGUS_E_IMAGE_CORRUPT', { reason: `frame size ${width}x${height}` });
  }
  if (data.length !== width * height * 3) {
    throw new ArgusError('ARGUS_E_IMAGE_CORRUPT', {
      reason: `RGB24 frame ${width}x${height} needs ${width * height * 3} bytes, got ${data.length}`,
    });
  }
  const maxSide = o.maxSide ?? 256;
  const region = cropRegion(frame, box, o.margin ?? 0.25);
  return sharp(Buffer.from(data.buffer, data.byteOffset, data.byteLength), {
    raw: { width, height, channels: 3 },
  })
    .extract(region)
    .resize({ width: maxSide, height: maxSide, fit: 'inside', withoutEnlargement: true })
    .jpeg({ quality: o.quality ?? 85 })
    .toBuffer();
}
