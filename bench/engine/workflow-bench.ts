/**
 * Part A: a 10-step no-op workflow through Pincer (startRun → waitForRun) against the same shape
 * hand-written on the Temporal SDK, each run timed from start to result, at fixed concurrency.
 */
import { randomUUID } from 'node:crypto';
import { startRun, waitForRun } from '@pincer/engine';
import type { Client } from '@temporalio/client';
import type { tenActivityNoops, tenLocalNoops } from './baseline-workflows.ts';
import { addCpu, type CpuTimes, cpuSnapshot, cpuSpent, NO_CPU, serviceGroups } from './cpu.ts';
import type { Environment } from './environment.ts';
import { QUICK } from './mode.ts';
import { BASELINE_TASK_QUEUE, NOOP_STEPS, NOOP_WORKFLOW } from './shapes.ts';
import { latency, round2 } from './stats.ts';

export type VariantKey = 'pincer' | 'temporalLocal' | 'temporalActivities';

/** A run's moments on the wall clock (Date.now()), to line up with Temporal's history times. */
export interface RunTrace {
  variant: VariantKey;
  /** Pincer: the run id; Temporal: the workflow id. */
  id: string;
  calledAt: number;
  startReturnedAt: number;
  resultAt: number;
}

interface RunTiming {
  /** Until the start call returned (the run is recorded and its workflow started). */
  startMs: number;
  /** Until the result was in. */
  totalMs: number;
  trace: Omit<RunTrace, 'variant'>;
}

/** Times a run's start call and its whole, on the monotonic clock and on the wall clock. */
async function timeRun<T>(
  start: () => Promise<T>,
  finish: (started: T) => Promise<string>,
): Promise<RunTiming> {
  const calledAt = Date.now();
  const started = performance.now();
  const begun = await start();
  const startMs = performance.now() - started;
  const startReturnedAt = Date.now();
  const id = await finish(begun);
  const totalMs = performance.now() - started;
  return { startMs, totalMs, trace: { id, calledAt, startReturnedAt, resultAt: Date.now() } };
}

interface Variant {
  key: VariantKey;
  label: string;
  once(): Promise<RunTiming>;
}

/** One concurrency level of one variant: every run's times, pooled over the rounds. */
export interface Sample {
  variant: VariantKey;
  concurrency: number;
  runs: number;
  /** Wall time of all the runs, rounds added up. */
  wallMs: number;
  totalMs: number[];
  startMs: number[];
  /** CPU spent by the benchmark's process (clients and workers), Temporal and PostgreSQL, rounds added up. */
  cpuMs: CpuTimes;
}

/** Rounds alternate the variants' order, so drift on a busy machine does not favour one of them. */
export const WORKFLOW_PLAN = QUICK
  ? {
      warmup: { runs: 20, concurrency: 10 },
      rounds: 1,
      levels: [
        { concurrency: 1, runs: 20 },
        { concurrency: 20, runs: 100 },
      ],
    }
  : {
      warmup: { runs: 40, concurrency: 10 },
      rounds: 2,
      levels: [
        { concurrency: 1, runs: 100 },
        { concurrency: 20, runs: 400 },
      ],
    };

export const VARIANT_LABELS: Record<VariantKey, string> = {
  pincer: `Pincer: ${NOOP_STEPS} transform steps (inline, recorded)`,
  temporalLocal: `Temporal SDK: ${NOOP_STEPS} no-op local activities`,
  temporalActivities: `Temporal SDK: ${NOOP_STEPS} no-op activities (reference)`,
};

function pincerVariant(env: Environment): Variant {
  return {
    key: 'pincer',
    label: VARIANT_LABELS.pincer,
    once: () =>
      timeRun(
        async () =>
          (await startRun(env.clientDb, env.pincer, { workflow: NOOP_WORKFLOW, input: {}, actor: 'bench' }))
            .runId,
        async (runId) => {
          const result = await waitForRun(env.clientDb, env.pincer, runId);
          if (result.status !== 'succeeded')
            throw new Error(`Pincer run ${runId} ended ${result.status}: ${JSON.stringify(result.error)}`);
          return runId;
        },
      ),
  };
}

