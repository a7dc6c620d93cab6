import { toArgusError } from '../errors/argus-error';
import { createFaceAnalyzer } from '../vision/create-face-analyzer';
import type { AnalyzeResult, FaceAnalyzer } from '../vision/face-analyzer';
import type { CliContext } from './cli-context';
import { readImageFile } from './image-file';

/**
 * One analyzer for a whole CLI run, started on first use, so a model that fails to load is reported
 * on each file's line (the contract) rather than as a crash.
 */
export class AnalyzerSession {
  private analyzer: Promise<FaceAnalyzer> | undefined;

  constructor(
    private readonly ctx: CliContext,
    private readonly workers: number,
  ) {}

  async analyzeFile(
    file: string,
    embed: boolean,
  ): Promise<AnalyzeResult & { width: number; height: number }> {
    const v = this.ctx.config.vision;
    const image = await readImageFile(file, { maxPixels: v.maxImagePixels, maxBytes: v.maxImageBytes });
    const analyzer = await this.get();
    const result = await analyzer.analyze(image, { embed });
    return { ...result, width: image.width, height: image.height };
  }

  async close(): Promise<void> {
    if (!this.analyzer) return;
    try {
      await (await this.analyzer).close();
    } catch {
      // The analyzer never started; its error was already reported.
    }
  }

  private get(): Promise<FaceAnalyzer> {
    this.analyzer ??= createFaceAnalyzer(this.ctx.config, {
      workers: this.workers,
      logger: this.ctx.logger,
    }).catch((err: unknown) => {
      throw toArgusError(err);
    });
    return this.analyzer;
  }
}
