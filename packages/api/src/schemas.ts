/**
 * The /api/v1 contract: every request is parsed with these schemas and every response is
 * checked against them, and the OpenAPI document is generated from them (openapi.ts).
 */
import { Role, RunStatus, StepStatus, TriggerKind } from '@pincer/db';
import { WorkflowDefinitionSchema } from '@pincer/workflow';
import { z } from 'zod';

/** Schemas that appear in the OpenAPI document's components, by id. */
export const requestSchemas = z.registry<{ id: string }>();
export const responseSchemas = z.registry<{ id: string }>();

const timestamp = z.iso.datetime();
const uuid = z.uuid();
const roleSchema = z.enum(Role);
const runStatusSchema = z.enum(RunStatus);
const triggerSchema = z.enum(TriggerKind);

export const workflowNameSchema = z
  .string()
  .regex(/^[a-z][a-z0-9_-]*$/, 'use lowercase letters, digits, _ and -, starting with a letter')
  .max(100);

// Path parameters

export const WorkflowParams = z.object({ name: workflowNameSchema });
export const RunParams = z.object({ id: uuid });
export const ArtifactParams = z.object({ id: uuid, artifactId: uuid });
export const ChatFileParams = z.object({ id: uuid });
export const PairingParams = z.object({
  code: z.string().regex(/^[A-Za-z0-9]{8}$/, 'a pairing code is 8 letters and digits'),
});
export const ApprovalParams = z.object({ id: uuid, step: z.string().min(1).max(100) });
export const TokenParams = z.object({ id: uuid });

// Query strings

export const WorkflowQuery = z.strictObject({
  format: z.enum(['json', 'yaml']).optional().describe('`yaml` answers with the definition as YAML text'),
  version: z.coerce.number().int().positive().optional().describe('a version other than the latest'),
});

export const RunListQuery = z.strictObject({
  workflow: workflowNameSchema.optional(),
  status: runStatusSchema.optional(),
  trigger: triggerSchema.optional(),
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(500)
    .optional()
    .describe('at most this many, newest first (default 50)'),
});

// Request bodies

export const WorkflowDefinition = WorkflowDefinitionSchema;
requestSchemas.add(WorkflowDefinition, { id: 'WorkflowDefinition' });

export const StartRunRequest = z.strictObject({
  input: z.unknown().optional().describe("the run's trigger payload, `trigger` in expressions (default {})"),
  version: z.int().positive().optional().describe('run this version instead of the latest'),
  wait: z.boolean().optional().describe('answer when the run has finished (at most 5 minutes, then 504)'),
});
requestSchemas.add(StartRunRequest, { id: 'StartRunRequest' });

export const RerunRequest = z.strictObject({
  fromStep: z
    .string()
    .min(1)
    .max(100)
    .optional()
    .describe(
      'run again from this step, keeping the outputs of the steps before it; the whole run when absent',
    ),
});
requestSchemas.add(RerunRequest, { id: 'RerunRequest' });

export const ApprovalRequest = z.strictObject({
  approved: z.boolean(),
  comment: z.string().max(2000).optional(),
});
requestSchemas.add(ApprovalRequest, { id: 'ApprovalRequest' });

export const CreateTokenRequest = z.strictObject({
  name: z.string().trim().min(1).max(100),
  role: roleSchema.optional().describe("defaults to the caller's role"),
  expiresAt: z.iso.datetime({ offset: true }).optional().describe('no expiry when absent'),
});
requestSchemas.add(CreateTokenRequest, { id: 'CreateTokenRequest' });

// Responses

export const ApiErrorBody = z.object({
  error: z.object({
    code: z.string().describe('stable, machine-readable'),
    message: z.string().describe('what went wrong and what to do'),
    issues: z
      .array(
        z.object({
          code: z.string().optional(),
          message: z.string(),
          step: z.string().optional(),
          field: z.string().optional(),
        }),
      )
      .optional()
      .describe('every problem found, for invalid definitions and requests'),
    runId: z.string().optional().describe('the run concerned, when a wait timed out'),
  }),
});
responseSchemas.add(ApiErrorBody, { id: 'Error' });

