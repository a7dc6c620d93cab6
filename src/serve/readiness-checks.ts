import type { Readiness, ReadinessCheck } from './service-ports';

/** /readyz: each part says whether it can do its job; the server is ready when all can. */
export class ReadinessChecks implements Readiness {
  private readonly parts = new Map<string, () => ReadinessCheck | Promise<ReadinessCheck>>();

  add(name: string, check: () => ReadinessCheck | Promise<ReadinessCheck>): this {
    this.parts.set(name, check);
    return this;
  }

  async checks(): Promise<Record<string, ReadinessCheck>> {
    const out: Record<string, ReadinessCheck> = {};
    for (const [name, check] of this.parts) {
      try {
        out[name] = await check();
      } catch (err) {
        out[name] = { ok: false, detail: (err as Error).message };
      }
    }
    return out;
  }
}
