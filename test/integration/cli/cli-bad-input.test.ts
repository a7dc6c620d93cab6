import { fixture } from '../../helpers/fixtures';
import { runCli } from '../../helpers/run-cli';

type Line = { file: string; faces?: unknown[]; error?: { code: string; message: string } };

describe('argus CLI on bad input: one line per file, stable codes, never a crash', () => {
  const bad = (name: string) => fixture('bad', name);
  let lines: Map<string, Line>;
  let code: number | null;

  beforeAll(async () => {
    const names = [
      'empty.jpg',
      'truncated.jpg',
      'text.jpg',
      'bomb.png',
      'noface.jpg',
      'png16.png',
      'alpha.png',
      'cmyk.jpg',
      'grey.jpg',
      'face.webp',
    ];
    const r = await runCli(['detect', '--json', ...names.map(bad), bad('does-not-exist.jpg')]);
    code = r.code;
    lines = new Map((r.lines as Line[]).map((l) => [l.file, l]));
    expect(r.lines).toHaveLength(names.length + 1);
  });

  it('exits 1 when some files failed, after processing all of them', () => {
    expect(code).toBe(1);
  });

  it.each([
    ['empty.jpg', 'ARGUS_E_IMAGE_EMPTY'],
    ['truncated.jpg', 'ARGUS_E_IMAGE_CORRUPT'],
    ['text.jpg', 'ARGUS_E_IMAGE_UNSUPPORTED_FORMAT'],
    ['bomb.png', 'ARGUS_E_IMAGE_TOO_LARGE'],
    ['does-not-exist.jpg', 'ARGUS_E_FILE_NOT_FOUND'],
  ])('%s -> %s', (name, expected) => {
    const line = lines.get(bad(name))!;
    expect(line.error?.code).toBe(expected);
    expect(line.error?.message.length).toBeGreaterThan(10);
    expect(line.faces).toBeUndefined();
  });

  it('refuses the 30000x30000 bomb from its header, naming the limit', () => {
    expect(lines.get(bad('bomb.png'))!.error!.message).toContain('30000x30000');
  });

  it('returns faces: [] (not an error) for an image without a face', () => {
    const line = lines.get(bad('noface.jpg'))!;
    expect(line.error).toBeUndefined();
    expect(line.faces).toEqual([]);
  });

  it.each(['png16.png', 'alpha.png', 'cmyk.jpg', 'grey.jpg', 'face.webp'])(
    'decodes %s and finds its face',
    (name) => {
      const line = lines.get(bad(name))!;
      expect(line.error).toBeUndefined();
      expect(line.faces!.length).toBeGreaterThanOrEqual(1);
    },
  );

  it('compare reports ARGUS_E_NO_FACE for an image without a face', async () => {
    const r = await runCli([
      'compare',
      '--json',
      bad('noface.jpg'),
      fixture('face_recognition', 'obama_small.jpg'),
    ]);
    expect(r.code).toBe(1);
    expect((r.lines[0] as Line).error?.code).toBe('ARGUS_E_NO_FACE');
  });
});
