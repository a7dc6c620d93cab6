import { chmodSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { streamSchema } from '../config/stream-schema';
import { ArgusError } from '../errors/argus-error';
import { writeFileAtomic } from '../gallery/durable-file';
import { parseSourceUrl } from '../ingest/source-url';
import type { StreamOptions } from '../ingest/stream-options';
import type { StreamRuntime } from '../pipeline/stream-runtime';
import type { StreamInfo, StreamService, StreamSpecInput } from './service-ports';

type StreamSpec = z.infer<typeof streamSchema>;

/** Where streams added over the API are kept (with their credentials: the file is 0600). */
export function streamsFile(dataDir: string): string {
  return path.join(dataDir, 'streams', 'streams.json');
}

interface Entry {
  spec: StreamSpec;
  runtime: StreamRuntime;
  /** Defined in the configuration file: read-only over the API except start/stop. */
  fromConfig: boolean;
  enabled: boolean;
}

/**
 * The streams of a running server: those of the configuration file plus those added over the
 * API (persisted in streams.json and started again after a restart). Implements the API's
 * StreamService; `create` builds runtimes through the factory the composition root gives it.
 */
export class StreamManager implements StreamService {
  private readonly entries = new Map<string, Entry>();
  private readonly file: string;

  constructor(
    dataDir: string,
    private readonly createRuntime: (o: StreamOptions) => StreamRuntime,
    private readonly maxStreams = 256,
  ) {
    this.file = streamsFile(dataDir);
  }

  /** Adds the configuration's streams and the persisted API streams, and starts the enabled ones. */
  load(configStreams: readonly StreamSpec[]): void {
    for (const spec of configStreams) this.add(spec, true);
    for (const spec of this.readPersisted()) {
      if (!this.entries.has(spec.id)) this.add(spec, false);
    }
    for (const e of this.entries.values()) if (e.enabled) e.runtime.start();
  }

  list(): StreamInfo[] {
    return [...this.entries.values()].map((e) => e.runtime.info(e.enabled));
  }

  get(id: string): StreamInfo {
    const e = this.entry(id);
    return e.runtime.info(e.enabled);
  }

  runtime(id: string): StreamRuntime | undefined {
    return this.entries.get(id)?.runtime;
  }

  runtimes(): StreamRuntime[] {
    return [...this.entries.values()].map((e) => e.runtime);
  }

  async create(input: StreamSpecInput): Promise<StreamInfo> {
    const spec = validSpec(input);
    if (this.entries.has(spec.id)) {
      throw new ArgusError('ARGUS_E_CONFLICT', { reason: `stream "${spec.id}" already exists` });
    }
    if (this.entries.size >= this.maxStreams) {
      throw new ArgusError('ARGUS_E_CONFLICT', { reason: `at most ${this.maxStreams} streams` });
    }
    const e = this.add(spec, false);
    this.persist();
    if (e.enabled) e.runtime.start();
    return e.runtime.info(e.enabled);
  }

  async update(id: string, patch: Partial<Omit<StreamSpecInput, 'id'>>): Promise<StreamInfo> {
    const e = this.mutable(id);
    const spec = validSpec({ ...e.spec, ...patch, id });
    await e.runtime.stop();
    this.entries.delete(id);
    const next = this.add(spec, false);
    this.persist();
    if (next.enabled) next.runtime.start();
    return next.runtime.info(next.enabled);
  }

  async delete(id: string): Promise<void> {
    const e = this.mutable(id);
    this.entries.delete(id);
    this.persist();
    await e.runtime.stop();
  }

  async start(id: string): Promise<StreamInfo> {
    const e = this.entry(id);
    e.enabled = true;
    if (!e.fromConfig) e.spec = { ...e.spec, enabled: true };
    this.persist();
    e.runtime.start();
    return e.runtime.info(true);
  }

  async stop(id: string): Promise<StreamInfo> {
    const e = this.entry(id);
    e.enabled = false;
    if (!e.fromConfig) e.spec = { ...e.spec, enabled: false };
    this.persist();
    await e.runtime.stop();
    return e.runtime.info(false);
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.entries.values()].map((e) => e.runtime.stop()));
  }

  private add(spec: StreamSpec, fromConfig: boolean): Entry {
    const { enabled, ...options } = spec;
    const e: Entry = { spec, runtime: this.createRuntime(options), fromConfig, enabled };
    this.entries.set(spec.id, e);
    return e;
  }

  private entry(id: string): Entry {
    const e = this.entries.get(id);
    if (!e) throw new ArgusError('ARGUS_E_NOT_FOUND', { kind: 'stream', id });
    return e;
  }

  private mutable(id: string): Entry {
    const e = this.entry(id);
    if (e.fromConfig) {
      throw new ArgusError('ARGUS_E_CONFLICT', {
        reason: `stream "${id}" is defined in the configuration file; change it there (start/stop work)`,
      });
    }
    return e;
  }

  private readPersisted(): StreamSpec[] {
    if (!existsSync(this.file)) return [];
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(this.file, 'utf8'));
    } catch (err) {
      throw new ArgusError('ARGUS_E_CONFIG_UNREADABLE', { path: this.file, reason: (err as Error).message });
    }
    const parsed = z.array(streamSchema).safeParse(raw);
    if (!parsed.success) {
      throw new ArgusError('ARGUS_E_CONFIG_INVALID', { problems: `${this.file}: ${parsed.error.message}` });
    }
    return parsed.data;
  }

  private persist(): void {
    const specs = [...this.entries.values()].filter((e) => !e.fromConfig).map((e) => e.spec);
    mkdirSync(path.dirname(this.file), { recursive: true, mode: 0o700 });
    writeFileAtomic(this.file, `${JSON.stringify(specs, null, 2)}\n`);
    // URLs may hold camera passwords.
    chmodSync(this.file, 0o600);
  }
}

function validSpec(input: unknown): StreamSpec {
  const parsed = streamSchema.safeParse(input);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`);
    throw new ArgusError('ARGUS_E_HTTP_BAD_REQUEST', { reason: problems.join('; ') });
  }
  parseSourceUrl(parsed.data.url);
  return parsed.data;
}
