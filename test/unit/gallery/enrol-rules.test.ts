import { ArgusError } from '../../../src/errors/argus-error';
import { pickDominantFace } from '../../../src/gallery/dominant-face';
import { checkEmbedding, embeddingFromBytes, embeddingToBytes } from '../../../src/gallery/embedding-check';
import { normaliseIdentityInput } from '../../../src/gallery/identity-input';

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (err instanceof ArgusError) return err.code;
    throw err;
  }
  return 'no error';
}

const face = (w: number, quality = 0.9) => ({ box: { x: 0, y: 0, w, h: w }, quality });
const rules = { minQuality: 0.65, dominantFaceRatio: 0.5 };

describe('pickDominantFace', () => {
  it('takes the largest face when the others are much smaller', () => {
    const big = face(200);
    expect(pickDominantFace([face(100), big, face(50)], rules, 'x.jpg')).toBe(big);
  });

  it('rejects an image without a face', () => {
    expect(codeOf(() => pickDominantFace([], rules, 'x.jpg'))).toBe('ARGUS_E_NO_FACE');
  });

  it('rejects two faces of similar size', () => {
    expect(codeOf(() => pickDominantFace([face(100), face(95)], rules, 'x.jpg'))).toBe(
      'ARGUS_E_GALLERY_MULTIPLE_FACES',
    );
    // 0.5 x the area: 71 px is just over, 70 px just under.
    expect(codeOf(() => pickDominantFace([face(100), face(71)], rules, 'x.jpg'))).toBe(
      'ARGUS_E_GALLERY_MULTIPLE_FACES',
    );
    expect(pickDominantFace([face(100), face(70)], rules, 'x.jpg').box.w).toBe(100);
  });

  it('ignores a competing face below the quality floor (detector false positives)', () => {
    expect(pickDominantFace([face(100), face(90, 0.56)], rules, 'x.jpg').box.w).toBe(100);
  });

  it('rejects a dominant face below the quality floor', () => {
    expect(codeOf(() => pickDominantFace([face(100, 0.4)], rules, 'x.jpg'))).toBe(
      'ARGUS_E_GALLERY_LOW_QUALITY',
    );
  });
});

describe('normaliseIdentityInput', () => {
  const limits = { maxNameLength: 10, maxReasonLength: 20, maxMetadataBytes: 30, maxWatchlists: 2 };
  const ok = { name: ' Ann ', reason: 'case 12', enrolledBy: 'op' };

  it('trims and keeps a valid identity', () => {
    expect(
      normaliseIdentityInput({ ...ok, watchlists: ['a', 'a', 'b'], metadata: { k: 1 } }, limits),
    ).toEqual({
      name: 'Ann',
      reason: 'case 12',
      enrolledBy: 'op',
      watchlists: ['a', 'b'],
      metadataJson: '{"k":1}',
    });
  });

  it.each([
    ['a missing reason', { ...ok, reason: undefined as unknown as string }, /reason/],
    ['a blank reason', { ...ok, reason: '   ' }, /reason/],
    ['an empty name', { ...ok, name: '' }, /name is required/],
    ['a name over the limit', { ...ok, name: 'x'.repeat(11) }, /name is longer than 10/],
    ['a name with control characters', { ...ok, name: 'a\u0000b' }, /control/],
    ['metadata over the limit', { ...ok, metadata: { note: 'y'.repeat(40) } }, /over the limit of 30/],
    [
      'metadata that is not an object',
      { ...ok, metadata: [1] as unknown as Record<string, unknown> },
      /object/,
    ],
    ['too many watchlists', { ...ok, watchlists: ['a', 'b', 'c'] }, /3 watchlists/],
    ['no enrolledBy', { ...ok, enrolledBy: '' }, /enrolledBy/],
  ])('rejects %s', (_label, input, message) => {
    expect(() => normaliseIdentityInput(input, limits)).toThrow(message);
    expect(codeOf(() => normaliseIdentityInput(input, limits))).toBe('ARGUS_E_GALLERY_IDENTITY_INVALID');
  });
});

describe('checkEmbedding', () => {
  it('normalises a valid vector and round-trips through its stored bytes', () => {
    const v = checkEmbedding([3, 4], 2);
    expect([...v]).toEqual([0.6000000238418579, 0.800000011920929]);
    expect([...embeddingFromBytes(embeddingToBytes(v), 2)]).toEqual([...v]);
  });

  it.each([
    ['the wrong length', new Float32Array(511)],
    ['NaN', Float32Array.from([1, Number.NaN])],
    ['Infinity', Float32Array.from([1, Number.POSITIVE_INFINITY])],
    ['all zeros', new Float32Array(2)],
  ])('rejects %s', (_label, v) => {
    expect(codeOf(() => checkEmbedding(v, v.length === 511 ? 512 : 2))).toBe('ARGUS_E_EMBEDDING_INVALID');
  });
});
