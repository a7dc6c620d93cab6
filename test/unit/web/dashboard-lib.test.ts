import { ApiError, apiErrorFrom, errorText, queryString } from '../../../web/src/lib/api-error';
import { listBody } from '../../../web/src/lib/list-body';
import { atLeast } from '../../../web/src/lib/roles';
import { pageFromHash } from '../../../web/src/lib/route';
import {
  linePoints,
  niceCeiling,
  pushSample,
  type Sample,
  seriesMax,
} from '../../../web/src/lib/time-series';

describe('dashboard helpers', () => {
  test('API errors show the server message, or the status and the start of the body', () => {
    const e = apiErrorFrom(404, '{"error":{"code":"ARGUS_E_NOT_FOUND","message":"No alert 7"}}');
    expect(e).toBeInstanceOf(ApiError);
    expect([e.status, e.code, e.message]).toEqual([404, 'ARGUS_E_NOT_FOUND', 'No alert 7']);
    expect(apiErrorFrom(502, '<html>\n<b>Bad gateway</b></html>').message).toBe(
      'HTTP 502: <html> <b>Bad gateway</b></html>',
    );
    expect(apiErrorFrom(500, '').message).toBe('HTTP 500');
    expect(errorText(new TypeError('Failed to fetch'))).toBe('Cannot reach the server (Failed to fetch)');
  });

  test('query strings skip empty values and encode the rest', () => {
    expect(queryString({ a: undefined, b: '', c: null })).toBe('');
    expect(queryString({ streamId: 'cam 1', limit: 25, since: '2026-11-29T05:00:00.000Z' })).toBe(
      '?streamId=cam%201&limit=25&since=2026-11-29T05%3A00%3A00.000Z',
    );
  });

  test('roles and routes', () => {
    expect(atLeast('admin', 'operator')).toBe(true);
    expect(atLeast('operator', 'operator')).toBe(true);
    expect(atLeast('viewer', 'operator')).toBe(false);
    expect(atLeast(undefined, 'viewer')).toBe(false);
    expect(pageFromHash('#/gallery')).toBe('gallery');
    expect(pageFromHash('#/history?x=1')).toBe('history');
    expect(pageFromHash('')).toBe('streams');
    expect(pageFromHash('#/nope')).toBe('streams');
  });

  test('list bodies: a bare array or one wrapped in a field', () => {
    expect(listBody([1, 2])).toEqual([1, 2]);
    expect(listBody({ items: [3] })).toEqual([3]);
    expect(listBody({ streams: [4] })).toEqual([4]);
    expect(listBody({ nothing: true })).toEqual([]);
  });

  test('the latency series is bounded and drawn as broken polylines', () => {
    let s: Sample[] = [];
    for (let i = 0; i < 10; i++)
      s = pushSample(s, { t: i * 1000, values: { a: i === 5 ? null : i * 10 } }, 8);
    expect(s).toHaveLength(8);
    expect(s[0]!.t).toBe(2000);
    expect(seriesMax(s, ['a'])).toBe(90);
    expect(niceCeiling(90)).toBe(100);
    expect(niceCeiling(3)).toBe(10);
    expect(niceCeiling(130)).toBe(200);
    expect(niceCeiling(420)).toBe(500);
    const runs = linePoints(s, 'a', { width: 100, height: 50, windowMs: 10_000, endT: 10_000, yMax: 100 });
    // 2,3,4 | gap at 5 | 6,7,8,9
    expect(runs).toHaveLength(2);
    expect(runs[0]).toBe('20.0,40.0 30.0,35.0 40.0,30.0');
    expect(runs[1]!.split(' ')).toHaveLength(4);
    expect(linePoints(s, 'missing', { width: 1, height: 1, windowMs: 1, endT: 1, yMax: 1 })).toEqual([]);
  });
});
