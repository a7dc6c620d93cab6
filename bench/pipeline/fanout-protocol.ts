/** Typed IPC between the fan-out benchmark (server process) and its client process. */
import type { SparseHistogram } from './latency-histogram';

export type ToClients =
  | {
      type: 'connect';
      url: string;
      /** One API key per group of `perKey` connections (the server's per-key limit). */
      keys: string[];
      perKey: number;
      clients: number;
      /** Subscription of the ordinary clients. */
      filter: Record<string, unknown>;
      /** Index of the client that subscribes to everything, then never reads again. */
      stalledIndex: number;
    }
  | { type: 'start'; burstStartMs: number }
  | { type: 'report' };

export interface ClientsReport {
  type: 'report';
  /** Latency (receive time - emitTime) per second of the burst, by the event's emit second. */
  perSecond: SparseHistogram[];
  /** Burst alerts received per ordinary client: min and max over clients. */
  receivedMin: number;
  receivedMax: number;
  /** Ordinary clients that closed during the run (should be 0). */
  closedOrdinary: number;
  stalled: { closeCode: number | null; closeReason: string; closedAtMs: number | null; received: number };
  /** Event-loop lag p99 of the client process during the burst (ms): large values mean the clients, not the server, were the bottleneck. */
  clientLoopLagP99Ms: number;
}

export type FromClients =
  | { type: 'ready'; connected: number; connectMs: number; retries: number }
  | { type: 'failed'; error: string }
  | ClientsReport;
