import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { RtpInput } from '../../../../src/ingest/webrtc/encoded-frame';

export interface RtpFixture {
  source: string;
  codec: 'h264' | 'vp8';
  fmtp?: string;
  packets: RtpInput[];
}

/**
 * RTP packets captured once from real sessions (see README.md beside them), as received by
 * Argus after SRTP: sequence number, timestamp, marker and payload (base64 in the file).
 */
export function loadRtpFixture(name: 'ffmpeg-h264' | 'ffmpeg-vp8' | 'chromium-h264'): RtpFixture {
  const raw = JSON.parse(readFileSync(path.join(__dirname, 'fixtures', `${name}.json`), 'utf8')) as {
    source: string;
    codec: 'h264' | 'vp8';
    fmtp?: string;
    packets: Array<{ sequenceNumber: number; timestamp: number; marker: boolean; payload: string }>;
  };
  return {
    ...raw,
    packets: raw.packets.map((p) => ({ ...p, payload: Buffer.from(p.payload, 'base64') })),
  };
}

export function readFixtureText(name: string): string {
  return readFileSync(path.join(__dirname, 'fixtures', name), 'utf8');
}

/** NAL unit types of an Annex B buffer, in order. */
export function nalTypes(annexB: Buffer): number[] {
  const types: number[] = [];
  for (let i = 0; i + 4 < annexB.length; i++) {
    if (annexB[i] === 0 && annexB[i + 1] === 0 && annexB[i + 2] === 0 && annexB[i + 3] === 1) {
      types.push(annexB[i + 4]! & 0x1f);
      i += 3;
    }
  }
  return types;
}
