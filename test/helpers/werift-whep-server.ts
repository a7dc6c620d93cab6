import Fastify, { type FastifyInstance } from 'fastify';
import { MediaStreamTrack, RTCPeerConnection, RtpPacket } from 'werift';
import { withoutFallbackStun } from '../../src/ingest/webrtc/peer-config';
import { type RtpSource, startRtpSource } from './rtp-source';
import { codecParameters, type TestCodec, testPeerConfig } from './werift-publisher';

export interface WhepTestServer {
  /** http://127.0.0.1:PORT/whep/clip */
  endpoint: string;
  /** Sessions created, and sessions whose resource got a DELETE. */
  created(): number;
  deleted(): number;
  /** Set to answer every POST with this status instead (error tests). */
  failWith: number | undefined;
  /** Requests' Authorization headers, in order. */
  authorizations: Array<string | undefined>;
  close(): Promise<void>;
}

/**
 * A WHEP server peer on a free loopback port: FFmpeg encodes the fixture clip to RTP, and each
 * POST /whep/clip gets a werift peer with a sendonly track forwarding those packets. 201 with the
 * answer and a Location; DELETE there closes the peer.
 */
export async function startWhepServer(codec: TestCodec): Promise<WhepTestServer> {
  const source: RtpSource = await startRtpSource(codec);
  const peers = new Map<string, RTCPeerConnection>();
  let created = 0;
  let deleted = 0;
  const app: FastifyInstance = Fastify({ logger: false, forceCloseConnections: true });
  app.addContentTypeParser('application/sdp', { parseAs: 'string' }, (_req, body, done) => done(null, body));
  const state: WhepTestServer = {
    endpoint: '',
    created: () => created,
    deleted: () => deleted,
    failWith: undefined,
    authorizations: [],
    close: async () => {
      await Promise.all([...peers.values()].map((pc) => pc.close()));
      peers.clear();
      await app.close();
      await source.stop().catch(() => undefined);
    },
  };
  app.post<{ Body: string }>('/whep/clip', async (req, reply) => {
    state.authorizations.push(req.headers.authorization);
    if (state.failWith !== undefined) return reply.code(state.failWith).send('refused by test');
    const pc = new RTCPeerConnection(testPeerConfig([codecParameters(codec, codec === 'h264' ? 102 : 96)]));
    const track = new MediaStreamTrack({ kind: 'video' });
    pc.addTransceiver(track, { direction: 'sendonly' });
    await pc.setRemoteDescription({ type: 'offer', sdp: req.body });
    withoutFallbackStun(pc);
    await pc.setLocalDescription(await pc.createAnswer());
    created++;
    const id = String(created);
    peers.set(id, pc);
    source.onPacket((data) => {
      if (peers.has(id)) track.writeRtp(RtpPacket.deSerialize(data));
    });
    return reply
      .code(201)
      .header('location', `/whep/clip/${id}`)
      .type('application/sdp')
      .send(pc.localDescription!.sdp);
  });
  app.delete<{ Params: { id: string } }>('/whep/clip/:id', async (req, reply) => {
    const pc = peers.get(req.params.id);
    if (pc === undefined) return reply.code(404).send();
    deleted++;
    peers.delete(req.params.id);
    await pc.close();
    return reply.code(200).send();
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  if (address === null || typeof address === 'string') throw new Error('no TCP address');
  state.endpoint = `http://127.0.0.1:${address.port}/whep/clip`;
  return state;
}
