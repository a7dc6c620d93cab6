import { toArgusError } from '../../errors/argus-error';
import { AnalyzerSession } from '../analyzer-session';
import type { CliContext } from '../cli-context';
import { faceToJson } from '../face-json';

/**
 * `argus detect` and `argus embed`: one JSON line per file; a failing file gets an error line and
 * the others still run. Returns the exit code (1 if any file failed).
 */
export async function analyzeFilesCommand(
  ctx: CliContext,
  files: readonly string[],
  o: { embed: boolean; json: boolean },
): Promise<number> {
  const session = new AnalyzerSession(ctx, Math.min(ctx.config.vision.workers.count, 2));
  let failed = 0;
  try {
    for (const file of files) {
      try {
        const r = await session.analyzeFile(file, o.embed);
        const faces = r.faces.map((f) => faceToJson(f, o.embed));
        if (o.json) {
          ctx.out(JSON.stringify({ file, width: r.width, height: r.height, faces }));
        } else {
          ctx.out(`${file}: ${r.width}x${r.height}, ${faces.length} face(s)`);
          for (const f of faces)
            ctx.out(`  box ${JSON.stringify(f.box)} score ${f.score} quality ${f.quality}`);
        }
      } catch (err) {
        failed++;
        const e = toArgusError(err);
        ctx.out(
          o.json ? JSON.stringify({ file, error: e.toJSON() }) : `${file}: error ${e.code}: ${e.message}`,
        );
      }
    }
  } finally {
    await session.close();
  }
  return failed > 0 ? 1 : 0;
}
