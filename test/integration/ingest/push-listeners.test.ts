import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { Writable } from 'node:stream';
import pino from 'pino';
import type { StreamState } from '../../../src/ingest/stream-state';
import type { StreamSupervisor } from '../../../src/ingest/stream-supervisor';
import { fixture } from '../../helpers/fixtures';
import { stopAllStreams, superviseStream } from '../../helpers/supervised-stream';
import { waitFor } from '../../helpers/wait-for';

/**
 * Push sources: Argus listens (rtsp-listen:, rtmp-listen:) and a camera publishes to it. A real
 * FFmpeg plays the publisher. Every wait polls with a generous timeout: these run on a busy
 * 2-core machine, and nothing here asserts exact timings.
 */

const CLIP = fixture('face_recognition', 'short_hamilton_clip.mp4');
/** Short, so the "listener is not killed while waiting" checks stay quick. */
const WATCHDOG_SEC = 2;
const SLOW = 60_000;

// ---- publishers: real FFmpeg processes, every one SIGKILLed after each test ----

const publishers = new Set<ChildProcess>();

interface Publisher {
  readonly child: ChildProcess;
  /** SIGKILL (a camera losing power: no RTSP TEARDOWN, no RTMP close); resolves once it has exited. */
  kill(): Promise<void>;
}

