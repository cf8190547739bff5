import type { Prisma, PrismaClient, RunStatus, StepStatus } from '@pincer/db';

/** What the interpreter and its activities report about a step; written idempotently. */
export interface StepRecordInput {
  runId: string;
  step: string;
  iteration: string;
  type: string;
  status: StepStatus;
  attempt?: number;
  input?: unknown;
  output?: unknown;
  error?: unknown;
  startedAt?: number;
  finishedAt?: number;
}

export interface RunRecordInput {
  runId: string;
  status: Extract<RunStatus, 'running' | 'waiting' | 'succeeded' | 'failed' | 'cancelled'>;
  output?: unknown;
  error?: unknown;
  at: number;
}

function json(value: unknown): Prisma.InputJsonValue {
  return JSON.parse(JSON.stringify(value ?? null));
}

/**
 * Upserts the StepRun row keyed by (run, step, iteration): replaying an activity or a local
 * activity after a crash writes the same row again instead of a second one.
 */
export async function recordStep(db: PrismaClient, record: StepRecordInput): Promise<void> {
  await stepUpsert(db, record);
}

function stepUpsert(db: PrismaClient, record: StepRecordInput) {
  const fields = {
    nodeType: record.type,
    status: record.status,
    ...(record.attempt !== undefined ? { attempt: record.attempt } : {}),
    ...(record.input !== undefined ? { input: json(record.input) } : {}),
    ...(record.output !== undefined ? { output: json(record.output) } : {}),
    ...(record.error !== undefined ? { error: json(record.error) } : {}),
    ...(record.startedAt !== undefined ? { startedAt: new Date(record.startedAt) } : {}),
    ...(record.finishedAt !== undefined ? { finishedAt: new Date(record.finishedAt) } : {}),
  };
  return db.stepRun.upsert({
    where: {
      runId_stepName_iterationKey: {
        runId: record.runId,
        stepName: record.step,
        iterationKey: record.iteration,
      },
    },
    create: { runId: record.runId, stepName: record.step, iterationKey: record.iteration, ...fields },
    update: fields,
  });
}

export async function recordRun(db: PrismaClient, record: RunRecordInput): Promise<void> {
  await runUpdate(db, record);
}

function runUpdate(db: PrismaClient, record: RunRecordInput) {
  const at = new Date(record.at);
  const finished =
    record.status === 'succeeded' || record.status === 'failed' || record.status === 'cancelled';
  return db.run.update({
    where: { id: record.runId },
    data: {
      status: record.status,
      ...(record.status === 'running' ? { startedAt: at } : {}),
      ...(finished ? { finishedAt: at } : {}),
      ...(record.output !== undefined ? { output: json(record.output) } : {}),
      ...(record.error !== undefined ? { error: json(record.error) } : {}),
    },
  });
}

/** Records the interpreter kept back to write together: StepRuns first, then the Run's changes, in order. */
export interface RecordBatch {
  steps: StepRecordInput[];
  runs: RunRecordInput[];
}

/** Writes a batch of records in one transaction (one visit to the database instead of one per record). */
export async function recordBatch(db: PrismaClient, batch: RecordBatch): Promise<void> {
  if (batch.steps.length === 0 && batch.runs.length === 0) return;
  await db.$transaction([
    ...batch.steps.map((record) => stepUpsert(db, record)),
    ...batch.runs.map((record) => runUpdate(db, record)),
  ]);
}
