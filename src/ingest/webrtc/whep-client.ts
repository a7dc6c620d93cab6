import { RTCPeerConnection } from 'werift';
import { ArgusError } from '../../errors/argus-error';
import { redactUrl } from '../redact-url';
import type { Credentials } from '../source-url';
import type { MediaFeed } from './media-feed';
import { type IceOptions, receiverPeerConfig, withoutFallbackStun } from './peer-config';
import { type FeedLogger, type FeedTuning, PeerMediaFeed } from './peer-media-feed';
import { answerVideo, SdpProblem } from './sdp-video';

export interface WhepOptions {
  /**
   * From the source URL's userinfo: `user:password` is sent as HTTP Basic auth; a password with
   * an empty user name (`whep+http://:TOKEN@host/...`) as `Authorization: Bearer TOKEN`.
   */
  credentials?: Credentials;
  /** Host addresses advertised as ICE candidates; default ['127.0.0.1']. */
  iceHostAddresses?: string[];
  /** Only loopback ICE (tests, a WHEP server on this host). Default false. */
  iceLoopbackOnly?: boolean;
  icePortRange?: [number, number];
  /** For the HTTP exchange and then for ICE + DTLS to connect, each. */
  timeoutMs: number;
  feed?: FeedTuning;
  logger?: FeedLogger;
}

const DELETE_TIMEOUT_MS = 5_000;

/**
 * Pulls video from a WHEP server (MediaMTX, go2rtc, ...): offers a recvonly video transceiver
 * (H.264 preferred, VP8), POSTs the offer as application/sdp, applies the answer, and resolves
 * once the peer is connected. Closing the feed DELETEs the session resource (the Location).
 * Throws ArgusError: ARGUS_E_SOURCE_REFUSED, ARGUS_E_SOURCE_UNREACHABLE, ARGUS_E_SOURCE_NOT_FOUND,
 * ARGUS_E_SOURCE_AUTH or ARGUS_E_WHEP_FAILED. Messages never hold the credentials.
 */
export async function connectWhep(endpoint: string, options: WhepOptions): Promise<MediaFeed> {
  const shown = redactUrl(endpoint);
  const fail = (reason: string, cause?: unknown) =>
    new ArgusError('ARGUS_E_WHEP_FAILED', { endpoint: shown, reason }, { cause });
  const ice: IceOptions = {
    hostAddresses: options.iceHostAddresses ?? ['127.0.0.1'],
    loopbackOnly: options.iceLoopbackOnly ?? false,
    ...(options.icePortRange ? { portRange: options.icePortRange } : {}),
  };
  const pc = new RTCPeerConnection(receiverPeerConfig(ice));
  let feed: PeerMediaFeed | undefined;
  try {
    pc.addTransceiver('video', { direction: 'recvonly' });
    withoutFallbackStun(pc);
    await pc.setLocalDescription(await pc.createOffer());
    const headers: Record<string, string> = { 'content-type': 'application/sdp', accept: 'application/sdp' };
    const auth = authorization(options.credentials);
    if (auth) headers.authorization = auth;
    const res = await request(endpoint, shown, options.timeoutMs, {
      method: 'POST',
      headers,
      body: pc.localDescription?.sdp ?? '',
    });
    const body = await res.text();
    if (res.status !== 201 && res.status !== 200) throw httpError(res.status, shown, fail);
    const location = res.headers.get('location');
    const resource = location ? new URL(location, endpoint).toString() : undefined;
    let video: ReturnType<typeof answerVideo>;
    try {
      video = answerVideo(body);
    } catch (err) {
      if (err instanceof SdpProblem) throw fail(`the answer is not usable: ${err.message}`, err);
      throw err;
    }
    feed = new PeerMediaFeed({
      ...options.feed,
      pc,
      video,
      label: shown,
      ...(options.logger ? { logger: options.logger } : {}),
      onClose: async () => {
        if (resource === undefined) return;
        // Best effort: the server also ends the session when ICE times out.
        await fetch(resource, {
          method: 'DELETE',
          headers: auth ? { authorization: auth } : {},
          signal: AbortSignal.timeout(DELETE_TIMEOUT_MS),
        }).catch(() => undefined);
      },
    });
    try {
      await pc.setRemoteDescription({ type: 'answer', sdp: body });
    } catch (err) {
      throw fail(`the answer was refused: ${err instanceof Error ? err.message : String(err)}`, err);
    }
    await connected(pc, options.timeoutMs, fail);
    return feed;
  } catch (err) {
    if (feed) await feed.close();
    else await pc.close().catch(() => undefined);
    throw err;
  }
}

function authorization(credentials: Credentials | undefined): string | undefined {
  if (credentials === undefined) return undefined;
  if (credentials.username === '' && credentials.password !== '') return `Bearer ${credentials.password}`;
  return `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}`;
}

async function request(url: string, shown: string, timeoutMs: number, init: RequestInit): Promise<Response> {
  try {
    return await fetch(url, { ...init, redirect: 'follow', signal: AbortSignal.timeout(timeoutMs) });
  } catch (err) {
    throw networkError(err, shown, timeoutMs);
  }
}

/** fetch's failures (undici puts the system error in `cause`) as source errors. */
function networkError(err: unknown, shown: string, timeoutMs: number): ArgusError {
  const name = err instanceof Error ? err.name : '';
  const code = String((err as { cause?: { code?: unknown } })?.cause?.code ?? '');
  if (name === 'TimeoutError' || name === 'AbortError') {
    return new ArgusError(
      'ARGUS_E_WHEP_FAILED',
      { endpoint: shown, reason: `no answer within ${timeoutMs} ms` },
      { cause: err },
    );
  }
  const detail = `${shown}: ${code || (err instanceof Error ? err.message : String(err))}`;
  if (code === 'ECONNREFUSED') return new ArgusError('ARGUS_E_SOURCE_REFUSED', { detail }, { cause: err });
  if (['ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ETIMEDOUT', 'ECONNRESET'].includes(code)) {
    return new ArgusError('ARGUS_E_SOURCE_UNREACHABLE', { detail }, { cause: err });
  }
  return new ArgusError('ARGUS_E_WHEP_FAILED', { endpoint: shown, reason: detail }, { cause: err });
}

function httpError(status: number, shown: string, fail: (reason: string) => ArgusError): ArgusError {
  const detail = `${shown} answered HTTP ${status}`;
  if (status === 404) return new ArgusError('ARGUS_E_SOURCE_NOT_FOUND', { detail });
  if (status === 401 || status === 403) return new ArgusError('ARGUS_E_SOURCE_AUTH', { detail });
  return fail(`HTTP ${status} instead of 201 Created`);
}

function connected(
  pc: RTCPeerConnection,
  timeoutMs: number,
  fail: (reason: string) => ArgusError,
): Promise<void> {
  if (pc.connectionState === 'connected') return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      sub.unSubscribe();
      reject(fail(`ICE/DTLS did not connect within ${timeoutMs} ms`));
    }, timeoutMs);
    const sub = pc.connectionStateChange.subscribe((state) => {
      if (state === 'connected') {
        clearTimeout(timer);
        sub.unSubscribe();
        resolve();
      } else if (state === 'failed' || state === 'closed') {
        clearTimeout(timer);
        sub.unSubscribe();
        reject(fail(`ICE/DTLS ${state}`));
      }
    });
  });
}
