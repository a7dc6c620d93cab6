import type { ErrorDetails } from '../errors/argus-error';
import type { ErrorCode } from '../errors/error-catalogue';
import type { HnswParams } from './hnsw-vector-index';
import type { IndexState } from './index-sync';
import type { IndexStamp } from './vector-index';

/** What the index-build worker is given (workerData). */
export interface IndexBuildJob {
  database: string;
  indexDir: string;
  modelId: string;
  dim: number;
  busyTimeoutMs: number;
  hnsw: HnswParams;
}

/** Messages from the index-build worker to the gallery. */
export type IndexBuildMessage =
  | { type: 'progress'; done: number; total: number }
  | { type: 'done'; state: IndexState; reason?: string; stamp: IndexStamp; size: number; ms: number }
  | { type: 'error'; code: ErrorCode; details: ErrorDetails };
