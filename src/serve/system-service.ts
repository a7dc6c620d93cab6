import type { SystemInfo, SystemService } from './service-ports';

export interface SystemSources {
  version: string;
  eventLoopLag(): { p50: number; p99: number };
  workers(): { total: number; busy: number };
  streams(): Array<{ framesDropped: number }>;
  alerts(): { total: number; pending: number };
  websocketClients(): number;
  gallery(): { identities: number; templates: number };
}

/** GET /v1/system: process numbers plus what the parts report. CPU is measured between calls. */
export class ProcessSystemService implements SystemService {
  private lastCpu = process.cpuUsage();
  private lastAt = performance.now();
  private cpuPercent = 0;

  constructor(private readonly s: SystemSources) {}

  info(): SystemInfo {
    this.sampleCpu();
    const streams = this.s.streams();
    return {
      version: this.s.version,
      uptimeSec: Math.round(process.uptime()),
      cpuPercent: this.cpuPercent,
      rssMb: Math.round(process.memoryUsage().rss / 1048576),
      eventLoopLagMs: this.s.eventLoopLag(),
      workers: this.s.workers(),
      streams: streams.length,
      framesDropped: streams.reduce((n, st) => n + st.framesDropped, 0),
      alerts: this.s.alerts(),
      websocketClients: this.s.websocketClients(),
      gallery: this.s.gallery(),
    };
  }

  /** Process CPU (all threads, so up to 100 x cores) since the previous call, if >= 0.5 s ago. */
  private sampleCpu(): void {
    const now = performance.now();
    const elapsedMs = now - this.lastAt;
    if (elapsedMs < 500) return;
    const used = process.cpuUsage(this.lastCpu);
    this.cpuPercent = Math.round(((used.user + used.system) / 1000 / elapsedMs) * 1000) / 10;
    this.lastCpu = process.cpuUsage();
    this.lastAt = now;
  }
}
