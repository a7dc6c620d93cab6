import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { CLIP } from './rtp-source';

export const CHROMIUM = '/usr/bin/chromium';

/** Whether the Chromium test must run: Chromium is there, or this is CI (which installs it). */
export function chromiumRequired(): boolean {
  return existsSync(CHROMIUM) || process.env.CI === 'true';
}

/** Chromium flags: headless, a fake camera that plays `y4m`, nothing phoning home. */
export function chromiumArgs(y4m: string): string[] {
  return [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--use-fake-ui-for-media-stream',
    '--use-fake-device-for-media-stream',
    `--use-file-for-fake-video-capture=${y4m}`,
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
    // Chromium leaves loopback out of ICE by default; the WHIP server accepts loopback only.
    '--allow-loopback-in-peer-connection',
  ];
}

/** Makes the fake camera's clip: `seconds` of the fixture at 640x360, 30 fps, as .y4m in `dir`. */
export function makeY4m(dir: string, seconds = 3): string {
  const out = path.join(dir, 'clip.y4m');
  const r = spawnSync(
    'ffmpeg',
    [
      ...['-hide_banner', '-loglevel', 'error', '-nostdin', '-y', '-t', String(seconds), '-i', CLIP],
      ...['-an', '-vf', 'scale=640:360,fps=30', '-pix_fmt', 'yuv420p', '-f', 'yuv4mpegpipe', out],
    ],
    { encoding: 'utf8', timeout: 60_000 },
  );
  if (r.status !== 0) throw new Error(`ffmpeg could not make ${out}: ${r.stderr || r.error}`);
  return out;
}

/**
 * The page Chromium opens: a minimal WHIP client. `window.publish(url)` takes the fake camera,
 * offers it sendonly (resolution kept), waits for ICE gathering (no trickle), POSTs the offer and
 * applies the answer.
 */
export const WHIP_PAGE = `<!doctype html>
<html><head><meta charset="utf-8"><title>WHIP test publisher</title></head><body>
<script>
window.publish = async (url) => {
  const media = await navigator.mediaDevices.getUserMedia({ video: { width: 640, height: 360 }, audio: false });
  const pc = new RTCPeerConnection();
  window.pc = pc;
  const { sender } = pc.addTransceiver(media.getVideoTracks()[0], { direction: 'sendonly' });
  const params = sender.getParameters();
  params.degradationPreference = 'maintain-resolution';
  await sender.setParameters(params).catch(() => undefined);
  await pc.setLocalDescription(await pc.createOffer());
  await new Promise((resolve) => {
    if (pc.iceGatheringState === 'complete') return resolve();
    pc.addEventListener('icegatheringstatechange', () => {
      if (pc.iceGatheringState === 'complete') resolve();
    });
    setTimeout(resolve, 3000);
  });
  const postedAt = Date.now();
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/sdp' },
    body: pc.localDescription.sdp,
  });
  const answer = await res.text();
  if (res.status !== 201) throw new Error('WHIP answered ' + res.status + ': ' + answer);
  await pc.setRemoteDescription({ type: 'answer', sdp: answer });
  return { location: res.headers.get('location'), postedAt };
};
window.stop = () => window.pc && window.pc.close();
</script></body></html>`;
