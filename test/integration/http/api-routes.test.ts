import { readFileSync } from 'node:fs';
import { fixture } from '../../helpers/fixtures';
import { errorOf, startTestApi, type TestApi } from './http-test-kit';

/**
 * The REST routes other than the gallery's, through app.inject, on the real key store and audit
 * log: happy paths, and each route's bad inputs (fields, types, unknown fields, sizes, content
 * types, 401/403/404/409).
 */
let api: TestApi;
// biome-ignore lint/suspicious/noExplicitAny: response bodies are checked by the assertions
const json = (res: { body: string }) => JSON.parse(res.body) as any;

beforeEach(async () => {
  api = await startTestApi();
});
afterEach(async () => {
  await api.close();
});

describe('streams', () => {
  it('creates, lists, reads, updates, stops, starts and deletes a stream, URLs redacted and audited', async () => {
    const create = await api.call({
      as: 'operator',
      method: 'POST',
      url: '/v1/streams',
      payload: { id: 'cam1', url: 'rtsp://user:s3cret@cam.local/live', fps: 5 },
    });
    expect(create.statusCode).toBe(201);
    expect(json(create)).toMatchObject({ id: 'cam1', url: 'rtsp://***@cam.local/live', state: 'live' });
    const list = await api.call({ as: 'viewer', method: 'GET', url: '/v1/streams' });
    expect(list.statusCode).toBe(200);
    expect(list.body).not.toContain('s3cret');
    expect(json(list).streams.map((s: { id: string }) => s.id)).toEqual(['cam1']);
    expect((await api.call({ as: 'viewer', method: 'GET', url: '/v1/streams/cam1' })).statusCode).toBe(200);
    const patch = await api.call({
      as: 'operator',
      method: 'PATCH',
      url: '/v1/streams/cam1',
      payload: { fps: 2 },
    });
    expect(patch.statusCode).toBe(200);
    expect(api.streams.specs.get('cam1')?.fps).toBe(2);
    const stop = await api.call({ as: 'operator', method: 'POST', url: '/v1/streams/cam1/stop' });
    expect(json(stop)).toMatchObject({ enabled: false, state: 'stopped' });
    const start = await api.call({ as: 'operator', method: 'POST', url: '/v1/streams/cam1/start' });
    expect(json(start)).toMatchObject({ enabled: true });
    expect((await api.call({ as: 'operator', method: 'DELETE', url: '/v1/streams/cam1' })).statusCode).toBe(
      204,
    );
    expect(errorOf(await api.call({ as: 'viewer', method: 'GET', url: '/v1/streams/cam1' })).code).toBe(
      'ARGUS_E_NOT_FOUND',
    );
    const actions = api.audit
      .list({})
      .map((e) => e.action)
      .reverse();
    expect(actions).toEqual([
      'stream.create',
      'stream.update',
      'stream.stop',
      'stream.start',
      'stream.delete',
    ]);
    expect(api.audit.list({})[0]).toMatchObject({ actor: `key:${api.keys.operator.id}`, target: 'cam1' });
    expect(JSON.stringify(api.audit.list({}))).not.toContain('s3cret');
  });

  it('answers 409 for an existing id', async () => {
    const body = { id: 'cam1', url: 'whip:cam1' };
    expect(
      (await api.call({ as: 'operator', method: 'POST', url: '/v1/streams', payload: body })).statusCode,
    ).toBe(201);
    const again = await api.call({ as: 'operator', method: 'POST', url: '/v1/streams', payload: body });
    expect(again.statusCode).toBe(409);
    expect(errorOf(again).code).toBe('ARGUS_E_CONFLICT');
  });

  it.each([
    ['a missing field', { id: 'cam1' }, /url/],
    ['a wrong type', { id: 'cam1', url: 'whip:x', fps: '5' }, /fps/],
    ['a number where text is due', { id: 123, url: 'whip:x' }, /id/],
    ['an unknown field', { id: 'cam1', url: 'whip:x', colour: 'red' }, /unknown field "colour"/],
    ['an out-of-range value', { id: 'cam1', url: 'whip:x', fps: 1e308 }, /fps/],
    ['an invalid id', { id: '../etc', url: 'whip:x' }, /id/],
    ['an enum outside its values', { id: 'cam1', url: 'whip:x', rtspTransport: 'sctp' }, /tcp, udp/],
    ['an array body', [{ id: 'cam1' }], /object/],
  ])('refuses %s with 400 ARGUS_E_HTTP_BAD_REQUEST', async (_what, payload, message) => {
    const res = await api.call({ as: 'operator', method: 'POST', url: '/v1/streams', payload });
    expect(res.statusCode).toBe(400);
    const e = errorOf(res);
    expect(e.code).toBe('ARGUS_E_HTTP_BAD_REQUEST');
    expect(e.message).toMatch(message);
    expect(api.streams.list()).toEqual([]);
  });

  it('refuses an empty PATCH and a PATCH of the id', async () => {
    await api.call({
      as: 'operator',
      method: 'POST',
      url: '/v1/streams',
      payload: { id: 'cam1', url: 'whip:x' },
    });
    for (const payload of [{}, { id: 'cam2' }]) {
      const res = await api.call({ as: 'operator', method: 'PATCH', url: '/v1/streams/cam1', payload });
      expect(errorOf(res).code).toBe('ARGUS_E_HTTP_BAD_REQUEST');
    }
  });

  it('answers 413 for an oversized body, 415 for a wrong content type, 400 for broken JSON', async () => {
    const big = await api.call({
      as: 'operator',
      method: 'POST',
      url: '/v1/streams',
      payload: { id: 'cam1', url: `whip:${'x'.repeat(2 * 1024 * 1024)}` },
    });
    expect(big.statusCode).toBe(413);
    expect(errorOf(big).code).toBe('ARGUS_E_HTTP_BODY_TOO_LARGE');
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'application/xml']) {
      const res = await api.call({
        as: 'operator',
        method: 'POST',
        url: '/v1/streams',
        headers: { 'content-type': type },
        payload: 'id=cam1&url=whip:x',
      });
      expect(res.statusCode).toBe(415);
      expect(errorOf(res).code).toBe('ARGUS_E_HTTP_UNSUPPORTED_MEDIA_TYPE');
    }
    const multipart = await api.call({
      as: 'operator',
      method: 'POST',
      url: '/v1/streams',
      headers: { 'content-type': 'multipart/form-data; boundary=x' },
      payload: '--x\r\nContent-Disposition: form-data; name="id"\r\n\r\ncam1\r\n--x--\r\n',
    });
    expect(multipart.statusCode).toBe(415);
    const broken = await api.call({
      as: 'operator',
      method: 'POST',
      url: '/v1/streams',
      headers: { 'content-type': 'application/json' },
      payload: '{"id": "cam1", "url": ',
    });
    expect(broken.statusCode).toBe(400);
    expect(errorOf(broken).code).toBe('ARGUS_E_HTTP_BAD_REQUEST');
    const proto = await api.call({
      as: 'operator',
      method: 'POST',
      url: '/v1/streams',
      headers: { 'content-type': 'application/json' },
      payload: '{"id": "cam1", "url": "whip:x", "__proto__": {"admin": true}}',
    });
    expect(proto.statusCode).toBe(400);
    expect(({} as Record<string, unknown>).admin).toBeUndefined();
  });
});

