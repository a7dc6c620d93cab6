import pino, { type Logger } from 'pino';

export type { Logger };

/** Keys whose values never reach a log line, wherever they appear. */
const REDACT_PATHS = [
  'url',
  '*.url',
  'password',
  '*.password',
  'key',
  '*.key',
  'apiKey',
  '*.apiKey',
  'authorization',
  '*.authorization',
  'headers.authorization',
  'embedding',
  '*.embedding',
  'pixels',
  '*.pixels',
  'data',
  '*.data',
];

/**
 * Logs go to stderr so CLI commands keep stdout for their JSON contract.
 * Redaction is the backstop; callers also log redacted URLs (see util/redact-url) and never pass
 * buffers or embeddings.
 */
export function createLogger(level: string, name = 'argus'): Logger {
  return pino(
    {
      name,
      level,
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      serializers: { err: pino.stdSerializers.err },
    },
    pino.destination(2),
  );
}
