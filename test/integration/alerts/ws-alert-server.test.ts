import net from 'node:net';
import { ApiKeyStore, type CreatedApiKey } from '../../../src/auth/api-key-store';
import { tempDir } from '../../helpers/gallery-fixtures';
import {
  alertInput,
  connect,
  expectRefused,
  type Harness,
  startHarness,
  validateClient,
  waitUntil,
} from './ws-test-kit';

const codeOf = (r: { body: Record<string, unknown> | undefined }) =>
  (r.body?.error as { code?: string } | undefined)?.code;

describe('WebSocket /v1/alerts (real sockets)', () => {
  const tmp = tempDir('ws-alerts');
  let store: ApiKeyStore;
  let viewer: CreatedApiKey;
  let other: CreatedApiKey;
  let h: Harness | undefined;

  beforeAll(async () => {
    store = ApiKeyStore.open(tmp.dir, { scryptCost: 1024 });
    viewer = await store.create({ role: 'viewer' });
    other = await store.create({ role: 'operator' });
  });
  afterEach(async () => {
    const harness = h;
    h = undefined;
    if (harness) {
      for (const c of harness.clients) expect(c.schemaViolations).toEqual([]);
      await harness.close();
    }
  });
  afterAll(() => {
    store.close();
    tmp.cleanup();
  });

  describe('authentication (before the upgrade completes)', () => {
    it('answers 401 without a key, with an unknown key, or with a malformed one', async () => {
      h = await startHarness(store);
      const none = await expectRefused(h);
      expect(none.status).toBe(401);
      expect(none.body).toEqual({ error: { code: 'ARGUS_E_AUTH_REQUIRED', message: expect.any(String) } });
      const forged = `argus_${viewer.id}_${'A'.repeat(43)}`;
      for (const key of [forged, 'nonsense']) {
        const r = await expectRefused(h, { key });
        expect([r.status, codeOf(r)]).toEqual([401, 'ARGUS_E_AUTH_INVALID_KEY']);
      }
      expect(h.hub.stats().clients).toBe(0);
    });

    it('accepts Authorization: Bearer and the browser subprotocols (echoing argus.v1 only)', async () => {
      h = await startHarness(store);
      const byHeader = await connect(h, { key: viewer.key });
      expect(byHeader.ws.protocol).toBe('');
      const byProtocol = await connect(h, { protocols: ['argus.v1', `bearer.${viewer.key}`] });
      expect(byProtocol.ws.protocol).toBe('argus.v1');
      const r = await expectRefused(h, { protocols: ['argus.v1', `bearer.${viewer.key}x`] });
      expect(r.status).toBe(401);
      expect(h.hub.stats().clients).toBe(2);
    });

    it('refuses a revoked key with 401, and answers 404 on other paths', async () => {
      h = await startHarness(store);
      const k = await store.create({ role: 'viewer' });
      store.revoke(k.id);
      expect((await expectRefused(h, { key: k.key })).status).toBe(401);
      expect((await expectRefused(h, { key: viewer.key, path: '/v1/other' })).status).toBe(404);
    });

    it('limits connections per key with 429 (a flood), without touching other keys', async () => {
      h = await startHarness(store, { ws: { maxConnectionsPerKey: 3 } });
      const harness = h;
      // A concurrent burst: exactly 3 get through, whatever the interleaving.
      const attempts = await Promise.allSettled(
        Array.from({ length: 8 }, () => connect(harness, { key: viewer.key })),
      );
      const ok = attempts.filter((a) => a.status === 'fulfilled');
      const refused = attempts.filter((a) => a.status === 'rejected');
      expect(ok.length).toBe(3);
      for (const r of refused) expect(String((r as PromiseRejectedResult).reason)).toContain('HTTP 429');
      const r = await expectRefused(h, { key: viewer.key });
      expect([r.status, codeOf(r)]).toEqual([429, 'ARGUS_E_AUTH_TOO_MANY_CONNECTIONS']);
      await connect(h, { key: other.key });
      // Closing one frees a slot.
      const first = (ok[0] as PromiseFulfilledResult<Awaited<ReturnType<typeof connect>>>).value;
      first.ws.close();
      await first.closed;
      await waitUntil(() => harness.hub.connectionsOf(viewer.id) === 2);
      await connect(h, { key: viewer.key });
    });
  });

  it('bounds key checks in flight: a flood of slow verifications gets 503', async () => {
    const release: Array<() => void> = [];
    const slow = {
      verify: (key: string) =>
        new Promise<{ id: string; role: 'viewer' } | undefined>((resolve) =>
          release.push(() => resolve(key === 'good' ? { id: 'k1', role: 'viewer' } : undefined)),
        ),
    };
    h = await startHarness(slow, { ws: { maxPendingAuth: 2 } });
    const harness = h;
    const first = connect(h, { key: 'good' });
    const second = expectRefused(h, { key: 'bad' });
    await waitUntil(() => release.length === 2);
    const busy = await expectRefused(h, { key: 'good' });
    expect([busy.status, codeOf(busy)]).toEqual([503, 'ARGUS_E_AUTH_BUSY']);
    for (const r of release.splice(0)) r();
    await first;
    expect((await second).status).toBe(401);
    expect(harness.hub.stats().clients).toBe(1);
  });

  describe('subscriptions and events', () => {
    it('sends nothing before subscribe; a bare subscribe gets every alert and stream status', async () => {
      h = await startHarness(store);
      const c = await connect(h, { key: viewer.key });
      h.hub.publish(alertInput());
      await c.subscribe();
      const a = h.hub.publish(alertInput({ crop: { jpegBase64: Buffer.from('jpeg').toString('base64') } }));
      h.hub.publishStatus({ streamId: 'cam2', state: 'reconnecting', detail: 'rtsp timeout' });
      await c.waitFor((m) => m.length >= 3);
      expect(c.messages.map((m) => m.type)).toEqual(['subscribed', 'alert', 'stream-status']);
      const alert = c.messages[1]!;
      expect(alert).toEqual({ ...a, v: 1, review: 'pending', eventId: 2 });
      expect(alert).toMatchObject({
        streamId: 'cam1',
        identity: { id: 'id-ana', name: 'Ana', watchlists: ['vip'] },
        similarity: expect.any(Number),
        margin: expect.any(Number),
        fmr: expect.any(Number),
        evidenceCount: 2,
        box: { x: 10, y: 20, width: 80, height: 96 },
        quality: 0.8,
        modelId: 'fr_feature',
        captureTime: expect.any(String),
        emitTime: expect.any(String),
        trackId: expect.any(String),
      });
      expect(c.messages[2]).toMatchObject({
        type: 'stream-status',
        eventId: 3,
        streamId: 'cam2',
        state: 'reconnecting',
      });
    });

    it('sends alert-update events that name their alert, filtered like it; ids continue after a restart', async () => {
      h = await startHarness(store);
      h.hub.continueFrom(41);
      const all = await connect(h, { key: viewer.key });
      const other = await connect(h, { key: viewer.key });
      await all.subscribe();
      await other.subscribe({ identities: ['id-zed'] });
      const first = h.hub.publish(alertInput({ similarity: 0.55 }));
      expect(first.eventId).toBe(42);
      let persisted = 0;
      const upd = h.hub.publishUpdate(
        first.eventId,
        alertInput({ similarity: 0.62, evidenceCount: 3 }),
        (e) => {
          persisted = e.eventId;
        },
      );
      expect(persisted).toBe(upd.eventId);
      await all.waitFor((m) => m.length >= 3);
      expect(all.messages.slice(1).map((m) => [m.type, m.eventId, m.alertId])).toEqual([
        ['alert', 42, undefined],
        ['alert-update', 43, 42],
      ]);
      expect(all.messages[2]).toMatchObject({ similarity: 0.62, evidenceCount: 3, review: 'pending' });
      h.hub.publishStatus({ streamId: 'cam1', state: 'live' });
      await other.waitFor((m) => m.some((x) => x.type === 'stream-status'));
      expect(other.of('alert-update')).toEqual([]);
    });

    it('filters by stream, watchlist, identity and minimum score, and can change the filter later', async () => {
      h = await startHarness(store);
      const cam2 = await connect(h, { key: viewer.key });
      const strict = await connect(h, { key: viewer.key });
      await cam2.subscribe({ streams: ['cam2'] });
      await strict.subscribe({ watchlists: ['wanted'], minScore: 0.7 });
      h.hub.publish(alertInput({ streamId: 'cam1' }));
      h.hub.publishStatus({ streamId: 'cam1', state: 'live' });
      h.hub.publish(alertInput({ streamId: 'cam2', similarity: 0.9 }));
      h.hub.publish(
        alertInput({ identity: { id: 'id-bo', name: 'Bo', watchlists: ['wanted'] }, similarity: 0.65 }),
      );
      h.hub.publish(
        alertInput({ identity: { id: 'id-cy', name: 'Cy', watchlists: ['x', 'wanted'] }, similarity: 0.75 }),
      );
      h.hub.publishStatus({ streamId: 'cam2', state: 'live' });
      await cam2.waitFor((m) => m.length >= 3);
      await strict.waitFor((m) => m.some((x) => x.type === 'stream-status' && x.streamId === 'cam2'));
      expect(cam2.messages.slice(1).map((m) => [m.type, m.eventId])).toEqual([
        ['alert', 3],
        ['stream-status', 6],
      ]);
      // Watchlist + score filters apply to alerts; stream status passes (no stream filter).
      expect(strict.messages.slice(1).map((m) => [m.type, m.eventId])).toEqual([
        ['stream-status', 2],
        ['alert', 5],
        ['stream-status', 6],
      ]);

      await cam2.subscribe({ identities: ['id-bo'] });
      h.hub.publish(alertInput({ streamId: 'cam2' }));
      const bo = h.hub.publish(
        alertInput({ streamId: 'cam9', identity: { id: 'id-bo', name: 'Bo', watchlists: [] } }),
      );
      await cam2.waitFor((m) => m.some((x) => x.eventId === bo.eventId));
      expect(cam2.of('alert').map((m) => m.eventId)).toEqual([3, bo.eventId]);
    });
  });

  describe('resume from a bounded history', () => {
    it('replays what a client missed, then continues live', async () => {
      h = await startHarness(store, { hub: { historySize: 1000 } });
      for (let i = 0; i < 5; i++) h.hub.publish(alertInput());
      const c = await connect(h, { key: viewer.key });
      c.send({ v: 1, type: 'resume', lastEventId: 2 });
      await c.waitFor((m) => m.length >= 3);
      h.hub.publish(alertInput());
      await c.waitFor((m) => m.length >= 4);
      expect(c.messages.map((m) => [m.type, m.eventId])).toEqual([
        ['alert', 3],
        ['alert', 4],
        ['alert', 5],
        ['alert', 6],
      ]);
    });

    it('says "gap" when the history no longer reaches back, and honours the filter', async () => {
      h = await startHarness(store, { hub: { historySize: 3 } });
      for (let i = 0; i < 10; i++) h.hub.publish(alertInput({ streamId: i === 8 ? 'cam2' : 'cam1' }));
      const c = await connect(h, { key: viewer.key });
      await c.subscribe({ streams: ['cam1'] });
      c.send({ type: 'resume', lastEventId: 2 });
      await c.waitFor((m) => m.length >= 4);
      expect(
        c.messages.slice(1).map((m) => [m.type, m.eventId ?? `${m.fromEventId}-${m.toEventId}`]),
      ).toEqual([
        ['gap', '3-7'],
        ['alert', 8],
        ['alert', 10],
      ]);
    });

    it('answers resume from the future with an error, and the connection stays', async () => {
      h = await startHarness(store);
      h.hub.publish(alertInput());
      const c = await connect(h, { key: viewer.key });
      c.send({ type: 'resume', lastEventId: 99 });
      await c.waitFor((m) => m.length >= 1);
      expect(c.messages[0]).toMatchObject({ type: 'error', error: { code: 'ARGUS_E_WS_RESUME_FUTURE' } });
      c.send({ type: 'resume', lastEventId: 0 });
      await c.waitFor((m) => m.some((x) => x.type === 'alert'));
    });
  });

  describe('bad input', () => {
    const cases: Array<[string, string, string]> = [
      ['malformed JSON', '{"type":"subscribe"', 'ARGUS_E_WS_BAD_MESSAGE'],
      ['not an object', '[1,2]', 'ARGUS_E_WS_BAD_MESSAGE'],
      ['unknown type', '{"type":"unsubscribe-all"}', 'ARGUS_E_WS_UNKNOWN_TYPE'],
      ['wrong version', '{"v":2,"type":"subscribe"}', 'ARGUS_E_WS_BAD_MESSAGE'],
      ['streams not an array', '{"type":"subscribe","streams":"cam1"}', 'ARGUS_E_WS_BAD_FILTER'],
      ['identities of numbers', '{"type":"subscribe","identities":[1,2]}', 'ARGUS_E_WS_BAD_FILTER'],
      ['minScore a string', '{"type":"subscribe","minScore":"0.5"}', 'ARGUS_E_WS_BAD_FILTER'],
      ['unknown filter', '{"type":"subscribe","camera":"cam1"}', 'ARGUS_E_WS_BAD_FILTER'],
      ['resume without an id', '{"type":"resume"}', 'ARGUS_E_WS_BAD_MESSAGE'],
      ['resume with a negative id', '{"type":"resume","lastEventId":-1}', 'ARGUS_E_WS_BAD_MESSAGE'],
    ];

    it('answers each bad message with a catalogued error and keeps the connection and old filter', async () => {
      h = await startHarness(store);
      const c = await connect(h, { key: viewer.key });
      await c.subscribe({ streams: ['cam1'] });
      for (const [, text] of cases) c.send(text);
      c.ws.send(Buffer.from([1, 2, 3]));
      await c.waitFor((m) => m.length >= 1 + cases.length + 1);
      const codes = c.of('error').map((m) => (m.error as { code: string }).code);
      expect(codes).toEqual([...cases.map((x) => x[2]), 'ARGUS_E_WS_BAD_MESSAGE']);
      // The schema rejects the same messages the server does.
      for (const [label, text] of cases) {
        let parsed: unknown;
        try {
          parsed = JSON.parse(text);
        } catch {
          continue;
        }
        expect([label, validateClient(parsed)]).toEqual([label, false]);
      }
      for (const ok of [
        { type: 'subscribe' },
        { v: 1, type: 'subscribe', streams: ['a'], watchlists: ['b'], identities: ['c'], minScore: 0.5 },
        { type: 'resume', lastEventId: 0 },
      ]) {
        expect(validateClient(ok)).toBe(true);
      }
      // Still subscribed to cam1 only.
      h.hub.publish(alertInput({ streamId: 'cam2' }));
      const e = h.hub.publish(alertInput({ streamId: 'cam1' }));
      await c.waitFor((m) => m.some((x) => x.eventId === e.eventId));
      expect(c.of('alert').map((m) => m.eventId)).toEqual([e.eventId]);
      expect(c.ws.readyState).toBe(c.ws.OPEN);
    });

    it('refuses too many subscriptions with an error', async () => {
      h = await startHarness(store, { hub: { maxFilterValues: 5 } });
      const c = await connect(h, { key: viewer.key });
      c.send({ type: 'subscribe', streams: ['a', 'b', 'c'], identities: ['d', 'e', 'f'] });
      await c.waitFor((m) => m.length >= 1);
      expect(c.messages[0]).toMatchObject({
        type: 'error',
        error: { code: 'ARGUS_E_WS_TOO_MANY_SUBSCRIPTIONS' },
      });
      await c.subscribe({ streams: ['a', 'b', 'c'], identities: ['d', 'e'] });
    });

    it('closes with 1009 on an oversized message', async () => {
      h = await startHarness(store, { ws: { maxPayloadBytes: 1024 } });
      const c = await connect(h, { key: viewer.key });
      c.send({ type: 'subscribe', streams: ['x'.repeat(2000)] });
      expect((await c.closed).code).toBe(1009);
      const harness = h;
      await waitUntil(() => harness.hub.stats().disconnects.oversized === 1);
      expect(h.hub.stats().clients).toBe(0);
    });
  });

  describe('delivery', () => {
    it('disconnects a client that never reads (4008) while another keeps receiving everything', async () => {
      h = await startHarness(store, {
        hub: { maxBufferedBytes: 1024 * 1024 },
        ws: { closeGraceMs: 20_000 },
      });
      const harness = h;
      const stalled = await connect(h, { key: viewer.key });
      const healthy = await connect(h, { key: other.key });
      await stalled.subscribe();
      await healthy.subscribe();
      // The stalled client stops reading: the kernel buffers fill, then ws's own send buffer grows.
      (stalled.ws as unknown as { _socket: net.Socket })._socket.pause();
      const crop = { jpegBase64: Buffer.alloc(24 * 1024, 7).toString('base64') };
      let published = 0;
      while (h.hub.stats().disconnects['slow-consumer'] === 0 && published < 4000) {
        // Batches of ~256 KiB, each read by the healthy client before the next: its buffer never
        // nears the 1 MiB bound however busy the machine is, while the stalled one's only grows.
        for (let i = 0; i < 8; i++) h.hub.publish(alertInput({ crop }));
        published += 8;
        const expected = published;
        await healthy.waitFor((m) => m.length >= expected + 1, 60_000);
      }
      expect(h.hub.stats().disconnects['slow-consumer']).toBe(1);
      await healthy.waitFor((m) => m.length >= published + 1, 60_000);
      expect(healthy.of('alert').map((m) => m.eventId)).toEqual(
        Array.from({ length: published }, (_, i) => i + 1),
      );
      expect(healthy.ws.readyState).toBe(healthy.ws.OPEN);
      // Once it reads again it finds the close frame after what was already queued.
      (stalled.ws as unknown as { _socket: net.Socket })._socket.resume();
      const closed = await stalled.closed;
      expect(closed.code).toBe(4008);
      expect(closed.reason).toMatch(/slow consumer/);
      expect(stalled.of('alert').length).toBeLessThan(published);
      await waitUntil(() => harness.hub.stats().clients === 1);
    });

    it('drops a peer that does not answer pings, and keeps one that does', async () => {
      h = await startHarness(store, { ws: { heartbeatMs: 500 } });
      const harness = h;
      const live = await connect(h, { key: viewer.key });
      // A raw TCP peer: completes the handshake, then never answers anything.
      const dead = net.connect(h.port, '127.0.0.1');
      dead.on('error', () => undefined);
      let response = '';
      dead.on('data', (d: Buffer) => (response += d.toString('latin1')));
      const deadClosed = new Promise<void>((resolve) => dead.on('close', () => resolve()));
      dead.write(
        [
          'GET /v1/alerts HTTP/1.1',
          `Host: 127.0.0.1:${h.port}`,
          'Upgrade: websocket',
          'Connection: Upgrade',
          'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==',
          'Sec-WebSocket-Version: 13',
          `Authorization: Bearer ${viewer.key}`,
          '',
          '',
        ].join('\r\n'),
      );
      try {
        await waitUntil(() => response.startsWith('HTTP/1.1 101'));
        await deadClosed;
        expect(h.hub.stats().disconnects.heartbeat).toBe(1);
        await new Promise((r) => setTimeout(r, 1200));
        expect(live.ws.readyState).toBe(live.ws.OPEN);
        expect(harness.hub.stats().clients).toBe(1);
      } finally {
        dead.destroy();
      }
    });

    it('disconnects (4001) the connections of a key revoked while connected', async () => {
      h = await startHarness(store);
      const k = await store.create({ role: 'viewer' });
      const doomed = await connect(h, { key: k.key });
      const doomed2 = await connect(h, { protocols: ['argus.v1', `bearer.${k.key}`] });
      const stays = await connect(h, { key: viewer.key });
      store.revoke(k.id);
      for (const c of [doomed, doomed2]) {
        expect(await c.closed).toEqual({ code: 4001, reason: 'api key revoked' });
      }
      expect((await expectRefused(h, { key: k.key })).status).toBe(401);
      await stays.subscribe();
      expect(h.hub.stats().disconnects.revoked).toBe(2);
    });
  });

  it('reports stats and closes every client with 1001 on shutdown', async () => {
    h = await startHarness(store);
    const a = await connect(h, { key: viewer.key });
    const b = await connect(h, { key: other.key });
    h.hub.publish(alertInput());
    expect(h.hub.stats()).toMatchObject({ clients: 2, published: 1, lastEventId: 1, historySize: 1000 });
    await h.alerts.close();
    expect((await a.closed).code).toBe(1001);
    expect((await b.closed).code).toBe(1001);
    expect(h.hub.stats()).toMatchObject({ clients: 0, disconnects: { shutdown: 2 } });
  });
});
