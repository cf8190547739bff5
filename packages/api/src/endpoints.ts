/**
 * Every /api/v1 endpoint as data: the role it needs, its parameters, body and answers. Route
 * handlers take their role and schemas from here and the OpenAPI document is generated from it,
 * so the document cannot drift from what the handlers do.
 */
import type { Role } from '@pincer/db';
import { MAX_YAML_BYTES } from '@pincer/workflow';
import type { z } from 'zod';
import * as schemas from './schemas.ts';

/** Request bodies are definitions or small JSON documents; the limit is the YAML one (1 MiB). */
export const MAX_BODY_BYTES = MAX_YAML_BYTES;

/**
 * The endpoint groups: what the OpenAPI document says of each, and what a path parameter that
 * names nothing answers (a malformed id names nothing either: 404, not 400).
 */
export const TAGS = {
  workflows: {
    description: 'Definitions and their immutable versions',
    notFound: { code: 'workflow_not_found', what: 'workflow' },
  },
  runs: {
    description: 'Starting, following, cancelling and approving runs',
    notFound: { code: 'run_not_found', what: 'run' },
  },
  tokens: {
    description: 'API tokens (owners only)',
    notFound: { code: 'token_not_found', what: 'API token' },
  },
  schedules: {
    description: "Cron schedules from workflows' schedule triggers",
    notFound: { code: 'schedule_not_found', what: 'schedule' },
  },
  nodes: {
    description: 'The step types this Pincer knows',
    notFound: { code: 'node_type_not_found', what: 'node type' },
  },
  credentials: {
    description: 'Credentials steps read as {{ secrets.NAME }} (write-only)',
    notFound: { code: 'credential_not_found', what: 'credential' },
  },
  chat: {
    description: 'Who may talk to the assistant on chat platforms (pairings), and the files they sent',
    notFound: { code: 'pairing_not_found', what: 'pairing' },
  },
  hooks: {
    description: 'Webhooks: start a run from any HTTP client, authenticated by its secret',
    notFound: { code: 'webhook_not_found', what: 'webhook' },
  },
} as const satisfies Record<string, { description: string; notFound: { code: string; what: string } }>;

export type EndpointTag = keyof typeof TAGS;

export type Method = 'get' | 'post' | 'put' | 'delete';

export interface Answer {
  description: string;
  /** A registered response schema: the JSON answer. */
  json?: z.ZodType;
  /** The answer can also be YAML text (application/yaml). */
  yaml?: boolean;
  /** The answer is a file of any media type. */
  binary?: boolean;
}

export interface Endpoint {
  operationId: string;
  method: Method;
  /** OpenAPI path under /api/v1, e.g. `/workflows/{name}`. */
  path: string;
  tag: EndpointTag;
  summary: string;
  /** The least role a token needs. */
  role: Role;
  params?: z.ZodObject;
  query?: z.ZodObject;
  /** A registered request schema (JSON), or `workflow`: a definition as YAML or JSON. */
  body?: z.ZodType | 'workflow';
  answers: Record<number, Answer>;
}

/** Identity with the literal type kept, so handlers see the concrete schemas. */
function endpoint<const E extends Endpoint>(spec: E): E {
  return spec;
}

const none = (description: string): Answer => ({ description });

export const listWorkflows = endpoint({
  operationId: 'listWorkflows',
  method: 'get',
  path: '/workflows',
  tag: 'workflows',
  summary: 'List the workflows that are not archived',
  role: 'viewer',
  answers: { 200: { description: 'The workflows, by name', json: schemas.WorkflowList } },
});

export const createWorkflow = endpoint({
  operationId: 'importWorkflow',
  method: 'post',
  path: '/workflows',
  tag: 'workflows',
  summary: 'Import a workflow definition (creates the workflow or its next version)',
  role: 'editor',
  body: 'workflow',
  answers: {
    201: { description: 'Stored as a new version', json: schemas.SavedWorkflow },
    200: { description: 'Equal to the latest version: nothing stored', json: schemas.SavedWorkflow },
  },
});

export const getWorkflow = endpoint({
  operationId: 'getWorkflow',
  method: 'get',
  path: '/workflows/{name}',
  tag: 'workflows',
  summary: 'The latest definition (or `version`) and the version list; `format=yaml` for YAML',
  role: 'viewer',
  params: schemas.WorkflowParams,
  query: schemas.WorkflowQuery,
  answers: {
    200: {
      description: 'The workflow; its definition as YAML with `format=yaml`',
      json: schemas.WorkflowDetail,
      yaml: true,
    },
  },
});

export const updateWorkflow = endpoint({
  operationId: 'updateWorkflow',
  method: 'put',
  path: '/workflows/{name}',
  tag: 'workflows',
  summary: 'Store a new version; the name in the definition must be the one in the path',
  role: 'editor',
  params: schemas.WorkflowParams,
  body: 'workflow',
  answers: {
    201: { description: 'Stored as a new version', json: schemas.SavedWorkflow },
    200: { description: 'Equal to the latest version: nothing stored', json: schemas.SavedWorkflow },
  },
});

