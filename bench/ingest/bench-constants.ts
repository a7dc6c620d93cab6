import { existsSync } from 'node:fs';
import path from 'node:path';
import { packageRoot } from '../../src/util/package-root';

export const ROOT = packageRoot();
export const CLIP = path.join(ROOT, 'test', 'fixtures', 'face_recognition', 'short_hamilton_clip.mp4');
/** GStreamer's RTSP server, the same one the integration tests use. */
export const RTSP_SERVER_SCRIPT = path.join(ROOT, 'test', 'helpers', 'rtsp-server.py');
export const PYTHON =
  process.env.ARGUS_TEST_PYTHON ?? (existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3');

export const TTFF_RUNS = 7;
export const RECOVERY_RUNS = 5;
export const HANG_RUNS = 3;
export const WHIP_RUNS = 5;
export const DECODE_STREAMS = 4;
export const DECODE_WARMUP_MS = 5_000;
export const DECODE_WINDOW_MS = 20_000;
export const TARGET = { ttffMs: 1500, recoveryMs: 3000, hangMs: 7000 };
