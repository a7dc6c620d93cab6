/**
 * Builds test/fixtures/mosaic/mosaic-100.{jpg,json}: 100 real face crops with known boxes on a
 * 1920x1080 frame, for detection recall/precision and end-to-end identification tests.
 * Deterministic: a seeded PRNG drives every choice, so a rebuild gives the same layout and labels.
 * Run: npx tsc -p tsconfig.build.json && npm run fixtures:mosaic. How and why: test/fixtures/mosaic/README.md.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import sharp from 'sharp';
import type { Box } from '../src/domain/geometry';
import { mulberry32 } from '../src/util/mulberry32';
import { loadDlibBoxes, loadFaceBoxes } from '../test/helpers/ground-truth';

const ROOT = resolve(__dirname, __dirname.split(/[\\/]/).includes('dist') ? '../..' : '..');
const FIXTURES = join(ROOT, 'test', 'fixtures');
const OUT_DIR = join(FIXTURES, 'mosaic');

const SEED = 20240611;
const WIDTH = 1920;
const HEIGHT = 1080;
const COUNT = 100;
const MIN_FACE = 24;
const MAX_FACE = 96;
/** Crop side relative to the label box: keeps forehead, hair, ears and some neck around the face. */
const CONTEXT = 1.6;
/** Identity faces get widths from this value up, so they stay identifiable (~40 px is the floor). */
const MIN_IDENTITY_FACE = 48;
/** Pixels kept free between two crops. */
const GAP = 3;

export interface SourceFace {
  /** Fixture path relative to test/fixtures. */
  file: string;
  /** Video frame (0-based decode order), when the source is a video. */
  frame?: number;
  index: number;
  box: Box;
  identity: string | null;
  /** The other labelled boxes of the same picture, kept out of this face's crop. */
  others: Box[];
}

export interface Placement {
  face: SourceFace;
  mirror: boolean;
  width: number;
}

