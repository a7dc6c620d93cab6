/**
 * Builds the pipeline test videos from the real fixture faces (the mosaic's crops and layout,
 * scripts/build-mosaic.ts), composed with sharp and piped as raw RGB into ffmpeg (libx264):
 * - crowd1080: 1920x1080, 10 fps, 20 s, 100 faces in every frame, 20 of them sliding slowly,
 *   10 of them people to enrol, the 90 others none of those 10;
 * - blink720: 1280x720, 10 fps, 60 s, 7 faces at a time (10 slots): each face shows for 2 s and
 *   goes for 1 s, and comes back elsewhere as someone else, so every appearance is a new track.
 * Deterministic (seeded PRNG). Run: npm run build && npm run fixtures:crowd [-- KIND OUT_DIR]
 * (default: both kinds into the cache that ensureCrowdVideo() uses).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import sharp from 'sharp';
import { resolveFfmpeg } from '../src/ingest/ffmpeg/ffmpeg-binary';
import { mulberry32 } from '../src/util/mulberry32';
import { background, layout, makeTile, type Placement, shuffle, type Tile } from './build-mosaic';
import {
  assignPeople,
  blinkSchedule,
  type CrowdKind,
  cast,
  corridor,
  type EnrolSpec,
  fixturePath,
  type Motion,
  motionOffset,
  type Person,
  randomMotion,
  sourceKey,
} from './crowd-video-plan';

export type { CrowdKind } from './crowd-video-plan';

const ROOT = resolve(__dirname, __dirname.split(/[\\/]/).includes('dist') ? '../..' : '..');
/** Bump when the output changes, so cached videos are rebuilt. */
const VERSION = 1;
const FPS = 10;
const SEED = 20261129;

/** One face on screen from firstFrame to lastFrame (inclusive). */
export interface CrowdAppearance {
  person: string;
  enrolled: boolean;
  /** Fixture face: `<file>[@<frame>]#<index>[:mirror]`, as in mosaic-100.json. */
  source: string;
  firstFrame: number;
  lastFrame: number;
  /** Face box [x, y, w, h] in video pixels at motion offset 0 (where static faces stay). */
  box: [number, number, number, number];
  motion: Motion | null;
}

export interface CrowdEnrolment {
  name: string;
  /** Absolute path of the picture to enrol. */
  image: string;
  /** true: a crop of the very picture shown in the video (the person has no other picture). */
  imageIsShownPicture: boolean;
}

export interface CrowdMeta {
  kind: CrowdKind;
  version: number;
  width: number;
  height: number;
  fps: number;
  frames: number;
  durationSec: number;
  /** A keyframe every this many frames (1 s). */
  gopFrames: number;
  codec: 'h264';
  enrol: CrowdEnrolment[];
  /** Person ids of everybody in the video who is not enrolled. */
  others: string[];
  appearances: CrowdAppearance[];
}

/** The face box of an appearance at a frame (moving faces slide back and forth). */
export function boxAt(a: CrowdAppearance, frame: number): [number, number, number, number] {
  if (!a.motion) return a.box;
  const o = motionOffset(a.motion, frame);
  return [a.box[0] + o.x, a.box[1] + o.y, a.box[2], a.box[3]];
}

interface Sprite {
  tile: Tile;
  appearance: CrowdAppearance;
  /** Tile top-left at motion offset 0. */
  x: number;
  y: number;
}

interface Composition {
  width: number;
  height: number;
  frames: number;
  backdrop: Buffer;
  sprites: Sprite[];
  cast: EnrolSpec[];
  others: Person[];
}

const r1 = (v: number) => Math.round(v * 10) / 10;

function appearanceOf(p: Placement, person: string, enrolled: boolean, tile: Tile, x: number, y: number) {
  return {
    person,
    enrolled,
    source: `${sourceKey(p.face)}${p.mirror ? ':mirror' : ''}`,
    box: [r1(x + tile.box.x), r1(y + tile.box.y), r1(tile.box.w), r1(tile.box.h)] as [
      number,
      number,
      number,
      number,
    ],
  };
}

