import { percentile } from '../../../bench/bench-report';
import { LatencyHistogram } from '../../../bench/pipeline/latency-histogram';
import { alertLatency, counterDelta } from '../../../bench/pipeline/serve-context';
import type { StreamCounters } from '../../../bench/pipeline/serve-harness';
import { mulberry32 } from '../../../src/util/mulberry32';

describe('pipeline benchmark measures', () => {
  it('the ms histogram gives the same nearest-rank percentiles as the samples, also after a sparse round trip', () => {
    const rand = mulberry32(3);
    const samples = Array.from({ length: 5000 }, () => Math.round(-Math.log(1 - rand()) * 40));
    const h = new LatencyHistogram();
    for (const s of samples) h.add(s);
    const copy = new LatencyHistogram();
    copy.addSparse(h.toSparse());
    for (const p of [50, 95, 99, 100]) {
      expect(h.percentile(p)).toBe(percentile(samples, p));
      expect(copy.percentile(p)).toBe(percentile(samples, p));
    }
    expect(copy.count).toBe(5000);
    expect(h.max()).toBe(Math.max(...samples));
  });

  it('counts drops as framesDropped / framesDecoded over the window', () => {
    const at = (decoded: number, analysed: number, dropped: number): StreamCounters => ({
      id: 'cam1',
      state: 'live',
      framesDecoded: decoded,
      framesAnalysed: analysed,
      framesDropped: dropped,
      deferredEmbeddings: 0,
      faces: 0,
      latencyMs: null,
    });
    const [d] = counterDelta([at(100, 95, 5)], [at(700, 691, 9)], 60);
    expect(d).toMatchObject({ decoded: 600, analysed: 596, dropped: 4, decodedFps: 10, dropRatio: 0.0067 });
  });

  it('alert latency = receive time - captureTime of first alerts only, counted per enrolled name', () => {
    const names = new Map([['id1', 'obama']]);
    const alert = (at: number, capture: number, id: string, type = 'alert') => ({
      at,
      msg: { type, captureTime: new Date(capture).toISOString(), identity: { id } },
    });
    const r = alertLatency(
      [
        alert(1100, 1000, 'id1'),
        alert(2300, 2000, 'id1'),
        alert(2400, 2000, 'id1', 'alert-update'),
        alert(500, 400, 'zz'),
      ],
      names,
      900,
    );
    expect(r).toMatchObject({
      count: 2,
      p50: 100,
      p99: 300,
      max: 300,
      byName: { obama: 2 },
      unknownIdentity: 0,
    });
  });
});
