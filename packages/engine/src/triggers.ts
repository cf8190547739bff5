import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { OverlapPolicy, PrismaClient } from '@pincer/db';
import { scheduleTrigger, TRIGGER_TYPES, webhookTrigger } from '@pincer/nodes';
import { INTERPRETER_WORKFLOW, type ScheduledStart } from '@pincer/workflow/runtime';
import { type Client, ScheduleNotFoundError, ScheduleOverlapPolicy } from '@temporalio/client';
import { z } from 'zod';
import { audit } from './audit.ts';
import { EngineError } from './errors.ts';
import { WORKFLOW_TASK_QUEUE } from './runs.ts';
import type { VersionRef } from './workflows.ts';

/** A webhook as stored on its trigger row: the webhook trigger's config (timeout in ms) and its key. */
const WebhookConfig = z.object({ ...webhookTrigger.config.shape, key: z.string() });
export type WebhookConfig = z.output<typeof WebhookConfig>;

const TriggerEntry = z
  .object({ type: z.enum(TRIGGER_TYPES), name: z.string().optional() })
  .catchall(z.unknown());

/** A schedule trigger as written in the workflow (its `type`, `name` and `ui` left out). */
const ScheduleEntry = z.object(scheduleTrigger.config.shape);

const OVERLAP: Record<OverlapPolicy, ScheduleOverlapPolicy> = {
  skip: ScheduleOverlapPolicy.SKIP,
  buffer_one: ScheduleOverlapPolicy.BUFFER_ONE,
  buffer_all: ScheduleOverlapPolicy.BUFFER_ALL,
  cancel_other: ScheduleOverlapPolicy.CANCEL_OTHER,
  terminate_other: ScheduleOverlapPolicy.TERMINATE_OTHER,
  allow_all: ScheduleOverlapPolicy.ALLOW_ALL,
};

function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

export interface PublishedWebhook {
  id: string;
  key: string;
  method: string;
  respond: 'immediately' | 'when_done';
  /** Only when the webhook was created now: it is never shown again. */
  secret?: string;
}

export interface PublishedSchedule {
  id: string;
  cron: string;
  timezone: string;
  paused: boolean;
}

export interface PublishedTriggers {
  webhooks: PublishedWebhook[];
  schedules: PublishedSchedule[];
}

/**
 * Makes a workflow's webhooks and schedules match its latest definition: webhooks keep their id
 * (and so their URL and secret) while their key stays; schedules become Temporal Schedules.
 */
export async function publishTriggers(
  db: PrismaClient,
  temporal: Client,
  workflowName: string,
  actor: string,
): Promise<PublishedTriggers> {
  const workflow = await db.workflow.findUnique({ where: { name: workflowName } });
  if (!workflow) throw new EngineError('workflow_not_found', `No workflow named "${workflowName}".`);
  const definition = z.object({ triggers: z.array(TriggerEntry).default([]) }).parse(workflow.definition);
  const webhooks = await syncWebhooks(db, workflow.id, definition.triggers);
  const schedules = await syncSchedules(db, temporal, workflow.id, workflow.name, definition.triggers);
  await audit(db, {
    actor,
    action: 'workflow.triggers.published',
    targetId: workflow.id,
    data: { webhooks: webhooks.length, schedules: schedules.length },
  });
  return { webhooks, schedules };
}

async function syncWebhooks(
  db: PrismaClient,
  workflowId: string,
  triggers: z.output<typeof TriggerEntry>[],
): Promise<PublishedWebhook[]> {
  const wanted = triggers
    .map((trigger, index) => ({ trigger, key: trigger.name ?? `webhook_${index + 1}` }))
    .filter(({ trigger }) => trigger.type === 'webhook');
  const existing = await db.trigger.findMany({ where: { workflowId, kind: 'webhook' } });
  const keyOf = (config: unknown) => WebhookConfig.safeParse(config).data?.key;
  const published: PublishedWebhook[] = [];
  for (const { trigger, key } of wanted) {
    const config = WebhookConfig.parse({
      key,
      method: trigger.method,
      respond: trigger.respond,
      timeout: trigger.timeout,
    });
    const found = existing.find((row) => keyOf(row.config) === key);
    if (found) {
      await db.trigger.update({ where: { id: found.id }, data: { config, enabled: true } });
      published.push({ id: found.id, key, method: config.method, respond: config.respond });
    } else {
      const secret = randomBytes(24).toString('base64url');
      const row = await db.trigger.create({
        data: { workflowId, kind: 'webhook', config, secretHash: hashSecret(secret) },
      });
      published.push({ id: row.id, key, method: config.method, respond: config.respond, secret });
    }
  }
  const keep = new Set(published.map((hook) => hook.id));
  await db.trigger.updateMany({
    where: { workflowId, kind: 'webhook', id: { notIn: [...keep] } },
    data: { enabled: false },
  });
  return published;
}