async function crowd1080(): Promise<Composition> {
  const rand = mulberry32(SEED);
  const { enrolled, others } = cast();
  const mirrors = [false, true, false, true, false, true, false];
  const extra = mirrors
    .flatMap((mirror) => shuffle(others, rand).map((person) => ({ person, mirror })))
    .slice(0, 90);
  // The mosaic's widths: 100 evenly spaced from 24 to 96 px; enrolled faces draw from >= 48 px.
  const widths = Array.from({ length: 100 }, (_, i) => 24 + (72 * i) / 99);
  const enrolledWidths = shuffle(
    widths.filter((w) => w >= 48),
    rand,
  ).slice(0, 10);
  const rest = shuffle(
    widths.filter((w) => !enrolledWidths.includes(w)),
    rand,
  );
  const cands = [
    ...enrolled.map((e, i) => ({
      person: e.person,
      enrolled: true,
      mirror: false,
      width: enrolledWidths[i]!,
    })),
    ...extra.map((c, i) => ({ person: c.person, enrolled: false, mirror: c.mirror, width: rest[i]! })),
  ];
  const movers = new Set([
    ...shuffle([...Array(10).keys()], rand).slice(0, 4),
    ...shuffle([...Array(90).keys()], rand)
      .slice(0, 16)
      .map((i) => i + 10),
  ]);
  const motions = cands.map((_, i) => (movers.has(i) ? randomMotion(rand) : null));
  const placements: Placement[] = cands.map((c) => ({
    face: c.person.face,
    mirror: c.mirror,
    width: c.width,
  }));
  const tiles = await Promise.all(placements.map(makeTile));
  const rects = layout(
    tiles.map((t, i) => ({ w: t.w + corridor(motions[i]!).w, h: t.h + corridor(motions[i]!).h })),
    rand,
  );
  const sprites = cands.map((c, i) => {
    const { x, y } = rects[i]!;
    const tile = tiles[i]!;
    const base = appearanceOf(placements[i]!, c.person.id, c.enrolled, tile, x, y);
    return { tile, x, y, appearance: { ...base, firstFrame: 0, lastFrame: 199, motion: motions[i]! } };
  });
  return {
    width: 1920,
    height: 1080,
    frames: 200,
    backdrop: await background(),
    sprites,
    cast: enrolled,
    others,
  };
}

async function blink720(): Promise<Composition> {
  const rand = mulberry32(SEED + 720);
  const { enrolled, others } = cast();
  const [width, height, frames, cellW, cellH] = [1280, 720, 600, 256, 360];
  const slots = blinkSchedule(frames, 20, 10, 3);
  const inSlots = slots.filter((s) => s.enrolledSlot);
  const outSlots = slots.filter((s) => !s.enrolledSlot);
  const who = new Map<(typeof slots)[number], { person: Person; enrolled: boolean }>();
  const inPeople = assignPeople(
    inSlots,
    enrolled.map((e) => e.person),
  );
  const outPeople = assignPeople(outSlots, others);
  for (const [i, s] of inSlots.entries()) who.set(s, { person: inPeople[i]!, enrolled: true });
  for (const [i, s] of outSlots.entries()) who.set(s, { person: outPeople[i]!, enrolled: false });
  const tileCache = new Map<string, Promise<Tile>>();
  const sprites: Sprite[] = [];
  for (const s of slots) {
    const { person, enrolled: isEnrolled } = who.get(s)!;
    const p: Placement = {
      face: person.face,
      mirror: !isEnrolled && rand() < 0.5,
      width: [80, 96, 112][Math.floor(rand() * 3)]!,
    };
    const key = `${sourceKey(p.face)}|${p.mirror}|${p.width}`;
    if (!tileCache.has(key)) tileCache.set(key, makeTile(p));
    const tile = await tileCache.get(key)!;
    const jx = Math.floor((cellW - tile.w) / 2);
    const jy = Math.floor((cellH - tile.h) / 2);
    const x = (s.slot % 5) * cellW + jx + Math.round((rand() - 0.5) * Math.min(40, jx));
    const y = Math.floor(s.slot / 5) * cellH + jy + Math.round((rand() - 0.5) * Math.min(80, jy));
    const base = appearanceOf(p, person.id, isEnrolled, tile, x, y);
    sprites.push({
      tile,
      x,
      y,
      appearance: { ...base, firstFrame: s.firstFrame, lastFrame: s.lastFrame, motion: null },
    });
  }
  const backdrop = await sharp(await background(), { raw: { width: 1920, height: 1080, channels: 3 } })
    .resize(width, height)
    .raw()
    .toBuffer();
  return { width, height, frames, backdrop, sprites, cast: enrolled, others };
}

