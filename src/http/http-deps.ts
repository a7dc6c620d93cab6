import type { FastifyPluginAsync } from 'fastify';
import type { AuditLog } from '../audit/audit-log';
import type { ApiKeyStore } from '../auth/api-key-store';
import type { ArgusConfig } from '../config/config-schema';
import type { Gallery } from '../gallery/gallery';
import type { Logger } from '../logging/create-logger';
import type {
  AlertService,
  MatchSettingsService,
  Readiness,
  StreamService,
  SystemService,
} from '../serve/service-ports';

export type HttpConfig = ArgusConfig['http'];

/** What the routes use of the gallery. */
export type GalleryPort = Pick<
  Gallery,
  'enrol' | 'addTemplates' | 'deleteIdentity' | 'removeTemplate' | 'get' | 'list' | 'searchByImage' | 'photo'
>;

/** A Prometheus registry as far as /metrics needs one (prom-client's Registry fits). */
export interface MetricsSource {
  contentType: string;
  metrics(): Promise<string>;
}

/** A plugin registered inside the app (WHIP routes, the dashboard), with its options. */
export interface HttpPlugin {
  // biome-ignore lint/suspicious/noExplicitAny: each plugin has its own options type
  plugin: FastifyPluginAsync<any>;
  options?: object;
}

/** Everything `createHttpApp` needs; the composition root (main.ts) builds it from the real parts. */
export interface HttpDeps {
  config: HttpConfig;
  logger: Logger;
  keys: ApiKeyStore;
  gallery: GalleryPort;
  streams: StreamService;
  alerts: AlertService;
  matchSettings: MatchSettingsService;
  readiness: Readiness;
  system: SystemService;
  audit: Pick<AuditLog, 'append' | 'list'>;
  metrics: MetricsSource;
  plugins?: HttpPlugin[];
  /** Called once per answered request, for the HTTP metrics (route is the pattern, e.g. /v1/streams/:id). */
  onResponse?: (route: string, status: number, ms: number, method: string) => void;
  /** Shown in the OpenAPI document. Default: 0.0.0. */
  version?: string;
}