async function syncSchedules(
  db: PrismaClient,
  temporal: Client,
  workflowId: string,
  workflowName: string,
  triggers: z.output<typeof TriggerEntry>[],
): Promise<PublishedSchedule[]> {
  const wanted = triggers
    .filter((trigger) => trigger.type === 'schedule')
    .map((trigger) => ScheduleEntry.parse(trigger));
  const existing = await db.schedule.findMany({ where: { workflowId } });
  const published: PublishedSchedule[] = [];
  for (const entry of wanted) {
    const found = existing.find((row) => row.cron === entry.cron && row.timezone === entry.timezone);
    const row =
      found ??
      (await db.schedule.create({
        data: {
          workflowId,
          cron: entry.cron,
          timezone: entry.timezone,
          overlapPolicy: entry.overlap,
          input: JSON.parse(JSON.stringify(entry.input ?? {})),
          temporalScheduleId: `pincer-schedule-${randomBytes(8).toString('hex')}`,
        },
      }));
    if (found) {
      await db.schedule.update({
        where: { id: found.id },
        data: { overlapPolicy: entry.overlap, input: JSON.parse(JSON.stringify(entry.input ?? {})) },
      });
    }
    await upsertTemporalSchedule(temporal, {
      scheduleId: row.temporalScheduleId,
      cron: entry.cron,
      timezone: entry.timezone,
      overlap: entry.overlap,
      paused: row.paused,
      start: { scheduled: { workflow: workflowName, scheduleId: row.id, input: entry.input ?? {} } },
    });
    published.push({ id: row.id, cron: row.cron, timezone: row.timezone, paused: row.paused });
  }
  const stale = existing.filter((row) => !published.some((kept) => kept.id === row.id));
  for (const row of stale) {
    await deleteTemporalSchedule(temporal, row.temporalScheduleId);
    await db.schedule.delete({ where: { id: row.id } });
  }
  return published;
}

async function upsertTemporalSchedule(
  temporal: Client,
  options: {
    scheduleId: string;
    cron: string;
    timezone: string;
    overlap: OverlapPolicy;
    paused: boolean;
    start: ScheduledStart;
  },
): Promise<void> {
  const spec = { cronExpressions: [options.cron], timezone: options.timezone };
  const action = {
    type: 'startWorkflow' as const,
    workflowType: INTERPRETER_WORKFLOW,
    taskQueue: WORKFLOW_TASK_QUEUE,
    args: [options.start],
  };
  const policies = { overlap: OVERLAP[options.overlap] };
  const handle = temporal.schedule.getHandle(options.scheduleId);
  try {
    await handle.update((previous) => ({ ...previous, spec, action, policies }));
  } catch (error) {
    if (!(error instanceof ScheduleNotFoundError)) throw error;
    await temporal.schedule.create({
      scheduleId: options.scheduleId,
      spec,
      action,
      policies,
      state: { paused: options.paused },
    });
  }
}

async function deleteTemporalSchedule(temporal: Client, scheduleId: string): Promise<void> {
  try {
    await temporal.schedule.getHandle(scheduleId).delete();
  } catch (error) {
    if (!(error instanceof ScheduleNotFoundError)) throw error;
  }
}

/** Pauses or resumes a schedule, in Temporal and in the database. */
export async function setSchedulePaused(
  db: PrismaClient,
  temporal: Client,
  scheduleId: string,
  paused: boolean,
  actor: string,
): Promise<void> {
  const row = await db.schedule.findUnique({ where: { id: scheduleId } });
  if (!row) throw new EngineError('schedule_not_found', `No schedule with id ${scheduleId}.`);
  const handle = temporal.schedule.getHandle(row.temporalScheduleId);
  if (paused) await handle.pause(`paused by ${actor}`);
  else await handle.unpause(`resumed by ${actor}`);
  await db.schedule.update({ where: { id: row.id }, data: { paused } });
  await audit(db, {
    actor,
    action: paused ? 'schedule.paused' : 'schedule.resumed',
    targetId: row.id,
  });
}

