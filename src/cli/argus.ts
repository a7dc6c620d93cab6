import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { toArgusError } from '../errors/argus-error';
import { createCliContext, type GlobalOptions } from './cli-context';
import { analyzeFilesCommand } from './commands/analyze-files-command';
import { registerAuditCommands } from './commands/audit-command';
import { compareCommand } from './commands/compare-command';
import { demoCommand } from './commands/demo-command';
import { registerGalleryCommands } from './commands/gallery-commands';
import { registerKeysCommands } from './commands/keys-command';
import { probeCommand } from './commands/probe-command';
import { serveCommand } from './commands/serve-command';

/** Exit code for usage and configuration errors (1 means "some input failed"). */
const EXIT_USAGE = 2;

/** Entry point of the `argus` CLI; resolves to the process exit code. */
export async function run(
  argv: readonly string[],
  out: (line: string) => void = defaultOut,
): Promise<number> {
  let code = 0;
  const program = new Command('argus')
    .description('Argus: real-time face analysis for body-cam and CCTV streams')
    .option('--config <file>', 'JSON configuration file')
    .option('--data <dir>', 'data directory (default $ARGUS_DATA_DIR, else ./data)')
    .option('--log-level <level>', 'log level (stderr)')
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });

  const ctx = () => createCliContext(program.opts<GlobalOptions>(), out);

  program
    .command('detect')
    .description('Detect faces: one JSON line per file with boxes, scores, landmarks and quality')
    .argument('<files...>', 'JPEG, PNG or WebP images')
    .option('--json', 'JSON lines output (the stable contract)')
    .action(async (files: string[], o: { json?: boolean }) => {
      code = await analyzeFilesCommand(ctx(), files, { embed: false, json: !!o.json });
    });

  program
    .command('embed')
    .description('Detect faces and compute their 512-D embeddings')
    .argument('<files...>', 'JPEG, PNG or WebP images')
    .option('--json', 'JSON lines output (the stable contract)')
    .action(async (files: string[], o: { json?: boolean }) => {
      code = await analyzeFilesCommand(ctx(), files, { embed: true, json: !!o.json });
    });

  program
    .command('compare')
    .description('Similarity of the largest face in two images, against the configured threshold')
    .argument('<a>', 'first image')
    .argument('<b>', 'second image')
    .option('--json', 'JSON output')
    .action(async (a: string, b: string, o: { json?: boolean }) => {
      code = await compareCommand(ctx(), a, b, { json: !!o.json });
    });

  program
    .command('probe')
    .description('Connect to a source, decode a few frames, and report what it delivers (no reconnects)')
    .argument('<url>', 'rtsp://, rtsp-listen://, rtmp-listen://, whep+http(s):// or a video file')
    .option('--frames <n>', 'frames to decode', parsePositiveInt, 30)
    .option('--timeout <seconds>', 'give up after this long', parsePositiveInt, 20)
    .option('--transport <tcp|udp>', 'RTSP transport', 'tcp')
    .option('--json', 'JSON output (the stable contract)')
    .action(
      async (url: string, o: { frames: number; timeout: number; transport: string; json?: boolean }) => {
        const transport = o.transport === 'udp' ? 'udp' : 'tcp';
        code = await probeCommand(ctx(), url, {
          frames: o.frames,
          timeoutSec: o.timeout,
          json: !!o.json,
          transport,
        });
      },
    );

  program
    .command('demo')
    .description(
      'A one-face demo: a looping clip analysed as a live camera against one reference face (npm start runs serve --demo)',
    )
    .option('--source <url>', 'any stream URL or video file (default: the sample clip)')
    .option('--reference <image>', "reference face (default: the sample clip's performer)")
    .option('--name <name>', 'name shown for the reference', 'Lin-Manuel Miranda (demo)')
    .option('--seconds <n>', 'stop after this long (default: until Ctrl+C)', parsePositiveInt)
    .option(
      '--whip-port <port>',
      'WHIP endpoint port on 127.0.0.1 when --source is whip:ID',
      parsePositiveInt,
      8080,
    )
    .action(
      async (o: {
        source?: string;
        reference?: string;
        name: string;
        seconds?: number;
        whipPort: number;
      }) => {
        code = await demoCommand(ctx(), o);
      },
    );

  program
    .command('serve')
    .description('Run streams, analysis, gallery matching and the WebSocket alert endpoint until stopped')
    .option(
      '--demo',
      'what `npm start` runs: also loop the sample clip as stream "demo" and enrol its performer',
    )
    .action(async (o: { demo?: boolean }) => {
      code = await serveCommand(ctx(), { demo: !!o.demo });
    });

  registerGalleryCommands(program, ctx, (c) => {
    code = c;
  });
  registerKeysCommands(program, ctx, (c) => {
    code = c;
  });
  registerAuditCommands(program, ctx, (c) => {
    code = c;
  });

  try {
    await program.parseAsync(argv as string[]);
  } catch (err) {
    if (err instanceof CommanderError) {
      return err.exitCode === 0 ? 0 : EXIT_USAGE;
    }
    const e = toArgusError(err);
    process.stderr.write(`error ${e.code}: ${e.message}\n`);
    return EXIT_USAGE;
  }
  return code;
}

function parsePositiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 100000)
    throw new InvalidArgumentError('expected a whole number from 1 to 100000');
  return n;
}

function defaultOut(line: string): void {
  process.stdout.write(`${line}\n`);
}
