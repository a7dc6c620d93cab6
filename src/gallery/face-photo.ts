import sharp from 'sharp';
import type { Box } from '../domain/geometry';
import type { RgbImage } from '../domain/image';

/** Long side of an identity's reference photo, in pixels. */
export const PHOTO_SIZE = 160;
/** Context kept around the detected box on each side, as a share of the box (hair, chin). */
const MARGIN = 0.25;

/**
 * The reference photo the dashboard shows for an enrolled identity: the enrolment image's face,
 * with a little context, as a small JPEG (sharp). Only made from enrolment images, never from
 * stream faces.
 */
export async function facePhotoJpeg(image: RgbImage, box: Box): Promise<Buffer> {
  const mx = box.w * MARGIN;
  const my = box.h * MARGIN;
  const left = Math.max(0, Math.floor(box.x - mx));
  const top = Math.max(0, Math.floor(box.y - my));
  const right = Math.min(image.width, Math.ceil(box.x + box.w + mx));
  const bottom = Math.min(image.height, Math.ceil(box.y + box.h + my));
  const width = Math.max(1, right - left);
  const height = Math.max(1, bottom - top);
  return sharp(Buffer.from(image.data.buffer, image.data.byteOffset, image.data.byteLength), {
    raw: { width: image.width, height: image.height, channels: 3 },
  })
    .extract({ left: Math.min(left, image.width - 1), top: Math.min(top, image.height - 1), width, height })
    .resize(PHOTO_SIZE, PHOTO_SIZE, { fit: 'inside', withoutEnlargement: true })
    .jpeg({ quality: 82 })
    .toBuffer();
}
