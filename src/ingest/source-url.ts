import { ArgusError } from '../errors/argus-error';
import { redactUrl } from './redact-url';

/** User name and password from a URL's userinfo, percent-decoded. Never logged: see redactUrl. */
export interface Credentials {
  username: string;
  password: string;
}

/** A stream source, parsed once from its URL. Credentials are kept apart from the rest. */
export type SourceUrl =
  | {
      kind: 'rtsp';
      /** rtsps:// (RTSP over TLS). */
      secure: boolean;
      host: string;
      /** 554 for rtsp://, 322 for rtsps:// when the URL has none (the IANA ports FFmpeg also defaults to). */
      port: number;
      /** Path with its query string (`/cam/realmonitor?channel=1`): cameras put stream selectors there. */
      path: string;
      credentials?: Credentials;
    }
  | { kind: 'rtsp-listen'; host: string; port: number; path: string }
  | { kind: 'rtmp-listen'; host: string; port: number; app: string; key: string }
  /** A path as given: absolute, or relative to the process's working directory. */
  | { kind: 'file'; path: string }
  | { kind: 'whip'; streamId: string }
  | {
      kind: 'whep' /** The WHEP endpoint without credentials, e.g. `http://host:8889/cam/whep`. */;
      endpoint: string;
      credentials?: Credentials;
    };

export const SUPPORTED_SCHEMES = [
  'rtsp',
  'rtsps',
  'rtsp-listen',
  'rtmp-listen',
  'file',
  'whip',
  'whep+http',
  'whep+https',
] as const;

const VIDEO_EXTENSIONS =
  /\.(mp4|m4v|mov|mkv|webm|avi|flv|ts|m2ts|mts|mpg|mpeg|3gp|y4m|ivf|h264|264|h265|265|hevc)$/i;
const SCHEME_RE = /^([A-Za-z][A-Za-z0-9+.-]*):/;
/** Used in `/whip/:streamId` routes and log lines: keep it to URL- and log-safe characters. */
const STREAM_ID_RE = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;
const MAX_URL_LENGTH = 4096;
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const CONTROL_CHARS = /[\u0000-\u001f\u007f]/;

/**
 * Parses a source URL into a SourceUrl. Throws ArgusError ARGUS_E_SOURCE_URL_INVALID (malformed;
 * the message shows the URL redacted and says what is wrong) or ARGUS_E_SOURCE_SCHEME_UNSUPPORTED.
 * No error carries the raw URL, not even as `cause` (Node's URL errors hold their input).
 */
export function parseSourceUrl(raw: string): SourceUrl {
  if (typeof raw !== 'string' || raw.trim() === '') throw invalid('', 'the URL is empty');
  if (raw.length > MAX_URL_LENGTH) throw invalid(raw, `the URL is longer than ${MAX_URL_LENGTH} characters`);
  if (CONTROL_CHARS.test(raw)) throw invalid(raw, 'the URL contains control characters');

  const scheme = SCHEME_RE.exec(raw)?.[1]?.toLowerCase();
  if (scheme === undefined) {
    // A plain path may hold spaces ("Body cam 3.mp4"); a URL may not.
    if (VIDEO_EXTENSIONS.test(raw)) return { kind: 'file', path: raw };
    throw invalid(raw, 'no scheme (rtsp://, whip:, ...) and not a path to a video file (.mp4, .mkv, ...)');
  }
  if (/\s/.test(raw)) throw invalid(raw, 'the URL contains spaces (percent-encode them as %20)');
  switch (scheme) {
    case 'rtsp':
    case 'rtsps':
      return parseRtsp(raw, scheme === 'rtsps');
    case 'rtsp-listen':
      return parseRtspListen(raw);
    case 'rtmp-listen':
      return parseRtmpListen(raw);
    case 'file':
      return parseFile(raw);
    case 'whip':
      return parseWhip(raw);
    case 'whep+http':
    case 'whep+https':
      return parseWhep(raw, scheme.slice('whep+'.length));
    default:
      throw new ArgusError('ARGUS_E_SOURCE_SCHEME_UNSUPPORTED', {
        scheme,
        supported: SUPPORTED_SCHEMES.join(', '),
      });
  }
}

/** The strings redactText must scrub from FFmpeg output for this source. */
export function secretsOf(source: SourceUrl): string[] {
  switch (source.kind) {
    case 'rtsp':
    case 'whep':
      return source.credentials ? [source.credentials.password, source.credentials.username] : [];
    case 'rtmp-listen':
      return [source.key];
    default:
      return [];
  }
}

/** The URL to hand FFmpeg: FFmpeg reads RTSP credentials only from the userinfo, so they go back in. */
export function rtspInputUrl(source: Extract<SourceUrl, { kind: 'rtsp' }>): string {
  const userinfo = source.credentials
    ? `${encodeURIComponent(source.credentials.username)}:${encodeURIComponent(source.credentials.password)}@`
    : '';
  return `${source.secure ? 'rtsps' : 'rtsp'}://${userinfo}${formatHost(source.host)}:${source.port}${source.path}`;
}

