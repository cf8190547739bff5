/**
 * Part A: a 10-step no-op workflow through Pincer (startRun → waitForRun) against the same shape
 * hand-written on the Temporal SDK, each run timed from start to result, at fixed concurrency.
 */
import { randomUUID } from 'node:crypto';
import { startRun, waitForRun } from '@pincer/engine';
import type { Client } from '@temporalio/client';
import type { tenActivityNoops, tenLocalNoops } from './baseline-workflows.ts';
import type { Environment } from './environment.ts';
import { BASELINE_TASK_QUEUE, NOOP_STEPS, NOOP_WORKFLOW } from './shapes.ts';
import { latency, round2 } from './stats.ts';

export type VariantKey = 'pincer' | 'temporalLocal' | 'temporalActivities';

interface RunTiming {
  /** Until the start call returned (the run is recorded and its workflow started). */
  startMs: number;
  /** Until the result was in. */
  totalMs: number;
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
}

/** Rounds alternate the variants' order, so drift on a busy machine does not favour one of them. */
export const WORKFLOW_PLAN = {
  warmup: { runs: 40, concurrency: 10 },
  rounds: 2,
  levels: [
    { concurrency: 1, runs: 100 },
    { concurrency: 20, runs: 400 },
  ],
};

export const VARIANT_LABELS: Record<VariantKey, string> = {
  pincer: `Pincer: ${NOOP_STEPS} transform steps (local activities, recorded)`,
  temporalLocal: `Temporal SDK: ${NOOP_STEPS} no-op local activities`,
  temporalActivities: `Temporal SDK: ${NOOP_STEPS} no-op activities (reference)`,
};

function pincerVariant(env: Environment): Variant {
  return {
    key: 'pincer',
    label: VARIANT_LABELS.pincer,
    async once() {
      const started = performance.now();
      const { runId } = await startRun(env.clientDb, env.pincer, {
        workflow: NOOP_WORKFLOW,
        input: {},
        actor: 'bench',
      });
      const startMs = performance.now() - started;
      const result = await waitForRun(env.clientDb, env.pincer, runId);
      const totalMs = performance.now() - started;
      if (result.status !== 'succeeded')
        throw new Error(`Pincer run ${runId} ended ${result.status}: ${JSON.stringify(result.error)}`);
      return { startMs, totalMs };
    },
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
    async once() {
      const started = performance.now();
      const handle = await client.workflow.start<typeof tenLocalNoops | typeof tenActivityNoops>(workflow, {
        taskQueue: BASELINE_TASK_QUEUE,
        workflowId: `${workflow}-${randomUUID()}`,
      });
      const startMs = performance.now() - started;
      const steps = await handle.result();
      const totalMs = performance.now() - started;
      if (steps !== NOOP_STEPS) throw new Error(`${workflow} ran ${steps} steps instead of ${NOOP_STEPS}`);
      return { startMs, totalMs };
    },
  };
}

export function variants(env: Environment): Variant[] {
  return [
    pincerVariant(env),
    temporalVariant(env.baseline, 'temporalLocal', 'tenLocalNoops'),
    temporalVariant(env.baseline, 'temporalActivities', 'tenActivityNoops'),
  ];
}

/** `runs` runs, `concurrency` at a time, each lane starting the next run as soon as one ends. */
async function drive(variant: Variant, runs: number, concurrency: number) {
  const timings: RunTiming[] = [];
  let next = 0;
  const lane = async () => {
    while (next < runs) {
      next += 1;
      timings.push(await variant.once());
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: Math.min(concurrency, runs) }, lane));
  return { timings, wallMs: performance.now() - started };
}

function emptySample(variant: VariantKey, concurrency: number): Sample {
  return { variant, concurrency, runs: 0, wallMs: 0, totalMs: [], startMs: [] };
}

function addTo(sample: Sample, result: { timings: RunTiming[]; wallMs: number }): void {
  sample.runs += result.timings.length;
  sample.wallMs += result.wallMs;
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

async function measureLevel(all: Variant[], concurrency: number, runs: number): Promise<Sample[]> {
  const samples = new Map(all.map((variant) => [variant.key, emptySample(variant.key, concurrency)]));
  const perRound = Math.ceil(runs / WORKFLOW_PLAN.rounds);
  for (let round = 0; round < WORKFLOW_PLAN.rounds; round++) {
    const order = round % 2 === 0 ? all : [...all].reverse();
    for (const variant of order) {
      const sample = samples.get(variant.key);
      if (sample) addTo(sample, await drive(variant, perRound, concurrency));
    }
  }
  for (const variant of all) {
    const sample = samples.get(variant.key);
    if (sample)
      console.log(
        `  c=${String(concurrency).padEnd(3)} ${variant.label.padEnd(62)} ${describeSample(sample)}`,
      );
  }
  return [...samples.values()];
}

export async function measureWorkflows(env: Environment): Promise<Sample[]> {
  const all = variants(env);
  const { runs, concurrency } = WORKFLOW_PLAN.warmup;
  process.stdout.write(`  warm-up: ${runs} runs of each at c=${concurrency} … `);
  for (const variant of all) await drive(variant, runs, concurrency);
  console.log('done');
  const samples: Sample[] = [];
  for (const level of WORKFLOW_PLAN.levels)
    samples.push(...(await measureLevel(all, level.concurrency, level.runs)));
  return samples;
}
