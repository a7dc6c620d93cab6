import type { ArgusMetrics } from '../metrics/argus-metrics';
import type { FrameReport } from '../pipeline/stream-analysis';

/** One analysed frame into the pipeline histograms (stream counters are read at scrape time). */
export function observePipeline(metrics: ArgusMetrics, report: FrameReport): void {
  metrics.observeFrame({
    detectMs: report.detectMs,
    faces: report.faces,
    ...(report.embedded > 0 ? { embedMs: report.embedMs, searchMs: report.searchMs } : {}),
  });
}