function parseRtsp(raw: string, secure: boolean): SourceUrl {
  const url = parseAuthorityUrl(raw);
  const credentials = credentialsOf(url, raw);
  return {
    kind: 'rtsp',
    secure,
    host: url.hostname,
    port: portOf(url, raw, secure ? 322 : 554),
    path: (url.pathname || '/') + url.search,
    ...(credentials ? { credentials } : {}),
  };
}

function parseRtspListen(raw: string): SourceUrl {
  const url = parseAuthorityUrl(raw);
  rejectCredentials(url, raw);
  return { kind: 'rtsp-listen', host: url.hostname, port: portOf(url, raw, 554), path: url.pathname || '/' };
}

function parseRtmpListen(raw: string): SourceUrl {
  const url = parseAuthorityUrl(raw);
  rejectCredentials(url, raw);
  const segments = url.pathname.split('/').filter((s) => s !== '');
  if (segments.length < 2) throw invalid(raw, 'an RTMP listener URL needs /APP/KEY after the port');
  return {
    kind: 'rtmp-listen',
    host: url.hostname,
    port: portOf(url, raw, 1935),
    app: segments.slice(0, -1).join('/'),
    key: segments[segments.length - 1]!,
  };
}

function parseFile(raw: string): SourceUrl {
  if (!/^file:\/\//i.test(raw)) throw invalid(raw, 'a file URL is file:///absolute/path');
  const url = parseUrl(raw);
  if (url.hostname !== '' && url.hostname !== 'localhost') {
    throw invalid(raw, 'a file URL must name a local file (file:///path), not a host');
  }
  if (url.pathname === '' || url.pathname === '/') throw invalid(raw, 'the file path is empty');
  return { kind: 'file', path: decode(url.pathname, raw) };
}

function parseWhip(raw: string): SourceUrl {
  const streamId = raw.replace(/^whip:(\/\/)?/i, '');
  if (!STREAM_ID_RE.test(streamId)) {
    throw invalid(raw, 'a WHIP stream id is 1 to 64 letters, digits, "-" or "_" (whip:STREAMID)');
  }
  return { kind: 'whip', streamId };
}

function parseWhep(raw: string, protocol: string): SourceUrl {
  const url = parseAuthorityUrl(raw);
  const credentials = credentialsOf(url, raw);
  portOf(url, raw, protocol === 'https' ? 443 : 80);
  const port = url.port === '' ? '' : `:${url.port}`;
  const endpoint = `${protocol}://${formatHost(url.hostname)}${port}${url.pathname || '/'}${url.search}`;
  return { kind: 'whep', endpoint, ...(credentials ? { credentials } : {}) };
}

/** A URL with `//host`: parsed by WHATWG URL, with a reason of our own when it fails. */
function parseAuthorityUrl(raw: string): URL {
  if (!/^[^:]+:\/\//.test(raw)) throw invalid(raw, 'expected SCHEME://HOST[:PORT]/PATH');
  const url = parseUrl(raw);
  if (url.hostname === '') throw invalid(raw, 'the host is missing');
  return url;
}

function parseUrl(raw: string): URL {
  try {
    return new URL(raw);
  } catch {
    // Node's error holds the raw input (with any password): say what is wrong without it.
    throw invalid(raw, diagnose(raw));
  }
}

function diagnose(raw: string): string {
  const authority = raw.replace(/^[^:]+:\/\//, '').split(/[/?#]/)[0] ?? '';
  const hostPort = authority.slice(authority.lastIndexOf('@') + 1);
  const port = /^(?:\[[^\]]*\]|[^:]*)(?::(.*))?$/.exec(hostPort)?.[1];
  if (port !== undefined && !/^\d{1,5}$/.test(port)) return 'the port must be a number from 1 to 65535';
  if (port !== undefined && Number(port) > 65535) return 'the port must be a number from 1 to 65535';
  return 'not a valid URL';
}

function portOf(url: URL, raw: string, fallback: number): number {
  if (url.port === '') return fallback;
  const port = Number(url.port);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw invalid(raw, 'the port must be a number from 1 to 65535');
  }
  return port;
}

function credentialsOf(url: URL, raw: string): Credentials | undefined {
  if (url.username === '' && url.password === '') return undefined;
  return { username: decode(url.username, raw), password: decode(url.password, raw) };
}

function rejectCredentials(url: URL, raw: string): void {
  if (url.username !== '' || url.password !== '') {
    throw invalid(raw, 'a listener URL takes no user name or password');
  }
}

function decode(text: string, raw: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    throw invalid(raw, 'bad percent-encoding');
  }
}

function formatHost(host: string): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}

function invalid(raw: string, reason: string): ArgusError {
  return new ArgusError('ARGUS_E_SOURCE_URL_INVALID', { url: JSON.stringify(redactUrl(raw)), reason });
}
