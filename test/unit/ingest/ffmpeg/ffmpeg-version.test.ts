import { LATEST_KNOWN_MAJOR, parseFfmpegVersion } from '../../../../src/ingest/ffmpeg/ffmpeg-version';

const LIBS_4_1 = `libavutil      56. 24.101 / 56. 24.101
libavcodec     58. 42.100 / 58. 42.100
libavformat    58. 24.100 / 58. 24.100`;

describe('parseFfmpegVersion', () => {
  it.each([
    ['ffmpeg version 5.1.6-0+deb12u1 Copyright (c) 2000-2024 the FFmpeg developers', 5, 1, '5.1.6-0+deb12u1'],
    [
      'ffmpeg version 4.4.1-static https://johnvansickle.com/ffmpeg/  Copyright (c) 2000-2021',
      4,
      4,
      '4.4.1-static',
    ],
    ['ffmpeg version n6.1 Copyright (c) 2000-2023 the FFmpeg developers', 6, 1, 'n6.1'],
    ['ffmpeg version 7.0.2 Copyright (c) 2000-2024', 7, 0, '7.0.2'],
    [
      'ffmpeg version 6.0-full_build-www.gyan.dev Copyright (c) 2000-2023',
      6,
      0,
      '6.0-full_build-www.gyan.dev',
    ],
    ['ffmpeg version 4.2.7-0ubuntu0.1 Copyright (c) 2000-2022', 4, 2, '4.2.7-0ubuntu0.1'],
  ])('reads the release from %j', (line, major, minor, raw) => {
    expect(parseFfmpegVersion(`${line}\nbuilt with gcc 12\n`)).toEqual({ major, minor, raw });
  });

  it('infers a git build from its libavformat: the npm package N-47683 (2018) is 4.x, not "latest"', () => {
    const out = `ffmpeg version N-47683-g0e8eb07980-static https://johnvansickle.com/ffmpeg/  Copyright (c) 2000-2018\n${LIBS_4_1}\n`;
    expect(parseFfmpegVersion(out)).toEqual({
      major: 4,
      minor: 0,
      raw: 'N-47683-g0e8eb07980-static',
      inferred: 'libavformat',
    });
  });

  it.each([
    ['59. 16.100', 5, 0],
    ['59. 27.100', 5, 1],
    ['60. 16.100', 6, 0],
    ['61.  7.100', 7, 0],
    ['62.  3.100', 8, 0],
  ])('maps libavformat %s of a git build to %i.%i', (lavf, major, minor) => {
    const out = `ffmpeg version N-112345-gabcdef Copyright (c) 2000-2024\nlibavformat    ${lavf} / ${lavf}\n`;
    expect(parseFfmpegVersion(out)).toMatchObject({ major, minor, inferred: 'libavformat' });
  });

  it('treats a date-named git build the same way', () => {
    const out =
      'ffmpeg version 2024-03-11-git-3d1860ec8d-full_build-www.gyan.dev\nlibavformat    61.  1.100 / 61.  1.100\n';
    expect(parseFfmpegVersion(out)).toMatchObject({ major: 7, inferred: 'libavformat' });
  });

  it('assumes the latest known major for a git build that prints no libavformat, and says so', () => {
    expect(parseFfmpegVersion('ffmpeg version N-112345-g1234567\n')).toEqual({
      major: LATEST_KNOWN_MAJOR,
      minor: 0,
      raw: 'N-112345-g1234567',
      inferred: 'assumed-latest',
    });
  });

  it('returns undefined for output that is not FFmpeg', () => {
    expect(parseFfmpegVersion('ffprobe version 5.1.6\n')).toBeUndefined();
    expect(parseFfmpegVersion('')).toBeUndefined();
    expect(parseFfmpegVersion('Usage: something\n')).toBeUndefined();
  });
});
