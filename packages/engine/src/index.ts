export {
  type ChatAccess,
  type ChatAccessSettings,
  type ChatSenderRef,
  chatAccessOf,
  decidePairing,
  listPairings,
  type PairingView,
  requestPairing,
} from './chat.ts';
export {
  CREDENTIAL_NAME,
  decryptSecret,
  deleteCredential,
  encryptSecret,
  listCredentials,
  readCredential,
  setCredential,
} from './credentials.ts';
export { EngineError, type EngineErrorCode } from './errors.ts';
export { type InlineRun, isPurePlan, runInline } from './inline-runs.ts';
export {
  type RecordBatch,
  type RunRecordInput,
  recordBatch,
  recordRun,
  recordStep,
  type StepRecordInput,
} from './recording.ts';
export {
  cancelRun,
  createRun,
  decideApproval,
  getRun,
  listRuns,
  type RerunRequest,
  type RunView,
  rerunRun,
  type StartRunRequest,
  startRun,
  WORKFLOW_TASK_QUEUE,
  waitForAnswer,
  waitForRun,
} from './runs.ts';
export {
  type ApiTokenSummary,
  type AuthenticatedToken,
  authenticateToken,
  type CreateApiTokenInput,
  type CreatedApiToken,
  createApiToken,
  lesserRole,
  listApiTokens,
  revokeApiToken,
  roleAllows,
  TokenError,
  type TokenErrorCode,
  tokenActor,
} from './tokens.ts';
export {
  authenticateWebhook,
  describeSchedule,
  listSchedules,
  listWebhooks,
  type PublishedSchedule,
  type PublishedTriggers,
  type PublishedWebhook,
  publishTriggers,
  rotateWebhookSecret,
  setSchedulePaused,
  type WebhookConfig,
  type WebhookView,
} from './triggers.ts';
export {
  archiveWorkflow,
  checksumOf,
  exportWorkflowYaml,
  findVersion,
  listWorkflows,
  prepareDefinition,
  type SavedWorkflow,
  saveWorkflow,
} from './workflows.ts';
