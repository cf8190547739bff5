/**
 * Where Pincer's time goes in part A, from what can be seen without switches in the product: the
 * c=1 runs of both sides cut at the times of their Temporal history (the server's clock, the same
 * machine's), the steps' own StepRun times, and the engine's recording calls timed alone on the
 * same database.
 */
import { createRun, recordBatch, recordRun, recordStep } from '@pincer/engine';
import type { Client } from '@temporalio/client';
import type { Environment } from './environment.ts';
import { NOOP_STEPS, NOOP_WORKFLOW } from './shapes.ts';
import { latency, round2 } from './stats.ts';
import type { RunTrace, WorkflowMeasurements } from './workflow-bench.ts';

type History = Awaited<ReturnType<ReturnType<Client['workflow']['getHandle']>['fetchHistory']>>;
type HistoryEvent = NonNullable<History['events']>[number];

/** One run cut where its history's times allow; medians over the c=1 runs in the Breakdown. */
export interface Stretches {
  /** The start call until Temporal recorded the execution (Pincer writes its rows first). */
  untilStarted: number;
  /** Until a worker took the first workflow task. */
  untilPickedUp: number;
  /** From the first workflow task's start to the last one's end: the workflow and its local activities. */
  inWorker: number;
  /** From the execution's completion until the client had the result (Pincer looks the run up first). */
  untilResult: number;
  total: number;
}

/** Pincer's time in the worker, cut at its first and last StepRun (its own records, ms resolution). */
export interface WorkerSplit {
  /** The first activation, the run marked running, step 1 with its record. */
  untilFirstStep: number;
  /** Steps 2 to the last. */
  otherSteps: number;
  /** The run marked done, the workflow task completed. */
  afterLastStep: number;
  /** From one step's StepRun end to the next one's. */
  perStep: number;
}

export interface RecordingCosts {
  createRun: number;
  recordStep: number;
  recordRun: number;
  /** A no-op run's whole batch: its 10 StepRuns and the Run marked running then succeeded. */
  recordBatch: number;
}

/** What one run looks like in Temporal's history. */
export interface HistoryShape {
  events: number;
  workflowTasks: number;
  /** Each completed local activity leaves one marker. */
  localActivities: number;
}

export interface Breakdown {
  /** Medians of the c=1 runs; the stretches add up to about the total, each a median of its own. */
  stretchesMs: { pincer: Stretches; temporal: Stretches };
  history: { pincer: HistoryShape; temporal: HistoryShape };
  /** Medians of Pincer's c=1 runs. */
  pincerWorkerMs: WorkerSplit;
  /** Medians of the engine's recording calls, each alone, one after the other. */
  isolatedMs: RecordingCosts;
  /** The CPU the benchmark's process spent per call of each, on average (Prisma and pg included). */
  isolatedCpuMs: RecordingCosts;
  /** Pincer's local activities × one recordStep each: the database's share of the worker's time, roughly. */
  estimatedRecordingMs: number;
  /** Runs and StepRuns Pincer recorded during part A, against what the runs should have left. */
  recorded: { runs: number; stepRuns: number; expectedStepRuns: number };
}

const ISOLATED_CALLS = 60;

function eventMs(event: HistoryEvent | undefined): number {
  const time = event?.eventTime;
  if (!time?.seconds) return Number.NaN;
  const seconds = typeof time.seconds === 'number' ? time.seconds : time.seconds.toNumber();
  return seconds * 1000 + (time.nanos ?? 0) / 1e6;
}

function shapeOf(events: HistoryEvent[]): HistoryShape {
  return {
    events: events.length,
    workflowTasks: events.filter((event) => event.workflowTaskCompletedEventAttributes).length,
    localActivities: events.filter((event) => event.markerRecordedEventAttributes).length,
  };
}

/** A run's moments: the benchmark's wall clock at both ends, the history's times in between. */
interface Moments {
  calledAt: number;
  started: number;
  pickedUp: number;
  tasksDone: number;
  completed: number;
  resultAt: number;
}

