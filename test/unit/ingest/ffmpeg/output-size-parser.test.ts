import { OutputSizeParser } from '../../../../src/ingest/ffmpeg/output-size-parser';
import { stderrFixture } from '../stderr-fixture';

function sizes(lines: string[]) {
  const parser = new OutputSizeParser();
  return lines.map((l) => parser.parseOutputSize(l)).filter((s) => s !== undefined);
}

describe('OutputSizeParser.parseOutputSize', () => {
  it.each([
    ['file-ok.5.1', { width: 640, height: 360 }],
    ['file-ok.4.1', { width: 640, height: 360 }],
    ['rtsp-ok.5.1', { width: 640, height: 360 }],
    ['rtsp-ok.4.1', { width: 640, height: 360 }],
    ['rtsp-server-killed.5.1', { width: 640, height: 360 }],
  ])('finds exactly one output size in %s (and not the input stream line)', (name, size) => {
    expect(sizes(stderrFixture(name).lines)).toEqual([size]);
  });

  it('reads the Output #0 stream line, not the Input #0 one, when the sizes differ', () => {
    const lines = [
      "Input #0, rtsp, from 'rtsp://cam/x':",
      '  Metadata:',
      '    title           : Session',
      '  Stream #0:0: Video: h264 (Main), yuv420p(tv, bt709, progressive), 1920x1080 [SAR 1:1 DAR 16:9], 25 fps, 90k tbn',
      'Stream mapping:',
      '  Stream #0:0 -> #0:0 (h264 (native) -> rawvideo (native))',
      "Output #0, rawvideo, to 'pipe:1':",
      '  Metadata:',
      '    encoder         : Lavf59.27.100',
      '  Stream #0:0: Video: rawvideo (RGB[24] / 0x18424752), rgb24(pc, gbr/unknown/unknown, progressive), 1280x720, q=2-31, 221184 kb/s, 10 fps, 10 tbn',
    ];
    expect(sizes(lines)).toEqual([{ width: 1280, height: 720 }]);
  });

  it("parses FFmpeg 4.x's indentation and short pixel format", () => {
    const parser = new OutputSizeParser();
    parser.parseOutputSize("Output #0, rawvideo, to 'pipe:1':");
    expect(
      parser.parseOutputSize(
        '    Stream #0:0(und): Video: rawvideo (RGB[24] / 0x18424752), rgb24, 332x186 [SAR 248:249 DAR 16:9], q=2-31, 14820 kb/s, 10 fps, 10 tbn, 10 tbc (default)',
      ),
    ).toEqual({ width: 332, height: 186 });
  });

  it('ignores an input stream line seen on its own', () => {
    const parser = new OutputSizeParser();
    expect(
      parser.parseOutputSize('  Stream #0:0: Video: h264, yuv420p(progressive), 640x360, 29.97 tbr, 90k tbn'),
    ).toBeUndefined();
  });

  it('ignores a second output file', () => {
    const parser = new OutputSizeParser();
    parser.parseOutputSize("Output #1, null, to 'pipe:':");
    expect(
      parser.parseOutputSize('  Stream #1:0: Video: wrapped_avframe, yuv420p, 640x360, q=2-31'),
    ).toBeUndefined();
  });
});