describe('alerts', () => {
  beforeEach(() => {
    api.alerts.add({ cropJpeg: readFileSync(fixture('face_recognition', 'obama_small.jpg')) });
    api.alerts.add({ streamId: 'cam2', similarity: 0.9 });
    api.alerts.add({ streamId: 'cam2', similarity: 0.5 });
  });

  it('lists with filters and pagination', async () => {
    const page1 = json(await api.call({ as: 'viewer', method: 'GET', url: '/v1/alerts?limit=2' }));
    expect(page1.items.map((a: { id: number }) => a.id)).toEqual([3, 2]);
    const page2 = json(
      await api.call({ as: 'viewer', method: 'GET', url: `/v1/alerts?limit=2&cursor=${page1.nextCursor}` }),
    );
    expect(page2.items.map((a: { id: number }) => a.id)).toEqual([1]);
    const filtered = json(
      await api.call({ as: 'viewer', method: 'GET', url: '/v1/alerts?streamId=cam2&minSimilarity=0.8' }),
    );
    expect(filtered.items.map((a: { id: number }) => a.id)).toEqual([2]);
  });

  it.each([
    ['/v1/alerts?limit=0'],
    ['/v1/alerts?limit=abc'],
    ['/v1/alerts?limit=501'],
    ['/v1/alerts?review=maybe'],
    ['/v1/alerts?since=yesterday'],
    ['/v1/alerts?minSimilarity=2'],
    ['/v1/alerts?colour=red'],
    ['/v1/alerts/abc'],
    ['/v1/alerts/0'],
  ])('refuses GET %s with 400', async (url) => {
    const res = await api.call({ as: 'viewer', method: 'GET', url });
    expect(res.statusCode).toBe(400);
    expect(errorOf(res).code).toBe('ARGUS_E_HTTP_BAD_REQUEST');
  });

  it('serves a crop as JPEG and audits the view; 404 for an alert without crop or unknown', async () => {
    const crop = await api.call({ as: 'viewer', method: 'GET', url: '/v1/alerts/1/crop' });
    expect(crop.statusCode).toBe(200);
    expect(crop.headers['content-type']).toBe('image/jpeg');
    expect(crop.rawPayload.subarray(0, 3)).toEqual(Buffer.from([0xff, 0xd8, 0xff]));
    expect(api.audit.list({ action: 'alert.crop.view' })).toEqual([
      expect.objectContaining({ actor: `key:${api.keys.viewer.id}`, target: '1' }),
    ]);
    expect(errorOf(await api.call({ as: 'viewer', method: 'GET', url: '/v1/alerts/2/crop' })).code).toBe(
      'ARGUS_E_NOT_FOUND',
    );
    const unknown = await api.call({ as: 'viewer', method: 'GET', url: '/v1/alerts/99' });
    expect(unknown.statusCode).toBe(404);
    expect(api.audit.list({ action: 'alert.crop.view' })).toHaveLength(1);
  });

  it('records a review by the calling key; refuses bad verdicts and viewers', async () => {
    const res = await api.call({
      as: 'operator',
      method: 'POST',
      url: '/v1/alerts/2/review',
      payload: { status: 'rejected', comment: 'not this person' },
    });
    expect(res.statusCode).toBe(200);
    expect(json(res).review).toMatchObject({ status: 'rejected', by: api.keys.operator.id });
    expect(api.alerts.reviews).toEqual([
      { id: 2, status: 'rejected', by: { id: api.keys.operator.id, role: 'operator' } },
    ]);
    for (const payload of [{ status: 'pending' }, { comment: 'x' }, { status: 'confirmed', score: 1 }]) {
      const bad = await api.call({ as: 'operator', method: 'POST', url: '/v1/alerts/2/review', payload });
      expect(errorOf(bad).code).toBe('ARGUS_E_HTTP_BAD_REQUEST');
    }
    const viewer = await api.call({
      as: 'viewer',
      method: 'POST',
      url: '/v1/alerts/2/review',
      payload: { status: 'confirmed' },
    });
    expect(viewer.statusCode).toBe(403);
    const unknown = await api.call({
      as: 'operator',
      method: 'POST',
      url: '/v1/alerts/42/review',
      payload: { status: 'confirmed' },
    });
    expect(unknown.statusCode).toBe(404);
    await api.call({
      as: 'operator',
      method: 'POST',
      url: '/v1/alerts/3/review',
      payload: { status: 'rejected' },
    });
    const patterns = json(
      await api.call({ as: 'viewer', method: 'GET', url: '/v1/alerts/rejection-patterns' }),
    );
    expect(patterns.patterns[0]).toMatchObject({ rejections: 2, minSimilarity: 0.5, maxSimilarity: 0.9 });
  });
});

describe('bodies', () => {
  it('takes an empty JSON body as no body (DELETE, start/stop) but refuses it where a body is due', async () => {
    await api.call({
      as: 'operator',
      method: 'POST',
      url: '/v1/streams',
      payload: { id: 'cam1', url: 'whip:x' },
    });
    const headers = { 'content-type': 'application/json' };
    const stop = await api.call({ as: 'operator', method: 'POST', url: '/v1/streams/cam1/stop', headers });
    expect(stop.statusCode).toBe(200);
    const del = await api.call({ as: 'operator', method: 'DELETE', url: '/v1/streams/cam1', headers });
    expect(del.statusCode).toBe(204);
    const create = await api.call({ as: 'operator', method: 'POST', url: '/v1/streams', headers });
    expect([create.statusCode, errorOf(create).code]).toEqual([400, 'ARGUS_E_HTTP_BAD_REQUEST']);
  });
});
