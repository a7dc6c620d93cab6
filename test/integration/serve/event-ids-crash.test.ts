import { rmSync } from 'node:fs';
import { ApiKeyStore } from '../../../src/auth/api-key-store';
import { fixture } from '../../helpers/fixtures';
import {
  descendants,
  newDataDir,
  type ServeProcess,
  startServe,
  subscriber,
  until,
} from '../../helpers/serve-process';

/**
 * Event ids never repeat, even across a crash: a client that saw stream-status events before
 * `kill -9` must not see those ids reused afterwards (its `resume` would skip real events). Real
 * `argus serve` child processes, a looping file source, SIGKILL between them.
 */
let serve: ServeProcess | undefined;
let dataDir: string;
let key: string;

beforeAll(async () => {
  dataDir = newDataDir('argus-ids-');
  const keys = ApiKeyStore.open(dataDir);
  try {
    key = (await keys.create({ role: 'viewer', label: 'ids' })).key;
  } finally {
    keys.close();
  }
});

afterAll(async () => {
  await serve?.stop();
  for (const pid of orphans) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  rmSync(dataDir, { recursive: true, force: true });
}, 60_000);

/** FFmpeg children of a server killed with SIGKILL: no longer its descendants once it is gone. */
const orphans: number[] = [];

const config = {
  streams: [{ id: 'cam1', url: fixture('face_recognition', 'short_hamilton_clip.mp4'), loop: true }],
};

async function lastStatusId(s: ServeProcess): Promise<number> {
  const sub = await subscriber(s.wsUrl, key);
  // The stream may have gone live before this client connected: replay the history too.
  sub.ws.send(JSON.stringify({ type: 'resume', lastEventId: 0 }));
  try {
    const live = await until('a live stream-status event', 120_000, () =>
      sub.messages.find((m) => m.type === 'stream-status' && m.state === 'live'),
    );
    return live.eventId as number;
  } finally {
    sub.close();
  }
}

describe('event ids after a crash', () => {
  it('continue above every id published before kill -9', async () => {
    serve = await startServe({ dataDir, config });
    const before = await lastStatusId(serve);
    expect(before).toBeGreaterThan(0);
    orphans.push(...descendants(serve.pid));
    process.kill(serve.pid, 'SIGKILL');
    await serve.stop();

    serve = await startServe({ dataDir, config });
    const sub = await subscriber(serve.wsUrl, key);
    const subscribed = await until('subscribed', 30_000, () =>
      sub.messages.find((m) => m.type === 'subscribed'),
    );
    sub.close();
    expect(subscribed.lastEventId as number).toBeGreaterThanOrEqual(before);
    expect(await lastStatusId(serve)).toBeGreaterThan(before);
  }, 400_000);
});
