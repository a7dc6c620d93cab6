import sharp from 'sharp';
import type { RgbImage } from '../domain/image';
import { ArgusError } from '../errors/argus-error';
import type { ImageLimits } from './image-limits';
import { describeBytes, sniffImageType } from './sniff-image-type';

/** Transparent pixels become mid-grey: neither black nor white biases the detector. */
const ALPHA_BACKGROUND = { r: 128, g: 128, b: 128 };

/**
 * Decodes JPEG/PNG/WebP bytes into 8-bit sRGB, refusing bombs from the header before any pixel is
 * decoded. EXIF orientation is applied; CMYK, grey, 16-bit and alpha inputs are normalised.
 */
export async function decodeImage(bytes: Uint8Array, limits: ImageLimits): Promise<RgbImage> {
  if (bytes.length === 0) throw new ArgusError('ARGUS_E_IMAGE_EMPTY');
  if (bytes.length > limits.maxBytes) {
    throw new ArgusError('ARGUS_E_IMAGE_FILE_TOO_LARGE', { bytes: bytes.length, limit: limits.maxBytes });
  }
  if (!sniffImageType(bytes)) {
    throw new ArgusError('ARGUS_E_IMAGE_UNSUPPORTED_FORMAT', { detected: describeBytes(bytes) });
  }
  let meta: sharp.Metadata;
  try {
    meta = await sharp(bytes, { limitInputPixels: false }).metadata();
  } catch (err) {
    throw new ArgusError('ARGUS_E_IMAGE_CORRUPT', { reason: shortReason(err) }, { cause: err });
  }
  const width = meta.width ?? 0;
  const height = meta.height ?? 0;
  if (width * height > limits.maxPixels) {
    throw new ArgusError('ARGUS_E_IMAGE_TOO_LARGE', {
      width,
      height,
      pixels: width * height,
      limit: limits.maxPixels,
    });
  }
  try {
    const { data, info } = await sharp(bytes, { limitInputPixels: limits.maxPixels, failOn: 'truncated' })
      .rotate()
      .flatten({ background: ALPHA_BACKGROUND })
      .toColourspace('srgb')
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true });
    if (info.channels !== 3) throw new Error(`decoder produced ${info.channels} channels`);
    return {
      width: info.width,
      height: info.height,
      data: new Uint8Array(data.buffer, data.byteOffset, data.length),
    };
  } catch (err) {
    throw new ArgusError('ARGUS_E_IMAGE_CORRUPT', { reason: shortReason(err) }, { cause: err });
  }
}

function shortReason(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  return msg.split('\n')[0]!.slice(0, 200);
}
