import type { ArgusConfig } from '../config/config-schema';
import { loadConfig } from '../config/load-config';
import { createLogger, type Logger } from '../logging/create-logger';

/** Options every command accepts. */
export interface GlobalOptions {
  config?: string;
  data?: string;
  logLevel?: string;
}

export interface CliContext {
  config: Readonly<ArgusConfig>;
  logger: Logger;
  out: (line: string) => void;
}

export function createCliContext(g: GlobalOptions, out: (line: string) => void): CliContext {
  const config = loadConfig({
    ...(g.config ? { file: g.config } : {}),
    overrides: (raw) => {
      if (g.data) raw.dataDir = g.data;
      if (g.logLevel) raw.log = { ...(raw.log as object), level: g.logLevel };
    },
  });
  // CLI runs stay quiet unless asked: stdout carries the JSON contract, stderr the problems.
  const logger = createLogger(g.logLevel ?? (config.log.level === 'info' ? 'warn' : config.log.level));
  return { config, logger, out };
}
