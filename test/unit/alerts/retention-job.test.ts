import type { PurgeResult } from '../../../src/alerts/alert-store';
import { AlertStore } from '../../../src/alerts/alert-store';
import { RetentionJob, type RetentionRun } from '../../../src/alerts/retention-job';
import { retentionSchema } from '../../../src/config/retention-schema';
import { ArgusError } from '../../../src/errors/argus-error';
import { tempDir } from '../../helpers/gallery-fixtures';

function fakeLogger() {
  const lines: Array<{ level: string; msg: string; obj?: unknown }> = [];
  const at = (level: string) => (obj: unknown, msg?: string) =>
    lines.push(typeof obj === 'string' ? { level, msg: obj } : { level, msg: msg ?? '', obj });
  return { lines, logger: { info: at('info'), warn: at('warn'), error: at('error') } as never };
}

const config = { cropDays: 7, recordDays: 30, intervalMinutes: 60 };

describe('RetentionJob', () => {
  afterEach(() => jest.useRealTimers());

  it('purges once at start and then every intervalMinutes, reporting counts', () => {
    jest.useFakeTimers();
    const calls: Array<{ now: Date; o: unknown }> = [];
    const store = {
      purge: (now: Date, o: unknown): PurgeResult => {
        calls.push({ now, o });
        return { crops: 2, records: 1 };
      },
    };
    const runs: RetentionRun[] = [];
    const { logger } = fakeLogger();
    const job = new RetentionJob(store, config, logger, (r) => runs.push(r));
    job.start();
    expect(calls).toHaveLength(1);
    expect(calls[0]!.o).toEqual({ cropDays: 7, recordDays: 30 });
    jest.advanceTimersByTime(59 * 60_000);
    expect(calls).toHaveLength(1);
    jest.advanceTimersByTime(60_000);
    expect(calls).toHaveLength(2);
    jest.advanceTimersByTime(120 * 60_000);
    expect(calls).toHaveLength(4);
    expect(runs.map((r) => [r.crops, r.records])).toEqual([
      [2, 1],
      [2, 1],
      [2, 1],
      [2, 1],
    ]);
    job.stop();
    jest.advanceTimersByTime(600 * 60_000);
    expect(calls).toHaveLength(4);
  });

  it('never throws out of the timer and logs each failure kind once until it recovers', () => {
    jest.useFakeTimers();
    const failures: Array<Error | undefined> = [
      new ArgusError('ARGUS_E_INTERNAL', { reason: 'disk I/O error' }),
      new ArgusError('ARGUS_E_INTERNAL', { reason: 'disk I/O error' }),
      Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY' }),
      undefined,
      new ArgusError('ARGUS_E_INTERNAL', { reason: 'disk I/O error' }),
    ];
    let i = 0;
    const store = {
      purge: (): PurgeResult => {
        const f = failures[i++];
        if (f) throw f;
        return { crops: 0, records: 0 };
      },
    };
    const { lines, logger } = fakeLogger();
    const runs: RetentionRun[] = [];
    const job = new RetentionJob(store, { ...config, intervalMinutes: 1 }, logger, (r) => runs.push(r));
    expect(() => {
      job.start();
      jest.advanceTimersByTime(4 * 60_000);
    }).not.toThrow();
    job.stop();
    expect(i).toBe(5);
    expect(runs).toHaveLength(1);
    expect(lines.filter((l) => l.level === 'error').map((l) => (l.obj as { code: string }).code)).toEqual([
      'ARGUS_E_INTERNAL',
      'ARGUS_E_INTERNAL',
      'ARGUS_E_INTERNAL',
    ]);
    expect(lines.some((l) => l.msg === 'retention purge works again')).toBe(true);
  });

  it('survives a throwing report callback', () => {
    const { lines, logger } = fakeLogger();
    const job = new RetentionJob({ purge: () => ({ crops: 1, records: 0 }) }, config, logger, () => {
      throw new Error('metrics down');
    });
    expect(job.runOnce()).toMatchObject({ crops: 1, records: 0 });
    expect(lines.some((l) => l.level === 'warn')).toBe(true);
  });

  it('drives a real AlertStore with the injected clock', () => {
    const tmp = tempDir('retention-job');
    const store = AlertStore.open(tmp.dir);
    try {
      const capture = '2026-01-01T00:00:00.000Z';
      store.insert({
        v: 1,
        type: 'alert',
        eventId: 1,
        streamId: 's',
        captureTime: capture,
        emitTime: capture,
        trackId: '1',
        identity: { id: 'i', name: 'I', watchlists: [] },
        similarity: 0.7,
        margin: 0.1,
        fmr: 1e-4,
        evidenceCount: 2,
        box: { x: 0, y: 0, width: 1, height: 1 },
        quality: 1,
        modelId: 'm',
        review: 'pending',
      });
      store.saveCrop(1, Buffer.from([0xff, 0xd8, 0xff, 0xd9]));
      const { logger } = fakeLogger();
      let now = new Date('2026-01-05T00:00:00.000Z');
      const job = new RetentionJob(store, config, logger, undefined, () => now);
      expect(job.runOnce()).toMatchObject({ crops: 0, records: 0 });
      now = new Date('2026-01-09T00:00:00.000Z');
      expect(job.runOnce()).toMatchObject({ crops: 1, records: 0 });
      expect(store.cropFile(1)).toBeUndefined();
      now = new Date('2026-02-01T00:00:00.000Z');
      expect(job.runOnce()).toMatchObject({ crops: 0, records: 1 });
      expect(store.counts().total).toBe(0);
    } finally {
      store.close();
      tmp.cleanup();
    }
  });
});

describe('retentionSchema', () => {
  it('defaults to 7 days of crops, 30 of records, hourly', () => {
    expect(retentionSchema.parse(undefined)).toEqual({ cropDays: 7, recordDays: 30, intervalMinutes: 60 });
  });

  it('rejects unknown keys and out-of-bound values', () => {
    expect(retentionSchema.safeParse({ cropdays: 3 }).success).toBe(false);
    expect(retentionSchema.safeParse({ cropDays: -1 }).success).toBe(false);
    expect(retentionSchema.safeParse({ intervalMinutes: 0 }).success).toBe(false);
    expect(retentionSchema.safeParse({ recordDays: 4000 }).success).toBe(false);
  });
});
