import { resolveFfmpeg } from '../../src/ingest/ffmpeg/ffmpeg-binary';
import { STREAM_DEFAULTS, type StreamOptions } from '../../src/ingest/stream-options';
import { StreamSupervisor, type SupervisorDeps } from '../../src/ingest/stream-supervisor';
import { createLogger } from '../../src/logging/create-logger';

const live = new Set<StreamSupervisor>();

/** A started supervisor over the real FFmpeg, stopped by stopAllStreams() even when a test fails. */
export async function superviseStream(
  options: Partial<StreamOptions> & { url: string },
  deps: Partial<SupervisorDeps> = {},
): Promise<StreamSupervisor> {
  const s = new StreamSupervisor(
    { ...STREAM_DEFAULTS, id: 'cam1', ...options },
    { ffmpeg: await resolveFfmpeg(), logger: createLogger(process.env.ARGUS_TEST_LOG ?? 'silent'), ...deps },
  );
  live.add(s);
  s.start();
  return s;
}

export async function stopAllStreams(): Promise<void> {
  await Promise.all([...live].map((s) => s.stop()));
  live.clear();
}
