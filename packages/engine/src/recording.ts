import type { PrismaClient, RunStatus, StepStatus } from '@pincer/db';
import { EngineError } from './errors.ts';
import { uuidv7 } from './ids.ts';
import { jsonForRecord } from './nul.ts';

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
  /** Temporal's run id of the interpreter, when the start did not know it (set once, never cleared). */
  temporalRunId?: string;
}

/** Records the interpreter kept back to write together: StepRuns first, then the Run's changes, in order. */
export interface RecordBatch {
  steps: StepRecordInput[];
  runs: RunRecordInput[];
}

/** A StepRun as the statement reads it (with its id): a field left out is left as it is. */
type StepRow = StepRecordInput & { id: string };

/** A Run's changes as the statement reads them: a field left out is left as it is. */
interface RunRow {
  runId: string;
  status: RunRecordInput['status'];
  output?: unknown;
  error?: unknown;
  startedAt?: number;
  finishedAt?: number;
  temporalRunId?: string;
}

const FINISHED = new Set<RunStatus>(['succeeded', 'failed', 'cancelled']);

/**
 * Folds records into one row per StepRun, later fields over earlier ones: what writing them one
 * after the other would leave (one statement cannot change a row twice).
 */
function stepRows(records: StepRecordInput[]): StepRow[] {
  const rows = new Map<string, StepRow>();
  for (const record of records) {
    const key = JSON.stringify([record.runId, record.step, record.iteration]);
    const fields = Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined));
    const row = rows.get(key);
    if (row) Object.assign(row, fields);
    else rows.set(key, { id: uuidv7(), ...record, ...fields });
  }
  return [...rows.values()];
}

/** Folds run records into one change per Run, in order: the last status wins, as it would one by one. */
function runRows(records: RunRecordInput[]): RunRow[] {
  const rows = new Map<string, RunRow>();
  for (const record of records) {
    const row: RunRow = rows.get(record.runId) ?? { runId: record.runId, status: record.status };
    row.status = record.status;
    if (record.status === 'running') row.startedAt = record.at;
    if (FINISHED.has(record.status)) row.finishedAt = record.at;
    if (record.output !== undefined) row.output = record.output ?? null;
    if (record.error !== undefined) row.error = record.error ?? null;
    if (record.temporalRunId !== undefined) row.temporalRunId = record.temporalRunId;
    rows.set(record.runId, row);
  }
  return [...rows.values()];
}

/**
 * One statement for a whole batch: StepRuns keyed by (run, step, iteration) are updated where they
 * exist and inserted where they do not, and each Run gets its changes. Replaying a batch after a
 * crash writes the same rows again instead of second ones. In JSON, an absent key keeps the
 * column; a present `null` is stored as JSON null, as before.
 */
const RECORD_SQL = `
WITH given AS (
  SELECT r,
         (r->>'runId')::uuid AS run_id,
         r->>'step' AS step_name,
         r->>'iteration' AS iteration_key,
         to_timestamp((r->>'startedAt')::float8 / 1000) AS started_at,
         to_timestamp((r->>'finishedAt')::float8 / 1000) AS finished_at
  FROM jsonb_array_elements($1::jsonb) AS r
),
updated AS (
  UPDATE step_runs AS s SET
    node_type = g.r->>'type',
    status = (g.r->>'status')::step_status,
    attempt = COALESCE((g.r->>'attempt')::int, s.attempt),
    input = COALESCE(g.r->'input', s.input),
    output = COALESCE(g.r->'output', s.output),
    error = COALESCE(g.r->'error', s.error),
    started_at = COALESCE(g.started_at, s.started_at),
    finished_at = COALESCE(g.finished_at, s.finished_at),
    updated_at = now()
  FROM given AS g
  WHERE s.run_id = g.run_id AND s.step_name = g.step_name AND s.iteration_key = g.iteration_key
  RETURNING s.run_id, s.step_name, s.iteration_key
),
inserted AS (
  INSERT INTO step_runs AS s
    (id, run_id, step_name, iteration_key, node_type, status, attempt, input, output, error,
     started_at, finished_at, updated_at)
  SELECT (g.r->>'id')::uuid, g.run_id, g.step_name, g.iteration_key, g.r->>'type',
         (g.r->>'status')::step_status, COALESCE((g.r->>'attempt')::int, 1),
         g.r->'input', g.r->'output', g.r->'error', g.started_at, g.finished_at, now()
  FROM given AS g
  WHERE NOT EXISTS (
    SELECT 1 FROM updated AS u
    WHERE u.run_id = g.run_id AND u.step_name = g.step_name AND u.iteration_key = g.iteration_key
  )
  -- Only when another writer inserted the same step a moment ago: the later values win.
  ON CONFLICT (run_id, step_name, iteration_key) DO UPDATE SET
    node_type = EXCLUDED.node_type,
    status = EXCLUDED.status,
    attempt = EXCLUDED.attempt,
    input = COALESCE(EXCLUDED.input, s.input),
    output = COALESCE(EXCLUDED.output, s.output),
    error = COALESCE(EXCLUDED.error, s.error),
    started_at = COALESCE(EXCLUDED.started_at, s.started_at),
    finished_at = COALESCE(EXCLUDED.finished_at, s.finished_at),
    updated_at = now()
  RETURNING 1
),
runs_given AS (
  SELECT r, (r->>'runId')::uuid AS id FROM jsonb_array_elements($2::jsonb) AS r
),
runs_updated AS (
  UPDATE runs AS run SET
    status = (g.r->>'status')::run_status,
    started_at = COALESCE(to_timestamp((g.r->>'startedAt')::float8 / 1000), run.started_at),
    finished_at = COALESCE(to_timestamp((g.r->>'finishedAt')::float8 / 1000), run.finished_at),
    output = COALESCE(g.r->'output', run.output),
    error = COALESCE(g.r->'error', run.error),
    temporal_run_id = COALESCE(g.r->>'temporalRunId', run.temporal_run_id),
    updated_at = now()
  FROM runs_given AS g
  WHERE run.id = g.id
  RETURNING 1
)
SELECT (SELECT count(*) FROM updated) + (SELECT count(*) FROM inserted) AS steps,
       (SELECT count(*) FROM runs_updated) AS runs`;

/**
 * Writes a batch of records in one SQL statement (one visit to the database, whatever its size).
 * Throws if a Run it changes does not exist.
 */
export async function recordBatch(db: PrismaClient, batch: RecordBatch): Promise<void> {
  if (batch.steps.length === 0 && batch.runs.length === 0) return;
  const runs = runRows(batch.runs);
  const [written] = await db.$queryRawUnsafe<{ steps: bigint; runs: bigint }[]>(
    RECORD_SQL,
    jsonForRecord(stepRows(batch.steps)),
    jsonForRecord(runs),
  );
  if (Number(written?.runs ?? 0) !== runs.length) {
    const ids = runs.map((run) => run.runId).join(', ');
    throw new EngineError('run_not_found', `Cannot record the run(s) ${ids}: no such run in the database.`);
  }
}

/**
 * Upserts the StepRun row keyed by (run, step, iteration): replaying an activity or a local
 * activity after a crash writes the same row again instead of a second one.
 */
export async function recordStep(db: PrismaClient, record: StepRecordInput): Promise<void> {
  await recordBatch(db, { steps: [record], runs: [] });
}

export async function recordRun(db: PrismaClient, record: RunRecordInput): Promise<void> {
  await recordBatch(db, { steps: [], runs: [record] });
}
