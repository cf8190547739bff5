/**
 * The contract between whoever starts runs (API, CLI, schedules, chat) and the interpreter
 * workflow: its name, input, result, signals and queries. Deterministic and I/O-free.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { Plan } from './plan.ts';

export const INTERPRETER_WORKFLOW = 'interpretPlan';

/** The Temporal workflow id of a run: one run, one id, so starting twice is refused. */
export function runWorkflowId(runId: string): string {
  return `run-${runId}`;
}

export interface RunInput {
  runId: string;
  workflow: { name: string; version: number; versionId: string };
  plan: Plan;
  /** The trigger's payload: manual input, webhook request, schedule info, chat message. */
  trigger: unknown;
  /** A re-run from a step: the outputs of earlier steps, kept from that run instead of run again. */
  kept?: { fromRunId: string; outputs: Record<string, unknown> };
}

/** What a Temporal Schedule starts: the run is created when it fires, on the latest version. */
export interface ScheduledStart {
  scheduled: { workflow: string; scheduleId: string; input: unknown };
}

export type RunStatus = 'running' | 'succeeded' | 'failed' | 'cancelled';
export type StepState =
  | 'pending'
  | 'running'
  | 'waiting_approval'
  | 'succeeded'
  | 'failed'
  | 'skipped'
  | 'cancelled';

export interface StepFailure {
  step: string;
  message: string;
  type?: string;
}

/** What a webhook answers with when a `respond` step ran. */
export interface RunResponse {
  status: number;
  headers: Record<string, string>;
  body?: unknown;
}

export interface RunResult {
  status: 'succeeded' | 'failed';
  /** The output of the last step (in plan order) that succeeded. */
  output: unknown;
  response?: RunResponse;
  error?: StepFailure;
}

export interface ApprovalDecision {
  step: string;
  approved: boolean;
  /** Who decided, for records and messages (`user:ops@example.com`, `chat:telegram:42`). */
  by: string;
  /**
   * The e-mail of the Pincer user who decided (a session or an API token); absent for a chat
   * sender. An approval step that names `approvers` takes a decision only from one of them.
   */
  approver?: string;
  comment?: string;
}

/** Whether an approval step that names `approvers` (none: anyone who may decide) takes a decision. */
export function mayDecide(approvers: readonly string[] | undefined, approver: string | undefined): boolean {
  if (!approvers || approvers.length === 0) return true;
  const who = approver?.toLowerCase();
  return who !== undefined && approvers.some((email) => email.toLowerCase() === who);
}

export interface RunProgress {
  status: RunStatus;
  steps: Record<string, { state: StepState; error?: string }>;
}

/**
 * What a caller waiting for a run (a `respond: when_done` webhook) is answered with: the `respond`
 * step's answer as soon as that step has run (the run goes on), else the run's result at its end.
 */
export type RunAnswer = { response: RunResponse } | { result: RunResult };

export const approveSignal = defineSignal<[ApprovalDecision]>('approve');
/** Completes with the run's answer (see RunAnswer); fails if the run is cancelled before it has one. */
export const answerUpdate = defineUpdate<RunAnswer>('answer');
export const progressQuery = defineQuery<RunProgress>('progress');

/**
 * A run started by a conversation tells it what happens (an approval waits, a step fails, the run
 * ends) by this signal, so the chat can show progress and buttons. The watcher's workflow id is
 * in the run's memo under WATCHER_MEMO.
 */
export type RunEvent =
  | {
      kind: 'approval_waiting';
      runId: string;
      workflow: string;
      step: string;
      message?: string;
      /** Only these users may decide (see ApprovalDecision.approver). */
      approvers?: string[];
    }
  | { kind: 'step_finished'; runId: string; workflow: string; step: string; state: StepState; total: number }
  | {
      kind: 'finished';
      runId: string;
      workflow: string;
      status: 'succeeded' | 'failed' | 'cancelled';
      output?: unknown;
      error?: StepFailure;
    };

export const WATCHER_MEMO = 'pincerWatcher';
export const runEventSignal = defineSignal<[RunEvent]>('runEvent');
