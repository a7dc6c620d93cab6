import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { Gauge, Registry } from 'prom-client';
import { AuditLog } from '../../../src/audit/audit-log';
import { ApiKeyStore, type Role } from '../../../src/auth/api-key-store';
import type { FaceSource, Gallery } from '../../../src/gallery/gallery';
import { createHttpApp } from '../../../src/http/create-http-app';
import type { HttpDeps } from '../../../src/http/http-deps';
import { createLogger } from '../../../src/logging/create-logger';
import { openTestGallery, tempDir, testConfig } from '../../helpers/gallery-fixtures';
import {
  MemoryAlerts,
  MemoryMatchSettings,
  MemoryReadiness,
  MemoryStreams,
  memorySystem,
} from './memory-services';

export interface TestApi {
  app: FastifyInstance;
  dir: string;
  /** A key of each role (and its id). */
  keys: Record<Role, { key: string; id: string }>;
  store: ApiKeyStore;
  gallery: Gallery;
  audit: AuditLog;
  streams: MemoryStreams;
  alerts: MemoryAlerts;
  settings: MemoryMatchSettings;
  readiness: MemoryReadiness;
  responses: Array<{ route: string; status: number }>;
  /** app.inject with `Authorization: Bearer <key of role>` when `as` is given. */
  call(o: InjectOptions & { as?: Role | 'none'; key?: string }): Promise<LightMyRequestResponse>;
  close(): Promise<void>;
}

export interface TestApiOptions {
  /** http.* options (parsed by the real config schema). */
  http?: Record<string, unknown>;
  faces?: () => Promise<FaceSource>;
  plugins?: HttpDeps['plugins'];
}

/**
 * The HTTP app over the real key store (low scrypt cost), real gallery (SQLite + HNSW, the real
 * models when `faces` is given) and real audit log in a temporary data directory, with in-memory
 * stream/alert services. Every test closes it (the directory is removed).
 */
export async function startTestApi(o: TestApiOptions = {}): Promise<TestApi> {
  const tmp = tempDir('http');
  const config = testConfig(tmp.dir, { http: { ...o.http } });
  const store = ApiKeyStore.open(tmp.dir, { scryptCost: 1024 });
  const gallery = openTestGallery(tmp.dir, { ...(o.faces ? { faces: o.faces } : {}) });
  const audit = AuditLog.open(tmp.dir);
  const cropDir = path.join(tmp.dir, 'crops');
  mkdirSync(cropDir);
  const streams = new MemoryStreams();
  const alerts = new MemoryAlerts(cropDir);
  const settings = new MemoryMatchSettings();
  const readiness = new MemoryReadiness();
  const registry = new Registry();
  new Gauge({ name: 'argus_test_up', help: 'test gauge', registers: [registry] }).set(1);
  const responses: TestApi['responses'] = [];
  let app: FastifyInstance | undefined;
  try {
    const keys = {} as TestApi['keys'];
    for (const role of ['admin', 'operator', 'viewer'] as const) {
      const created = await store.create({ role, label: `test ${role}` });
      keys[role] = { key: created.key, id: created.id };
    }
    app = await createHttpApp({
      config: config.http,
      logger: createLogger('silent'),
      keys: store,
      gallery,
      streams,
      alerts,
      matchSettings: settings,
      readiness,
      system: memorySystem,
      audit,
      metrics: registry,
      onResponse: (route, status) => responses.push({ route, status }),
      ...(o.plugins ? { plugins: o.plugins } : {}),
      version: '0.1.0-test',
    });
    const ready = app;
    await ready.ready();
    return {
      app: ready,
      dir: tmp.dir,
      keys,
      store,
      gallery,
      audit,
      streams,
      alerts,
      settings,
      readiness,
      responses,
      call: ({ as, key, ...req }) => {
        const headers: Record<string, string> = { ...(req.headers as Record<string, string> | undefined) };
        const bearer = key ?? (as && as !== 'none' ? keys[as].key : undefined);
        if (bearer !== undefined) headers.authorization = `Bearer ${bearer}`;
        return ready.inject({ ...req, headers });
      },
      close: async () => {
        await ready.close();
        await gallery.close();
        audit.close();
        store.close();
        tmp.cleanup();
      },
    };
  } catch (err) {
    await app?.close();
    await gallery.close();
    audit.close();
    store.close();
    tmp.cleanup();
    throw err;
  }
}

/** The error body every failure must have. */
export function errorOf(res: LightMyRequestResponse): { code: string; message: string } {
  const body = JSON.parse(res.body) as { error?: { code?: unknown; message?: unknown } };
  if (typeof body.error?.code !== 'string' || typeof body.error.message !== 'string') {
    throw new Error(`not an error body (${res.statusCode}): ${res.body.slice(0, 300)}`);
  }
  return { code: body.error.code, message: body.error.message };
}

/** A multipart/form-data body built by hand (the exact bytes a browser would send). */
export function multipartBody(
  parts: Array<
    { name: string; value: string } | { name: string; filename: string; bytes: Buffer; type?: string }
  >,
): { payload: Buffer; headers: Record<string, string> } {
  const boundary = `----argusTest${Math.random().toString(16).slice(2)}`;
  const chunks: Buffer[] = [];
  for (const p of parts) {
    chunks.push(Buffer.from(`--${boundary}\r\n`));
    if ('bytes' in p) {
      chunks.push(
        Buffer.from(
          `Content-Disposition: form-data; name="${p.name}"; filename="${p.filename}"\r\nContent-Type: ${p.type ?? 'image/jpeg'}\r\n\r\n`,
        ),
        p.bytes,
        Buffer.from('\r\n'),
      );
    } else {
      chunks.push(Buffer.from(`Content-Disposition: form-data; name="${p.name}"\r\n\r\n${p.value}\r\n`));
    }
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return {
    payload: Buffer.concat(chunks),
    headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
  };
}
