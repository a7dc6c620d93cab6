import * as path from 'node:path';

interface Flight3Like {
  dtls: { flight: number };
  exec(verifyRequest: unknown): Promise<void>;
}

let applied: boolean | undefined;

/**
 * Works around a werift DTLS client bug (werift 0.24): a second HelloVerifyRequest, which a DTLS
 * server sends when the client's ClientHello was retransmitted (the client's first retransmit
 * fires after 500 ms, so one slow event-loop turn is enough), makes the client throw and the whole
 * handshake fail: the session dies with `connectionState failed` and no media. RFC 6347 lets the
 * client ignore it (its ClientHello with the cookie is already out, with its own retransmit
 * timer), which is what the patched method does. werift's package exports hide the module, so it
 * is loaded by path. Idempotent; returns whether the fix is in place (a test checks it, so a
 * werift upgrade that moves or fixes the code is noticed).
 */
export function applyWeriftFixes(): boolean {
  if (applied !== undefined) return applied;
  try {
    const webrtcIndex = require.resolve('werift');
    const file = path.join(
      path.dirname(webrtcIndex),
      '..',
      '..',
      'dtls',
      'src',
      'flight',
      'client',
      'flight3.js',
    );
    const { Flight3 } = require(file) as { Flight3: { prototype: Flight3Like } };
    const original = Flight3.prototype.exec;
    Flight3.prototype.exec = async function exec(this: Flight3Like, verifyRequest: unknown): Promise<void> {
      if (this.dtls.flight === 3) return;
      return original.call(this, verifyRequest);
    };
    applied = true;
  } catch {
    applied = false;
  }
  return applied;
}
