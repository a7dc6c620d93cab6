import type { AnalyzedFace } from '../domain/face';

const r1 = (v: number) => Math.round(v * 10) / 10;
const r4 = (v: number) => Math.round(v * 1e4) / 1e4;

/** The CLI contract's face object: box [x,y,w,h], score, five landmarks, quality (input pixels). */
export function faceToJson(face: AnalyzedFace, withEmbedding: boolean): Record<string, unknown> {
  const json: Record<string, unknown> = {
    box: [r1(face.box.x), r1(face.box.y), r1(face.box.w), r1(face.box.h)],
    score: r4(face.score),
    landmarks: face.landmarks.map(([x, y]) => [r1(x), r1(y)]),
    quality: r4(face.quality),
  };
  if (withEmbedding && face.embedding) {
    json.embedding = Array.from(face.embedding, (v) => Math.round(v * 1e6) / 1e6);
  }
  return json;
}

export function largestFace<T extends AnalyzedFace>(faces: readonly T[]): T | undefined {
  let best: T | undefined;
  for (const f of faces) if (!best || f.box.w * f.box.h > best.box.w * best.box.h) best = f;
  return best;
}