function momentsOf(events: HistoryEvent[], trace: RunTrace): Moments {
  return {
    calledAt: trace.calledAt,
    started: eventMs(events.find((event) => event.workflowExecutionStartedEventAttributes)),
    pickedUp: eventMs(events.find((event) => event.workflowTaskStartedEventAttributes)),
    tasksDone: eventMs(events.findLast((event) => event.workflowTaskCompletedEventAttributes)),
    completed: eventMs(events.find((event) => event.workflowExecutionCompletedEventAttributes)),
    resultAt: trace.resultAt,
  };
}

function stretchesOf(moments: Moments): Stretches {
  return {
    untilStarted: moments.started - moments.calledAt,
    untilPickedUp: moments.pickedUp - moments.started,
    inWorker: moments.tasksDone - moments.pickedUp,
    untilResult: moments.resultAt - moments.completed,
    total: moments.resultAt - moments.calledAt,
  };
}

/** `ends`: the run's StepRun end times, ascending. */
function workerSplitOf(moments: Moments, ends: number[]): WorkerSplit | undefined {
  const first = ends[0];
  const last = ends.at(-1);
  if (first === undefined || last === undefined || ends.length < 2) return undefined;
  return {
    untilFirstStep: first - moments.pickedUp,
    otherSteps: last - first,
    afterLastStep: moments.tasksDone - last,
    perStep: (last - first) / (ends.length - 1),
  };
}

function medianBy<T>(all: T[], pick: (item: T) => number): number {
  return latency(all.map(pick).filter((value) => !Number.isNaN(value))).p50;
}

function medianStretches(all: Stretches[]): Stretches {
  return {
    untilStarted: medianBy(all, (stretches) => stretches.untilStarted),
    untilPickedUp: medianBy(all, (stretches) => stretches.untilPickedUp),
    inWorker: medianBy(all, (stretches) => stretches.inWorker),
    untilResult: medianBy(all, (stretches) => stretches.untilResult),
    total: medianBy(all, (stretches) => stretches.total),
  };
}

function medianSplit(all: WorkerSplit[]): WorkerSplit {
  return {
    untilFirstStep: medianBy(all, (split) => split.untilFirstStep),
    otherSteps: medianBy(all, (split) => split.otherSteps),
    afterLastStep: medianBy(all, (split) => split.afterLastStep),
    perStep: medianBy(all, (split) => split.perStep),
  };
}

async function eventsOf(client: Client, workflowId: string): Promise<HistoryEvent[]> {
  return (await client.workflow.getHandle(workflowId).fetchHistory()).events ?? [];
}

/** Pincer's traces carry run ids: its workflow ids are on the Run rows. */
async function pincerWorkflowIds(env: Environment, traces: RunTrace[]): Promise<Map<string, string>> {
  const runs = await env.db.run.findMany({
    where: { id: { in: traces.map((trace) => trace.id) } },
    select: { id: true, temporalWorkflowId: true },
  });
  return new Map(runs.map((run) => [run.id, run.temporalWorkflowId]));
}

/** Every run's moments, and the first run's history shape. */
async function readHistories(client: Client, traces: RunTrace[], workflowIdOf: (trace: RunTrace) => string) {
  const moments = new Map<string, Moments>();
  let shape: HistoryShape | undefined;
  for (const trace of traces) {
    const events = await eventsOf(client, workflowIdOf(trace));
    shape ??= shapeOf(events);
    moments.set(trace.id, momentsOf(events, trace));
  }
  if (!shape) throw new Error('no c=1 run to read the history of');
  return { moments, shape };
}

/** Each run's StepRun end times, ascending. */
async function stepEnds(env: Environment, runIds: string[]): Promise<Map<string, number[]>> {
  const steps = await env.db.stepRun.findMany({
    where: { runId: { in: runIds } },
    select: { runId: true, finishedAt: true },
  });
  const ends = new Map<string, number[]>();
  for (const step of steps) {
    if (step.finishedAt) ends.set(step.runId, [...(ends.get(step.runId) ?? []), step.finishedAt.getTime()]);
  }
  for (const times of ends.values()) times.sort((a, b) => a - b);
  return ends;
}

function pincerWorkerSplit(moments: Map<string, Moments>, ends: Map<string, number[]>): WorkerSplit {
  const splits = [...moments].flatMap(([runId, run]) => workerSplitOf(run, ends.get(runId) ?? []) ?? []);
  return medianSplit(splits);
}

