import { createTestDatabase } from '@pincer/testing/support/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb, migrateDatabase, Prisma, type PrismaClient, RunStatus, StepStatus } from '../src/index.ts';

let db: PrismaClient;

beforeAll(async () => {
  const url = await createTestDatabase('client');
  await migrateDatabase(url);
  db = createDb(url);
});

afterAll(async () => {
  await db?.$disconnect();
});

async function publishedWorkflow(name: string) {
  const workflow = await db.workflow.create({
    data: {
      name,
      tags: ['reports', 'daily'],
      definition: { steps: [{ name: 'fetch_logs', type: 'shell' }] },
    },
  });
  const version = await db.workflowVersion.create({
    data: {
      workflowId: workflow.id,
      version: 1,
      definition: workflow.definition ?? {},
      checksum: 'sha256:a',
    },
  });
  return { workflow, version };
}

describe('createDb', () => {
  it('stores workflows with JSON definitions and finds them by tag', async () => {
    const { workflow } = await publishedWorkflow('daily_report');

    const found = await db.workflow.findMany({ where: { tags: { has: 'reports' } } });

    expect(found.map((w) => w.id)).toContain(workflow.id);
    expect(found.find((w) => w.id === workflow.id)?.definition).toEqual({
      steps: [{ name: 'fetch_logs', type: 'shell' }],
    });
  });

  it('refuses a second WorkflowVersion with the same number for one workflow (P2002)', async () => {
    const { workflow } = await publishedWorkflow('versioned');

    const duplicate = db.workflowVersion.create({
      data: { workflowId: workflow.id, version: 1, definition: {}, checksum: 'sha256:b' },
    });

    await expect(duplicate).rejects.toBeInstanceOf(Prisma.PrismaClientKnownRequestError);
    await expect(duplicate).rejects.toMatchObject({ code: 'P2002' });
    const next = await db.workflowVersion.create({
      data: { workflowId: workflow.id, version: 2, definition: {}, checksum: 'sha256:b' },
    });
    expect(next.version).toBe(2);
  });

  it('upserts a StepRun idempotently on (runId, stepName, iterationKey)', async () => {
    const { workflow, version } = await publishedWorkflow('with_steps');
    const run = await db.run.create({
      data: {
        workflowId: workflow.id,
        workflowVersionId: version.id,
        temporalWorkflowId: `run-${version.id}`,
        triggerKind: 'manual',
        actor: 'user:owner@example.com',
        status: RunStatus.running,
      },
    });
    const key = { runId: run.id, stepName: 'fetch_logs', iterationKey: '' };
    const record = (attempt: number, status: StepStatus) =>
      db.stepRun.upsert({
        where: { runId_stepName_iterationKey: key },
        create: { ...key, nodeType: 'shell', attempt, status },
        update: { attempt, status },
      });

    await record(1, StepStatus.running);
    await record(1, StepStatus.running);
    await record(2, StepStatus.succeeded);
    await db.stepRun.create({ data: { ...key, iterationKey: '0', nodeType: 'shell' } });

    const steps = await db.stepRun.findMany({ where: { runId: run.id }, orderBy: { iterationKey: 'asc' } });
    expect(steps.map((s) => [s.iterationKey, s.attempt, s.status])).toEqual([
      ['', 2, 'succeeded'],
      ['0', 1, 'pending'],
    ]);
  });

  it('deduplicates inbound chat messages by platform message id', async () => {
    const conversation = await db.conversation.create({ data: { platform: 'telegram', externalId: '42' } });
    const message = {
      conversationId: conversation.id,
      platform: 'telegram',
      direction: 'inbound' as const,
      platformMessageId: '42:7',
      sender: '1001',
      content: { text: '/run daily_report' },
    };

    const first = await db.message.createMany({ data: [message], skipDuplicates: true });
    const again = await db.message.createMany({ data: [message], skipDuplicates: true });

    expect([first.count, again.count]).toEqual([1, 0]);
  });

  it('round-trips encrypted credential bytes', async () => {
    const ciphertext = new Uint8Array([0, 1, 2, 254, 255]);

    await db.credential.create({
      data: {
        name: 'slack',
        type: 'slack_bot',
        ciphertext,
        iv: new Uint8Array(12),
        authTag: new Uint8Array(16),
      },
    });

    const stored = await db.credential.findUniqueOrThrow({ where: { name: 'slack' } });
    expect(Array.from(stored.ciphertext)).toEqual([0, 1, 2, 254, 255]);
  });
});
