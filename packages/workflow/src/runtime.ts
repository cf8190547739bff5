/**
 * What workflow (interpreter) code may import from this package: deterministic, no I/O, safe in
 * Temporal's workflow sandbox. Everything else lives in the main entry.
 */

export {
  type ApprovalDecision,
  answerUpdate,
  approveSignal,
  INTERPRETER_WORKFLOW,
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
  EXPRESSION_ROOTS,
  ExpressionError,
  evaluate,
  resolveTemplates,
  type Scope,
} from './expressions.ts';
export { formatNeed } from './needs.ts';
export {
  type Execution,
  type Plan,
  type PlanNeed,
  type PlanRetry,
  type PlanStep,
  type PlanTask,
  planFromJson,
} from './plan.ts';
export { referencedSecrets, secretRef, showSecretRefs } from './secret-refs.ts';