/** The median wall time of `calls` calls one after the other, and the process's CPU per call. */
async function timeCalls(calls: number, call: (index: number) => Promise<unknown>) {
  const times: number[] = [];
  const cpuBefore = process.cpuUsage();
  for (let index = 0; index < calls; index++) {
    const started = performance.now();
    await call(index);
    times.push(performance.now() - started);
  }
  const cpu = process.cpuUsage(cpuBefore);
  return { ms: latency(times).p50, cpuMs: round2((cpu.user + cpu.system) / 1000 / calls) };
}

/** The engine's recording calls alone; the Run rows createRun makes here stay queued (never started). */
async function isolatedRecording(env: Environment) {
  let runId = '';
  const create = await timeCalls(ISOLATED_CALLS, async () => {
    runId = (await createRun(env.clientDb, { workflow: NOOP_WORKFLOW, input: {}, actor: 'bench:isolated' }))
      .runId;
  });
  const step = await timeCalls(ISOLATED_CALLS, (index) =>
    recordStep(env.db, {
      runId,
      step: `isolated_${index}`,
      iteration: '',
      type: 'transform',
      status: 'succeeded',
      attempt: 1,
      output: null,
      finishedAt: Date.now(),
    }),
  );
  const run = await timeCalls(ISOLATED_CALLS, () =>
    recordRun(env.db, { runId, status: 'running', at: Date.now() }),
  );
  const batch = await timeCalls(ISOLATED_CALLS, (index) => {
    const at = Date.now();
    return recordBatch(env.db, {
      steps: Array.from({ length: NOOP_STEPS }, (_, step) => ({
        runId,
        step: `batch_${index}_${step}`,
        iteration: '',
        type: 'transform',
        status: 'succeeded' as const,
        attempt: 1,
        input: { value: null },
        output: null,
        startedAt: at,
        finishedAt: at,
      })),
      runs: [
        { runId, status: 'running', at },
        { runId, status: 'succeeded', output: null, at },
      ],
    });
  });
  return {
    ms: { createRun: create.ms, recordStep: step.ms, recordRun: run.ms, recordBatch: batch.ms },
    cpuMs: {
      createRun: create.cpuMs,
      recordStep: step.cpuMs,
      recordRun: run.cpuMs,
      recordBatch: batch.cpuMs,
    },
  };
}

async function recordedByPartA(env: Environment) {
  const where = { workflow: { name: NOOP_WORKFLOW }, actor: 'bench' };
  const runs = await env.db.run.count({ where: { ...where, status: 'succeeded' } });
  const stepRuns = await env.db.stepRun.count({ where: { run: where, status: 'succeeded' } });
  return { runs, stepRuns, expectedStepRuns: runs * NOOP_STEPS };
}

export async function explain(env: Environment, measured: WorkflowMeasurements): Promise<Breakdown> {
  const recorded = await recordedByPartA(env);
  const pincerTraces = measured.traces.filter((trace) => trace.variant === 'pincer');
  const temporalTraces = measured.traces.filter((trace) => trace.variant === 'temporalLocal');
  const workflowIds = await pincerWorkflowIds(env, pincerTraces);
  const pincer = await readHistories(
    env.pincer,
    pincerTraces,
    (trace) => workflowIds.get(trace.id) ?? trace.id,
  );
  const temporal = await readHistories(env.baseline, temporalTraces, (trace) => trace.id);
  const ends = await stepEnds(
    env,
    pincerTraces.map((trace) => trace.id),
  );
  const isolated = await isolatedRecording(env);
  return {
    stretchesMs: {
      pincer: medianStretches([...pincer.moments.values()].map(stretchesOf)),
      temporal: medianStretches([...temporal.moments.values()].map(stretchesOf)),
    },
    history: { pincer: pincer.shape, temporal: temporal.shape },
    pincerWorkerMs: pincerWorkerSplit(pincer.moments, ends),
    isolatedMs: isolated.ms,
    isolatedCpuMs: isolated.cpuMs,
    estimatedRecordingMs: round2(pincer.shape.localActivities * isolated.ms.recordStep),
    recorded,
  };
}