export function shuffle<T>(items: readonly T[], rand: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

export function collectFaces(): SourceFace[] {
  const faces: SourceFace[] = [];
  for (const im of loadDlibBoxes(join(FIXTURES, 'dlib_faces', 'training.xml'))) {
    im.boxes.forEach((box, index) => {
      const others = im.boxes.filter((_, j) => j !== index);
      faces.push({ file: `dlib_faces/${im.file}`, index, box, identity: null, others });
    });
  }
  for (const im of loadFaceBoxes(join(FIXTURES, 'face_recognition', 'face-boxes.json'))) {
    // Pictures that are the train images would make identification tests trivially easy.
    if (im.sameImageAsTrain) continue;
    im.faces.forEach((f, index) => {
      const box = { x: f.x, y: f.y, w: f.w, h: f.h };
      const others = im.faces.filter((_, j) => j !== index);
      const file = `face_recognition/${im.file}`;
      faces.push({
        file,
        ...(im.frame !== undefined ? { frame: im.frame } : {}),
        index,
        box,
        identity: f.identity,
        others,
      });
    });
  }
  return faces;
}

/**
 * Identity faces appear once each (about 10). Anonymous faces fill the rest: each as is, then
 * mirrored, then again as is and mirrored at another width, until there are COUNT placements.
 * Widths are spread evenly over [MIN_FACE, MAX_FACE]; identity faces take theirs from the upper
 * part; anonymous faces are paired loosely with their source size (a 37 px label is not blown up
 * to 96 px more often than chance), with enough noise that every source gets a spread of sizes.
 */
function plan(faces: SourceFace[], rand: () => number): Placement[] {
  const known = faces.filter((f) => f.identity !== null).map((face) => ({ face, mirror: false }));
  const anonymous = faces.filter((f) => f.identity === null);
  const need = COUNT - known.length;
  const rounds = [false, true, false, true].flatMap((mirror) =>
    shuffle(anonymous, rand).map((face) => ({ face, mirror })),
  );
  if (rounds.length < need) throw new Error(`only ${known.length + rounds.length} placements available`);
  const extra = rounds.slice(0, need);

  const widths = Array.from(
    { length: COUNT },
    (_, i) => MIN_FACE + ((MAX_FACE - MIN_FACE) * i) / (COUNT - 1),
  );
  const knownWidths = shuffle(
    widths.filter((w) => w >= MIN_IDENTITY_FACE),
    rand,
  ).slice(0, known.length);
  const rest = widths.filter((w) => !knownWidths.includes(w));
  const byKey = extra
    .map((c) => ({ c, key: Math.log(c.face.box.w) + (rand() - 0.5) * 1.6 }))
    .sort((a, b) => a.key - b.key);
  return shuffle(
    [
      ...known.map((c, i) => ({ ...c, width: knownWidths[i]! })),
      ...byKey.map(({ c }, i) => ({ ...c, width: rest[i]! })),
    ],
    rand,
  );
}

export interface Rect {
  x: number;
  y: number;
  w: number;
  h: number;
}

/** Random sequential placement, largest first: no two crops overlap, gaps are random (jitter). */
export function layout(sizes: { w: number; h: number }[], rand: () => number): Rect[] {
  const order = sizes.map((_, i) => i).sort((a, b) => sizes[b]!.w * sizes[b]!.h - sizes[a]!.w * sizes[a]!.h);
  const placed: Rect[] = new Array(sizes.length);
  const taken: Rect[] = [];
  const free = (r: Rect) =>
    taken.every(
      (t) =>
        r.x >= t.x + t.w + GAP || t.x >= r.x + r.w + GAP || r.y >= t.y + t.h + GAP || t.y >= r.y + r.h + GAP,
    );
  for (const i of order) {
    const { w, h } = sizes[i]!;
    let spot: Rect | undefined;
    for (let tries = 0; tries < 20000 && !spot; tries++) {
      const r = { x: Math.floor(rand() * (WIDTH - w)), y: Math.floor(rand() * (HEIGHT - h)), w, h };
      if (free(r)) spot = r;
    }
    for (let y = 0; !spot && y <= HEIGHT - h; y += 2) {
      for (let x = 0; !spot && x <= WIDTH - w; x += 2) if (free({ x, y, w, h })) spot = { x, y, w, h };
    }
    if (!spot) throw new Error(`no room for crop #${i} (${w}x${h})`);
    placed[i] = spot;
    taken.push(spot);
  }
  return placed;
}

function smoothstep(e0: number, e1: number, x: number): number {
  const t = Math.min(1, Math.max(0, (x - e0) / (e1 - e0)));
  return t * t * (3 - 2 * t);
}

/**
 * Alpha for one crop: opaque around the face, fading out toward the crop's edge (no hard seams
 * for a detector to latch on to), and transparent over any other labelled face of the same source
 * photo, so no unlabelled half-face reaches the mosaic.
 */
function cropAlpha(w: number, h: number, face: Box, others: Box[]): Float32Array {
  const alpha = new Float32Array(w * h);
  const cx = face.x + face.w / 2;
  const cy = face.y + face.h / 2;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const dx = Math.abs(x + 0.5 - cx) / (face.w / 2);
      const dy = Math.abs(y + 0.5 - cy) / (face.h / 2);
      const d = Math.sqrt(Math.sqrt(dx ** 4 + dy ** 4));
      let a = 1 - smoothstep(1.25, 1.58, d);
      const inOwn = x >= face.x && x < face.x + face.w && y >= face.y && y < face.y + face.h;
      if (!inOwn) {
        for (const o of others) {
          const ox = Math.max(o.x - (x + 0.5), x + 0.5 - (o.x + o.w), 0);
          const oy = Math.max(o.y - (y + 0.5), y + 0.5 - (o.y + o.h), 0);
          a *= smoothstep(0, Math.max(2, o.w * 0.15), Math.hypot(ox, oy));
        }
      }
      alpha[y * w + x] = a;
    }
  }
  return alpha;
}

/** A blurred, desaturated, low-contrast photo of foliage (no faces) as the backdrop. */
export async function background(): Promise<Buffer> {
  return sharp(join(FIXTURES, 'dlib_faces', '2008_001322.jpg'))
    .extract({ left: 0, top: 0, width: 250, height: 125 })
    .resize(WIDTH, HEIGHT, { fit: 'fill' })
    .blur(10)
    .modulate({ saturation: 0.45 })
    .linear(0.55, 60)
    .removeAlpha()
    .raw()
    .toBuffer();
}

export interface Tile {
  rgb: Buffer;
  w: number;
  h: number;
  /** Face box inside the tile, after scaling (and mirroring). */
  box: Box;
  alpha: Float32Array;
}

/** The source picture, decoded once per file (and frame) and kept as PNG for sharp. */
const pictures = new Map<string, Promise<Buffer>>();

function picture(face: SourceFace): Promise<Buffer> {
  const key = `${face.file}@${face.frame ?? ''}`;
  let p = pictures.get(key);
  if (!p) {
    const path = join(FIXTURES, face.file);
    // One exact frame of a video, in decode order: H.264 decoding is bit-exact, so this is stable.
    const args = [
      '-v',
      'error',
      '-i',
      path,
      '-vf',
      `select=eq(n\\,${face.frame})`,
      '-fps_mode',
      'passthrough',
    ];
    p =
      face.frame === undefined
        ? sharp(path).png().toBuffer()
        : Promise.resolve(
            execFileSync('ffmpeg', [...args, '-frames:v', '1', '-f', 'image2pipe', '-vcodec', 'png', '-'], {
              maxBuffer: 64 << 20,
            }),
          );
    pictures.set(key, p);
  }
  return p;
}

