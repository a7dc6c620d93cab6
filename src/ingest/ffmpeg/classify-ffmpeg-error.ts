import { ArgusError } from '../../errors/argus-error';
import type { ErrorCode } from '../../errors/error-catalogue';
import { redactText } from '../redact-url';

export interface FfmpegExit {
  /** Exit code; null when killed by a signal. */
  exitCode?: number | null;
  signal?: NodeJS.Signals | null;
  /** How long the process ran. */
  elapsedMs?: number;
  /** The input's I/O timeout, if it has one (see the "Invalid data" rule below). */
  ioTimeoutMs?: number;
}

export interface FfmpegError {
  code: ErrorCode;
  message: string;
}

const UNREACHABLE =
  /Failed to resolve hostname|Name or service not known|Temporary failure in name resolution|No route to host|Network is unreachable|Host is unreachable|Connection timed out|Operation timed out/i;

interface Rule {
  code: ErrorCode;
  test: RegExp;
}

/**
 * First rule that matches any line wins (its last matching line is the detail): FFmpeg's last line is often generic
 * ("Input/output error") while an earlier one says what happened ("Failed to resolve hostname").
 * The texts are those of FFmpeg 4.1 and 5.1, recorded in test/unit/ingest/fixtures.
 */
const RULES: readonly Rule[] = [
  { code: 'ARGUS_E_SOURCE_AUTH', test: /\b401 Unauthorized\b|\b403 Forbidden\b|authorization failed/i },
  { code: 'ARGUS_E_SOURCE_NOT_FOUND', test: /\b404 Not Found\b/i },
  { code: 'ARGUS_E_SOURCE_REFUSED', test: /Connection refused/i },
  { code: 'ARGUS_E_SOURCE_UNREACHABLE', test: UNREACHABLE },
  {
    code: 'ARGUS_E_SOURCE_NO_VIDEO',
    test: /does not contain any stream|Stream map '[^']*' matches no streams|matches no streams/i,
  },
  { code: 'ARGUS_E_SOURCE_INVALID_DATA', test: /Invalid data found when processing input/i },
];

const MAX_DETAIL = 300;

/**
 * Maps the end of an FFmpeg run (its last stderr lines and how it exited) to a catalogued error.
 * Pure. Lines are redacted again here (userinfo and secret query values of any URL) in case the
 * caller's secret list missed one; pass lines already scrubbed with redactText and the source's
 * secrets.
 *
 * "Invalid data found when processing input" has two causes that only timing tells apart: a
 * server that answered at once with something that is not media (an HTML page: a configuration
 * error, not retried) and an RTSP server that accepted the connection and then said nothing
 * until the I/O timeout (a hung camera: retried, as ARGUS_E_SOURCE_UNREACHABLE). Measured on
 * FFmpeg 4.1 and 5.1: both print exactly that line.
 */
export function classifyFfmpegError(stderrTail: readonly string[], exit: FfmpegExit = {}): FfmpegError {
  const lines = stderrTail.map((l) => redactText(l).trim()).filter((l) => l !== '');
  if (exit.exitCode === 0) {
    // FFmpeg exits 0 when an RTSP server dies or hangs past the timeout (measured on 4.1 and
    // 5.1): the source worked, so only "it went away" readings apply, never a configuration error.
    const timeout = lines.find((l) => UNREACHABLE.test(l));
    return timeout === undefined
      ? error('ARGUS_E_SOURCE_ENDED', {})
      : error('ARGUS_E_SOURCE_UNREACHABLE', { detail: clip(timeout) });
  }
  for (const rule of RULES) {
    const line = lines.findLast((l) => rule.test.test(l));
    if (line === undefined) continue;
    const detail = clip(line);
    if (rule.code === 'ARGUS_E_SOURCE_INVALID_DATA' && timedOut(exit)) {
      return error('ARGUS_E_SOURCE_UNREACHABLE', {
        detail: `no answer within the ${Math.round((exit.ioTimeoutMs ?? 0) / 1000)} s I/O timeout (${detail})`,
      });
    }
    return error(rule.code, { detail });
  }
  const exitText = exit.signal ? `killed by ${exit.signal}` : `exit code ${exit.exitCode ?? 'unknown'}`;
  return error('ARGUS_E_FFMPEG_FAILED', {
    exit: exitText,
    detail: clip(lines.at(-1) ?? 'no output on stderr'),
  });
}

function timedOut(exit: FfmpegExit): boolean {
  if (exit.elapsedMs === undefined || exit.ioTimeoutMs === undefined || exit.ioTimeoutMs <= 0) return false;
  // A little slack: the process's measured run time starts before FFmpeg arms its timer.
  return exit.elapsedMs >= exit.ioTimeoutMs * 0.9;
}

function clip(line: string): string {
  return line.length > MAX_DETAIL ? `${line.slice(0, MAX_DETAIL)}...` : line;
}

function error(code: ErrorCode, details: Record<string, string>): FfmpegError {
  return { code, message: new ArgusError(code, details).message };
}
