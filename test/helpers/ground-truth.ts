/**
 * Loaders for the hand-labelled face boxes kept with the fixtures (see test/fixtures/README.md).
 * No jest globals here: bench/ and scripts/ import this file too.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Box } from '../../src/domain/geometry';

export { iou, type MatchPair, type MatchResult, matchDetections } from '../../src/vision/detect/box-match';

export interface LabelledImage {
  /** The image file as written in the label file (relative to it). */
  file: string;
  /** Absolute path of the image. */
  path: string;
  boxes: Box[];
}

export interface MosaicFace {
  box: Box;
  /** `<fixture file>#<face index in its label file>`, with `:mirror` when the crop was flipped. */
  source: string;
  /** knn_examples/train folder name of the person, or null. */
  identity: string | null;
}

export interface MosaicTruth {
  /** Absolute path of the mosaic JPEG (the JSON's name with .jpg). */
  imagePath: string;
  width: number;
  height: number;
  faces: MosaicFace[];
}

export interface IdentifiedBox extends Box {
  identity: string | null;
}

export interface FaceBoxesImage {
  file: string;
  path: string;
  width: number;
  height: number;
  /** For a video: the labelled frame, 0-based in decode order (ffmpeg `select=eq(n\,N)`). */
  frame?: number;
  /** True when the picture is (a crop of) a knn_examples/train image. */
  sameImageAsTrain: boolean;
  faces: IdentifiedBox[];
}

const ATTR = /([A-Za-z_:][\w:.-]*)\s*=\s*(?:'([^']*)'|"([^"]*)")/g;

function attributes(tag: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of tag.matchAll(ATTR)) out[m[1]!] = m[2] ?? m[3] ?? '';
  return out;
}

function num(attrs: Record<string, string>, name: string, where: string): number {
  const v = Number(attrs[name]);
  if (attrs[name] === undefined || !Number.isFinite(v)) throw new Error(`${where}: missing or bad '${name}'`);
  return v;
}

/**
 * Parses dlib's imglab XML (`<image file='...'><box top='' left='' width='' height=''/>`).
 * Boxes marked `ignore='1'` are left out: dlib uses them for faces too hard to count either way.
 */
export function parseDlibXml(xml: string, baseDir: string): LabelledImage[] {
  const images: LabelledImage[] = [];
  const imageRe = /<image\b([^>]*?)(?:\/>|>([\s\S]*?)<\/image>)/g;
  for (const im of xml.matchAll(imageRe)) {
    const attrs = attributes(im[1]!);
    const file = attrs.file;
    if (!file) throw new Error('dlib XML: <image> without file');
    const boxes: Box[] = [];
    for (const b of (im[2] ?? '').matchAll(/<box\b([^>]*?)\/?>/g)) {
      const a = attributes(b[1]!);
      if (a.ignore === '1') continue;
      const where = `dlib XML ${file}`;
      boxes.push({
        x: num(a, 'left', where),
        y: num(a, 'top', where),
        w: num(a, 'width', where),
        h: num(a, 'height', where),
      });
    }
    images.push({ file, path: resolve(baseDir, file), boxes });
  }
  return images;
}

export function loadDlibBoxes(xmlPath: string): LabelledImage[] {
  return parseDlibXml(readFileSync(xmlPath, 'latin1'), dirname(resolve(xmlPath)));
}

function isBoxArray(v: unknown): v is [number, number, number, number] {
  return Array.isArray(v) && v.length === 4 && v.every((n) => typeof n === 'number' && Number.isFinite(n));
}

export function loadMosaic(jsonPath: string): MosaicTruth {
  const raw = JSON.parse(readFileSync(jsonPath, 'utf8')) as {
    width?: unknown;
    height?: unknown;
    faces?: unknown;
  };
  if (typeof raw.width !== 'number' || typeof raw.height !== 'number' || !Array.isArray(raw.faces)) {
    throw new Error(`${jsonPath}: expected {width, height, faces[]}`);
  }
  const faces = raw.faces.map((f: { box?: unknown; source?: unknown; identity?: unknown }, i): MosaicFace => {
    if (!isBoxArray(f.box) || typeof f.source !== 'string') throw new Error(`${jsonPath}: bad face #${i}`);
    const [x, y, w, h] = f.box;
    return {
      box: { x, y, w, h },
      source: f.source,
      identity: typeof f.identity === 'string' ? f.identity : null,
    };
  });
  return {
    imagePath: resolve(jsonPath.replace(/\.json$/i, '.jpg')),
    width: raw.width,
    height: raw.height,
    faces,
  };
}

/** Loads test/fixtures/face_recognition/face-boxes.json (hand labels, dlib's box convention). */
export function loadFaceBoxes(jsonPath: string): FaceBoxesImage[] {
  const raw = JSON.parse(readFileSync(jsonPath, 'utf8')) as {
    images: {
      file: string;
      width: number;
      height: number;
      frame?: number;
      sameImageAsTrain?: boolean;
      faces: { x: number; y: number; w: number; h: number; identity: string | null }[];
    }[];
  };
  const baseDir = dirname(resolve(jsonPath));
  return raw.images.map((im) => ({
    file: im.file,
    path: resolve(baseDir, im.file),
    width: im.width,
    height: im.height,
    ...(typeof im.frame === 'number' ? { frame: im.frame } : {}),
    sameImageAsTrain: im.sameImageAsTrain === true,
    faces: im.faces.map((f) => ({ x: f.x, y: f.y, w: f.w, h: f.h, identity: f.identity ?? null })),
  }));
}
