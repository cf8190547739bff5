/** The activities the interpreter workflow calls; workflow code imports these types only. */
import type { RunInput, StepState } from '@pincer/workflow/runtime';

export interface StepTaskInput {
  runId: string;
  step: string;
  /** '' for a plain step; the item index inside a for-each. */
  iteration: string;
  type: string;
  /** The step's config with its templates resolved (secrets still as references). */
  config: unknown;
  /** The run's nonce: only references carrying it are filled with secrets. */
  secretNonce: string;
  /** Records the interpreter kept back (of steps it ran inline), written before this step runs. */
  records?: RecordBatch;
}

export interface StepRecord {
  runId: string;
  step: string;
  iteration: string;
  type: string;
  status: StepState;
  input?: unknown;
  output?: unknown;
  error?: { message: string; type?: string; details?: Record<string, unknown> };
  /** Workflow time, ms since epoch. */
  startedAt?: number;
  finishedAt?: number;
}

export interface RunRecord {
  runId: string;
  status: 'running' | 'waiting' | 'succeeded' | 'failed' | 'cancelled';
  output?: unknown;
  error?: { step: string; message: string };
  at: number;
  /** The interpreter's Temporal run id, on the run's first record (the start does not wait to write it). */
  temporalRunId?: string;
}

/** Records written together, StepRuns first, then the Run's changes in order. */
export interface RecordBatch {
  steps: StepRecord[];
  runs: RunRecord[];
}

export interface ChildRunRequest {
  parentRunId: string;
  step: string;
  workflow: string;
  version?: number;
  input: unknown;
}

export interface InterpreterActivities {
  /** Runs one activity/local step: validates the resolved config, resolves secrets, records the StepRun. */
  runStep(input: StepTaskInput): Promise<unknown>;
  recordStep(record: StepRecord): Promise<void>;
  recordRun(record: RunRecord): Promise<void>;
  recordBatch(batch: RecordBatch): Promise<void>;
  /** Validates a control step's resolved config with its node schema; returns it with defaults applied. */
  parseStepConfig(input: { type: string; config: unknown }): Promise<Record<string, unknown>>;
  /** Creates the Run row of a run a Temporal Schedule started. */
  createScheduledRun(request: {
    workflow: string;
    scheduleId: string;
    input: unknown;
    temporalWorkflowId: string;
    temporalRunId: string;
  }): Promise<RunInput>;
  /** Creates the child Run row and returns the child's input (its plan pinned to a version). */
  prepareChildRun(request: ChildRunRequest): Promise<RunInput>;
}
