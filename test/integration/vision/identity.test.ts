import { readFileSync } from 'node:fs';
import { parseConfig } from '../../../src/config/load-config';
import { decodeImage } from '../../../src/images/decode-image';
import { createFaceAnalyzer } from '../../../src/vision/create-face-analyzer';
import { cosine } from '../../../src/vision/embed/vector-math';
import { IDENTITY_IMAGES } from '../../helpers/fixtures';

describe('identity on the knn_examples photos (real models)', () => {
  it('scores every same-person pair above every different-person pair, split by the default threshold', async () => {
    const config = parseConfig({});
    const analyzer = await createFaceAnalyzer(config, { workers: 2 });
    const vectors: { identity: string; v: Float32Array }[] = [];
    try {
      for (const { file, identity } of IDENTITY_IMAGES) {
        const image = await decodeImage(readFileSync(file), { maxPixels: 5e7, maxBytes: 5e7 });
        const { faces } = await analyzer.analyze(image, { embed: true });
        const largest = faces.reduce((a, b) => (b.box.w * b.box.h > a.box.w * a.box.h ? b : a));
        expect(largest.embedding).toHaveLength(512);
        vectors.push({ identity, v: largest.embedding! });
      }
    } finally {
      await analyzer.close();
    }
    const same: number[] = [];
    const diff: number[] = [];
    for (let i = 0; i < vectors.length; i++) {
      for (let j = i + 1; j < vectors.length; j++) {
        const s = cosine(vectors[i]!.v, vectors[j]!.v);
        (vectors[i]!.identity === vectors[j]!.identity ? same : diff).push(s);
      }
    }
    expect(same).toHaveLength(9);
    expect(diff.length).toBe(57);
    const minSame = Math.min(...same);
    const maxDiff = Math.max(...diff);
    expect(minSame).toBeGreaterThan(maxDiff);
    expect(minSame).toBeGreaterThanOrEqual(config.match.threshold);
    expect(maxDiff).toBeLessThan(config.match.threshold);
    // Embeddings are unit length.
    for (const { v } of vectors) expect(cosine(v, v)).toBeCloseTo(1, 4);
  });
});
