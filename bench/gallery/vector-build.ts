/**
 * Build phase of the gallery benchmark: generates the synthetic gallery and its exact ground
 * truth in parallel worker threads (one per data slice), then builds the HNSW shards (one worker
 * thread per shard, all at once), all into the cache (bench-cache.ts). Resumable: finished steps
 * are skipped.
 */
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { round } from '../bench-report';
import { BenchCache, type BuildConfig } from './bench-cache';
import { makeQueries } from './queries';
import type { ShardReply, ShardRequest, ShardWorkerData } from './shard-worker';
import { DIM, dotRows, FaceLikeGenerator } from './synthetic';

/** Runs one request per worker (worker i gets reqs[i]), all at once. */
async function runOnWorkers(wd: ShardWorkerData, reqs: ShardRequest[]): Promise<ShardReply[]> {
  const script = path.join(__dirname, 'shard-worker.js');
  const workers = reqs.map(() => new Worker(script, { workerData: wd }));
  try {
    return await Promise.all(
      reqs.map(
        (req, i) =>
          new Promise<ShardReply>((resolve, reject) => {
            const w = workers[i]!;
            w.once('error', reject);
            w.once('message', (m: ShardReply | { op: 'error'; message: string }) =>
              m.op === 'error' ? reject(new Error(m.message)) : resolve(m),
            );
            w.postMessage(req);
          }),
      ),
    );
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}

/**
 * Generates the data and its exact ground truth (both shared by every design), then builds this
 * design's shards unless `dataOnly`.
 */
export async function runVectorBuild(
  config: BuildConfig,
  log: (m: string) => void,
  dataOnly = false,
): Promise<BenchCache> {
  const cache = new BenchCache(config);
  const man = cache.manifest();
  const wd: ShardWorkerData = { seed: config.seed, params: config.params };
  const bounds = cache.bounds();
  const slices = cache.sliceBounds();
  const tag = `n=${config.n}`;
  log(`${tag}: cache ${cache.dir}`);

  const toGen = slices.map((_, s) => s).filter((s) => !existsSync(cache.vectors(s)));
  if (toGen.length > 0) {
    const replies = await runOnWorkers(
      wd,
      toGen.map((s) => ({ op: 'gen', start: slices[s]![0], end: slices[s]![1], file: cache.vectors(s) })),
    );
    toGen.forEach((s, i) => {
      man.genMs[s] = (replies[i] as Extract<ShardReply, { op: 'gen' }>).ms;
    });
    cache.saveManifest(man);
    log(`${tag}: generated slices ${toGen.join(',')}`);
  }

  if (!cache.truth()) {
    const total = config.tuningQueries + config.measureQueries;
    const q = makeQueries(config.n, total, config.seed, config.params);
    const t = performance.now();
    const parts = (await runOnWorkers(
      wd,
      slices.map(([start], s) => ({
        op: 'truth',
        start,
        vectors: cache.vectors(s),
        count: total,
        queries: q.buffer,
        queryIds: Int32Array.from(q.ids),
      })),
    )) as Array<Extract<ShardReply, { op: 'truth' }>>;
    const truth = {
      queryIds: q.ids,
      best: [] as number[],
      bestSim: [] as number[],
      otherSim: [] as number[],
      ownSim: [] as number[],
    };
    const gen = new FaceLikeGenerator(config.seed, config.params);
    const own = new Float32Array(DIM);
    for (let j = 0; j < total; j++) {
      let b = -1;
      let bs = Number.NEGATIVE_INFINITY;
      let other = Number.NEGATIVE_INFINITY;
      for (const p of parts) {
        if (p.bestSim[j]! > bs || (p.bestSim[j] === bs && p.best[j]! < b)) {
          bs = p.bestSim[j]!;
          b = p.best[j]!;
        }
        other = Math.max(other, p.otherSim[j]!);
      }
      gen.write(q.ids[j]!, 0, own, 0);
      truth.best.push(b);
      truth.bestSim.push(bs);
      truth.otherSim.push(other);
      truth.ownSim.push(dotRows(own, 0, q.vectors, j * DIM));
    }
    man.truthMs = performance.now() - t;
    cache.saveTruth(truth);
    cache.saveManifest(man);
    log(`${tag}: exact ground truth for ${total} queries in ${round(man.truthMs / 1000, 1)} s`);
  }
  if (dataOnly) return cache;

  const toBuild = bounds.map((_, s) => s).filter((s) => !existsSync(cache.shard(s)));
  if (toBuild.length > 0) {
    log(`${tag}: building shards ${toBuild.join(',')} in ${toBuild.length} worker threads`);
    man.buildStartedAt = new Date().toISOString();
    man.buildNice = os.getPriority();
    man.buildLoadAverage = [round(os.loadavg()[0] ?? 0)];
    const loadTimer = setInterval(() => man.buildLoadAverage.push(round(os.loadavg()[0] ?? 0)), 60_000);
    const t = performance.now();
    try {
      const replies = await runOnWorkers(
        wd,
        toBuild.map((s) => ({
          op: 'build',
          start: bounds[s]![0],
          end: bounds[s]![1],
          slices: cache.slicesFor(bounds[s]![0], bounds[s]![1]),
          config,
          // Room for the add-one-template measurement and ordinary growth without a resize.
          capacity: Math.ceil((bounds[s]![1] - bounds[s]![0]) * 1.02) + 1000,
          file: cache.shard(s),
        })),
      );
      toBuild.forEach((s, i) => {
        const r = replies[i] as Extract<ShardReply, { op: 'build' }>;
        man.shards[s] = {
          insertMs: r.insertMs,
          insertCpuMs: r.insertCpuMs,
          writeMs: r.writeMs,
          readMs: r.readMs,
          finishedAt: new Date().toISOString(),
        };
      });
    } finally {
      clearInterval(loadTimer);
    }
    const slowestRead = Math.max(...toBuild.map((s) => man.shards[s]!.readMs));
    // Wall time of insert + write (the slowest worker's slice read is not part of a gallery build).
    man.buildWallMs = toBuild.length === bounds.length ? performance.now() - t - slowestRead : null;
    man.buildLoadAverage.push(round(os.loadavg()[0] ?? 0));
    cache.saveManifest(man);
    log(`${tag}: built in ${round((man.buildWallMs ?? 0) / 1000, 1)} s`);
  }

  return cache;
}
