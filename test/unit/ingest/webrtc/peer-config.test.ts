import * as path from 'node:path';
import { isLoopback, receiverPeerConfig } from '../../../../src/ingest/webrtc/peer-config';
import { applyWeriftFixes } from '../../../../src/ingest/webrtc/werift-fixes';

describe('receiverPeerConfig', () => {
  it('never uses a STUN server and offers H.264 before VP8, with PLI feedback', () => {
    const config = receiverPeerConfig();
    expect(config.iceServers).toEqual([]);
    expect(config.iceAdditionalHostAddresses).toEqual(['127.0.0.1']);
    expect(config.codecs?.video?.map((c) => c.mimeType)).toEqual(['video/H264', 'video/VP8']);
    for (const c of config.codecs?.video ?? [])
      expect(c.rtcpFeedback).toContainEqual({ type: 'nack', parameter: 'pli' });
    expect(config.iceUseIpv4).toBeUndefined(); // the machine's interfaces are gathered too
  });

  it('in loopback-only mode advertises only the given addresses and talks only to loopback', () => {
    const config = receiverPeerConfig({ loopbackOnly: true });
    expect(config).toMatchObject({
      iceUseIpv4: false,
      iceUseIpv6: false,
      iceAdditionalHostAddresses: ['127.0.0.1'],
      iceInterfaceAddresses: { udp4: '127.0.0.1' },
    });
    const pairFilter = config.iceFilterCandidatePair as unknown as (p: {
      remoteCandidate: { host: string };
    }) => boolean;
    expect(pairFilter({ remoteCandidate: { host: '127.0.0.1' } })).toBe(true);
    expect(pairFilter({ remoteCandidate: { host: '192.0.2.2' } })).toBe(false);
    const stunFilter = config.iceFilterStunResponse as unknown as (
      m: unknown,
      a: [string, number],
    ) => boolean;
    expect(stunFilter({}, ['127.0.0.5', 1])).toBe(true);
    expect(stunFilter({}, ['10.0.0.1', 1])).toBe(false);
  });
});

describe('isLoopback', () => {
  it.each([
    ['127.0.0.1', true],
    ['127.1.2.3', true],
    ['::1', true],
    ['::ffff:127.0.0.1', true],
    ['localhost', true],
    ['192.0.2.2', false],
    ['fd00::2', false],
    ['abcd.local', false],
  ])('%s -> %s', (host, expected) => {
    expect(isLoopback(host)).toBe(expected);
  });
});

describe('applyWeriftFixes', () => {
  it('patches the DTLS client so a repeated HelloVerifyRequest is ignored instead of failing the handshake', async () => {
    expect(applyWeriftFixes()).toBe(true);
    const file = path.join(
      path.dirname(require.resolve('werift')),
      '..',
      '..',
      'dtls',
      'src',
      'flight',
      'client',
      'flight3.js',
    );
    const { Flight3 } = require(file) as {
      Flight3: { prototype: { exec(this: unknown, v: unknown): Promise<void> } };
    };
    await expect(Flight3.prototype.exec.call({ dtls: { flight: 3 } }, {})).resolves.toBeUndefined();
  });
});