export const archiveWorkflow = endpoint({
  operationId: 'archiveWorkflow',
  method: 'delete',
  path: '/workflows/{name}',
  tag: 'workflows',
  summary: 'Archive a workflow (its versions and runs are kept; importing it again restores it)',
  role: 'editor',
  params: schemas.WorkflowParams,
  answers: { 204: none('Archived') },
});

export const startRun = endpoint({
  operationId: 'startRun',
  method: 'post',
  path: '/workflows/{name}/runs',
  tag: 'runs',
  summary: 'Start a run; with `wait: true`, answer when it has finished',
  role: 'editor',
  params: schemas.WorkflowParams,
  body: schemas.StartRunRequest,
  answers: {
    202: { description: 'Started', json: schemas.RunAccepted },
    200: { description: 'Finished (with `wait: true`), whether it succeeded or not', json: schemas.RunView },
    504: {
      description: 'Still running after the wait limit; `error.runId` names the run',
      json: schemas.ApiErrorBody,
    },
  },
});

export const listRuns = endpoint({
  operationId: 'listRuns',
  method: 'get',
  path: '/runs',
  tag: 'runs',
  summary: 'List runs, newest first',
  role: 'viewer',
  query: schemas.RunListQuery,
  answers: { 200: { description: 'The runs', json: schemas.RunList } },
});

export const getRun = endpoint({
  operationId: 'getRun',
  method: 'get',
  path: '/runs/{id}',
  tag: 'runs',
  summary: 'A run with its steps',
  role: 'viewer',
  params: schemas.RunParams,
  answers: { 200: { description: 'The run', json: schemas.RunView } },
});

export const getArtifact = endpoint({
  operationId: 'getArtifact',
  method: 'get',
  path: '/runs/{id}/artifacts/{artifactId}',
  tag: 'runs',
  summary: "Download a file a run's step produced (listed in the run's `artifacts`)",
  role: 'viewer',
  params: schemas.ArtifactParams,
  answers: { 200: { description: 'The file, with its media type', binary: true } },
});

export const getChatFile = endpoint({
  operationId: 'getChatFile',
  method: 'get',
  path: '/chat/files/{id}',
  tag: 'chat',
  summary:
    'Download a file someone sent in a chat (a photo, a document): the `url` of the attachments a chat-started run gets',
  role: 'viewer',
  params: schemas.ChatFileParams,
  answers: { 200: { description: 'The file, with its media type', binary: true } },
});

export const rerunRun = endpoint({
  operationId: 'rerunRun',
  method: 'post',
  path: '/runs/{id}/rerun',
  tag: 'runs',
  summary:
    'Run the same version again with the same input; with fromStep, earlier steps keep their outputs and only the step and what follows it run',
  role: 'editor',
  params: schemas.RunParams,
  body: schemas.RerunRequest,
  answers: {
    202: { description: 'The new run, started', json: schemas.RunAccepted },
    400: { description: 'No such step in the run', json: schemas.ApiErrorBody },
  },
});

export const cancelRun = endpoint({
  operationId: 'cancelRun',
  method: 'post',
  path: '/runs/{id}/cancel',
  tag: 'runs',
  summary: 'Ask a run to stop; it ends as cancelled once its current steps have stopped',
  role: 'editor',
  params: schemas.RunParams,
  answers: {
    202: { description: 'Cancellation requested', json: schemas.RunAccepted },
    409: { description: 'The run has already finished', json: schemas.ApiErrorBody },
  },
});

export const decideApproval = endpoint({
  operationId: 'decideApproval',
  method: 'post',
  path: '/runs/{id}/approvals/{step}',
  tag: 'runs',
  summary: 'Approve or reject a step that waits for approval',
  role: 'editor',
  params: schemas.ApprovalParams,
  body: schemas.ApprovalRequest,
  answers: {
    202: { description: 'Decision delivered to the run', json: schemas.ApprovalAccepted },
    409: { description: 'The step is not waiting for approval', json: schemas.ApiErrorBody },
  },
});

export const listPairings = endpoint({
  operationId: 'listChatPairings',
  method: 'get',
  path: '/chat/pairings',
  tag: 'chat',
  summary: 'Chat senders who asked to talk to the assistant, newest first',
  role: 'owner',
  query: schemas.PairingQuery,
  answers: { 200: { description: 'The pairings', json: schemas.PairingList } },
});

export const decidePairing = endpoint({
  operationId: 'decideChatPairing',
  method: 'post',
  path: '/chat/pairings/{code}',
  tag: 'chat',
  summary: 'Approve (or reject) the pairing code a chat sender got; approved senders may talk',
  role: 'owner',
  params: schemas.PairingParams,
  body: schemas.PairingDecision,
  answers: {
    200: { description: 'Decided', json: schemas.Pairing },
    404: { description: 'No pairing with that code', json: schemas.ApiErrorBody },
  },
});

