import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { StreamOptions } from '../../../src/ingest/stream-options';
import type { StreamRuntime } from '../../../src/pipeline/stream-runtime';
import { StreamManager, streamsFile } from '../../../src/serve/stream-manager';

/** StreamManager with runtimes that only record start/stop (the real ones spawn FFmpeg). */
class FakeRuntime {
  started = 0;
  stopped = 0;
  constructor(readonly options: StreamOptions) {}
  get id() {
    return this.options.id;
  }
  start() {
    this.started++;
  }
  async stop() {
    this.stopped++;
  }
  info(enabled: boolean) {
    return { id: this.id, url: this.options.url.replace(/\/\/.*@/, '//***@'), enabled, state: 'live' };
  }
}

let dir: string;
let made: FakeRuntime[];
const factory = (o: StreamOptions) => {
  const r = new FakeRuntime(o);
  made.push(r);
  return r as unknown as StreamRuntime;
};
const cfgStream = { id: 'cfg', url: 'rtsp://cam/x', enabled: true } as never;

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'argus-streams-'));
  made = [];
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('StreamManager', () => {
  it('starts config streams, persists API streams (0600, with credentials) and restores them', async () => {
    const m = new StreamManager(dir, factory);
    m.load([{ ...(cfgStream as object), fps: 10 } as never]);
    await m.create({ id: 'api1', url: 'rtsp://user:secret@cam2/live' });
    await m.create({ id: 'api2', url: 'rtsp://cam3/live', enabled: false });
    expect(made.map((r) => [r.id, r.started])).toEqual([
      ['cfg', 1],
      ['api1', 1],
      ['api2', 0],
    ]);
    const file = streamsFile(dir);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const saved = JSON.parse(readFileSync(file, 'utf8')) as Array<{ id: string; url: string }>;
    expect(saved.map((s) => s.id)).toEqual(['api1', 'api2']);
    expect(saved[0]!.url).toContain('secret');
    expect(m.get('api1').url).not.toContain('secret');

    made = [];
    const again = new StreamManager(dir, factory);
    again.load([]);
    expect(again.list().map((s) => [s.id, s.enabled])).toEqual([
      ['api1', true],
      ['api2', false],
    ]);
    expect(made.map((r) => r.started)).toEqual([1, 0]);
  });

  it('refuses duplicates, unknown ids, bad specs and changes to config streams with stable codes', async () => {
    const m = new StreamManager(dir, factory);
    m.load([cfgStream]);
    await expect(m.create({ id: 'cfg', url: 'rtsp://x/y' })).rejects.toMatchObject({
      code: 'ARGUS_E_CONFLICT',
    });
    await expect(m.create({ id: 'bad id!', url: 'rtsp://x/y' })).rejects.toMatchObject({
      code: 'ARGUS_E_HTTP_BAD_REQUEST',
    });
    await expect(m.create({ id: 'ok', url: 'gopher://x/y' })).rejects.toMatchObject({
      code: 'ARGUS_E_SOURCE_SCHEME_UNSUPPORTED',
    });
    await expect(m.create({ id: 'ok', url: 'rtsp://x/y', fps: 'fast' } as never)).rejects.toMatchObject({
      code: 'ARGUS_E_HTTP_BAD_REQUEST',
    });
    expect(() => m.get('nope')).toThrow(expect.objectContaining({ code: 'ARGUS_E_NOT_FOUND' }));
    await expect(m.delete('cfg')).rejects.toMatchObject({ code: 'ARGUS_E_CONFLICT' });
    await expect(m.update('cfg', { fps: 5 })).rejects.toMatchObject({ code: 'ARGUS_E_CONFLICT' });
    // Start/stop of a config stream is allowed.
    expect((await m.stop('cfg')).enabled).toBe(false);
    expect(made[0]!.stopped).toBe(1);
  });

  it('update replaces the runtime; delete stops it and forgets the stream', async () => {
    const m = new StreamManager(dir, factory);
    m.load([]);
    await m.create({ id: 's', url: 'rtsp://cam/a' });
    await m.update('s', { url: 'rtsp://cam/b', fps: 5 });
    expect(made).toHaveLength(2);
    expect(made[0]!.stopped).toBe(1);
    expect(made[1]!.options).toMatchObject({ url: 'rtsp://cam/b', fps: 5 });
    await m.delete('s');
    expect(made[1]!.stopped).toBe(1);
    expect(m.list()).toEqual([]);
    expect(JSON.parse(readFileSync(streamsFile(dir), 'utf8'))).toEqual([]);
  });
});