/** A schedule with its next fire times, from Temporal itself. */
export async function describeSchedule(db: PrismaClient, temporal: Client, scheduleId: string) {
  const row = await db.schedule.findUnique({
    where: { id: scheduleId },
    include: { workflow: { select: { name: true } } },
  });
  if (!row) throw new EngineError('schedule_not_found', `No schedule with id ${scheduleId}.`);
  const description = await temporal.schedule.getHandle(row.temporalScheduleId).describe();
  return {
    id: row.id,
    workflow: row.workflow.name,
    cron: row.cron,
    timezone: row.timezone,
    overlap: row.overlapPolicy,
    paused: description.state.paused,
    nextRuns: description.info.nextActionTimes.slice(0, 5),
    recentRuns: description.info.recentActions.length,
  };
}

export async function listSchedules(db: PrismaClient) {
  const rows = await db.schedule.findMany({
    include: { workflow: { select: { name: true } } },
    orderBy: { createdAt: 'asc' },
  });
  return rows.map((row) => ({
    id: row.id,
    workflow: row.workflow.name,
    cron: row.cron,
    timezone: row.timezone,
    overlap: row.overlapPolicy,
    paused: row.paused,
  }));
}

/** The webhook behind an id, if the secret matches; null otherwise (no hint which part was wrong). */
export async function authenticateWebhook(
  db: PrismaClient,
  triggerId: string,
  secret: string | null,
): Promise<{ id: string; workflow: string; config: WebhookConfig; version: VersionRef } | null> {
  if (!secret || !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(triggerId))
    return null;
  // Every webhook request starts here: one lean query for the live webhook and the version its
  // run starts on (the latest), nothing else.
  const [row] = await db.$queryRawUnsafe<
    {
      workflow: string;
      config: unknown;
      secretHash: string;
      workflowId: string;
      versionId: string;
      version: number;
    }[]
  >(
    `SELECT w.name AS workflow, t.config, t.secret_hash AS "secretHash", w.id::text AS "workflowId",
            v.id::text AS "versionId", v.version
       FROM triggers AS t JOIN workflows AS w ON w.id = t.workflow_id
       JOIN LATERAL (SELECT id, version FROM workflow_versions
                      WHERE workflow_id = w.id ORDER BY version DESC LIMIT 1) AS v ON true
      WHERE t.id = $1::uuid AND t.kind = 'webhook' AND t.enabled AND t.secret_hash IS NOT NULL
        AND w.archived_at IS NULL`,
    triggerId,
  );
  if (!row) return null;
  const expected = Buffer.from(row.secretHash, 'hex');
  const given = Buffer.from(hashSecret(secret), 'hex');
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return null;
  const { workflow, workflowId, versionId, version } = row;
  return {
    id: triggerId.toLowerCase(),
    workflow,
    config: WebhookConfig.parse(row.config),
    version: { workflowId, workflow, versionId, version },
  };
}

export interface WebhookView {
  id: string;
  workflow: string;
  key: string;
  method: string;
  respond: 'immediately' | 'when_done';
  createdAt: Date;
}

/** Every live webhook (enabled, of a workflow not archived); secrets never leave the database. */
export async function listWebhooks(db: PrismaClient): Promise<WebhookView[]> {
  const rows = await db.trigger.findMany({
    where: { kind: 'webhook', enabled: true, workflow: { archivedAt: null } },
    include: { workflow: { select: { name: true } } },
    orderBy: { createdAt: 'asc' },
  });
  return rows.flatMap((row) => {
    const config = WebhookConfig.safeParse(row.config).data;
    if (!config) return [];
    return [
      {
        id: row.id,
        workflow: row.workflow.name,
        key: config.key,
        method: config.method,
        respond: config.respond,
        createdAt: row.createdAt,
      },
    ];
  });
}

/**
 * Gives a webhook a new secret and returns it (the only time it is shown); the old one stops
 * working at once. The URL stays.
 */
export async function rotateWebhookSecret(
  db: PrismaClient,
  triggerId: string,
  actor: string,
): Promise<{ id: string; secret: string }> {
  const row = /^[0-9a-f-]{36}$/i.test(triggerId)
    ? await db.trigger.findUnique({ where: { id: triggerId } })
    : null;
  if (row?.kind !== 'webhook')
    throw new EngineError(
      'trigger_not_found',
      `No webhook with id ${triggerId}: publish the workflow first.`,
    );
  const secret = randomBytes(24).toString('base64url');
  await db.trigger.update({ where: { id: row.id }, data: { secretHash: hashSecret(secret) } });
  await audit(db, { actor, action: 'webhook.secret_rotated', targetId: row.id });
  return { id: row.id, secret };
}
