/** The numbers the report shows, computed from the raw runs; ratios are Pincer over its baseline. */
import type { Breakdown } from './breakdown.ts';
import { type CpuTimes, cpuPer } from './cpu.ts';
import { type Latency, latency, overheadPct, ratio } from './stats.ts';
import type { LoadResult } from './webhook-bench.ts';
import { runsPerSecond, type Sample, VARIANT_LABELS, type VariantKey } from './workflow-bench.ts';

/** The engine issue's target: Pincer at most this much slower than hand-written Temporal. */
const TARGET_OVERHEAD_PCT = 15;

export interface WorkflowRow {
  variant: VariantKey;
  label: string;
  concurrency: number;
  runs: number;
  runsPerSec: number;
  /** Start → result of each run. */
  latencyMs: Latency;
  /** The start call alone. */
  startMs: Latency;
  /** CPU per run of the benchmark's process (clients and workers), Temporal and PostgreSQL. */
  cpuMsPerRun: CpuTimes & { total: number };
}

export interface WorkflowRatio {
  concurrency: number;
  /** Pincer ÷ Temporal with local activities (the matching baseline). */
  p50: number;
  p95: number;
  /** Temporal's runs/s ÷ Pincer's: how many times more runs the baseline gets through. */
  throughput: number;
  latencyOverheadPct: number;
  throughputOverheadPct: number;
  /** Pincer ÷ Temporal with regular activities, for reference. */
  vsActivities: { p50: number; throughput: number };
}

export interface TargetVerdict {
  limitPct: number;
  met: boolean;
  /** The largest of the latency (p50) and throughput overheads at every concurrency. */
  worstPct: number;
}

export interface WebhookRatio {
  concurrency: number;
  /** The ceiling's req/s ÷ Pincer's: how many times more the bare server answers. */
  bareOverPincer: number;
  /** Pincer's req/s ÷ the durable baseline's (1.0 = as fast). */
  throughputVsDurable: number;
  /** Pincer's p50 minus the bare server's, in ms (autocannon's latencies are whole ms: no ratio). */
  p50OverBareMs: number;
  /** Pincer's latency ÷ the durable baseline's. */
  p50VsDurable: number;
  p99VsDurable: number;
}

export interface Summary {
  workflow: WorkflowRow[];
  breakdown: Breakdown;
  webhook: LoadResult[];
}

export interface Ratios {
  workflow: WorkflowRatio[];
  target: TargetVerdict;
  webhook: WebhookRatio[];
}

function workflowRow(sample: Sample): WorkflowRow {
  return {
    variant: sample.variant,
    label: VARIANT_LABELS[sample.variant],
    concurrency: sample.concurrency,
    runs: sample.runs,
    runsPerSec: runsPerSecond(sample),
    latencyMs: latency(sample.totalMs),
    startMs: latency(sample.startMs),
    cpuMsPerRun: cpuPer(sample.cpuMs, sample.runs),
  };
}

function find<T extends { concurrency: number }>(
  rows: T[],
  concurrency: number,
  match: (row: T) => boolean,
): T {
  const found = rows.find((row) => row.concurrency === concurrency && match(row));
  if (!found) throw new Error(`no measurement at concurrency ${concurrency}`);
  return found;
}

function workflowRatios(rows: WorkflowRow[]): WorkflowRatio[] {
  const levels = [...new Set(rows.map((row) => row.concurrency))];
  return levels.map((concurrency) => {
    const pincer = find(rows, concurrency, (row) => row.variant === 'pincer');
    const local = find(rows, concurrency, (row) => row.variant === 'temporalLocal');
    const activities = find(rows, concurrency, (row) => row.variant === 'temporalActivities');
    return {
      concurrency,
      p50: ratio(pincer.latencyMs.p50, local.latencyMs.p50),
      p95: ratio(pincer.latencyMs.p95, local.latencyMs.p95),
      throughput: ratio(local.runsPerSec, pincer.runsPerSec),
      latencyOverheadPct: overheadPct(pincer.latencyMs.p50, local.latencyMs.p50),
      throughputOverheadPct: overheadPct(local.runsPerSec, pincer.runsPerSec),
      vsActivities: {
        p50: ratio(pincer.latencyMs.p50, activities.latencyMs.p50),
        throughput: ratio(activities.runsPerSec, pincer.runsPerSec),
      },
    };
  });
}

function verdict(ratios: WorkflowRatio[]): TargetVerdict {
  const worstPct = Math.max(...ratios.flatMap((row) => [row.latencyOverheadPct, row.throughputOverheadPct]));
  return { limitPct: TARGET_OVERHEAD_PCT, met: worstPct <= TARGET_OVERHEAD_PCT, worstPct };
}

function webhookRatios(results: LoadResult[]): WebhookRatio[] {
  const levels = [...new Set(results.map((result) => result.concurrency))];
  return levels.map((concurrency) => {
    const of = (target: LoadResult['target']) => find(results, concurrency, (row) => row.target === target);
    const pincer = of('pincer');
    const bare = of('bare');
    const durable = of('durable');
    return {
      concurrency,
      bareOverPincer: Math.round(bare.requestsPerSec / pincer.requestsPerSec),
      throughputVsDurable: ratio(pincer.requestsPerSec, durable.requestsPerSec),
      p50OverBareMs: pincer.latencyMs.p50 - bare.latencyMs.p50,
      p50VsDurable: ratio(pincer.latencyMs.p50, durable.latencyMs.p50),
      p99VsDurable: ratio(pincer.latencyMs.p99, durable.latencyMs.p99),
    };
  });
}

export function summarize(
  samples: Sample[],
  breakdown: Breakdown,
  webhook: LoadResult[],
): { summary: Summary; ratios: Ratios } {
  const workflow = samples.map(workflowRow);
  const perLevel = workflowRatios(workflow);
  return {
    summary: { workflow, breakdown, webhook },
    ratios: { workflow: perLevel, target: verdict(perLevel), webhook: webhookRatios(webhook) },
  };
}
