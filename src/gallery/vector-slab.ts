import { closeSync, openSync, readSync, writeSync } from 'node:fs';
import { dotProduct } from './dot-product';

const MAGIC = 0x31535641; // "AVS1" little-endian
const HEADER_BYTES = 12;
/** Files are written and read in pieces: one fs call moves at most 2 GiB, and a 1M gallery is 2 GB. */
const CHUNK_BYTES = 64 * 1024 * 1024;

/**
 * Full-precision vectors by label, packed in one Float32Array: the exact side of an HNSW index whose
 * graph holds projected vectors. A removed label's slot is zeroed at once and reused, so nothing of
 * an erased vector stays in memory longer than the call, and a written file holds live vectors only.
 *
 * File layout (little-endian): magic u32, dim u32, count u32, count labels as f64 (template ids
 * fit exactly), then count x dim f32.
 */
export class VectorSlab {
  private data: Float32Array;
  private readonly slots = new Map<number, number>();
  private readonly labelOfSlot: number[] = [];
  private readonly free: number[] = [];

  constructor(
    readonly dim: number,
    capacity = 16,
  ) {
    this.data = new Float32Array(Math.max(1, capacity) * dim);
  }

  get size(): number {
    return this.slots.size;
  }

  has(label: number): boolean {
    return this.slots.has(label);
  }

  labels(): number[] {
    return [...this.slots.keys()];
  }

  set(label: number, v: Float32Array): void {
    if (v.length !== this.dim) throw new RangeError(`expected ${this.dim} numbers, got ${v.length}`);
    let slot = this.slots.get(label);
    if (slot === undefined) {
      slot = this.free.pop() ?? this.labelOfSlot.length;
      if ((slot + 1) * this.dim > this.data.length) this.grow();
      this.slots.set(label, slot);
      this.labelOfSlot[slot] = label;
    }
    this.data.set(v, slot * this.dim);
  }

  delete(label: number): boolean {
    const slot = this.slots.get(label);
    if (slot === undefined) return false;
    this.data.fill(0, slot * this.dim, (slot + 1) * this.dim);
    this.slots.delete(label);
    this.labelOfSlot[slot] = -1;
    this.free.push(slot);
    return true;
  }

  /** The stored vector (a copy), or undefined. */
  get(label: number): Float32Array | undefined {
    const slot = this.slots.get(label);
    return slot === undefined ? undefined : this.data.slice(slot * this.dim, (slot + 1) * this.dim);
  }

  /** Exact dot product of `q` with the stored vector of `label` (double accumulation); NaN if absent. */
  dot(label: number, q: Float32Array): number {
    const slot = this.slots.get(label);
    return slot === undefined ? Number.NaN : dotProduct(q, this.data, slot * this.dim);
  }

  /** Writes the live vectors to an open file descriptor; returns the bytes written. */
  writeTo(fd: number): number {
    const live: number[] = [];
    for (let s = 0; s < this.labelOfSlot.length; s++) if (this.labelOfSlot[s]! >= 0) live.push(s);
    const header = Buffer.alloc(HEADER_BYTES);
    header.writeUInt32LE(MAGIC, 0);
    header.writeUInt32LE(this.dim, 4);
    header.writeUInt32LE(live.length, 8);
    let written = writeAll(fd, header);
    const labels = Buffer.alloc(live.length * 8);
    live.forEach((s, i) => {
      labels.writeDoubleLE(this.labelOfSlot[s]!, i * 8);
    });
    written += writeAll(fd, labels);
    const rowBytes = this.dim * 4;
    const rowsPerChunk = Math.max(1, Math.floor(CHUNK_BYTES / rowBytes));
    const chunk = new Float32Array(Math.min(live.length, rowsPerChunk) * this.dim);
    for (let from = 0; from < live.length; from += rowsPerChunk) {
      const to = Math.min(live.length, from + rowsPerChunk);
      for (let i = from; i < to; i++) {
        const s = live[i]!;
        chunk.set(this.data.subarray(s * this.dim, (s + 1) * this.dim), (i - from) * this.dim);
      }
      written += writeAll(fd, new Uint8Array(chunk.buffer, 0, (to - from) * rowBytes));
    }
    chunk.fill(0);
    return written;
  }

  /** Reads a file written by writeTo; throws on any mismatch (the caller treats it as corrupt). */
  static readFrom(file: string, dim: number): VectorSlab {
    const fd = openSync(file, 'r');
    try {
      const header = readExactly(fd, HEADER_BYTES, 0);
      if (header.readUInt32LE(0) !== MAGIC) throw new Error('not a vector file');
      if (header.readUInt32LE(4) !== dim) throw new Error(`vectors of ${header.readUInt32LE(4)} dimensions`);
      const count = header.readUInt32LE(8);
      const labels = readExactly(fd, count * 8, HEADER_BYTES);
      const slab = new VectorSlab(dim, Math.max(16, Math.ceil(count * 1.25)));
      const bytes = new Uint8Array(slab.data.buffer, 0, count * dim * 4);
      let pos = HEADER_BYTES + count * 8;
      for (let off = 0; off < bytes.length; ) {
        const n = readSync(fd, bytes, off, Math.min(CHUNK_BYTES, bytes.length - off), pos);
        if (n === 0) throw new Error('vector file is truncated');
        off += n;
        pos += n;
      }
      if (readSync(fd, Buffer.alloc(1), 0, 1, pos) !== 0) throw new Error('vector file has trailing bytes');
      for (let i = 0; i < count; i++) {
        const label = labels.readDoubleLE(i * 8);
        if (!Number.isSafeInteger(label) || slab.slots.has(label)) throw new Error('bad or repeated label');
        slab.slots.set(label, i);
        slab.labelOfSlot[i] = label;
      }
      return slab;
    } finally {
      closeSync(fd);
    }
  }

  private grow(): void {
    const bigger = new Float32Array(Math.max(this.data.length * 2, this.dim * 16));
    bigger.set(this.data);
    this.data.fill(0);
    this.data = bigger;
  }
}

function writeAll(fd: number, bytes: Uint8Array): number {
  for (let off = 0; off < bytes.length; ) {
    off += writeSync(fd, bytes, off, Math.min(CHUNK_BYTES, bytes.length - off));
  }
  return bytes.length;
}

function readExactly(fd: number, length: number, position: number): Buffer {
  const buf = Buffer.alloc(length);
  for (let off = 0; off < length; ) {
    const n = readSync(fd, buf, off, Math.min(CHUNK_BYTES, length - off), position + off);
    if (n === 0) throw new Error('vector file is truncated');
    off += n;
  }
  return buf;
}