export async function makeTile(p: Placement): Promise<Tile> {
  const { box } = p.face;
  const src = await picture(p.face);
  const meta = await sharp(src).metadata();
  const iw = meta.width ?? 0;
  const ih = meta.height ?? 0;
  const side = Math.min(Math.round(CONTEXT * Math.max(box.w, box.h)), iw, ih);
  // Centre the crop on the face, shifted inward where the face is near the photo's edge.
  const left = Math.min(Math.max(Math.round(box.x + box.w / 2 - side / 2), 0), iw - side);
  const top = Math.min(Math.max(Math.round(box.y + box.h / 2 - side / 2), 0), ih - side);
  const scale = p.width / box.w;
  const t = Math.max(8, Math.round(side * scale));
  const s = t / side;
  let img = sharp(src).extract({ left, top, width: side, height: side }).resize(t, t, { kernel: 'lanczos3' });
  if (p.mirror) img = img.flop();
  const rgb = await img.removeAlpha().raw().toBuffer();
  const place = (b: Box): Box => {
    const x = (b.x - left) * s;
    return { x: p.mirror ? t - (x + b.w * s) : x, y: (b.y - top) * s, w: b.w * s, h: b.h * s };
  };
  const faceBox = place(box);
  const others = p.face.others.map(place);
  return { rgb, w: t, h: t, box: faceBox, alpha: cropAlpha(t, t, faceBox, others) };
}

function blend(canvas: Buffer, tile: Tile, at: Rect): void {
  for (let y = 0; y < tile.h; y++) {
    for (let x = 0; x < tile.w; x++) {
      const a = tile.alpha[y * tile.w + x]!;
      if (a <= 0) continue;
      const si = (y * tile.w + x) * 3;
      const di = ((at.y + y) * WIDTH + at.x + x) * 3;
      for (let c = 0; c < 3; c++)
        canvas[di + c] = Math.round(canvas[di + c]! * (1 - a) + tile.rgb[si + c]! * a);
    }
  }
}

const r1 = (v: number) => Math.round(v * 10) / 10;

async function main(): Promise<void> {
  const rand = mulberry32(SEED);
  const placements = plan(collectFaces(), rand);
  const tiles = await Promise.all(placements.map(makeTile));
  const rects = layout(tiles, rand);
  const canvas = await background();
  for (const [i, tile] of tiles.entries()) blend(canvas, tile, rects[i]!);

  const faces = placements.map((p, i) => {
    const b = tiles[i]!.box;
    const at = rects[i]!;
    return {
      box: [r1(at.x + b.x), r1(at.y + b.y), r1(b.w), r1(b.h)],
      source: `${p.face.file}${p.face.frame !== undefined ? `@${p.face.frame}` : ''}#${p.face.index}${p.mirror ? ':mirror' : ''}`,
      identity: p.face.identity,
    };
  });
  mkdirSync(OUT_DIR, { recursive: true });
  const jpg = join(OUT_DIR, 'mosaic-100.jpg');
  await sharp(canvas, { raw: { width: WIDTH, height: HEIGHT, channels: 3 } })
    .jpeg({ quality: 92 })
    .toFile(jpg);
  const truth = {
    width: WIDTH,
    height: HEIGHT,
    seed: SEED,
    widths: {
      min: MIN_FACE,
      max: MAX_FACE,
      distribution: `evenly spaced: ${MIN_FACE} + ${MAX_FACE - MIN_FACE} * i / ${COUNT - 1} for i = 0..${COUNT - 1}, one width per face; identity faces draw theirs from the widths >= ${MIN_IDENTITY_FACE}`,
    },
    faces,
  };
  const json = join(OUT_DIR, 'mosaic-100.json');
  // One face per line: the file stays readable and diffs stay small.
  const head = JSON.stringify({ ...truth, faces: [] }, null, 2).replace(/\[\]\n\}$/, '[\n');
  writeFileSync(json, `${head}${faces.map((f) => `    ${JSON.stringify(f)}`).join(',\n')}\n  ]\n}\n`);
  const known = faces.filter((f) => f.identity !== null).length;
  const mirrored = faces.filter((f) => f.source.endsWith(':mirror')).length;
  console.log(`${relative(ROOT, jpg)}: ${faces.length} faces (${known} with identity, ${mirrored} mirrored)`);
  console.log(`${relative(ROOT, json)}: face widths ${MIN_FACE}-${MAX_FACE} px`);
}

// scripts/build-crowd-video.ts imports the pieces above; only a direct run builds the mosaic.
if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
}