/** Publishes the clip in real time, looping so it never ends by itself, until killed. */
function publish(format: 'rtsp' | 'flv', url: string): Publisher {
  const child = spawn(
    'ffmpeg',
    [
      ...['-hide_banner', '-nostdin', '-loglevel', 'error'],
      ...['-re', '-stream_loop', '-1', '-i', CLIP],
      ...['-an', '-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'zerolatency', '-g', '10'],
      ...(format === 'rtsp' ? ['-f', 'rtsp', '-rtsp_transport', 'tcp'] : ['-f', 'flv']),
      url,
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  publishers.add(child);
  child.stderr!.resume();
  child.once('exit', () => publishers.delete(child));
  child.once('error', () => publishers.delete(child));
  return { child, kill: () => killAndWait(child) };
}

function killAndWait(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

async function killAllPublishers(): Promise<void> {
  await Promise.all([...publishers].map(killAndWait));
}

// Last resort if the worker exits without running the hooks.
process.once('exit', () => {
  for (const child of publishers) child.kill('SIGKILL');
});

/**
 * Keeps a publisher running until `done()` holds: a publisher that exits early (it raced the
 * listener's bind, or the listener was between processes) is started again.
 */
async function publishUntil(
  format: 'rtsp' | 'flv',
  url: string,
  what: string,
  done: () => boolean,
): Promise<Publisher> {
  let pub = publish(format, url);
  await waitFor(
    what,
    () => {
      if (done()) return true;
      if (pub.child.exitCode !== null || pub.child.signalCode !== null) pub = publish(format, url);
      return false;
    },
    SLOW,
    100,
  );
  return pub;
}

// ---- ports and sockets ----

/** A port nothing listens on right now (the OS picks it). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as { port: number };
  await new Promise((r) => server.close(r));
  return port;
}

/**
 * True when a socket listens on 127.0.0.1:port, read from /proc/net/tcp so the listener is not
 * disturbed: a probe connection would be an FFmpeg listener's one and only client.
 */
function listening(port: number): boolean {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  let table: string;
  try {
    table = readFileSync('/proc/net/tcp', 'utf8');
  } catch {
    return true; // no procfs: let the publisher retry instead
  }
  return table.split('\n').some((line) => {
    const cols = line.trim().split(/\s+/);
    return (cols[1] === `0100007F:${hexPort}` || cols[1] === `00000000:${hexPort}`) && cols[3] === '0A';
  });
}

// ---- observing a supervisor ----

interface Watched {
  frames(): number;
  /** Every state the supervisor entered, in order. */
  states: StreamState[];
}

function watch(s: StreamSupervisor): Watched {
  let n = 0;
  const states: StreamState[] = [];
  s.onFrame(() => n++);
  s.onStatus((snap) => states.push(snap.state));
  return { frames: () => n, states };
}

/** A pino logger at debug level writing into `lines`, with no redaction of its own. */
function captureLogger(lines: string[]): pino.Logger {
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      lines.push(chunk.toString());
      cb();
    },
  });
  return pino({ level: 'debug' }, sink);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The whole life of a push source: a listener that waits without being killed, a publisher whose
 * frames arrive, its sudden death, the listener respawned, and the next publisher's frames.
 */
async function publisherCycle(
  s: StreamSupervisor,
  w: Watched,
  format: 'rtsp' | 'flv',
  publishUrl: string,
  port: number,
): Promise<void> {
  await waitFor('the listener to bind', () => listening(port), SLOW);
  // No publisher for longer than the watchdog: still the same process, never restarted.
  await sleep((WATCHDOG_SEC + 2) * 1000);
  expect(s.snapshot().state).toBe('starting');
  expect(s.snapshot().restarts).toBe(0);
  expect(w.states).not.toContain('reconnecting');

  const first = await publishUntil(
    format,
    publishUrl,
    '5 frames from the first publisher',
    () => w.frames() >= 5,
  );
  expect(s.snapshot().state).toBe('live');
  expect(s.snapshot().restarts).toBe(0);

  const statesBefore = w.states.length;
  await first.kill();
  await waitFor('the listener to be respawned', () => s.snapshot().restarts >= 1, SLOW);
  await waitFor('the new listener to bind', () => listening(port), SLOW);
  const after = w.states.slice(statesBefore);
  expect(after).toContain('reconnecting');
  expect(after.lastIndexOf('starting')).toBeGreaterThan(after.indexOf('reconnecting'));
  expect(s.snapshot().state).toBe('starting');

  // Waiting for the next publisher is not a stall either.
  const restarts = s.snapshot().restarts;
  await sleep((WATCHDOG_SEC + 2) * 1000);
  expect(s.snapshot().restarts).toBe(restarts);
  expect(s.snapshot().state).toBe('starting');

  const before = w.frames();
  await publishUntil(
    format,
    publishUrl,
    '5 frames from the second publisher',
    () => w.frames() >= before + 5,
  );
  expect(s.snapshot().state).toBe('live');
  expect(w.states).not.toContain('failed');
  expect(s.snapshot().width).toBe(640);
  expect(s.snapshot().height).toBe(360);
}

describe('push sources (rtsp-listen, rtmp-listen) with real FFmpeg publishers', () => {
  afterEach(async () => {
    await killAllPublishers();
    await stopAllStreams();
  });

  it('rtsp-listen: frames from a publisher, respawned when it dies, frames from the next one', async () => {
    const port = await freePort();
    const s = await superviseStream({
      url: `rtsp-listen://127.0.0.1:${port}/live`,
      watchdogSec: WATCHDOG_SEC,
    });
    const w = watch(s);
    await publisherCycle(s, w, 'rtsp', `rtsp://127.0.0.1:${port}/live`, port);
  });

  it('rtmp-listen: the same, and the stream key never shows in the status or the logs', async () => {
    const key = 'k3y-Secret-8c1f';
    const port = await freePort();
    const logLines: string[] = [];
    const snapshots: string[] = [];
    const s = await superviseStream(
      { url: `rtmp-listen://127.0.0.1:${port}/live/${key}`, watchdogSec: WATCHDOG_SEC },
      { logger: captureLogger(logLines) },
    );
    s.onStatus((snap) => snapshots.push(JSON.stringify(snap)));
    const w = watch(s);
    await publisherCycle(s, w, 'flv', `rtmp://127.0.0.1:${port}/live/${key}`, port);

    snapshots.push(JSON.stringify(s.snapshot()));
    expect(s.snapshot().url).toBe(`rtmp-listen://127.0.0.1:${port}/live/***`);
    // The logs did record the publisher leaving (so there was something to leak).
    expect(logLines.join('')).toContain('stream source lost');
    for (const text of [...snapshots, ...logLines]) expect(text).not.toContain(key);
  });

  it('stop() while waiting for a publisher ends the listener process', async () => {
    const port = await freePort();
    const s = await superviseStream({
      url: `rtsp-listen://127.0.0.1:${port}/live`,
      watchdogSec: WATCHDOG_SEC,
    });
    await waitFor('the listener to bind', () => listening(port), SLOW);
    await s.stop();
    expect(s.snapshot().state).toBe('stopped');
    await waitFor('the port to be free', () => !listening(port), 15_000);
  });
});
