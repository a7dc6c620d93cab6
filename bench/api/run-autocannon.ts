/** The part of autocannon's programmatic API used here (the package ships no types). */
interface AutocannonResult {
  requests: { average: number };
  latency: { p50: number; p99: number };
  non2xx: number;
  errors: number;
  timeouts: number;
}

type Autocannon = (
  o: {
    url: string;
    connections: number;
    duration: number;
    headers: Record<string, string>;
    requests?: { setupRequest: (req: { path: string }) => { path: string } }[];
  },
  cb: (err: Error | null, result: AutocannonResult) => void,
) => unknown;

const autocannon = require('autocannon') as Autocannon;

export interface LoadResult {
  rps: number;
  p50Ms: number;
  p99Ms: number;
  non2xx: number;
  errors: number;
}

/**
 * `connections` concurrent keep-alive clients hammer one GET for `durationSec`; with `nextPath`,
 * each request asks for the path it returns instead (e.g. a different page every time).
 */
export function load(
  url: string,
  key: string,
  durationSec: number,
  connections = 10,
  nextPath?: () => string,
): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const requests = nextPath
      ? [{ setupRequest: (req: { path: string }) => ({ ...req, path: nextPath() }) }]
      : undefined;
    autocannon(
      {
        url,
        connections,
        duration: durationSec,
        headers: { authorization: `Bearer ${key}` },
        ...(requests ? { requests } : {}),
      },
      (err, r) => {
        if (err) return reject(err);
        resolve({
          rps: r.requests.average,
          p50Ms: r.latency.p50,
          p99Ms: r.latency.p99,
          non2xx: r.non2xx,
          errors: r.errors + r.timeouts,
        });
      },
    );
  });
}
