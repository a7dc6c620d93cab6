import { closeSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { VectorSlab } from '../../../src/gallery/vector-slab';
import { seeded, tempDir, unitVector } from '../../helpers/gallery-fixtures';

const DIM = 8;

function save(slab: VectorSlab, file: string): number {
  const fd = openSync(file, 'w');
  try {
    return slab.writeTo(fd);
  } finally {
    closeSync(fd);
  }
}

describe('VectorSlab', () => {
  const rand = seeded(4);
  let tmp: ReturnType<typeof tempDir>;
  beforeEach(() => {
    tmp = tempDir('slab');
  });
  afterEach(() => tmp.cleanup());

  it('stores, replaces, scores exactly and removes vectors by label, growing as needed', () => {
    const slab = new VectorSlab(DIM, 2);
    const vs = Array.from({ length: 40 }, () => unitVector(DIM, rand));
    vs.forEach((v, i) => {
      slab.set(i * 3, v);
    });
    expect(slab.size).toBe(40);
    expect(slab.get(9)).toEqual(vs[3]);
    let expected = 0;
    for (let k = 0; k < DIM; k++) expected += vs[3]![k]! * vs[5]![k]!;
    expect(slab.dot(9, vs[5]!)).toBeCloseTo(expected, 12);
    slab.set(9, vs[7]!);
    expect(slab.get(9)).toEqual(vs[7]);
    expect(slab.size).toBe(40);
    expect(slab.delete(9)).toBe(true);
    expect(slab.delete(9)).toBe(false);
    expect(slab.has(9)).toBe(false);
    expect(slab.get(9)).toBeUndefined();
    expect(Number.isNaN(slab.dot(9, vs[0]!))).toBe(true);
    // The freed slot is reused by the next new label, holding only the new vector.
    slab.set(1000, vs[1]!);
    expect(slab.get(1000)).toEqual(vs[1]);
    expect(slab.labels().sort((a, b) => a - b)).toContain(1000);
    expect(() => slab.set(1, new Float32Array(DIM + 1))).toThrow(RangeError);
  });

  it('round-trips through a file: live vectors only, labels above 2^32 exact', () => {
    const slab = new VectorSlab(DIM);
    const big = 2 ** 40 + 3;
    const a = unitVector(DIM, rand);
    const b = unitVector(DIM, rand);
    const gone = unitVector(DIM, rand);
    slab.set(big, a);
    slab.set(5, gone);
    slab.set(7, b);
    slab.delete(5);
    const file = path.join(tmp.dir, 'v.bin');
    const bytes = save(slab, file);
    expect(bytes).toBe(12 + 2 * 8 + 2 * DIM * 4);
    const raw = readFileSync(file);
    expect(raw.includes(Buffer.from(gone.buffer))).toBe(false);
    const back = VectorSlab.readFrom(file, DIM);
    expect(back.labels().sort((x, y) => x - y)).toEqual([7, big]);
    expect(back.get(big)).toEqual(a);
    expect(back.get(7)).toEqual(b);
    back.set(9, gone);
    expect(back.size).toBe(3);
  });

  it.each([
    ['truncated', (raw: Buffer) => raw.subarray(0, raw.length - 1), /truncated/],
    ['trailing bytes', (raw: Buffer) => Buffer.concat([raw, Buffer.from([0])]), /trailing/],
    [
      'not a vector file',
      (raw: Buffer) => Buffer.concat([Buffer.from('JUNK'), raw.subarray(4)]),
      /not a vector file/,
    ],
    [
      'a repeated label',
      (raw: Buffer) => {
        const copy = Buffer.from(raw);
        copy.writeDoubleLE(copy.readDoubleLE(12), 20);
        return copy;
      },
      /repeated label/,
    ],
  ])('refuses a damaged file: %s', (_name, damage, message) => {
    const slab = new VectorSlab(DIM);
    slab.set(1, unitVector(DIM, rand));
    slab.set(2, unitVector(DIM, rand));
    const file = path.join(tmp.dir, 'v.bin');
    save(slab, file);
    writeFileSync(file, damage(readFileSync(file)));
    expect(() => VectorSlab.readFrom(file, DIM)).toThrow(message);
  });

  it('refuses a file of another dimension', () => {
    const slab = new VectorSlab(DIM);
    slab.set(1, unitVector(DIM, rand));
    const file = path.join(tmp.dir, 'v.bin');
    save(slab, file);
    expect(() => VectorSlab.readFrom(file, DIM * 2)).toThrow(/8 dimensions/);
  });
});
