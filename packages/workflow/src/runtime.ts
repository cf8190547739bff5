/**
 * What workflow (interpreter) code may import from this package: deterministic, no I/O, safe in
 * Temporal's workflow sandbox. Everything else lives in the main entry. Temporal evaluates these
 * modules again for every workflow it starts, so none of them may do work at module scope: no zod
 * schemas (reading a stored plan, `planFromJson`, is in the main entry).
 */

export {
  type ApprovalDecision,
  answerUpdate,
  approveSignal,
  INTERPRETER_WORKFLOW,
  mayDecide,
  progressQuery,
  type RunAnswer,
  type RunEvent,
  type RunInput,
  type RunProgress,
  type RunResponse,
  type RunResult,
  type RunStatus,
  runEventSignal,
  runWorkflowId,
  type ScheduledStart,
  type StepFailure,
  type StepState,
  WATCHER_MEMO,
} from './contract.ts';
export {
  type EvaluationOptions,
  EXPRESSION_LIMITS,
  EXPRESSION_ROOTS,
  ExpressionError,
  evaluate,
  resolveTemplates,
  type Scope,
} from './expressions.ts';
export { formatNeed } from './needs.ts';
export type {
  Execution,
  Plan,
  PlanNeed,
  PlanRetry,
  PlanStep,
  PlanTask,
} from './plan.ts';
export { referencedSecrets, secretRef, showSecretRefs } from './secret-refs.ts';
export { lastOutput, pureConfigMessage, readiness, toResponse } from './walk.ts';
