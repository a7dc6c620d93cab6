export type ImageType = 'jpeg' | 'png' | 'webp';

/** What the first bytes say the file is; names and extensions are never trusted. */
export function sniffImageType(bytes: Uint8Array): ImageType | undefined {
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'jpeg';
  const png = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  if (bytes.length >= 8 && png.every((b, i) => bytes[i] === b)) return 'png';
  if (bytes.length >= 12 && ascii(bytes, 0, 4) === 'RIFF' && ascii(bytes, 8, 12) === 'WEBP') return 'webp';
  return undefined;
}

/** A short human label for an unsupported file, for error messages. */
export function describeBytes(bytes: Uint8Array): string {
  const head = ascii(bytes, 0, Math.min(bytes.length, 6));
  if (head.startsWith('GIF8')) return 'GIF';
  if (bytes[0] === 0x42 && bytes[1] === 0x4d) return 'BMP';
  if (head.startsWith('%PDF')) return 'PDF';
  if ((bytes[0] === 0x49 && bytes[1] === 0x49) || (bytes[0] === 0x4d && bytes[1] === 0x4d)) return 'TIFF';
  const sample = bytes.subarray(0, 512);
  const printable = sample.every((b) => b === 9 || b === 10 || b === 13 || (b >= 32 && b < 127) || b >= 128);
  return printable ? 'text' : 'unknown binary data';
}

function ascii(bytes: Uint8Array, from: number, to: number): string {
  return String.fromCharCode(...bytes.subarray(from, to));
}
