import type { EventLoopLag } from './event-loop-monitor';

/** A stream's live numbers, as the stream manager lists them (cumulative since the stream started). */
export interface StreamMetricsView {
  id: string;
  state: string;
  fps: number;
  framesDecoded: number;
  framesAnalysed: number;
  framesDropped: number;
  restarts: number;
  deferredEmbeddings: number;
}

/**
 * The live objects metrics are read from when Prometheus scrapes (collect callbacks), so nothing
 * has to push them on every frame. Each is optional: an unbound source simply reports nothing.
 */
export interface MetricsSources {
  streams?: { list(): readonly StreamMetricsView[] };
  hub?: { stats(): { clients: number; disconnects: Readonly<Record<string, number>> } };
  gallery?: { stats(): { identities: number; templates: number } };
  analyzer?: { workerStats(): { size: number; busy: number; queued?: number } | undefined };
  loopLag?: { snapshot(): EventLoopLag };
}

/** Stream states, one series each in argus_stream_state (one-hot: 1 for the current state). */
export const STREAM_STATES = ['starting', 'live', 'reconnecting', 'stopped', 'failed'] as const;
