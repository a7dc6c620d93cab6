import { toArgusError } from '../../errors/argus-error';
import { createLogger } from '../../logging/create-logger';
import { startArgus } from '../../main';
import type { CliContext } from '../cli-context';

/**
 * `argus serve`: runs everything in one process until SIGINT or SIGTERM, then stops in reverse
 * start order and resolves 0. Logs (stderr) follow config.log.level: a server is watched by operators.
 */
export async function serveCommand(ctx: CliContext): Promise<number> {
  const logger = createLogger(ctx.config.log.level);
  let running: Awaited<ReturnType<typeof startArgus>>;
  try {
    running = await startArgus(ctx.config, logger);
  } catch (err) {
    const e = toArgusError(err);
    ctx.out(`error ${e.code}: ${e.message}`);
    return 1;
  }
  if (running.createdAdminKey) {
    ctx.out(`Admin API key (id ${running.createdAdminKey.id}), shown once and not saved:`);
    ctx.out(running.createdAdminKey.key);
  }
  const wsUrl = `${running.address.replace(/^http/, 'ws')}/v1/alerts`;
  ctx.out(`Argus serving ${ctx.config.streams.length} stream(s).`);
  ctx.out(`Alerts: ${wsUrl} (Authorization: Bearer KEY), then send {"type":"subscribe"}`);
  ctx.out(`WHIP: POST ${running.address}/whip/ID for whip:ID streams`);
  ctx.out('Press Ctrl+C (or send SIGTERM) to stop.');
  await new Promise<void>((resolve) => {
    const done = () => {
      process.off('SIGINT', done);
      process.off('SIGTERM', done);
      resolve();
    };
    process.once('SIGINT', done);
    process.once('SIGTERM', done);
  });
  ctx.out('Stopping...');
  await running.stop();
  logger.info('stopped');
  return 0;
}