function temporalVariant(
  client: Client,
  key: Exclude<VariantKey, 'pincer'>,
  workflow: 'tenLocalNoops' | 'tenActivityNoops',
): Variant {
  return {
    key,
    label: VARIANT_LABELS[key],
    once: () =>
      timeRun(
        () =>
          client.workflow.start<typeof tenLocalNoops | typeof tenActivityNoops>(workflow, {
            taskQueue: BASELINE_TASK_QUEUE,
            workflowId: `${workflow}-${randomUUID()}`,
          }),
        async (handle) => {
          const steps = await handle.result();
          if (steps !== NOOP_STEPS)
            throw new Error(`${workflow} ran ${steps} steps instead of ${NOOP_STEPS}`);
          return handle.workflowId;
        },
      ),
  };
}

function variants(env: Environment): Variant[] {
  return [
    pincerVariant(env),
    temporalVariant(env.baseline, 'temporalLocal', 'tenLocalNoops'),
    temporalVariant(env.baseline, 'temporalActivities', 'tenActivityNoops'),
  ];
}

/** `runs` runs, `concurrency` at a time, each lane starting the next run as soon as one ends. */
async function drive(variant: Variant, runs: number, concurrency: number, cpu: () => CpuTimes) {
  const timings: RunTiming[] = [];
  let next = 0;
  const lane = async () => {
    while (next < runs) {
      next += 1;
      timings.push(await variant.once());
    }
  };
  const cpuBefore = cpu();
  const started = performance.now();
  await Promise.all(Array.from({ length: Math.min(concurrency, runs) }, lane));
  const wallMs = performance.now() - started;
  return { timings, wallMs, cpuMs: cpuSpent(cpuBefore, cpu()) };
}

function emptySample(variant: VariantKey, concurrency: number): Sample {
  return { variant, concurrency, runs: 0, wallMs: 0, totalMs: [], startMs: [], cpuMs: NO_CPU };
}

function addTo(sample: Sample, result: { timings: RunTiming[]; wallMs: number; cpuMs: CpuTimes }): void {
  sample.runs += result.timings.length;
  sample.wallMs += result.wallMs;
  sample.cpuMs = addCpu(sample.cpuMs, result.cpuMs);
  for (const timing of result.timings) {
    sample.totalMs.push(round2(timing.totalMs));
    sample.startMs.push(round2(timing.startMs));
  }
}

export function runsPerSecond(sample: Sample): number {
  return round2(sample.runs / (sample.wallMs / 1000));
}

function describeSample(sample: Sample): string {
  const { p50, p95 } = latency(sample.totalMs);
  return `p50 ${p50.toFixed(1)} ms · p95 ${p95.toFixed(1)} ms · ${runsPerSecond(sample).toFixed(1)} runs/s`;
}

export interface WorkflowMeasurements {
  samples: Sample[];
  /** Every run of the first level (c=1), for the breakdown. */
  traces: RunTrace[];
}

async function measureLevel(
  all: Variant[],
  level: { concurrency: number; runs: number },
  cpu: () => CpuTimes,
): Promise<WorkflowMeasurements> {
  const { concurrency, runs } = level;
  const samples = new Map(all.map((variant) => [variant.key, emptySample(variant.key, concurrency)]));
  const traces: RunTrace[] = [];
  const perRound = Math.ceil(runs / WORKFLOW_PLAN.rounds);
  for (let round = 0; round < WORKFLOW_PLAN.rounds; round++) {
    const order = round % 2 === 0 ? all : [...all].reverse();
    for (const variant of order) {
      const sample = samples.get(variant.key);
      const result = await drive(variant, perRound, concurrency, cpu);
      if (sample) addTo(sample, result);
      traces.push(...result.timings.map((timing) => ({ variant: variant.key, ...timing.trace })));
    }
  }
  for (const variant of all) {
    const sample = samples.get(variant.key);
    if (sample)
      console.log(
        `  c=${String(concurrency).padEnd(3)} ${variant.label.padEnd(62)} ${describeSample(sample)}`,
      );
  }
  return { samples: [...samples.values()], traces };
}

export async function measureWorkflows(env: Environment): Promise<WorkflowMeasurements> {
  const all = variants(env);
  const { runs, concurrency } = WORKFLOW_PLAN.warmup;
  process.stdout.write(`  warm-up: ${runs} runs of each at c=${concurrency} … `);
  const groups = serviceGroups(env.pids);
  const cpu = () => cpuSnapshot(groups);
  for (const variant of all) await drive(variant, runs, concurrency, cpu);
  console.log('done');
  const levels: WorkflowMeasurements[] = [];
  for (const level of WORKFLOW_PLAN.levels) levels.push(await measureLevel(all, level, cpu));
  return { samples: levels.flatMap((level) => level.samples), traces: levels[0]?.traces ?? [] };
}
