/**
 * The load generator every HTTP benchmark uses: autocannon POSTing one JSON body for a while,
 * each answer's body checked, counted the same way everywhere.
 */
import autocannon from 'autocannon';
import { round2 } from '../engine/stats.ts';

export interface JsonLoad {
  url: string;
  headers: Record<string, string>;
  body: unknown;
  concurrency: number;
  seconds: number;
  /** Whether a 2xx answer's body is the right one. */
  isExpected: (body: string) => boolean;
}

/** What a window of load gave, whoever served it. */
export interface LoadCounts {
  seconds: number;
  /** autocannon's mean of its per-second request counts. */
  requestsPerSec: number;
  requests: number;
  /** Answers with a 2xx status and the expected body. */
  correct: number;
  errors: number;
  timeouts: number;
  non2xx: number;
  /** 2xx answers whose body was not the expected one. */
  mismatches: number;
  latencyMs: { p50: number; p90: number; p99: number; mean: number; max: number };
}

export async function fireJson(load: JsonLoad): Promise<LoadCounts> {
  const result = await autocannon({
    url: load.url,
    method: 'POST',
    headers: { 'content-type': 'application/json', ...load.headers },
    body: JSON.stringify(load.body),
    connections: load.concurrency,
    duration: load.seconds,
    timeout: 30,
    verifyBody: (body) => typeof body === 'string' && load.isExpected(body),
  });
  // A non-2xx answer fails the body check too; count it once, as non-2xx.
  const mismatches = Math.max(0, result.mismatches - result.non2xx);
  const { latency } = result;
  return {
    seconds: result.duration,
    requestsPerSec: round2(result.requests.average),
    requests: result.requests.total,
    correct: result['2xx'] - mismatches,
    errors: result.errors,
    timeouts: result.timeouts,
    non2xx: result.non2xx,
    mismatches,
    latencyMs: {
      p50: latency.p50,
      p90: latency.p90,
      p99: latency.p99,
      mean: round2(latency.mean),
      max: latency.max,
    },
  };
}
