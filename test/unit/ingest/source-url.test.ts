import { ArgusError } from '../../../src/errors/argus-error';
import { parseSourceUrl, rtspInputUrl, type SourceUrl, secretsOf } from '../../../src/ingest/source-url';

function failure(raw: string): ArgusError {
  try {
    parseSourceUrl(raw);
  } catch (err) {
    if (err instanceof ArgusError) return err;
    throw err;
  }
  throw new Error(`${raw} parsed`);
}

describe('parseSourceUrl', () => {
  it.each<[string, SourceUrl]>([
    [
      'rtsp://cam.local/stream1',
      { kind: 'rtsp', secure: false, host: 'cam.local', port: 554, path: '/stream1' },
    ],
    [
      'rtsp://10.0.0.5:8554/live',
      { kind: 'rtsp', secure: false, host: '10.0.0.5', port: 8554, path: '/live' },
    ],
    ['rtsps://cam.local/s', { kind: 'rtsp', secure: true, host: 'cam.local', port: 322, path: '/s' }],
    ['RTSP://cam', { kind: 'rtsp', secure: false, host: 'cam', port: 554, path: '/' }],
    ['rtsp://[::1]:554/x', { kind: 'rtsp', secure: false, host: '[::1]', port: 554, path: '/x' }],
    [
      'rtsp://cam/cam/realmonitor?channel=1&subtype=0',
      { kind: 'rtsp', secure: false, host: 'cam', port: 554, path: '/cam/realmonitor?channel=1&subtype=0' },
    ],
    [
      'rtsp-listen://0.0.0.0:8554/bodycam',
      { kind: 'rtsp-listen', host: '0.0.0.0', port: 8554, path: '/bodycam' },
    ],
    [
      'rtmp-listen://127.0.0.1:1935/live/k3y',
      { kind: 'rtmp-listen', host: '127.0.0.1', port: 1935, app: 'live', key: 'k3y' },
    ],
    [
      'rtmp-listen://127.0.0.1/a/b/key',
      { kind: 'rtmp-listen', host: '127.0.0.1', port: 1935, app: 'a/b', key: 'key' },
    ],
    ['file:///srv/clips/door%20cam.mp4', { kind: 'file', path: '/srv/clips/door cam.mp4' }],
    ['/srv/clips/door.MKV', { kind: 'file', path: '/srv/clips/door.MKV' }],
    ['clips/Body cam 3.mp4', { kind: 'file', path: 'clips/Body cam 3.mp4' }],
    ['./a.y4m', { kind: 'file', path: './a.y4m' }],
    ['whip:bodycam-7', { kind: 'whip', streamId: 'bodycam-7' }],
    ['whip://bodycam_7', { kind: 'whip', streamId: 'bodycam_7' }],
    ['whep+http://127.0.0.1:8889/cam1/whep', { kind: 'whep', endpoint: 'http://127.0.0.1:8889/cam1/whep' }],
    [
      'whep+https://relay.example/cam1/whep?x=1',
      { kind: 'whep', endpoint: 'https://relay.example/cam1/whep?x=1' },
    ],
  ])('parses %s', (raw, expected) => {
    expect(parseSourceUrl(raw)).toEqual(expected);
  });

  it('keeps credentials apart, percent-decoded, including an "@" in the password', () => {
    expect(parseSourceUrl('rtsp://admin:p@ss%2Fw0rd@cam/s')).toEqual({
      kind: 'rtsp',
      secure: false,
      host: 'cam',
      port: 554,
      path: '/s',
      credentials: { username: 'admin', password: 'p@ss/w0rd' },
    });
    expect(parseSourceUrl('whep+http://u:pw@h:1/w')).toEqual({
      kind: 'whep',
      endpoint: 'http://h:1/w',
      credentials: { username: 'u', password: 'pw' },
    });
  });

  it.each([
    ['', 'the URL is empty'],
    ['rtsp://cam:99999/x', 'port must be a number from 1 to 65535'],
    ['rtsp://admin:hunter2@cam:abc/x', 'port must be a number from 1 to 65535'],
    ['rtsp://cam:0/x', 'port must be a number from 1 to 65535'],
    ['rtsp:///x', 'the host is missing'],
    ['rtsp:cam/x', 'expected SCHEME://HOST[:PORT]/PATH'],
    ['rtsp://cam/a b', 'contains spaces'],
    ['rtsp://cam/\nx', 'control characters'],
    ['rtmp-listen://0.0.0.0:1935/live', 'needs /APP/KEY'],
    ['rtsp-listen://u:p@0.0.0.0:8554/x', 'takes no user name or password'],
    ['whip:', 'WHIP stream id'],
    ['whip:../../etc', 'WHIP stream id'],
    ['file://nas/share/a.mp4', 'local file'],
    ['camera-7', 'no scheme'],
    ['rtsp://u:%zz@cam/x', 'bad percent-encoding'],
  ])('rejects %j as ARGUS_E_SOURCE_URL_INVALID (%s)', (raw, reason) => {
    const err = failure(raw);
    expect(err.code).toBe('ARGUS_E_SOURCE_URL_INVALID');
    expect(err.status).toBe(400);
    expect(err.message).toContain(reason);
  });

  it('never echoes credentials in the error, its details or its cause', () => {
    for (const raw of [
      'rtsp://admin:hunter2@cam:99999/x',
      'rtsp://admin:hunter2@cam/a b',
      'rtsp://admin:hunter2@:554/x',
      'rtsp-listen://admin:hunter2@0.0.0.0:8554/x',
    ]) {
      const err = failure(raw);
      const everything = JSON.stringify({
        m: err.message,
        d: err.details,
        c: String(err.cause),
        s: err.stack,
      });
      expect(everything).not.toContain('hunter2');
      expect(everything).not.toContain('admin');
    }
  });

  it('rejects other schemes as ARGUS_E_SOURCE_SCHEME_UNSUPPORTED, listing the supported ones', () => {
    for (const raw of ['http://cam/x.mp4', 'rtmp://host/live/key', 'srt://h:1']) {
      const err = failure(raw);
      expect(err.code).toBe('ARGUS_E_SOURCE_SCHEME_UNSUPPORTED');
      expect(err.message).toContain(
        'rtsp, rtsps, rtsp-listen, rtmp-listen, file, whip, whep+http, whep+https',
      );
    }
  });
});

describe('secretsOf and rtspInputUrl', () => {
  it('lists what redactText must scrub for a source', () => {
    expect(secretsOf(parseSourceUrl('rtsp://admin:pw@cam/x'))).toEqual(['pw', 'admin']);
    expect(secretsOf(parseSourceUrl('rtmp-listen://0.0.0.0:1935/live/k3y'))).toEqual(['k3y']);
    expect(secretsOf(parseSourceUrl('whip:abc'))).toEqual([]);
  });

  it('puts the credentials back, percent-encoded, for FFmpeg', () => {
    const src = parseSourceUrl('rtsp://admin:p@ss%2Fw@cam/s?ch=1');
    if (src.kind !== 'rtsp') throw new Error('not rtsp');
    expect(rtspInputUrl(src)).toBe('rtsp://admin:p%40ss%2Fw@cam:554/s?ch=1');
    expect(rtspInputUrl({ ...src, credentials: undefined, secure: true, port: 322 })).toBe(
      'rtsps://cam:322/s?ch=1',
    );
  });
});
