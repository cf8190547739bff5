/**
 * Part B: the webhook path under load with autocannon, against the bare ceiling and the
 * hand-written durable equivalent, every answer checked (status and body).
 */
import os from 'node:os';
import { fireJson, type LoadCounts } from '../lib/load.ts';
import { type CpuTimes, cpuPer, cpuSnapshot, cpuSpent, serviceGroups } from './cpu.ts';
import type { Environment } from './environment.ts';
import { QUICK } from './mode.ts';
import { ORDER } from './order.ts';
import { isExpectedReply, type Target, type TargetKey } from './servers.ts';

export const WEBHOOK_PLAN = QUICK
  ? { warmupSeconds: 1, seconds: 4, concurrency: [1, 10, 50] }
  : { warmupSeconds: 2, seconds: 10, concurrency: [1, 10, 50] };

export interface LoadResult extends LoadCounts {
  target: TargetKey;
  concurrency: number;
  /** CPU ms per answered request during the measured window, by process. */
  cpuMsPerRequest: CpuTimes & { total: number };
  /** All that CPU over the window's wall time and the machine's cores, in percent. */
  machineBusyPct: number;
}

function fire(target: Target, concurrency: number, seconds: number): Promise<LoadCounts> {
  return fireJson({
    url: target.url,
    headers: target.headers,
    body: ORDER,
    concurrency,
    seconds,
    isExpected: isExpectedReply,
  });
}

async function load(target: Target, concurrency: number, pids: Environment['pids']): Promise<LoadResult> {
  await fire(target, concurrency, WEBHOOK_PLAN.warmupSeconds);
  const groups = { ...serviceGroups(pids), server: { pid: target.pid, withDescendants: true } };
  const before = cpuSnapshot(groups);
  const windowStarted = performance.now();
  const result = await fire(target, concurrency, WEBHOOK_PLAN.seconds);
  const windowMs = performance.now() - windowStarted;
  const spent = cpuSpent(before, cpuSnapshot(groups));
  const spentMs = spent.server + spent.bench + spent.temporal + spent.postgres;
  return {
    ...result,
    target: target.key,
    concurrency,
    cpuMsPerRequest: cpuPer(spent, result.requests),
    machineBusyPct: Math.round((spentMs * 100) / (windowMs * os.cpus().length)),
  };
}

function describeLoad(result: LoadResult): string {
  const failed = result.errors + result.non2xx + result.mismatches;
  const failures = failed === 0 ? 'all answers right' : `${failed} failed`;
  return `${result.requestsPerSec.toFixed(1)} req/s · p50 ${result.latencyMs.p50} ms · p99 ${result.latencyMs.p99} ms · ${result.requests} requests, ${failures}`;
}

/** Concurrency levels outside, servers inside: each level's comparison is measured close in time. */
export async function measureWebhooks(targets: Target[], pids: Environment['pids']): Promise<LoadResult[]> {
  const results: LoadResult[] = [];
  for (const concurrency of WEBHOOK_PLAN.concurrency) {
    for (const target of targets) {
      const result = await load(target, concurrency, pids);
      console.log(`  c=${String(concurrency).padEnd(3)} ${target.label.padEnd(44)} ${describeLoad(result)}`);
      results.push(result);
    }
  }
  return results;
}