function blend(canvas: Buffer, canvasWidth: number, tile: Tile, left: number, top: number): void {
  for (let y = 0; y < tile.h; y++) {
    for (let x = 0; x < tile.w; x++) {
      const a = tile.alpha[y * tile.w + x]!;
      if (a <= 0) continue;
      const si = (y * tile.w + x) * 3;
      const di = ((top + y) * canvasWidth + left + x) * 3;
      for (let c = 0; c < 3; c++)
        canvas[di + c] = Math.round(canvas[di + c]! * (1 - a) + tile.rgb[si + c]! * a);
    }
  }
}

function stopChild(child: ChildProcess): void {
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}

/** Pipes the frames into libx264 (yuv420p, a keyframe every second, no B-frames, like a camera). */
async function encode(comp: Composition, file: string): Promise<void> {
  const ffmpeg = await resolveFfmpeg();
  const { width, height, frames } = comp;
  const args = [
    '-v',
    'error',
    '-f',
    'rawvideo',
    '-pix_fmt',
    'rgb24',
    '-s',
    `${width}x${height}`,
    '-r',
    String(FPS),
  ];
  args.push('-i', '-', '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '18', '-pix_fmt', 'yuv420p');
  args.push('-g', String(FPS), '-keyint_min', String(FPS), '-sc_threshold', '0', '-bf', '0');
  args.push('-movflags', '+faststart', '-an', '-y', file);
  const child = spawn(ffmpeg.path, args, { stdio: ['pipe', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4000);
  });
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  child.stdin!.on('error', () => undefined);
  try {
    const still = Buffer.from(comp.backdrop);
    const moving: Sprite[] = [];
    const fullTime = (a: CrowdAppearance) => a.firstFrame === 0 && a.lastFrame >= frames - 1 && !a.motion;
    for (const s of comp.sprites) {
      if (fullTime(s.appearance)) blend(still, width, s.tile, s.x, s.y);
      else moving.push(s);
    }
    for (let f = 0; f < frames; f++) {
      const canvas = Buffer.from(still);
      for (const s of moving) {
        const a = s.appearance;
        if (f < a.firstFrame || f > a.lastFrame) continue;
        const o = a.motion ? motionOffset(a.motion, f) : { x: 0, y: 0 };
        blend(canvas, width, s.tile, s.x + o.x, s.y + o.y);
      }
      if (child.exitCode !== null) break;
      if (!child.stdin!.write(canvas)) await Promise.race([once(child.stdin!, 'drain'), exited]);
    }
    child.stdin!.end();
    const [code, signal] = await exited;
    if (code !== 0) throw new Error(`ffmpeg failed (${code ?? signal}): ${stderr.trim()}`);
  } finally {
    stopChild(child);
  }
}

/** Enrolment pictures: the other picture when there is one, else a crop around the shown face. */
async function enrolments(specs: EnrolSpec[], dir: string): Promise<CrowdEnrolment[]> {
  mkdirSync(dir, { recursive: true });
  const out: CrowdEnrolment[] = [];
  for (const e of specs) {
    const name = e.person.id;
    if (e.otherPicture) {
      out.push({ name, image: fixturePath(ROOT, e.otherPicture), imageIsShownPicture: false });
      continue;
    }
    const { face } = e.person;
    const src = fixturePath(ROOT, face.file);
    const meta = await sharp(src).metadata();
    const side = Math.min(
      Math.round(2.2 * Math.max(face.box.w, face.box.h)),
      meta.width ?? 0,
      meta.height ?? 0,
    );
    const left = Math.min(
      Math.max(Math.round(face.box.x + face.box.w / 2 - side / 2), 0),
      (meta.width ?? 0) - side,
    );
    const top = Math.min(
      Math.max(Math.round(face.box.y + face.box.h / 2 - side / 2), 0),
      (meta.height ?? 0) - side,
    );
    const image = join(dir, `${name}.png`);
    await sharp(src)
      .extract({ left, top, width: side, height: side })
      .resize(256, 256, { kernel: 'lanczos3' })
      .png()
      .toFile(image);
    out.push({ name, image, imageIsShownPicture: true });
  }
  return out;
}

/** Builds `kind` into `dir` (video.mp4, meta.json last, enrol/*.png) and returns its meta. */
export async function buildCrowdVideo(kind: CrowdKind, dir: string): Promise<CrowdMeta> {
  const comp = kind === 'crowd1080' ? await crowd1080() : await blink720();
  mkdirSync(dir, { recursive: true });
  await encode(comp, join(dir, 'video.mp4'));
  const appearances = comp.sprites.map((s) => s.appearance);
  const meta: CrowdMeta = {
    kind,
    version: VERSION,
    width: comp.width,
    height: comp.height,
    fps: FPS,
    frames: comp.frames,
    durationSec: comp.frames / FPS,
    gopFrames: FPS,
    codec: 'h264',
    enrol: await enrolments(comp.cast, join(dir, 'enrol')),
    others: [...new Set(appearances.filter((a) => !a.enrolled).map((a) => a.person))].sort(),
    appearances,
  };
  writeFileSync(join(dir, 'meta.json'), `${JSON.stringify(meta)}\n`);
  return meta;
}

export interface CrowdVideo {
  file: string;
  enrol: CrowdEnrolment[];
  others: string[];
  meta: CrowdMeta;
}

export const crowdCacheRoot = (): string =>
  process.env.ARGUS_CROWD_CACHE ?? join(tmpdir(), 'argus-crowd-video');

const inFlight = new Map<CrowdKind, Promise<CrowdVideo>>();

function readCached(dir: string): CrowdVideo | undefined {
  const metaFile = join(dir, 'meta.json');
  if (!existsSync(metaFile)) return undefined;
  const meta = JSON.parse(readFileSync(metaFile, 'utf8')) as CrowdMeta;
  if (meta.version !== VERSION) return undefined;
  return { file: join(dir, 'video.mp4'), enrol: meta.enrol, others: meta.others, meta };
}

/**
 * The video of `kind`, built once into the cache (os.tmpdir()/argus-crowd-video, or
 * ARGUS_CROWD_CACHE) and reused. Builds go to a private folder renamed into place, so concurrent
 * test processes never see half a video.
 */
export function ensureCrowdVideo(kind: CrowdKind): Promise<CrowdVideo> {
  let p = inFlight.get(kind);
  if (!p) {
    p = (async () => {
      const dir = join(crowdCacheRoot(), `${kind}-v${VERSION}`);
      const cached = readCached(dir);
      if (cached) return cached;
      const tmp = `${dir}.tmp-${process.pid}-${Date.now()}`;
      try {
        await buildCrowdVideo(kind, tmp);
        // The enrolment paths inside meta.json must name the final folder.
        const meta = JSON.parse(readFileSync(join(tmp, 'meta.json'), 'utf8')) as CrowdMeta;
        for (const e of meta.enrol) if (e.image.startsWith(tmp)) e.image = dir + e.image.slice(tmp.length);
        writeFileSync(join(tmp, 'meta.json'), `${JSON.stringify(meta)}\n`);
        try {
          renameSync(tmp, dir);
        } catch (err) {
          if (!readCached(dir)) throw err;
        }
      } finally {
        rmSync(tmp, { recursive: true, force: true });
      }
      const built = readCached(dir);
      if (!built) throw new Error(`crowd video ${kind} missing from ${dir} after build`);
      return built;
    })();
    p.catch(() => inFlight.delete(kind));
    inFlight.set(kind, p);
  }
  return p;
}

async function main(): Promise<void> {
  const [kind, out] = process.argv.slice(2);
  const kinds: CrowdKind[] = kind ? [kind as CrowdKind] : ['crowd1080', 'blink720'];
  for (const k of kinds) {
    if (k !== 'crowd1080' && k !== 'blink720') throw new Error(`unknown kind ${k} (crowd1080 | blink720)`);
    const t0 = Date.now();
    const v = out
      ? { file: join(out, 'video.mp4'), meta: await buildCrowdVideo(k, out) }
      : await ensureCrowdVideo(k);
    const m = v.meta;
    console.log(
      `${k}: ${v.file} ${m.width}x${m.height} ${m.fps} fps ${m.durationSec} s, ${m.appearances.length} appearances, ` +
        `${m.enrol.length} to enrol (${m.enrol.filter((e) => e.imageIsShownPicture).length} from the shown picture), ${((Date.now() - t0) / 1000).toFixed(1)} s`,
    );
  }
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
}
