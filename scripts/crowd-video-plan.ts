/**
 * Who appears in the test videos of scripts/build-crowd-video.ts, and where and when: the people,
 * which 10 are enrolled (and from which picture), and the moving or blinking schedule. Pure apart
 * from reading the fixture label files; the pixels are made by build-crowd-video.ts.
 */
import { join } from 'node:path';
import { collectFaces, type SourceFace } from './build-mosaic';

export type CrowdKind = 'crowd1080' | 'blink720';

/** One face of the fixtures, tagged with the person it shows. */
export interface Person {
  /** Stable id: the knn_examples/train folder name, `lin_manuel_miranda`, or `voc_<photo>_<index>`. */
  id: string;
  /** The face shown in the video. */
  face: SourceFace;
}

export interface EnrolSpec {
  person: Person;
  /** Fixture path (relative to test/fixtures) of a different picture, or undefined: enrol from a crop of the shown picture. */
  otherPicture?: string;
}

/** Shown face (file#index) and enrolment picture of the 10 enrolled people. */
const NAMED: ReadonlyArray<{ id: string; shown: string; enrol: string }> = [
  {
    id: 'alex_lacamoire',
    shown: 'face_recognition/knn_examples/test/alex_lacamoire1.jpg#0',
    enrol: 'face_recognition/knn_examples/train/alex_lacamoire/img1.jpg',
  },
  {
    id: 'obama',
    shown: 'face_recognition/knn_examples/test/obama1.jpg#0',
    enrol: 'face_recognition/knn_examples/train/obama/obama.jpg',
  },
  {
    id: 'biden',
    shown: 'face_recognition/knn_examples/test/obama_and_biden.jpg#0',
    enrol: 'face_recognition/knn_examples/train/biden/biden.jpg',
  },
  {
    id: 'kit_harington',
    shown: 'face_recognition/knn_examples/test/johnsnow_test1.jpg#0',
    enrol: 'face_recognition/knn_examples/train/kit_harington/john1.jpeg',
  },
  {
    id: 'rose_leslie',
    shown: 'face_recognition/knn_examples/test/kit_with_rose.jpg#0',
    enrol: 'face_recognition/knn_examples/train/rose_leslie/img1.jpg',
  },
  {
    id: 'lin_manuel_miranda',
    shown: 'face_recognition/short_hamilton_clip.mp4@180#0',
    enrol: 'face_recognition/lin-manuel-miranda.png',
  },
];

/**
 * The four largest hand-labelled dlib faces (76-90 px): these people have one picture only, so they
 * are enrolled from a crop of the very picture shown (an easier match, said so in `enrol`).
 */
const VOC_ENROLLED = [
  'dlib_faces/2008_001009.jpg#1',
  'dlib_faces/2008_001322.jpg#2',
  'dlib_faces/2008_001009.jpg#0',
  'dlib_faces/2008_001322.jpg#0',
];

export const sourceKey = (f: SourceFace): string =>
  `${f.file}${f.frame !== undefined ? `@${f.frame}` : ''}#${f.index}`;

/** The person a fixture face shows. Every dlib face is a different person (group photos). */
export function personOf(f: SourceFace): string {
  if (f.identity) return f.identity;
  if (f.file.endsWith('lin-manuel-miranda.png') || f.file.endsWith('short_hamilton_clip.mp4'))
    return 'lin_manuel_miranda';
  const m = /^dlib_faces\/(.+)\.jpg$/.exec(f.file);
  if (!m) throw new Error(`no person known for ${sourceKey(f)}`);
  return `voc_${m[1]}_${f.index}`;
}

export interface Cast {
  enrolled: EnrolSpec[];
  /** Faces of people who are none of the enrolled: the 14 other dlib faces. */
  others: Person[];
}

/** The 10 enrolled people and the faces of everybody else, checked to be disjoint by person. */
export function cast(): Cast {
  const faces = collectFaces();
  const byKey = new Map(faces.map((f) => [sourceKey(f), f]));
  const pick = (key: string): SourceFace => {
    const f = byKey.get(key);
    if (!f) throw new Error(`fixture face ${key} not found`);
    return f;
  };
  const enrolled: EnrolSpec[] = [
    ...NAMED.map((n) => ({ person: { id: n.id, face: pick(n.shown) }, otherPicture: n.enrol })),
    ...VOC_ENROLLED.map((k) => ({ person: { id: personOf(pick(k)), face: pick(k) } })),
  ];
  for (const e of enrolled) {
    if (personOf(e.person.face) !== e.person.id)
      throw new Error(`${sourceKey(e.person.face)} is not ${e.person.id}`);
  }
  const enrolledIds = new Set(enrolled.map((e) => e.person.id));
  if (enrolledIds.size !== 10) throw new Error('the enrolled people must be 10 different people');
  const others = faces
    .filter((f) => f.file.startsWith('dlib_faces/') && !enrolledIds.has(personOf(f)))
    .map((face) => ({ id: personOf(face), face }));
  return { enrolled, others };
}

