import type { ArgusConfig } from '../../config/config-schema';
import { toArgusError } from '../../errors/argus-error';
import { createLogger } from '../../logging/create-logger';
import { startArgus } from '../../main';
import { DEMO_NAME, DEMO_STREAM_ID, ensureDemoIdentity, withDemoStream } from '../../serve/demo-setup';
import type { CliContext } from '../cli-context';

export interface ServeOptions {
  /** `npm start`: add the looping sample clip as stream "demo" and enrol the demo identity. */
  demo?: boolean;
}

/**
 * `argus serve`: runs everything in one process until SIGINT or SIGTERM, then stops in reverse
 * start order and resolves 0. Logs (stderr) follow config.log.level: a server is watched by operators.
 */
export async function serveCommand(ctx: CliContext, o: ServeOptions = {}): Promise<number> {
  const logger = createLogger(ctx.config.log.level);
  let config: Readonly<ArgusConfig> = ctx.config;
  let running: Awaited<ReturnType<typeof startArgus>>;
  try {
    if (o.demo) {
      config = withDemoStream(ctx.config);
      const demo = await ensureDemoIdentity(config, logger);
      ctx.out(
        `Demo: "${DEMO_NAME}" (${demo.id}) ${demo.created ? 'enrolled from its reference photo' : 'already enrolled'}; the sample clip loops as stream "${DEMO_STREAM_ID}".`,
      );
    }
    running = await startArgus(config, logger);
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
  ctx.out(`Argus serving ${config.streams.length} configured stream(s).`);
  ctx.out(`Dashboard: ${running.address}/ (log in with an API key)`);
  ctx.out(`API: ${running.address}/v1/... (Authorization: Bearer KEY); docs at ${running.address}/docs`);
  ctx.out(`Alerts: ${wsUrl} (Authorization: Bearer KEY), then send {"type":"subscribe"}`);
  if (o.demo) {
    ctx.out(
      running.createdAdminKey
        ? 'KEY: the admin API key above (keep it: it is not shown again).'
        : `KEY: the admin API key printed at the first start of ${config.dataDir}, or a new one from \`argus keys create --data ${config.dataDir} --role viewer\`.`,
    );
    ctx.out('Try it from another terminal (Node 20, the ws package of this repository):');
    ctx.out(
      `  node -e "const W=require('ws');const w=new W('${wsUrl}',{headers:{Authorization:'Bearer '+process.argv[1]}});w.on('open',()=>w.send(JSON.stringify({type:'subscribe'})));w.on('message',m=>console.log(String(m)))" KEY`,
    );
  }
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
