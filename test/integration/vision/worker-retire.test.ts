import { execFile } from 'node:child_process';
import path from 'node:path';

/**
 * Timed-out or closing vision workers are retired, never terminated mid-inference: real models,
 * real worker threads, in a child process (see the fixture's header) so that an abort shows as an
 * exit status instead of killing the test runner.
 */
const SCRIPT = path.resolve(__dirname, '../../fixtures/workers/vision-retire.js');
const DIST = path.resolve(__dirname, '../../../dist');
const FRAME = path.resolve(__dirname, '../../fixtures/mosaic/mosaic-100.jpg');

function run(): Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      [SCRIPT, DIST, '10000', FRAME],
      { timeout: 120_000 },
      (_err, stdout, stderr) => resolve({ code: child.exitCode, signal: child.signalCode, stdout, stderr }),
    );
  });
}

describe('retiring vision workers', () => {
  it('survives tasks that time out mid-inference and a close() with a task in flight', async () => {
    for (let i = 0; i < 3; i++) {
      const r = await run();
      expect({ code: r.code, signal: r.signal, stderr: r.stderr }).toEqual({
        code: 0,
        signal: null,
        stderr: '',
      });
      // Every task timed out: the workers really were inside inference when they were retired.
      expect(JSON.parse(r.stdout)).toEqual({ timeouts: 12 });
    }
  }, 400_000);
});
