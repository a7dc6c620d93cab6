import { join } from 'node:path';
import {
  iou,
  loadDlibBoxes,
  loadFaceBoxes,
  loadMosaic,
  matchDetections,
  parseDlibXml,
} from '../../helpers/ground-truth';

const FIXTURES = join(__dirname, '..', '..', 'fixtures');

describe('iou', () => {
  it('is 1 for identical boxes and 0 for disjoint or touching ones', () => {
    const a = { x: 10, y: 10, w: 20, h: 20 };
    expect(iou(a, a)).toBe(1);
    expect(iou(a, { x: 30, y: 10, w: 20, h: 20 })).toBe(0);
    expect(iou(a, { x: 100, y: 100, w: 5, h: 5 })).toBe(0);
  });

  it('is intersection over union for a partial overlap, symmetric', () => {
    const a = { x: 0, y: 0, w: 10, h: 10 };
    const b = { x: 5, y: 0, w: 10, h: 10 };
    expect(iou(a, b)).toBeCloseTo(50 / 150, 10);
    expect(iou(b, a)).toBeCloseTo(iou(a, b), 12);
  });

  it('is 0 for an empty box', () => {
    expect(iou({ x: 0, y: 0, w: 0, h: 0 }, { x: 0, y: 0, w: 0, h: 0 })).toBe(0);
  });
});

describe('matchDetections', () => {
  const truth = [
    { x: 0, y: 0, w: 10, h: 10 },
    { x: 100, y: 0, w: 10, h: 10 },
    { x: 200, y: 0, w: 10, h: 10 },
  ];

  it('counts a perfect detector as recall 1 and precision 1', () => {
    const r = matchDetections(truth, truth);
    expect(r).toMatchObject({ tp: 3, fp: 0, fn: 0, recall: 1, precision: 1 });
  });

  it('counts misses and false alarms', () => {
    const found = [
      { x: 1, y: 1, w: 10, h: 10 }, // matches truth 0
      { x: 500, y: 500, w: 10, h: 10 }, // nothing there
    ];
    const r = matchDetections(truth, found);
    expect(r).toMatchObject({ tp: 1, fp: 1, fn: 2 });
    expect(r.recall).toBeCloseTo(1 / 3);
    expect(r.precision).toBeCloseTo(1 / 2);
    expect(r.pairs).toEqual([{ truth: 0, found: 0, iou: expect.any(Number) }]);
  });

  it('is one-to-one: a duplicate detection of the same face is a false positive', () => {
    const r = matchDetections([truth[0]!], [truth[0]!, { x: 1, y: 0, w: 10, h: 10 }]);
    expect(r).toMatchObject({ tp: 1, fp: 1, fn: 0 });
    expect(r.pairs[0]!.found).toBe(0);
  });

  it('assigns greedily by IoU, best pair first', () => {
    // Found box 0 overlaps both truths; it goes to truth 1 (higher IoU), so truth 0 takes found 1.
    const t = [
      { x: 0, y: 0, w: 10, h: 10 },
      { x: 4, y: 0, w: 10, h: 10 },
    ];
    const f = [
      { x: 3, y: 0, w: 10, h: 10 },
      { x: -1, y: 0, w: 10, h: 10 },
    ];
    const r = matchDetections(t, f);
    expect(r.tp).toBe(2);
    expect(r.pairs.map((p) => [p.truth, p.found]).sort()).toEqual([
      [0, 1],
      [1, 0],
    ]);
  });

  it('ignores pairs under minIou', () => {
    const found = [{ x: 5, y: 0, w: 10, h: 10 }]; // IoU 1/3 with truth 0
    expect(matchDetections(truth, found).tp).toBe(0);
    expect(matchDetections(truth, found, 0.3).tp).toBe(1);
  });

  it('defines recall and precision on empty lists as 1', () => {
    expect(matchDetections([], [])).toMatchObject({ tp: 0, fp: 0, fn: 0, recall: 1, precision: 1 });
    expect(matchDetections(truth, [])).toMatchObject({ recall: 0, precision: 1, fn: 3 });
    expect(matchDetections([], truth)).toMatchObject({ recall: 1, precision: 0, fp: 3 });
  });
});

