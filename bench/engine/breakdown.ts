/**
 * Where Pincer's time goes in part A, from what can be seen without switches in the product: the
 * split of each run into its start call and the wait for the result, the Temporal history of one
 * run on each side, and the engine's own recording calls timed alone on the same database.
 */
import { randomUUID } from 'node:crypto';
import { createRun, recordRun, recordStep } from '@pincer/engine';
import type { Client } from '@temporalio/client';
import type { tenLocalNoops } from './baseline-workflows.ts';
import type { Environment } from './environment.ts';
import { BASELINE_TASK_QUEUE, NOOP_STEPS, NOOP_WORKFLOW } from './shapes.ts';
import { latency, round2 } from './stats.ts';
import { type Sample, WORKFLOW_PLAN } from './workflow-bench.ts';

/** What one run looks like in Temporal's history. */
export interface HistoryShape {
  events: number;
  workflowTasks: number;
  /** Each completed local activity leaves one marker. */
  localActivities: number;
  activities: number;
}

export interface Breakdown {
  /** Medians at concurrency 1: the start call, then the wait for the result. */
  startMs: { pincer: number; temporal: number };
  waitMs: { pincer: number; temporal: number };
  history: { pincer: HistoryShape; temporal: HistoryShape };
  /** Medians of the engine's recording calls, each alone, one after the other. */
  isolatedMs: { createRun: number; recordStep: number; recordRun: number };
  /** Pincer's local activities × one recordStep each: the database's share of the wait, roughly. */
  estimatedRecordingMs: number;
  /**
   * Median from one step's end to the next one's in the c=1 runs, from Pincer's own StepRun
   * times (millisecond resolution); the baseline's is its wait ÷ the number of steps.
   */
  perStepMs: { pincer: number; temporal: number };
  /** Runs and StepRuns Pincer recorded during part A, against what the runs should have left. */
  recorded: { runs: number; stepRuns: number; expectedStepRuns: number };
}

const ISOLATED_CALLS = 60;

async function historyShape(client: Client, workflowId: string): Promise<HistoryShape> {
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  const events = history.events ?? [];
  return {
    events: events.length,
    workflowTasks: events.filter((event) => event.workflowTaskCompletedEventAttributes).length,
    localActivities: events.filter((event) => event.markerRecordedEventAttributes).length,
    activities: events.filter((event) => event.activityTaskScheduledEventAttributes).length,
  };
}

async function pincerHistory(env: Environment): Promise<HistoryShape> {
  const run = await env.db.run.findFirst({
    where: { workflow: { name: NOOP_WORKFLOW }, status: 'succeeded' },
    orderBy: { createdAt: 'desc' },
    select: { temporalWorkflowId: true },
  });
  if (!run) throw new Error(`no succeeded ${NOOP_WORKFLOW} run to read the history of`);
  return historyShape(env.pincer, run.temporalWorkflowId);
}

async function temporalHistory(env: Environment): Promise<HistoryShape> {
  const workflowId = `tenLocalNoops-history-${randomUUID()}`;
  const handle = await env.baseline.workflow.start<typeof tenLocalNoops>('tenLocalNoops', {
    taskQueue: BASELINE_TASK_QUEUE,
    workflowId,
  });
  await handle.result();
  return historyShape(env.baseline, workflowId);
}

async function medianOf(calls: number, call: (index: number) => Promise<unknown>): Promise<number> {
  const times: number[] = [];
  for (let index = 0; index < calls; index++) {
    const started = performance.now();
    await call(index);
    times.push(performance.now() - started);
  }
  return latency(times).p50;
}

/** The engine's recording calls alone; the Run rows they create stay queued (never started). */
async function isolatedRecording(env: Environment) {
  const actor = 'bench:isolated';
  let runId = '';
  const createRunMs = await medianOf(ISOLATED_CALLS, async () => {
    runId = (await createRun(env.clientDb, { workflow: NOOP_WORKFLOW, input: {}, actor })).runId;
  });
  const recordStepMs = await medianOf(ISOLATED_CALLS, (index) => {
    const at = Date.now();
    return recordStep(env.db, {
      runId,
      step: `isolated_${index}`,
      iteration: '',
      type: 'transform',
      status: 'succeeded',
      attempt: 1,
      input: { value: null },
      output: null,
      startedAt: at,
      finishedAt: at,
    });
  });
  const recordRunMs = await medianOf(ISOLATED_CALLS, () =>
    recordRun(env.db, { runId, status: 'running', at: Date.now() }),
  );
  return { createRun: createRunMs, recordStep: recordStepMs, recordRun: recordRunMs };
}

async function recordedByPartA(env: Environment) {
  const where = { workflow: { name: NOOP_WORKFLOW }, actor: 'bench' };
  const runs = await env.db.run.count({ where: { ...where, status: 'succeeded' } });
  const stepRuns = await env.db.stepRun.count({ where: { run: where, status: 'succeeded' } });
  return { runs, stepRuns, expectedStepRuns: runs * NOOP_STEPS };
}

/** The runs of the c=1 level: after the warm-up, before the next level (runs are sequential there). */
async function pincerStepIntervals(env: Environment): Promise<number[]> {
  const level = WORKFLOW_PLAN.levels[0];
  const runs = await env.db.run.findMany({
    where: { workflow: { name: NOOP_WORKFLOW }, actor: 'bench' },
    orderBy: { createdAt: 'asc' },
    skip: WORKFLOW_PLAN.warmup.runs,
    take: level?.runs ?? 0,
    select: { steps: { select: { finishedAt: true } } },
  });
  return runs.flatMap((run) => {
    const ends = run.steps.flatMap((step) => (step.finishedAt ? [step.finishedAt.getTime()] : []));
    ends.sort((a, b) => a - b);
    return ends.slice(1).map((end, index) => end - (ends[index] ?? end));
  });
}

function medians(sample: Sample | undefined) {
  if (!sample) throw new Error('part A has no sample at concurrency 1');
  const start = latency(sample.startMs).p50;
  const wait = latency(sample.totalMs.map((total, index) => total - (sample.startMs[index] ?? 0))).p50;
  return { start, wait };
}

export async function explain(env: Environment, samples: Sample[]): Promise<Breakdown> {
  const atOne = (variant: Sample['variant']) =>
    medians(samples.find((sample) => sample.variant === variant && sample.concurrency === 1));
  const pincer = atOne('pincer');
  const temporal = atOne('temporalLocal');
  const recorded = await recordedByPartA(env);
  const history = { pincer: await pincerHistory(env), temporal: await temporalHistory(env) };
  const isolatedMs = await isolatedRecording(env);
  return {
    startMs: { pincer: pincer.start, temporal: temporal.start },
    waitMs: { pincer: pincer.wait, temporal: temporal.wait },
    history,
    isolatedMs,
    estimatedRecordingMs: round2(history.pincer.localActivities * isolatedMs.recordStep),
    perStepMs: {
      pincer: latency(await pincerStepIntervals(env)).p50,
      temporal: round2(temporal.wait / NOOP_STEPS),
    },
    recorded,
  };
}
