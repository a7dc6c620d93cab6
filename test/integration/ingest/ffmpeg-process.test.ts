import { resolveFfmpeg } from '../../../src/ingest/ffmpeg/ffmpeg-binary';
import { spawnFfmpeg } from '../../../src/ingest/ffmpeg/ffmpeg-process';
import { fixture } from '../../helpers/fixtures';
import { pidAlive, waitFor } from '../../helpers/wait-for';

describe('spawnFfmpeg (fluent-ffmpeg adapter, real FFmpeg)', () => {
  it('stop() called before FFmpeg has even been spawned still ends it', async () => {
    const ffmpeg = await resolveFfmpeg();
    const p = spawnFfmpeg({
      binary: ffmpeg.path,
      args: [
        '-nostdin',
        '-re',
        '-stream_loop',
        '-1',
        '-i',
        fixture('face_recognition', 'short_hamilton_clip.mp4'),
        '-f',
        'rawvideo',
        '-pix_fmt',
        'rgb24',
        'pipe:1',
      ],
    });
    p.stdout.resume();
    // Immediately: fluent-ffmpeg is still probing capabilities, no process exists yet.
    const info = await p.stop(2000);
    expect(info.spawnError).toBeUndefined();
    await waitFor('the FFmpeg process to be gone', () => !pidAlive(p.pid), 10_000);
  });
});
