import { readFileSync } from 'node:fs';
import sharp from 'sharp';
import { isArgusError } from '../../../src/errors/argus-error';
import { decodeImage } from '../../../src/images/decode-image';
import { sniffImageType } from '../../../src/images/sniff-image-type';
import { fixture } from '../../helpers/fixtures';

const limits = { maxPixels: 5e7, maxBytes: 5e7 };

describe('decodeImage (sharp)', () => {
  it.each(['png16.png', 'alpha.png', 'cmyk.jpg', 'grey.jpg', 'face.webp'])(
    'turns %s into 8-bit RGB',
    async (name) => {
      const bytes = readFileSync(fixture('bad', name));
      const meta = await sharp(bytes).metadata();
      const img = await decodeImage(bytes, limits);
      expect(img.width).toBe(meta.width);
      expect(img.height).toBe(meta.height);
      expect(img.data.length).toBe(img.width * img.height * 3);
    },
  );

  it('keeps colour from CMYK and spreads grey equally over R, G and B', async () => {
    const grey = await decodeImage(readFileSync(fixture('bad', 'grey.jpg')), limits);
    for (let i = 0; i < grey.data.length; i += 3001 * 3) {
      expect(grey.data[i]).toBe(grey.data[i + 1]);
      expect(grey.data[i]).toBe(grey.data[i + 2]);
    }
    const cmyk = await decodeImage(readFileSync(fixture('bad', 'cmyk.jpg')), limits);
    let coloured = 0;
    for (let i = 0; i < cmyk.data.length; i += 3)
      if (Math.abs(cmyk.data[i]! - cmyk.data[i + 2]!) > 20) coloured++;
    expect(coloured).toBeGreaterThan(100);
  });

  it('checks the byte limit before anything else and the pixel limit from the header', async () => {
    const bytes = readFileSync(fixture('face_recognition', 'obama_small.jpg'));
    await expect(decodeImage(bytes, { maxPixels: 5e7, maxBytes: 100 })).rejects.toMatchObject({
      code: 'ARGUS_E_IMAGE_FILE_TOO_LARGE',
    });
    await expect(decodeImage(bytes, { maxPixels: 1000, maxBytes: 5e7 })).rejects.toMatchObject({
      code: 'ARGUS_E_IMAGE_TOO_LARGE',
    });
  });

  it('sniffs types from bytes, not names', async () => {
    expect(sniffImageType(readFileSync(fixture('bad', 'face.webp')))).toBe('webp');
    expect(sniffImageType(readFileSync(fixture('bad', 'text.jpg')))).toBeUndefined();
    const err = await decodeImage(readFileSync(fixture('bad', 'text.jpg')), limits).catch((e: unknown) => e);
    expect(isArgusError(err, 'ARGUS_E_IMAGE_UNSUPPORTED_FORMAT')).toBe(true);
  });
});
