import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { redactText, redactUrl } from '../../../src/ingest/redact-url';

describe('redactUrl', () => {
  it.each([
    ['rtsp://admin:hunter2@cam/stream', 'rtsp://***@cam/stream'],
    ['rtsp://admin@cam:554/stream', 'rtsp://***@cam:554/stream'],
    ['rtsp://admin:p@ss@cam/s', 'rtsp://***@cam/s'],
    ['rtsp://admin:pa/ss@cam/s', 'rtsp://***@cam/s'],
    ['rtsp://cam/stream', 'rtsp://cam/stream'],
    [
      'rtsp://cam/s?channel=1&password=x&Token=y&apikey=z&subtype=0',
      'rtsp://cam/s?channel=1&password=***&Token=***&apikey=***&subtype=0',
    ],
    ['whep+https://u:p@relay/w?auth=abc#frag', 'whep+https://***@relay/w?auth=***#frag'],
    ['rtmp-listen://0.0.0.0:1935/live/streamkey', 'rtmp-listen://0.0.0.0:1935/live/***'],
    ['rtmp-listen://0.0.0.0:1935/live', 'rtmp-listen://0.0.0.0:1935/live'],
    ['rtsp://[::1]:8554/x', 'rtsp://[::1]:8554/x'],
    ['file:///srv/a.mp4', 'file:///srv/a.mp4'],
    ['whip:bodycam-1', 'whip:bodycam-1'],
    ['/srv/clips/a.mp4', '/srv/clips/a.mp4'],
    ['admin:hunter2@cam/x', '***@cam/x'],
  ])('%s -> %s', (input, expected) => {
    expect(redactUrl(input)).toBe(expected);
  });

  it.each([
    ['rtsp://admin:hunter2', 'rtsp://[unparseable]'],
    ['rtsp://admin:hunter2 x@cam', 'rtsp://[unparseable]'],
    ['rtsp://ad min:hunter2/x', 'rtsp://[unparseable]'],
    ['rtsp://cam/\u0000hunter2', 'rtsp://[unparseable]'],
    ['x\u0001hunter2', '[unparseable]'],
  ])('replaces unparseable %j by a placeholder with nothing after ://', (input, expected) => {
    expect(redactUrl(input)).toBe(expected);
  });

  it('never throws, whatever it is given', () => {
    for (const input of [
      undefined,
      null,
      42,
      {},
      '',
      '://',
      '@',
      '?',
      'rtsp://',
      'rtsp://@',
      '\u0000'.repeat(5),
    ]) {
      expect(() => redactUrl(input as unknown as string)).not.toThrow();
    }
  });
});

describe('redactText', () => {
  it('scrubs the secrets, raw and percent-encoded, longest first', () => {
    const line = 'rtsp://admin:p%40ss@10.0.0.5/s: Server returned 401 Unauthorized (user admin, p@ss)';
    expect(redactText(line, ['p@ss', 'admin'])).toBe(
      'rtsp://***@10.0.0.5/s: Server returned 401 Unauthorized (user ***, ***)',
    );
  });

  it('scrubs userinfo and secret query values of any URL even with no secret list', () => {
    expect(redactText("Input #0, rtsp, from 'rtsp://argus:s3cret@127.0.0.1:5/x?token=abc&ch=1':")).toBe(
      "Input #0, rtsp, from 'rtsp://***@127.0.0.1:5/x?token=***&ch=1':",
    );
    expect(
      redactText('[tcp @ 0x5561a360bd80] Connection to tcp://127.0.0.1:39395?timeout=5000000 failed'),
    ).toBe('[tcp @ 0x5561a360bd80] Connection to tcp://127.0.0.1:39395?timeout=5000000 failed');
  });

  it('leaves no recorded credential in any FFmpeg fixture', () => {
    const dir = path.join(__dirname, 'fixtures');
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.txt'))) {
      const text = readFileSync(path.join(dir, file), 'utf8');
      const redacted = redactText(text, ['s3cret', 'wrong']);
      expect({ file, leaks: /s3cret|argus:wrong/.test(redacted) }).toEqual({ file, leaks: false });
    }
  });
});
