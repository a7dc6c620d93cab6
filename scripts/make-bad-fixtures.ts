/**
 * Writes test/fixtures/bad/: inputs that an image endpoint must reject cleanly or decode correctly
 * (odd formats, bit depths, colour spaces). Each is made from a committed fixture photo, then
 * checked with sharp and described on stdout. Deterministic: rerunning gives the same bytes
 * (for a given libvips/sharp version).
 * Run: npx tsc -p tsconfig.build.json && node dist/scripts/make-bad-fixtures.js
 */
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { deflateSync } from 'node:zlib';
import sharp from 'sharp';

const ROOT = resolve(__dirname, __dirname.split(/[\\/]/).includes('dist') ? '../..' : '..');
const FIXTURES = join(ROOT, 'test', 'fixtures');
const OUT = join(FIXTURES, 'bad');
const fixture = (p: string) => join(FIXTURES, p);

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(buf: Buffer): number {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}

/**
 * A complete, valid PNG of side x side black pixels, 1-bit greyscale: every row is a filter byte
 * and zeros, which deflate squeezes ~1000:1. Decoded to RGB it would take side * side * 3 bytes
 * (2.7 GB for 30000), which is what a decoder must refuse by reading the header first.
 */
function decompressionBomb(side: number): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(side, 0);
  ihdr.writeUInt32BE(side, 4);
  ihdr[8] = 1; // bit depth
  ihdr[9] = 0; // colour type: greyscale
  // compression, filter and interlace methods stay 0
  const raw = Buffer.alloc(side * (1 + Math.ceil(side / 8))); // all zero: filter "none", black
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([
    signature,
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** Opaque in the middle, fading to transparent toward the corners: a real, varying alpha channel. */
function vignetteAlpha(width: number, height: number): Buffer {
  const a = Buffer.alloc(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const d = Math.hypot((x - width / 2) / (width / 2), (y - height / 2) / (height / 2));
      a[y * width + x] = Math.round(255 * Math.min(1, Math.max(0, (1.35 - d) / 0.5)));
    }
  }
  return a;
}

interface Made {
  file: string;
  what: string;
}

async function make(): Promise<Made[]> {
  mkdirSync(OUT, { recursive: true });
  const out = (name: string) => join(OUT, name);
  const made: Made[] = [];

  writeFileSync(out('empty.jpg'), Buffer.alloc(0));
  made.push({ file: 'empty.jpg', what: '0 bytes' });

  const jpeg = readFileSync(fixture('face_recognition/knn_examples/test/obama1.jpg'));
  writeFileSync(out('truncated.jpg'), jpeg.subarray(0, Math.floor(jpeg.length * 0.4)));
  made.push({
    file: 'truncated.jpg',
    what: 'first 40% of knn_examples/test/obama1.jpg (valid header, no end)',
  });

  writeFileSync(
    out('text.jpg'),
    'This is a text file, not a JPEG.\nArgus must say so instead of crashing.\n',
  );
  made.push({ file: 'text.jpg', what: 'plain text named .jpg' });

  writeFileSync(out('bomb.png'), decompressionBomb(30000));
  made.push({ file: 'bomb.png', what: 'valid 1-bit PNG, IHDR 30000x30000 (900 Mpx), tiny on disk' });

  await sharp(fixture('face_recognition/knn_examples/test/obama1.jpg'))
    .resize(320)
    .toColourspace('rgb16')
    .png({ compressionLevel: 9 })
    .toFile(out('png16.png'));
  made.push({ file: 'png16.png', what: '16-bit RGB PNG of knn_examples/test/obama1.jpg (320 px wide)' });

  const [aw, ah] = [320, 208];
  const rgb = await sharp(fixture('face_recognition/knn_examples/test/kit_with_rose.jpg'))
    .extract({ left: 20, top: 40, width: 400, height: 260 })
    .resize(aw, ah)
    .removeAlpha()
    .raw()
    .toBuffer();
  await sharp(rgb, { raw: { width: aw, height: ah, channels: 3 } })
    .joinChannel(vignetteAlpha(aw, ah), { raw: { width: aw, height: ah, channels: 1 } })
    .png({ compressionLevel: 9 })
    .toFile(out('alpha.png'));
  made.push({
    file: 'alpha.png',
    what: 'RGBA PNG of kit_with_rose.jpg (both faces opaque, corners transparent)',
  });

  await sharp(fixture('face_recognition/two_people.jpg'))
    .resize(480)
    .toColourspace('cmyk')
    .jpeg({ quality: 85 })
    .toFile(out('cmyk.jpg'));
  made.push({ file: 'cmyk.jpg', what: 'CMYK JPEG of two_people.jpg (480 px wide)' });

  await sharp(fixture('face_recognition/knn_examples/test/johnsnow_test1.jpg'))
    .resize(360)
    .toColourspace('b-w')
    .jpeg({ quality: 85 })
    .toFile(out('grey.jpg'));
  made.push({ file: 'grey.jpg', what: 'greyscale (1-channel) JPEG of knn_examples/test/johnsnow_test1.jpg' });

  // Foliage above the heads in dlib's 2008_001322.jpg: a real photo with no face in it.
  await sharp(fixture('dlib_faces/2008_001322.jpg'))
    .extract({ left: 0, top: 0, width: 250, height: 125 })
    .jpeg({ quality: 90 })
    .toFile(out('noface.jpg'));
  made.push({ file: 'noface.jpg', what: 'real photo region without faces (dlib 2008_001322.jpg, top-left)' });

  await sharp(fixture('face_recognition/knn_examples/test/alex_lacamoire1.jpg'))
    .resize(480)
    .webp({ quality: 80 })
    .toFile(out('face.webp'));
  made.push({ file: 'face.webp', what: 'WebP of knn_examples/test/alex_lacamoire1.jpg (480 px wide)' });

  return made;
}

/** What sharp says about a file: its header (read with no pixel limit), then whether a decode with default limits succeeds. */
async function describe(path: string): Promise<string> {
  let head: string;
  try {
    const m = await sharp(path, { limitInputPixels: false }).metadata();
    head = `${m.format} ${m.width}x${m.height} ${m.channels}ch ${m.depth} ${m.space}${m.hasAlpha ? ' alpha' : ''}`;
  } catch (err) {
    return `metadata fails: ${(err as Error).message.split('\n')[0]}`;
  }
  try {
    await sharp(path, { failOn: 'truncated' }).raw().toBuffer();
    return `${head}; decodes`;
  } catch (err) {
    return `${head}; decode fails: ${(err as Error).message.split('\n')[0]}`;
  }
}

async function main(): Promise<void> {
  for (const { file, what } of await make()) {
    const path = join(OUT, file);
    const bytes = statSync(path).size;
    console.log(`${relative(ROOT, path).padEnd(30)} ${String(bytes).padStart(7)} B  ${what}`);
    console.log(`${''.padEnd(41)}sharp: ${await describe(path)}`);
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