export const createToken = endpoint({
  operationId: 'createToken',
  method: 'post',
  path: '/tokens',
  tag: 'tokens',
  summary: "Create an API token for the caller's user; the token is in this answer only",
  role: 'owner',
  body: schemas.CreateTokenRequest,
  answers: { 201: { description: 'Created', json: schemas.TokenCreated } },
});

export const listTokens = endpoint({
  operationId: 'listTokens',
  method: 'get',
  path: '/tokens',
  tag: 'tokens',
  summary: 'List the API tokens that are not revoked (never their secrets)',
  role: 'owner',
  answers: { 200: { description: 'The tokens', json: schemas.TokenList } },
});

export const revokeToken = endpoint({
  operationId: 'revokeToken',
  method: 'delete',
  path: '/tokens/{id}',
  tag: 'tokens',
  summary: 'Revoke an API token for good',
  role: 'owner',
  params: schemas.TokenParams,
  answers: { 204: none('Revoked') },
});

export const listSchedules = endpoint({
  operationId: 'listSchedules',
  method: 'get',
  path: '/schedules',
  tag: 'schedules',
  summary: "Every workflow's cron schedules (from their `schedule` triggers)",
  role: 'viewer',
  answers: { 200: { description: 'The schedules', json: schemas.ScheduleList } },
});

export const getSchedule = endpoint({
  operationId: 'getSchedule',
  method: 'get',
  path: '/schedules/{id}',
  tag: 'schedules',
  summary: 'A schedule with its next 5 fire times, from Temporal',
  role: 'viewer',
  params: schemas.ScheduleParams,
  answers: { 200: { description: 'The schedule', json: schemas.ScheduleDetail } },
});

export const pauseSchedule = endpoint({
  operationId: 'pauseSchedule',
  method: 'post',
  path: '/schedules/{id}/pause',
  tag: 'schedules',
  summary: 'Pause a schedule (it fires again once resumed)',
  role: 'editor',
  params: schemas.ScheduleParams,
  answers: { 200: { description: 'Paused', json: schemas.ScheduleDetail } },
});

export const resumeSchedule = endpoint({
  operationId: 'resumeSchedule',
  method: 'post',
  path: '/schedules/{id}/resume',
  tag: 'schedules',
  summary: 'Resume a paused schedule',
  role: 'editor',
  params: schemas.ScheduleParams,
  answers: { 200: { description: 'Resumed', json: schemas.ScheduleDetail } },
});

export const rotateWebhookSecret = endpoint({
  operationId: 'rotateWebhookSecret',
  method: 'post',
  path: '/hooks/{id}/rotate',
  tag: 'hooks',
  summary:
    'Give a webhook a new secret (in this answer only); the old secret stops working at once and the URL stays',
  role: 'editor',
  params: schemas.WebhookParams,
  answers: { 200: { description: 'The new secret', json: schemas.WebhookSecret } },
});

export const listNodeTypes = endpoint({
  operationId: 'listNodeTypes',
  method: 'get',
  path: '/nodes',
  tag: 'nodes',
  summary: 'The node catalog: every step type (built-in and plugins) with the JSON Schema of its config',
  role: 'viewer',
  answers: { 200: { description: 'The node types', json: schemas.NodeCatalog } },
});

export const listCredentials = endpoint({
  operationId: 'listCredentials',
  method: 'get',
  path: '/credentials',
  tag: 'credentials',
  summary: 'The credentials steps can use as {{ secrets.NAME }} (names only, never values)',
  role: 'viewer',
  answers: { 200: { description: 'The credentials', json: schemas.CredentialList } },
});

export const setCredential = endpoint({
  operationId: 'setCredential',
  method: 'put',
  path: '/credentials/{name}',
  tag: 'credentials',
  summary: 'Store a credential (encrypted; write-only)',
  role: 'editor',
  params: schemas.CredentialParams,
  body: schemas.SetCredentialRequest,
  answers: {
    201: { description: 'Created', json: schemas.CredentialSaved },
    200: { description: 'Replaced', json: schemas.CredentialSaved },
  },
});

export const deleteCredential = endpoint({
  operationId: 'deleteCredential',
  method: 'delete',
  path: '/credentials/{name}',
  tag: 'credentials',
  summary: 'Delete a credential (steps using it fail until it is set again)',
  role: 'editor',
  params: schemas.CredentialParams,
  answers: { 204: none('Deleted') },
});

/** Every endpoint by name: the one list the handlers, the CLI, the document and the tests use. */
export const endpoints = {
  listWorkflows,
  createWorkflow,
  getWorkflow,
  updateWorkflow,
  archiveWorkflow,
  startRun,
  listRuns,
  getRun,
  getArtifact,
  rerunRun,
  cancelRun,
  decideApproval,
  listPairings,
  decidePairing,
  getChatFile,
  createToken,
  listTokens,
  revokeToken,
  listSchedules,
  getSchedule,
  pauseSchedule,
  resumeSchedule,
  rotateWebhookSecret,
  listNodeTypes,
  listCredentials,
  setCredential,
  deleteCredential,
};

export const ENDPOINTS: readonly Endpoint[] = Object.values(endpoints);
