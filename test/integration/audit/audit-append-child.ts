import { setTimeout as sleep } from 'node:timers/promises';
import { AuditLog } from '../../../src/audit/audit-log';

// A separate process appending to a shared data dir, as the CLI does while the server runs.
// Prints its start and end times so the test can show the two really overlapped.
const [dataDir, countText, name] = process.argv.slice(2);
const log = AuditLog.open(dataDir!);
process.stdout.write('ready\n');
process.stdin.once('data', async () => {
  const start = Date.now();
  try {
    for (let i = 0; i < Number(countText); i++) {
      log.append({ actor: `cli:${name}`, action: 'stream.update', target: `${name}-${i}`, details: { i } });
      // Real callers append now and then, not in a tight loop: give the other process a chance.
      await sleep(i % 3);
    }
  } finally {
    log.close();
  }
  process.stdout.write(`done ${JSON.stringify({ start, end: Date.now() })}\n`);
  process.stdin.destroy();
});