const PublishedWebhook = z.object({
  id: uuid,
  key: z.string().describe('the trigger name in the definition (or webhook_<n>)'),
  url: z.string().describe('POST (or the configured method) here with header X-Pincer-Secret'),
  method: z.string(),
  respond: z.enum(['immediately', 'when_done']),
  secret: z.string().optional().describe('only when the webhook was created by this import: shown once'),
});

export const ScheduleSummary = z.object({
  id: uuid,
  workflow: z.string(),
  cron: z.string(),
  timezone: z.string(),
  paused: z.boolean(),
});
responseSchemas.add(ScheduleSummary, { id: 'Schedule' });

export const SavedWorkflow = z.object({
  name: z.string(),
  version: z.int(),
  created: z.boolean().describe('false when the definition equals the latest version'),
  triggers: z
    .object({
      webhooks: z.array(PublishedWebhook),
      schedules: z.array(ScheduleSummary.omit({ workflow: true })),
    })
    .describe("the workflow's webhooks and schedules, as published by this import"),
});
responseSchemas.add(SavedWorkflow, { id: 'SavedWorkflow' });

export const WorkflowSummary = z.object({
  name: z.string(),
  description: z.string().nullable(),
  tags: z.array(z.string()),
  latestVersion: z.int().nullable(),
  lastRun: z.object({ id: uuid, status: runStatusSchema, createdAt: timestamp }).nullable(),
  updatedAt: timestamp,
});
responseSchemas.add(WorkflowSummary, { id: 'WorkflowSummary' });

export const WorkflowList = z.object({ workflows: z.array(WorkflowSummary) });
responseSchemas.add(WorkflowList, { id: 'WorkflowList' });

export const WorkflowDetail = z.object({
  name: z.string(),
  description: z.string().nullable(),
  tags: z.array(z.string()),
  version: z.int().describe('the version of `definition`'),
  definition: WorkflowDefinitionSchema,
  versions: z.array(z.object({ version: z.int(), createdAt: timestamp })).describe('newest first'),
});
responseSchemas.add(WorkflowDetail, { id: 'WorkflowDetail' });

export const RunAccepted = z.object({ id: uuid, status: runStatusSchema });
responseSchemas.add(RunAccepted, { id: 'RunAccepted' });

export const RunStep = z.object({
  name: z.string(),
  iteration: z.string().describe('"" for a plain step, the item index inside a for-each'),
  type: z.string(),
  status: z.enum(StepStatus),
  attempts: z.int(),
  input: z.unknown(),
  output: z.unknown(),
  error: z.unknown(),
  startedAt: timestamp.nullable(),
  finishedAt: timestamp.nullable(),
});

export const RunView = z.object({
  id: uuid,
  workflow: z.string(),
  version: z.int(),
  status: runStatusSchema,
  trigger: triggerSchema,
  actor: z.string(),
  input: z.unknown(),
  output: z.unknown(),
  error: z.unknown(),
  parentRunId: uuid.nullable(),
  createdAt: timestamp,
  startedAt: timestamp.nullable(),
  finishedAt: timestamp.nullable(),
  steps: z.array(RunStep),
  artifacts: z.array(
    z.object({
      id: uuid,
      step: z.string(),
      name: z.string(),
      mediaType: z.string(),
      size: z.int(),
      sha256: z.string(),
      url: z.string().describe('download it with the same bearer token'),
      createdAt: timestamp,
    }),
  ),
});
responseSchemas.add(RunView, { id: 'Run' });

export const RunSummary = z.object({
  id: uuid,
  workflow: z.string(),
  version: z.int(),
  status: runStatusSchema,
  trigger: triggerSchema,
  actor: z.string(),
  createdAt: timestamp,
  finishedAt: timestamp.nullable(),
});
responseSchemas.add(RunSummary, { id: 'RunSummary' });

export const RunList = z.object({ runs: z.array(RunSummary) });
responseSchemas.add(RunList, { id: 'RunList' });

export const ApprovalAccepted = z.object({ id: uuid, step: z.string(), approved: z.boolean() });
responseSchemas.add(ApprovalAccepted, { id: 'ApprovalAccepted' });

