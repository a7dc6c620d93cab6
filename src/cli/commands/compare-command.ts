import { ArgusError, toArgusError } from '../../errors/argus-error';
import { cosine } from '../../vision/embed/vector-math';
import { AnalyzerSession } from '../analyzer-session';
import type { CliContext } from '../cli-context';
import { largestFace } from '../face-json';

/** `argus compare A B`: cosine similarity of the largest face in each image against the threshold. */
export async function compareCommand(
  ctx: CliContext,
  a: string,
  b: string,
  o: { json: boolean },
): Promise<number> {
  const session = new AnalyzerSession(ctx, Math.min(ctx.config.vision.workers.count, 2));
  try {
    const [fa, fb] = await Promise.all(
      [a, b].map(async (file) => {
        const r = await session.analyzeFile(file, true);
        const face = largestFace(r.faces);
        if (!face?.embedding) throw new ArgusError('ARGUS_E_NO_FACE', { subject: file });
        return face.embedding;
      }),
    );
    const similarity = Math.round(cosine(fa!, fb!) * 1e4) / 1e4;
    const threshold = ctx.config.match.threshold;
    const match = similarity >= threshold;
    ctx.out(
      o.json
        ? JSON.stringify({ similarity, threshold, match })
        : `similarity ${similarity} (threshold ${threshold}): ${match ? 'same person (candidate, verify by eye)' : 'not a match'}`,
    );
    return 0;
  } catch (err) {
    const e = toArgusError(err);
    ctx.out(o.json ? JSON.stringify({ error: e.toJSON() }) : `error ${e.code}: ${e.message}`);
    return 1;
  } finally {
    await session.close();
  }
}
