import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { freePort } from '../../helpers/free-port';
import { runCli } from '../../helpers/run-cli';
import { waitFor } from '../../helpers/wait-for';
import { publishWhip, type WhipPublisher } from '../../helpers/werift-publisher';
import { startWhepServer, type WhepTestServer } from '../../helpers/werift-whep-server';

const BIN = path.resolve(__dirname, '..', '..', '..', 'bin', 'argus.js');

describe('WebRTC sources from the command line (werift peers)', () => {
  let child: ChildProcess | undefined;
  let publisher: WhipPublisher | undefined;
  let whep: WhepTestServer | undefined;

  afterEach(async () => {
    await publisher?.stop().catch(() => undefined);
    await whep?.close();
    if (child && child.exitCode === null && child.signalCode === null) {
      const gone = new Promise((r) => child!.once('exit', r));
      child.kill('SIGKILL');
      await gone;
    }
    child = publisher = whep = undefined;
  });

  it('argus demo --source whip:cam1 serves a WHIP endpoint and analyses what is published to it', async () => {
    const port = await freePort();
    let out = '';
    child = spawn(
      process.execPath,
      [BIN, 'demo', '--source', 'whip:cam1', '--whip-port', String(port), '--seconds', '120'],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    await waitFor('the WHIP endpoint line', () => out.includes(`http://127.0.0.1:${port}/whip/cam1`), 60_000);
    publisher = await publishWhip(`http://127.0.0.1:${port}/whip/cam1`, 'h264');
    await waitFor('analysed frames', () => /\[live\] analysed [1-9]\d* frames/.test(out), 60_000);
  });

  it('argus probe whep+http://... pulls frames over WebRTC', async () => {
    whep = await startWhepServer('h264');
    const r = await runCli(['probe', '--json', '--frames', '10', `whep+${whep.endpoint}`]);
    expect(r.code).toBe(0);
    expect(r.lines[0]).toMatchObject({ frames: 10, width: 640, height: 360, codec: 'h264' });
  });
});