describe('parseDlibXml', () => {
  it('reads boxes with either quote style and skips ignore="1"', () => {
    const xml = `<?xml version='1.0'?><dataset><images>
      <image file='a.jpg'>
        <box top='1' left='2' width='3' height='4'/>
        <box top="5" left="6" width="7" height="8" ignore="1"/>
      </image>
      <image file="b.jpg"/>
    </images></dataset>`;
    const images = parseDlibXml(xml, '/data');
    expect(images).toEqual([
      { file: 'a.jpg', path: '/data/a.jpg', boxes: [{ x: 2, y: 1, w: 3, h: 4 }] },
      { file: 'b.jpg', path: '/data/b.jpg', boxes: [] },
    ]);
  });

  it('rejects a box with a missing coordinate', () => {
    expect(() => parseDlibXml(`<image file='a.jpg'><box top='1' left='2' width='3'/></image>`, '/')).toThrow(
      /height/,
    );
  });
});

describe('fixture label files', () => {
  it('loads the 18 labelled faces of dlib_faces/training.xml', () => {
    const images = loadDlibBoxes(join(FIXTURES, 'dlib_faces', 'training.xml'));
    expect(images.map((i) => i.file)).toEqual([
      '2007_007763.jpg',
      '2008_002079.jpg',
      '2008_001009.jpg',
      '2008_001322.jpg',
    ]);
    expect(images.reduce((n, i) => n + i.boxes.length, 0)).toBe(18);
    expect(images[0]!.boxes[0]).toEqual({ x: 194, y: 90, w: 37, h: 37 });
    expect(images[0]!.path).toBe(join(FIXTURES, 'dlib_faces', '2007_007763.jpg'));
  });

  it('loads the mosaic ground truth: 100 faces inside the frame, about 10 with an identity', () => {
    const m = loadMosaic(join(FIXTURES, 'mosaic', 'mosaic-100.json'));
    expect(m.imagePath).toBe(join(FIXTURES, 'mosaic', 'mosaic-100.jpg'));
    expect([m.width, m.height]).toEqual([1920, 1080]);
    expect(m.faces).toHaveLength(100);
    for (const f of m.faces) {
      expect(f.box.x).toBeGreaterThanOrEqual(0);
      expect(f.box.y).toBeGreaterThanOrEqual(0);
      expect(f.box.x + f.box.w).toBeLessThanOrEqual(1920);
      expect(f.box.y + f.box.h).toBeLessThanOrEqual(1080);
      expect(f.box.w).toBeGreaterThanOrEqual(23);
      expect(f.box.w).toBeLessThanOrEqual(97);
    }
    const known = m.faces.filter((f) => f.identity !== null);
    expect(known.length).toBeGreaterThanOrEqual(8);
    expect(known.length).toBeLessThanOrEqual(14);
    // No two faces overlap.
    const boxes = m.faces.map((f) => f.box);
    const overlapping = boxes.flatMap((a, i) => boxes.slice(i + 1).filter((b) => iou(a, b) > 0));
    expect(overlapping).toEqual([]);
  });

  it('loads the hand labels of the face_recognition images', () => {
    const images = loadFaceBoxes(join(FIXTURES, 'face_recognition', 'face-boxes.json'));
    const identities = new Set(images.flatMap((i) => i.faces.map((f) => f.identity)));
    expect(identities).toEqual(
      new Set(['obama', 'biden', 'alex_lacamoire', 'kit_harington', 'rose_leslie', null]),
    );
    expect(images.find((i) => i.file === 'obama.jpg')!.sameImageAsTrain).toBe(true);
    expect(images.filter((i) => i.frame !== undefined).every((i) => i.file.endsWith('.mp4'))).toBe(true);
  });
});
