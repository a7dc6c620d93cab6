import { warmUpWebRtc } from '../../../../src/ingest/webrtc/warm-up';

jest.setTimeout(60_000);

describe('warmUpWebRtc', () => {
  it('completes one loopback handshake, once', async () => {
    const first = warmUpWebRtc();
    expect(warmUpWebRtc()).toBe(first);
    await expect(first).resolves.toBe(true);
  });
});