/** A straight back-and-forth path: the face slides `length` px along (ux, uy) and back. */
export interface Motion {
  ux: number;
  uy: number;
  length: number;
  pxPerFrame: number;
  /** Distance already travelled at frame 0, in px. */
  phase: number;
}

/** Offset of a moving face from its corridor's top-left at `frame` (a triangle wave). */
export function motionOffset(m: Motion, frame: number): { x: number; y: number } {
  const period = 2 * m.length;
  const p = (((m.phase + m.pxPerFrame * frame) % period) + period) % period;
  const f = p <= m.length ? p : period - p;
  const along = (u: number) => (u >= 0 ? f * u : (m.length - f) * -u);
  return { x: Math.round(along(m.ux)), y: Math.round(along(m.uy)) };
}

/** Extra room a moving face needs around its tile. */
export function corridor(m: Motion | null): { w: number; h: number } {
  if (!m) return { w: 0, h: 0 };
  return { w: Math.ceil(Math.abs(m.ux) * m.length), h: Math.ceil(Math.abs(m.uy) * m.length) };
}

const DIRECTIONS: ReadonlyArray<[number, number]> = [
  [1, 0],
  [0, 1],
  [Math.SQRT1_2, Math.SQRT1_2],
  [Math.SQRT1_2, -Math.SQRT1_2],
];

export function randomMotion(rand: () => number): Motion {
  const [ux, uy] = DIRECTIONS[Math.floor(rand() * DIRECTIONS.length)]!;
  const length = Math.round(30 + rand() * 30);
  return {
    ux,
    uy,
    length,
    pxPerFrame: Math.round((1.5 + rand() * 1.5) * 10) / 10,
    phase: Math.round(rand() * 2 * length),
  };
}

export interface BlinkSlot {
  slot: number;
  enrolledSlot: boolean;
  firstFrame: number;
  /** Inclusive. */
  lastFrame: number;
}

/**
 * blink720 schedule: 10 slots (5 x 2 cells), each showing a face for `on` frames then nothing for
 * `off` frames, slot s shifted by s * `stagger` frames so alerts spread over time. Slots 2, 5 and 8
 * show other people; the rest show enrolled people.
 */
export function blinkSchedule(frames: number, on: number, off: number, stagger: number): BlinkSlot[] {
  const out: BlinkSlot[] = [];
  for (let slot = 0; slot < 10; slot++) {
    for (let start = slot * stagger; start + on / 2 <= frames; start += on + off) {
      out.push({
        slot,
        enrolledSlot: slot % 3 !== 2,
        firstFrame: start,
        lastFrame: Math.min(frames, start + on) - 1,
      });
    }
  }
  return out.sort((a, b) => a.firstFrame - b.firstFrame || a.slot - b.slot);
}

/**
 * Gives each appearance a person: the one unseen for longest, never one on screen at the time and
 * never the one this slot showed last, so no face comes back where it was (a new track each time).
 */
export function assignPeople<T>(slots: BlinkSlot[], pool: readonly T[]): T[] {
  const lastEnd = new Map<number, number>(pool.map((_, i) => [i, Number.NEGATIVE_INFINITY]));
  const lastInSlot = new Map<number, number>();
  return slots.map((s) => {
    const free = [...lastEnd.entries()]
      .filter(([i, end]) => end < s.firstFrame && lastInSlot.get(s.slot) !== i)
      .sort((a, b) => a[1] - b[1] || a[0] - b[0]);
    const chosen = free[0]?.[0];
    if (chosen === undefined) throw new Error(`nobody free for slot ${s.slot} at frame ${s.firstFrame}`);
    lastEnd.set(chosen, s.lastFrame);
    lastInSlot.set(s.slot, chosen);
    return pool[chosen]!;
  });
}

export const fixturePath = (root: string, rel: string): string => join(root, 'test', 'fixtures', rel);