export const TokenCreated = z.object({
  token: z.string().describe('the secret: shown once, store it now'),
  id: uuid,
  prefix: z.string(),
  name: z.string(),
  role: roleSchema,
  expiresAt: timestamp.nullable(),
});
responseSchemas.add(TokenCreated, { id: 'TokenCreated' });

export const TokenSummary = z.object({
  id: uuid,
  name: z.string(),
  prefix: z.string(),
  role: roleSchema,
  user: z.string(),
  createdAt: timestamp,
  lastUsedAt: timestamp.nullable(),
  expiresAt: timestamp.nullable(),
  revokedAt: timestamp.nullable(),
});
responseSchemas.add(TokenSummary, { id: 'TokenSummary' });

export const TokenList = z.object({ tokens: z.array(TokenSummary) });
responseSchemas.add(TokenList, { id: 'TokenList' });

export const ScheduleParams = z.object({ id: uuid });

export const WebhookParams = z.object({ id: uuid });

export const WebhookSecret = z.object({
  id: uuid,
  url: z.string().describe('unchanged: the webhook keeps its URL'),
  secret: z.string().describe('the new secret: shown once, send it as header X-Pincer-Secret'),
});
responseSchemas.add(WebhookSecret, { id: 'WebhookSecret' });

export const ScheduleList = z.object({ schedules: z.array(ScheduleSummary) });
responseSchemas.add(ScheduleList, { id: 'ScheduleList' });

export const ScheduleDetail = ScheduleSummary.extend({
  overlap: z.string(),
  nextRuns: z.array(timestamp).describe('the next (up to) 5 fire times'),
  recentRuns: z.int().describe('how many times it fired recently'),
});
responseSchemas.add(ScheduleDetail, { id: 'ScheduleDetail' });

export const NodeCatalog = z.object({
  nodes: z.array(
    z.object({
      type: z.string(),
      title: z.string(),
      description: z.string(),
      category: z.string(),
      capability: z.string(),
      taskQueue: z.string(),
      execution: z.enum(['activity', 'local', 'control']),
      outputs: z.union([z.array(z.string()), z.literal('dynamic')]),
      configSchema: z.record(z.string(), z.unknown()).describe('JSON Schema of the config fields'),
      source: z.string(),
    }),
  ),
});
responseSchemas.add(NodeCatalog, { id: 'NodeCatalog' });

export const CredentialParams = z.object({
  name: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,99}$/, 'letters, digits and _ (read as secrets.NAME)'),
});

export const SetCredentialRequest = z.strictObject({
  value: z
    .string()
    .min(1)
    .max(64 * 1024)
    .describe('the secret; it can never be read back'),
  type: z.string().min(1).max(50).optional().describe('a label for people, e.g. api_token (default: secret)'),
});
requestSchemas.add(SetCredentialRequest, { id: 'SetCredentialRequest' });

export const CredentialSaved = z.object({ name: z.string(), created: z.boolean() });
responseSchemas.add(CredentialSaved, { id: 'CredentialSaved' });

export const CredentialList = z.object({
  credentials: z.array(
    z.object({ name: z.string(), type: z.string(), createdAt: timestamp, updatedAt: timestamp }),
  ),
});
responseSchemas.add(CredentialList, { id: 'CredentialList' });

export const PairingDecision = z.strictObject({ approved: z.boolean() });
requestSchemas.add(PairingDecision, { id: 'PairingDecision' });

export const PairingQuery = z.strictObject({
  status: z.enum(['pending', 'approved', 'rejected']).optional().describe('only pairings in this state'),
});

const pairing = z.object({
  code: z.string(),
  platform: z.string(),
  userId: z.string(),
  name: z.string().nullable(),
  chatId: z.string(),
  status: z.enum(['pending', 'approved', 'rejected']),
  decidedBy: z.string().nullable(),
  createdAt: timestamp,
});
export const Pairing = pairing;
responseSchemas.add(Pairing, { id: 'ChatPairing' });
export const PairingList = z.object({ pairings: z.array(pairing) });
responseSchemas.add(PairingList, { id: 'ChatPairingList' });
