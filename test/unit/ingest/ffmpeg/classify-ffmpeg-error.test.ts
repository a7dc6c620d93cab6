import { ERROR_CATALOGUE } from '../../../../src/errors/error-catalogue';
import { classifyFfmpegError } from '../../../../src/ingest/ffmpeg/classify-ffmpeg-error';
import { stderrFixture } from '../stderr-fixture';

/** Classifies a recorded run as the supervisor would: its tail, exit code and run time. */
function classify(name: string, ioTimeoutMs?: number) {
  const f = stderrFixture(name);
  return classifyFfmpegError(f.lines.slice(-20), {
    exitCode: f.exitCode,
    elapsedMs: f.elapsedMs,
    ioTimeoutMs,
  });
}

describe('classifyFfmpegError on recorded FFmpeg runs', () => {
  it.each([
    // name, I/O timeout of that run, expected code
    ['rtsp-refused', 5000, 'ARGUS_E_SOURCE_REFUSED'],
    ['rtsp-401', 5000, 'ARGUS_E_SOURCE_AUTH'],
    ['rtsp-404', 5000, 'ARGUS_E_SOURCE_NOT_FOUND'],
    ['rtsp-to-http-page', 5000, 'ARGUS_E_SOURCE_INVALID_DATA'],
    ['http-page', undefined, 'ARGUS_E_SOURCE_INVALID_DATA'],
    ['rtsp-silent-server', 2000, 'ARGUS_E_SOURCE_UNREACHABLE'],
    ['audio-only-file', undefined, 'ARGUS_E_SOURCE_NO_VIDEO'],
    ['rtsp-listen-no-publisher', undefined, 'ARGUS_E_SOURCE_UNREACHABLE'],
    ['rtsp-server-killed', 5000, 'ARGUS_E_SOURCE_ENDED'],
    ['file-ok', undefined, 'ARGUS_E_SOURCE_ENDED'],
  ])('%s -> %s', (name, timeout, code) => {
    for (const version of ['5.1', '4.1']) {
      expect({ version, code: classify(`${name}.${version}`, timeout).code }).toEqual({ version, code });
    }
  });

  it('reads the name-resolution failure from an earlier line than the generic last one (5.1)', () => {
    const e = classify('rtsp-unresolvable.5.1', 5000);
    expect(e.code).toBe('ARGUS_E_SOURCE_UNREACHABLE');
    expect(e.message).toContain('Failed to resolve hostname nonexistent.invalid');
  });

  it('reports the npm 4.1 static build crashing on host names (exit 139, no stderr) as FFMPEG_FAILED', () => {
    const f = stderrFixture('rtsp-unresolvable.4.1');
    expect(f.exitCode).toBe(139);
    expect(classifyFfmpegError(f.lines, { exitCode: null, signal: 'SIGSEGV' })).toEqual({
      code: 'ARGUS_E_FFMPEG_FAILED',
      message: 'FFmpeg failed (killed by SIGSEGV): no output on stderr',
    });
  });

  it('a hung server with -timeout: FFmpeg 5.1 exits 0 after "Connection timed out": unreachable, not ended', () => {
    expect(classify('rtsp-server-hung.5.1', 2000).code).toBe('ARGUS_E_SOURCE_UNREACHABLE');
    // 4.1 prints nothing about it: it reads as a normal end, which reconnects all the same.
    expect(classify('rtsp-server-hung.4.1', 2000).code).toBe('ARGUS_E_SOURCE_ENDED');
  });

  it('tells a hung RTSP server from an HTML page only by timing', () => {
    const line = ['rtsp://127.0.0.1:5/x: Invalid data found when processing input'];
    expect(classifyFfmpegError(line, { exitCode: 1, elapsedMs: 150, ioTimeoutMs: 5000 }).code).toBe(
      'ARGUS_E_SOURCE_INVALID_DATA',
    );
    const hung = classifyFfmpegError(line, { exitCode: 1, elapsedMs: 5100, ioTimeoutMs: 5000 });
    expect(hung.code).toBe('ARGUS_E_SOURCE_UNREACHABLE');
    expect(hung.message).toContain('no answer within the 5 s I/O timeout');
    expect(classifyFfmpegError(line, { exitCode: 1, elapsedMs: 9000 }).code).toBe(
      'ARGUS_E_SOURCE_INVALID_DATA',
    );
  });

  it('keeps auth errors non-retryable and network errors retryable, as the state machine expects', () => {
    const retryable = (name: string, t?: number) => ERROR_CATALOGUE[classify(name, t).code].retryable;
    expect(retryable('rtsp-401.5.1', 5000)).toBe(false);
    expect(retryable('audio-only-file.5.1')).toBe(false);
    expect(retryable('rtsp-to-http-page.5.1', 5000)).toBe(false);
    expect(retryable('rtsp-refused.5.1', 5000)).toBe(true);
    expect(retryable('rtsp-404.5.1', 5000)).toBe(true);
    expect(retryable('rtsp-silent-server.5.1', 2000)).toBe(true);
    expect(retryable('rtsp-server-killed.5.1', 5000)).toBe(true);
  });

  it('never puts credentials in the message, even when the caller forgot to redact', () => {
    const e = classify('rtsp-401.5.1', 5000);
    expect(e.message).toContain('401 Unauthorized');
    expect(e.message).not.toMatch(/wrong|s3cret|argus:/);
    expect(e.message).toContain('rtsp://***@127.0.0.1');
  });

  it('falls back to ARGUS_E_FFMPEG_FAILED with the last line and the exit code', () => {
    const e = classifyFfmpegError(['Some header', 'rtsp://cam/x: Server returned 5XX Server Error reply'], {
      exitCode: 1,
    });
    expect(e).toEqual({
      code: 'ARGUS_E_FFMPEG_FAILED',
      message: 'FFmpeg failed (exit code 1): rtsp://cam/x: Server returned 5XX Server Error reply',
    });
    expect(classifyFfmpegError([], {}).message).toBe(
      'FFmpeg failed (exit code unknown): no output on stderr',
    );
  });

  it('clips a very long line', () => {
    const e = classifyFfmpegError([`x${'y'.repeat(1000)}`], { exitCode: 1 });
    expect(e.message.length).toBeLessThan(400);
  });
});
