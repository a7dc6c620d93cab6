/**
 * Redaction of source URLs and of text that may quote them (FFmpeg echoes its input URL, with
 * credentials, in its error lines). Everything here errs on the side of hiding too much: a
 * redacted log line that hides a harmless path segment is fine; one that leaks a password is not.
 */

const MASK = '***';
const PLACEHOLDER = '[unparseable]';
/** Query parameter names whose values are secrets (matched anywhere in the name, any case). */
const SECRET_PARAM = /pass|pwd|token|key|secret|auth|credential|signature/i;
/** Schemes whose last path segment is a stream key, which RTMP servers treat as a password. */
const STREAM_KEY_SCHEMES = new Set(['rtmp', 'rtmps', 'rtmp-listen']);
const SCHEME_RE = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//;
/** host (name, IPv4 or bracketed IPv6) and an optional numeric port: what an authority must be once userinfo is gone. */
const HOST_PORT_RE = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._~%-]*)(:\d*)?$/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const CONTROL_CHARS = /[\u0000-\u001f\u007f]/;

/**
 * Returns `url` safe to log or return from an API: userinfo becomes `***`
 * (`rtsp://***@cam/stream`), secret-looking query values become `***`, and an RTMP stream key
 * becomes `***`. Never throws. Input that does not parse as `scheme://host[:port]...` yields
 * `scheme://[unparseable]` (or `[unparseable]`), which keeps nothing after `://`.
 */
export function redactUrl(url: string): string {
  if (typeof url !== 'string') return PLACEHOLDER;
  const scheme = SCHEME_RE.exec(url);
  if (scheme === null) {
    // No authority: `whip:ID`, a file path. An '@' would still look like userinfo, so mask up to it.
    if (CONTROL_CHARS.test(url)) return PLACEHOLDER;
    return redactQuery(maskUpToLastAt(url));
  }
  const prefix = scheme[0];
  const rest = url.slice(prefix.length);
  // The query starts at the first '?' or '#'; userinfo is everything before the last '@' ahead of
  // it. Taking the last '@' (not the first, and not stopping at '/') covers passwords holding '@'
  // or '/', which a strict parser would split in the wrong place and print.
  const queryAt = firstIndexOf(rest, '?#');
  const beforeQuery = rest.slice(0, queryAt);
  const at = beforeQuery.lastIndexOf('@');
  const afterUserinfo = at >= 0 ? beforeQuery.slice(at + 1) : beforeQuery;
  const slash = afterUserinfo.indexOf('/');
  const authority = slash >= 0 ? afterUserinfo.slice(0, slash) : afterUserinfo;
  if (!HOST_PORT_RE.test(authority) || /\s/.test(rest) || CONTROL_CHARS.test(rest)) {
    return `${prefix}${PLACEHOLDER}`;
  }
  let path = slash >= 0 ? afterUserinfo.slice(slash) : '';
  if (STREAM_KEY_SCHEMES.has(scheme[1]!.toLowerCase())) path = maskLastSegment(path);
  const userinfo = at >= 0 ? `${MASK}@` : '';
  return `${prefix}${userinfo}${authority}${path}${redactQuery(rest.slice(queryAt))}`;
}

/**
 * Scrubs free text (an FFmpeg stderr line): every occurrence of each secret, raw or
 * percent-encoded as it would appear in a URL, becomes `***`; so do userinfo and secret query
 * values of any URL in the text, even when the secret list is incomplete.
 */
export function redactText(text: string, secrets: readonly string[] = []): string {
  let out = String(text);
  const forms = new Set<string>();
  for (const secret of secrets) {
    if (secret === '') continue;
    forms.add(secret);
    forms.add(encodeURIComponent(secret));
  }
  // Longest first, so a secret containing a shorter one is replaced whole.
  for (const form of [...forms].sort((a, b) => b.length - a.length)) out = out.split(form).join(MASK);
  out = out.replace(/([A-Za-z][A-Za-z0-9+.-]*:\/\/)[^\s'"]*@/g, `$1${MASK}@`);
  return out.replace(/([?&;][^=&\s'"?#]*=)([^&\s'"#]*)/g, (whole, name: string, value: string) =>
    SECRET_PARAM.test(name) && value !== MASK ? `${name}${MASK}` : whole,
  );
}

function redactQuery(query: string): string {
  if (query === '' || query[0] !== '?') return query;
  const hash = query.indexOf('#');
  const search = hash >= 0 ? query.slice(1, hash) : query.slice(1);
  const fragment = hash >= 0 ? query.slice(hash) : '';
  const params = search.split('&').map((pair) => {
    const eq = pair.indexOf('=');
    if (eq < 0) return pair;
    return SECRET_PARAM.test(pair.slice(0, eq)) ? `${pair.slice(0, eq)}=${MASK}` : pair;
  });
  return `?${params.join('&')}${fragment}`;
}

function maskUpToLastAt(text: string): string {
  const queryAt = firstIndexOf(text, '?#');
  const at = text.slice(0, queryAt).lastIndexOf('@');
  return at >= 0 ? `${MASK}${text.slice(at)}` : text;
}

/** `/app/key` -> `/app/***`; a lone `/app` has no key to hide. */
function maskLastSegment(path: string): string {
  const cut = path.lastIndexOf('/');
  if (cut <= 0 || cut === path.length - 1) return path;
  return `${path.slice(0, cut + 1)}${MASK}`;
}

function firstIndexOf(text: string, chars: string): number {
  for (let i = 0; i < text.length; i++) if (chars.includes(text[i]!)) return i;
  return text.length;
}
