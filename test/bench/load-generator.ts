/**
 * The load side of the auth-server benchmark, run in its own process (see auth-server.bench.ts).
 *
 * Receives one job at a time over IPC, runs autocannon against it, and answers with its own
 * latency percentiles: autocannon's histogram counts whole milliseconds, too coarse for a
 * sub-2-ms target, so every response time is kept as a float here instead.
 */
import autocannon from 'autocannon';

export interface LoadJob {
  url: string;
  connections: number;
  durationSeconds: number;
  headers: Record<string, string>;
  /** Paths cycled through by each connection (several accounts); default: the URL's own. */
  paths?: string[];
  /** Warm-up runs answer without latency details. */
  measure: boolean;
}

export interface LoadResult {
  requests: number;
  seconds: number;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  meanMs: number;
  errors: number;
  non2xx: number;
}

function percentile(sorted: Float64Array, fraction: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(fraction * sorted.length))] as number;
}

export function runLoad(job: LoadJob): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    let times = new Float64Array(1 << 20);
    let count = 0;
    const instance = autocannon(
      {
        url: job.url,
        connections: job.connections,
        duration: job.durationSeconds,
        pipelining: 1,
        headers: job.headers,
        ...(job.paths ? { requests: job.paths.map((path) => ({ method: 'GET', path })) } : {}),
      },
      (error, result) => {
        if (error) {
          reject(error);
          return;
        }
        const sorted = times.subarray(0, count).sort();
        let sum = 0;
        for (let i = 0; i < count; i += 1) sum += sorted[i] as number;
        resolve({
          requests: result.requests.total,
          seconds: result.duration,
          requestsPerSecond: result.requests.total / result.duration,
          p50Ms: percentile(sorted, 0.5),
          p99Ms: percentile(sorted, 0.99),
          meanMs: count === 0 ? Number.NaN : sum / count,
          errors: result.errors + result.timeouts,
          non2xx: result.non2xx,
        });
      },
    );
    if (job.measure) {
      instance.on('response', (_client: unknown, _status: number, _bytes: number, responseTime: number) => {
        if (count === times.length) {
          const bigger = new Float64Array(times.length * 2);
          bigger.set(times);
          times = bigger;
        }
        times[count] = responseTime;
        count += 1;
      });
    }
  });
}

// As a child process: one job per message, one result per job; a list of jobs runs at once.
if (process.send !== undefined) {
  process.on('message', (job: LoadJob | LoadJob[]) => {
    (Array.isArray(job) ? Promise.all(job.map(runLoad)) : runLoad(job)).then(
      (result) => process.send?.({ ok: true, result }),
      (error: unknown) => process.send?.({ ok: false, error: String(error) }),
    );
  });
  process.send({ ready: true });
}
